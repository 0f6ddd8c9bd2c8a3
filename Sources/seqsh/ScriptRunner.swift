// ScriptRunner.swift — running a script file, a `-e` snippet or stdin, and `--check`.
//
// The whole text is run at once under its file name, so diagnostics point at real lines.
// The script's arguments become the list global `args`. Warnings are printed as they happen
// and never change the exit status; the first error stops the run. `--check` runs nothing:
// the static checker (`SeqInterpreter.check`) lists every error and warning it can prove
// without reading data or training, and opens no file but the script.

import Foundation
import Interpreter
import SeqLang

struct ScriptRunner {
    /// The strings the script sees as `args`.
    let arguments: [String]
    /// `--check`: validate without reading data or training.
    let checkOnly: Bool
    /// `--data DIR`: where `data_path` looks first.
    let dataFolder: String?
    let reporter: Reporter

    init(arguments: [String], checkOnly: Bool, color: Bool, dataFolder: String? = nil) {
        self.arguments = arguments
        self.checkOnly = checkOnly
        self.dataFolder = dataFolder
        reporter = Reporter(colorRequested: color)
    }

    /// Runs the UTF-8 script at `path`.
    func run(path: String) -> ExitStatus {
        let seq = makeInterpreter()
        if checkOnly { return finish(seq.check(file: path), seq) }
        return finish(seq.run(file: path), seq)
    }

    /// Runs `source`, named `file` in diagnostics.
    func run(source: String, file: String) -> ExitStatus {
        let seq = makeInterpreter()
        if checkOnly { return finish(seq.check(source: source, file: file), seq) }
        return finish(seq.run(source: source, file: file), seq)
    }

    /// Runs everything that arrives on stdin, named `<stdin>` in diagnostics.
    func runStandardInput() -> ExitStatus {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        let seq = makeInterpreter()
        do {
            let text = try SeqInterpreter.sourceText([UInt8](data), file: "<stdin>")
            if checkOnly { return finish(seq.check(source: text, file: "<stdin>"), seq) }
            return finish(seq.run(source: text, file: "<stdin>"), seq)
        } catch {
            reporter.report(error, from: seq)
            return .scriptError
        }
    }

    private func makeInterpreter() -> SeqInterpreter {
        let slot = InterpreterSlot()
        var configuration = Reporter.configuration(reporter: reporter, dataFolder: dataFolder, interpreter: { slot.value })
        configuration.checkOnly = checkOnly
        let seq = SeqInterpreter(configuration)
        slot.value = seq
        seq[global: "args"] = .list(arguments.map { .string($0) })
        return seq
    }

    private func finish(_ report: CheckReport, _ seq: SeqInterpreter) -> ExitStatus {
        for diagnostic in report.diagnostics { reporter.report(diagnostic, from: seq) }
        return report.succeeded ? .success : .scriptError
    }

    private func finish(_ result: SeqInterpreter.RunResult, _ seq: SeqInterpreter) -> ExitStatus {
        reporter.report(result, from: seq) ? .scriptError : .success
    }
}
