// Helpers.swift — runs snippets through the public embedding API and captures what they print.

import XCTest
import Foundation
import SeqLang
import Interpreter

/// The output, result and interpreter of one run.
struct Outcome {
    var output: String
    var result: SeqInterpreter.RunResult
    /// `line:col: message` of every error, in order.
    var errors: [String] { result.errors.map { "\($0.range.start): \($0.message)" } }
}

/// A fresh interpreter whose output is collected into `Captured.text`.
final class Captured: @unchecked Sendable {
    var text = ""
    let interpreter: SeqInterpreter

    init(configure: (inout SeqInterpreter.Configuration) -> Void = { _ in }) {
        let box = TextBox()
        var config = SeqInterpreter.Configuration(output: { box.text += $0 })
        configure(&config)
        interpreter = SeqInterpreter(config)
        self.box = box
    }
    private let box: TextBox

    func run(_ source: String, file: String = "<test>") -> Outcome {
        box.text = ""
        let result = interpreter.run(source: source, file: file)
        return Outcome(output: box.text, result: result)
    }
}

final class TextBox: @unchecked Sendable { var text = "" }

/// Runs `source` in a fresh interpreter.
func runSeq(_ source: String) -> Outcome {
    Captured().run(source)
}

/// Runs `body` on a thread with a 512 KiB stack, as a host's secondary thread may be.
func onSmallThread(_ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread { body(); done.signal() }
    thread.stackSize = 512 << 10
    thread.start()
    done.wait()
}

/// The probabilities `predict` gives for each id sequence in the interpreter's current model.
func predictedProbabilities(_ c: Captured, _ inputs: [[Int]], file: StaticString = #filePath, line: UInt = #line) -> [[Double]] {
    inputs.map { ids in
        let o = c.run("let p = predict [\(ids.map(String.init).joined(separator: ", "))]")
        XCTAssertEqual(o.errors, [], file: file, line: line)
        guard case .record(let fields)? = c.interpreter[global: "p"],
              case .list(let values)? = fields.first(where: { $0.key == "probabilities" })?.value else {
            XCTFail("no probabilities", file: file, line: line)
            return []
        }
        return values.map { if case .number(let x) = $0 { return x } else { return .nan } }
    }
}
