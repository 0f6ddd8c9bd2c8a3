// Reporter.swift — how seqsh shows diagnostics: every one through the interpreter's renderer.
//
// Errors and warnings from scripts, from the REPL's own commands and from files that cannot
// be read are all `Diagnostic` values, printed to stderr by `SeqInterpreter.render`
// (`file:line:col: error: message`, the source line, a caret), coloured only on a terminal.

import Foundation
import Interpreter
import SeqLang

struct Reporter {
    /// Colour the severity words (true only when stderr is a terminal and NO_COLOR is unset).
    let color: Bool

    init(colorRequested: Bool) {
        color = colorRequested && Terminal.colorAllowed(on: STDERR_FILENO)
    }

    /// Prints `diagnostic` to stderr, with its source line when `interpreter` ran that source.
    func report(_ diagnostic: Diagnostic, from interpreter: SeqInterpreter) {
        Terminal.writeErr(interpreter.render(diagnostic, color: color))
    }

    /// Prints every diagnostic of `result`; returns true when there was an error.
    @discardableResult
    func report(_ result: SeqInterpreter.RunResult, from interpreter: SeqInterpreter) -> Bool {
        for diagnostic in result.diagnostics { report(diagnostic, from: interpreter) }
        return !result.succeeded
    }

    /// A configuration whose output goes to stdout and whose warnings are printed as they happen.
    /// `interpreter` is read when a warning arrives (the interpreter does not exist yet when its
    /// configuration is made).
    static func configuration(reporter: Reporter, dataFolder: String?,
                              interpreter: @escaping @Sendable () -> SeqInterpreter?) -> SeqInterpreter.Configuration {
        // In an mpirun job every rank runs the script: rank 0 alone prints output and warnings
        // (errors of every rank still go to stderr), and mpirun's forwarded output gets no live bar.
        let job = SeqInterpreter.jobPlace
        let silent = (job?.rank ?? 0) != 0
        var configuration = SeqInterpreter.Configuration(output: { if !silent { Terminal.writeOut($0) } })
        configuration.dataFolder = dataFolder
        // Training draws its live progress bar only where a person watches it.
        configuration.outputIsTerminal = job == nil && isatty(STDOUT_FILENO) == 1
        configuration.onWarning = { warning in
            if silent { return }  // every rank would say the same
            if let seq = interpreter() {
                reporter.report(warning, from: seq)
            } else {
                Terminal.writeErr(warning.render(source: nil, color: reporter.color))
            }
        }
        return configuration
    }
}

/// A reference to an interpreter that is made after the closures that need it.
final class InterpreterSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: SeqInterpreter?
    var value: SeqInterpreter? {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}
