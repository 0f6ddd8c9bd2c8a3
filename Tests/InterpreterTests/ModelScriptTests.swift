// ModelScriptTests.swift — the model statements run as scripts through the embedding API:
// the examples of docs/model.md, positions from the real lexer, warnings and REPL values.

import XCTest
import SeqLang
import Interpreter

final class ModelScriptTests: XCTestCase {
    /// The ```seq blocks of docs/model.md.
    func docExamples() throws -> [String] {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/model.md").standardized
        return seqBlocks(in: try String(contentsOf: docs, encoding: .utf8)).map(\.code)
    }

    func testEveryDocumentedExampleRuns() throws {
        let examples = try docExamples()
        XCTAssertEqual(examples.count, 13)
        for example in examples {
            let outcome = runSeq(example)
            XCTAssertEqual(outcome.errors, [], example)
        }
    }

    func testTheFirstDocumentedExamplePrintsTheDocumentedSummary() throws {
        let outcome = runSeq(try docExamples()[0])
        XCTAssertEqual(outcome.output, """
            model sentiment
            layer                      output shape                      params   dropout
            input tokens vocab 10000   [batch, time 100]                      -         -
            embedding 10000 64         [batch, time 100, feature 64]    640,000         -
            lstm 128                   [batch, time 100, feature 128]    99,328       0.2
            lstm 64 last               [batch, feature 64]               49,664         -
            dense 1 sigmoid            [batch, class 1]                      65         -
            total params: 789,057 (789,057 trainable)

            """)
    }

    func testMembersAndVariablesFromScripts() {
        let outcome = runSeq("""
            let sizes = [128, 64]
            model sentiment
            input tokens 100 vocab 10000
            layer embedding 64
            layer lstm sizes[0] dropout 0.2
            layer lstm sizes[1] dropout 0.2 last
            layer dense 1 sigmoid
            print(sentiment.params)
            print(sentiment.output)
            print(sentiment.layers[1].units)
            """)
        XCTAssertEqual(outcome.errors, [])
        XCTAssertEqual(outcome.output, "789057\n[batch, class 1]\n128\n")
    }

    func testErrorsPointAtTheWordInTheScript() {
        var outcome = runSeq("model m\ninput tokens 100 vocab 10000\nlayer lstm 128")
        XCTAssertEqual(outcome.errors,
            ["3:7: an lstm layer needs a sequence of vectors [batch, time, feature], but it receives token ids [batch, time 100]"])
        outcome = runSeq("model m\ninput sequence 28 features 28\n  layer lstm 128 dropuot 0.2")
        XCTAssertEqual(outcome.errors, ["3:18: unknown option 'dropuot' for an lstm layer; did you mean 'dropout'?"])
        outcome = runSeq("model m\ninput sequence 28 features 28\nlayer lstm unitz")
        XCTAssertEqual(outcome.errors, ["3:12: unknown name 'unitz'"])
        XCTAssertEqual(outcome.result.errors.first?.kind, .name)
        outcome = runSeq("model m\ninput sequence 28 features 28\nlayer lstm \"abc\"")
        XCTAssertEqual(outcome.errors, ["3:12: expected a positive integer for the number of units, got \"abc\""])
    }

    func testAShapeErrorRendersUnderTheKindAndItsSizes() throws {
        let captured = Captured()
        let outcome = captured.run("model m\ninput tokens 100 vocab 10000\nlayer lstm 128", file: "model.seq")
        let error = try XCTUnwrap(outcome.result.errors.first)
        XCTAssertEqual(captured.interpreter.render(error), """
            model.seq:3:7: error: an lstm layer needs a sequence of vectors [batch, time, feature], but it receives token ids [batch, time 100]
              layer lstm 128
                    ^~~~~~~~
              hint: add `layer embedding 64` before it to turn each token id into a vector of 64 features

            """)
    }

    func testHighDropoutWarnsButRuns() {
        let outcome = runSeq("model m\ninput sequence 28 features 28\nlayer lstm 128 dropout 0.8\nprint(m.params)")
        XCTAssertEqual(outcome.errors, [])
        XCTAssertEqual(outcome.result.warnings.map { "\($0.range.start): \($0.message)" },
                       ["3:24: dropout 0.8 drops 80% of the values during training"])
        XCTAssertEqual(outcome.output, "80896\n")
    }
}
