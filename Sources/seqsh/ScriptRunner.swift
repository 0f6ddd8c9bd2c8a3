// ScriptRunner.swift — running a script file, a `-e` snippet or stdin, and `--check`.
//
// The whole text is run at once under its file name, so diagnostics point at real lines.
// The script's arguments become the list global `args`. Warnings are printed as they happen
// and never change the exit status; the first error stops the run (`--check` lists every
// syntax error, then every problem the statements find without reading data or training).

import Foundation
import Interpreter
import SeqLang

struct ScriptRunner {
    /// The strings the script sees as `args`.
    let arguments: [String]
    /// `--check`: validate without reading data or training.
    let checkOnly: Bool
    let reporter: Reporter

    /// `--check` runs the script's plain code too; a script that loops forever is stopped after
    /// this many seconds with a `.limit` diagnostic instead of hanging the check.
    static let checkTimeLimit = 10.0

    init(arguments: [String], checkOnly: Bool, color: Bool) {
        self.arguments = arguments
        self.checkOnly = checkOnly
        reporter = Reporter(colorRequested: color)
    }

    /// Runs the UTF-8 script at `path`.
    func run(path: String) -> ExitStatus {
        let seq = makeInterpreter()
        return finish(seq.run(file: path), seq)
    }

    /// Runs `source`, named `file` in diagnostics.
    func run(source: String, file: String) -> ExitStatus {
        let seq = makeInterpreter()
        return finish(seq.run(source: source, file: file), seq)
    }

    /// Runs everything that arrives on stdin, named `<stdin>` in diagnostics.
    func runStandardInput() -> ExitStatus {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        let seq = makeInterpreter()
        do {
            let text = try SourceText.decode([UInt8](data), file: "<stdin>")
            return finish(seq.run(source: text, file: "<stdin>"), seq)
        } catch {
            reporter.report(error, from: seq)
            return .scriptError
        }
    }

    private func makeInterpreter() -> SeqInterpreter {
        let slot = InterpreterSlot()
        var configuration = Reporter.configuration(reporter: reporter, interpreter: { slot.value })
        configuration.checkOnly = checkOnly
        if checkOnly { configuration.timeLimit = ScriptRunner.checkTimeLimit }
        let seq = SeqInterpreter(configuration)
        slot.value = seq
        seq[global: "args"] = .list(arguments.map { .string($0) })
        return seq
    }

    private func finish(_ result: SeqInterpreter.RunResult, _ seq: SeqInterpreter) -> ExitStatus {
        reporter.report(result, from: seq) ? .scriptError : .success
    }
}
