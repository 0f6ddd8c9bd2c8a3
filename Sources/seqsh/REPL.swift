// REPL.swift — the interactive loop: read an entry, run it, show its values, keep going.
//
// An entry is one line, or several when the first ends inside an unfinished block or list:
// the interpreter says so with an `.incompleteInput` diagnostic (`isIncomplete`) and the REPL
// reads on under the continuation prompt. A string never continues on the next line: one left
// open is an "unterminated string" error at once. Each statement's value is echoed as
// it runs (ValueDisplay.swift); an error is printed with a caret under the typed line and
// the session keeps its names and models. Lines starting with `:` are the REPL's own
// commands (ReplCommands.swift). Ctrl-C cancels a running statement or clears the prompt;
// Ctrl-D at the main prompt (or the end of piped input) quits, while Ctrl-D under the
// continuation prompt only drops the unfinished entry, so the session and its models stay.

import Foundation
import Interpreter
import SeqLang

final class REPL {
    static let prompt = "seq> "
    static let continuationPrompt = "...> "
    /// The file name entries are run under, as diagnostics show it.
    static let entryFile = "<repl>"

    let reporter: Reporter
    private let slot = InterpreterSlot()
    private let echo = EchoSwitch()
    private var reader: LineReader!
    private var interrupts: Interrupts?
    private let lineEditing: Bool
    /// `--data DIR`: where `data_path` looks first.
    private let dataFolder: String?

    /// The session's interpreter; `:reset` replaces it.
    var interpreter: SeqInterpreter { slot.value! }

    init(color: Bool, lineEditing: Bool, dataFolder: String? = nil) {
        reporter = Reporter(colorRequested: color)
        self.lineEditing = lineEditing
        self.dataFolder = dataFolder
        reset()
    }

    /// Starts a fresh interpreter: no names, no models.
    func reset() {
        var configuration = Reporter.configuration(reporter: reporter, dataFolder: dataFolder, interpreter: { [slot] in slot.value })
        configuration.cancelledWording = "stopped by Ctrl-C"
        configuration.echo = { [echo] value in
            if echo.isOn { Terminal.writeOut(ValueDisplay.echo(value) + "\n") }
        }
        slot.value = SeqInterpreter(configuration)
    }

    func run() -> ExitStatus {
        let interrupts = Interrupts()
        self.interrupts = interrupts
        if lineEditing {
            reader = ReadlineReader(interrupts: interrupts) { [unowned self] line, cursor in completions(line: line, cursor: cursor) }
            Terminal.writeOut("seqsh \(SeqInterpreter.version) — type :help for help, Ctrl-D to quit\n")
        } else {
            reader = PlainLineReader()
        }
        var pending: [String] = []
        while true {
            switch reader.read(prompt: pending.isEmpty ? REPL.prompt : REPL.continuationPrompt) {
            case .interrupted:
                pending = []
            case .endOfInput:
                if lineEditing && !pending.isEmpty {
                    Terminal.writeOut("(the unfinished entry of \(pending.count) line\(pending.count == 1 ? "" : "s") is dropped; Ctrl-D at an empty seq> quits)\n")
                    pending = []
                    continue
                }
                if !pending.isEmpty { reporter.report(runEntry(pending.joined(separator: "\n")), from: interpreter) }
                return .success
            case .line(let line):
                reader.remember(line)
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if pending.isEmpty {
                    if trimmed.isEmpty { continue }
                    if trimmed.hasPrefix(":") {
                        if perform(command: line) == .quit { return .success }
                        continue
                    }
                }
                pending.append(line)
                let result = runEntry(pending.joined(separator: "\n"))
                if result.isIncomplete { continue }
                pending = []
                if result.errors.contains(where: { $0.kind == .cancelled }) {
                    Terminal.writeErr("\n")  // below the ^C the terminal echoed
                }
                reporter.report(result, from: interpreter)
            }
        }
    }

    /// Runs one complete entry with its values echoed; Ctrl-C cancels it.
    func runEntry(_ source: String) -> SeqInterpreter.RunResult {
        running { $0.run(source: source, file: REPL.entryFile) }
    }

    /// Runs `body` on the interpreter so that Ctrl-C cancels it; `echoing` false keeps values quiet.
    func running<T>(echoing: Bool = true, _ body: (SeqInterpreter) -> T) -> T {
        let seq = interpreter
        echo.isOn = echoing
        defer { echo.isOn = true }
        guard let interrupts else { return body(seq) }
        return interrupts.whileRunning(seq) { body(seq) }
    }

    /// Tab-completion candidates for the word at `cursor` (a character offset) of `line`: the
    /// interpreter's for SeqLang, the commands (without their `:`) and `:help` topics for `:` lines.
    func completions(line: String, cursor: Int) -> [String] {
        let chars = Array(line)
        let end = min(max(0, cursor), chars.count)
        guard chars.first(where: { !$0.isWhitespace }) == ":" else {
            return interpreter.completions(line: line, cursor: end).words
        }
        var start = end
        while start > 0, chars[start - 1].isLetter || chars[start - 1].isNumber || chars[start - 1] == "_" { start -= 1 }
        let prefix = String(chars[start..<end])
        let (name, nameColumn, _, _) = REPL.split(command: line)
        if start == nameColumn {
            return ReplCommand.allCases.map(\.rawValue).filter { $0.hasPrefix(prefix) }
        }
        if ReplCommand(rawValue: name) == .help || ReplCommand.aliases[name] == .help {
            return Help.topics.filter { $0.hasPrefix(prefix) }
        }
        return []
    }
}

/// Whether statement values are echoed (off for `:shape`, `:summary`, `:load`).
final class EchoSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var on = true
    var isOn: Bool {
        get { lock.withLock { on } }
        set { lock.withLock { on = newValue } }
    }
}
