// LineReader.swift — where the REPL's lines come from: readline on a terminal, plain stdin otherwise.
//
// The plain reader lets a session be piped in (`seqsh -i < session.txt`): it reads lines
// without editing, history or prompts, so tests can drive the REPL without a terminal.

import Foundation

/// What one attempt to read a line produced.
enum LineEvent: Equatable {
    case line(String)
    /// Ctrl-D on an empty line, or the end of piped input.
    case endOfInput
    /// Ctrl-C at the prompt: the line (and any unfinished entry) is abandoned.
    case interrupted
}

protocol LineReader {
    /// Shows `prompt` (if the reader shows prompts) and reads one line.
    func read(prompt: String) -> LineEvent
    /// Records a line the user entered in the history (if the reader keeps one).
    func remember(_ line: String)
}

/// Lines from stdin, without prompts or history.
struct PlainLineReader: LineReader {
    func read(prompt: String) -> LineEvent {
        guard let line = Swift.readLine(strippingNewline: true) else { return .endOfInput }
        return .line(line)
    }

    func remember(_ line: String) {}
}
