// Completion.swift — tab completion at the seqsh prompt, through GNU readline.
//
// Readline asks a C function for the matches of the word at the cursor. The candidates come
// from the REPL (`REPL.completions(line:cursor:)`): for SeqLang lines the interpreter's
// `completions(line:cursor:)` — the same candidates the language server offers — and for `:`
// lines the REPL's own commands and help topics. After `:load ` readline completes file names.
//
// Words break at every character that cannot be in a name (so `model.pa` completes `pa`, and
// the candidates are the words themselves). Readline appends a space to a unique match
// (`rl_completion_append_character`, left at its ' '), and where a space already follows the
// cursor it steps over that one instead, so completing inside a line never doubles a space.

@preconcurrency import CReadline
import Foundation

enum Completion {
    /// The candidates for the word at a cursor (a character offset) of a line; set by `install`.
    nonisolated(unsafe) static var candidates: (String, Int) -> [String] = { _, _ in [] }
    /// The matches of the current completion, handed out one by one.
    nonisolated(unsafe) static var pending: [String] = []

    /// Every character that cannot be part of a name breaks a word.
    nonisolated(unsafe) static let nameBreaks: UnsafeMutablePointer<CChar> = strdup(" \t\n\"\\'`@$><=;|&{}()[],.+-*/%!:#?^~")!
    /// Readline's own word breaks, kept for file names after `:load `.
    nonisolated(unsafe) static let fileBreaks: UnsafeMutablePointer<CChar> = strdup(" \t\n\"\\'`@$><=;|&{(")!

    static func install(_ source: @escaping (String, Int) -> [String]) {
        candidates = source
        rl_attempted_completion_function = attempt
        rl_completion_word_break_hook = wordBreaks
    }

    /// The line being edited and the cursor in characters (readline counts bytes).
    static var lineAndCursor: (String, Int) {
        guard let buffer = rl_line_buffer else { return ("", 0) }
        let line = String(cString: buffer)
        let bytes = Array(line.utf8.prefix(Int(rl_point)))
        return (line, String(decoding: bytes, as: UTF8.self).count)
    }

    private static let wordBreaks: @convention(c) () -> UnsafeMutablePointer<CChar>? = {
        let (line, _) = lineAndCursor
        return line.hasPrefix(":load ") ? fileBreaks : nameBreaks
    }

    /// Completes words from `candidates`; file names after `:load `.
    private static let attempt: @convention(c) (UnsafePointer<CChar>?, Int32, Int32)
        -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, start, _ in
        let (line, cursor) = lineAndCursor
        if line.hasPrefix(":load ") { return nil }  // readline's file-name completion
        rl_attempted_completion_over = 1
        pending = Array(candidates(line, cursor).reversed())
        return rl_completion_matches(text, generator)
    }

    /// Readline calls this with state 0 for a new word, then 1, 2, … until it returns nil.
    private static let generator: @convention(c) (UnsafePointer<CChar>?, Int32)
        -> UnsafeMutablePointer<CChar>? = { _, _ in
        guard let next = pending.popLast() else { return nil }
        return strdup(next)
    }
}
