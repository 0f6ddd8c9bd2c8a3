// PipedReplTests.swift — the REPL fed through plain stdin (`seqsh -i`): echo of each
// statement, the `:` commands, errors that leave the session intact, continuation lines.

import XCTest

final class PipedReplTests: XCTestCase {
    /// Runs `lines` through `seqsh -i` and returns what it printed.
    private func session(_ lines: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Seqsh.Outcome {
        let outcome = try Seqsh.run(["-i"], input: lines.joined(separator: "\n") + "\n", file: file, line: line)
        XCTAssertEqual(outcome.status, 0, "a REPL session ends with status 0", file: file, line: line)
        return outcome
    }

    func testEachStatementIsEchoed() throws {
        let outcome = try session([
            "model m", "input tokens 20 vocab 100", "layer embedding 8", "layer lstm 16 last",
            "layer dense 2 softmax", "\"text\"", "[1, 2.5]", "let quiet = 1",
        ])
        XCTAssertEqual(outcome.stdout, """
            model m (no input yet)
            [batch, time 20]
            layer embedding 100 8 -> [batch, time 20, feature 8]   800 params
            layer lstm 16 last -> [batch, feature 16]   1,664 params
            layer dense 2 softmax -> [batch, class 2]   34 params
            "text"
            [1, 2.5]

            """)
        XCTAssertEqual(outcome.stderr, "")
    }

    /// Tensors inside a record (a layer's `weights`) show as a tensor alone does, a history's
    /// figures as a long list does, and `train` is not echoed after its epoch lines.
    func testTensorsInARecordAndAHistorysFiguresEchoShortened() throws {
        let outcome = try session([
            "model m", "input sequence 3 features 1", "layer lstm 2 last", "layer dense 1",
            "m.layers[1].weights", "[tensor([0.123456789, 1])]",
            "let data = windows(tensor([[1], [2], [3], [4], [5], [6]]), 3)",
            "train adam epochs 9 on data quiet", "history.loss",
        ])
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("{weight: tensor [row 1, column 2]: [") && $0.contains("bias: tensor [value 1]: [") }, outcome.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("[tensor ") && $0.hasSuffix(": [0.1235, 1]]") }, outcome.stdout)
        XCTAssertEqual(lines.last.map { $0.hasPrefix("[") && $0.hasSuffix("] (9 items)") }, true, outcome.stdout)
        XCTAssertFalse(outcome.stdout.contains("{loss:"), "train is not echoed: \(outcome.stdout)")
        XCTAssertEqual(outcome.stderr, "")
    }

    func testAnErrorLeavesTheSessionIntact() throws {
        let outcome = try session(["let kept = 7", "kept +* 2", "print(kep)", "kept * 6"])
        XCTAssertEqual(outcome.stdout, "42\n")
        XCTAssertTrue(outcome.stderr.contains("<repl>:1:7: error: unknown name 'kep'\n  print(kep)\n        ^~~\n"),
                      outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("  kept +* 2\n"), outcome.stderr)
    }

    func testUnfinishedInputContinuesOnTheNextLines() throws {
        let outcome = try session(["fn add(a, b) {", "  return a + b", "}", "let xs = [1,", "2, 3]", "add(len(xs), 10)"])
        XCTAssertEqual(outcome.stdout, "13\n")
        XCTAssertEqual(outcome.stderr, "")
    }

    func testInputEndingInsideABlockIsReported() throws {
        let outcome = try session(["fn broken() {", "  return 1"])
        XCTAssertTrue(outcome.stderr.contains("error:"), outcome.stderr)
        XCTAssertEqual(outcome.stdout, "")
    }

    func testShapeSummaryUndoAndNames() throws {
        let outcome = try session([
            "model m", "input sequence 12 features 3", "layer lstm 5", "let l = m.layers[0]", ":shape l", ":shape m",
            ":summary", ":undo", ":shape m", ":undo", ":names", ":shape 3",
        ])
        let out = outcome.stdout
        XCTAssertTrue(out.contains("[batch, time 12, feature 5]\n[batch, time 12, feature 3] -> [batch, time 12, feature 5]\n"), out)
        XCTAssertTrue(out.contains("model m\nlayer"), "the summary table: \(out)")
        XCTAssertTrue(out.contains("removed layer lstm 5; model m now gives [batch, time 12, feature 3]\n"), out)
        XCTAssertTrue(out.contains("[batch, time 12, feature 3] -> [batch, time 12, feature 3]\n"), out)
        XCTAssertTrue(out.contains("l: layer = layer lstm 5"), out)
        XCTAssertTrue(out.contains("m: model = model m"), out)
        XCTAssertTrue(outcome.stderr.contains("<repl>:1:1: error: model 'm' has no layers to take back\n  :undo\n  ^~~~~\n"),
                      outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("<repl>:1:8: error: an int has no shape\n  :shape 3\n         ^\n"),
                      outcome.stderr)
    }

    func testUnknownCommandSuggestsTheNearestOne() throws {
        let outcome = try session([":summry", ":help nonsense", ":quit", "print(\"not reached\")"])
        XCTAssertTrue(outcome.stderr.contains("<repl>:1:1: error: unknown command ':summry'; did you mean ':summary'?"),
                      outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("<repl>:1:7: error: no help on 'nonsense'"), outcome.stderr)
        XCTAssertEqual(outcome.stdout, "", ":quit ends the session")
    }

    func testLoadRunsAFileIntoTheSessionAndResetForgetsIt() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write("let loaded = 99\nprint(\"in the file\")\n", to: "lib.seq", in: folder)
        let outcome = try session([":load \(script)", "loaded + 1", ":reset", "loaded"])
        XCTAssertEqual(outcome.stdout, "in the file\nloaded \(script)\n100\nsession reset: every name and model is gone\n")
        XCTAssertTrue(outcome.stderr.contains("error: unknown name 'loaded'"), outcome.stderr)
    }

    func testHelpTopics() throws {
        let outcome = try session([":help", ":help layer", ":help :undo"])
        XCTAssertTrue(outcome.stdout.contains(":load FILE"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("layer KIND SIZES {OPTION}"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("Removes the last layer of the current model"), outcome.stdout)
    }

    /// `:help NAME` for functions; `load` is the function, `:load` the command.
    func testHelpOnFunctions() throws {
        let outcome = try session([":help windows", ":help read_csv", ":help lower", ":help load", ":help :load"])
        XCTAssertEqual(outcome.stderr, "")
        XCTAssertTrue(outcome.stdout.hasPrefix("windows(IDS, N [, VOCAB])\n"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("\nread_csv(PATH"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("\nlower(TEXT)\n"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("\nload(PATH)\n  The model in a file"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains(":load FILE\n  Runs a script file"), outcome.stdout)
    }

    /// Every statement has its own help, not just the line that says it exists.
    func testEveryStatementHasItsOwnHelp() throws {
        let statements = ["model", "input", "layer", "summary", "seed", "train", "evaluate", "predict",
                          "generate", "save", "resume", "check", "plot"]
        for word in statements {
            let outcome = try session([":help \(word)"])
            XCTAssertTrue(outcome.stdout.hasPrefix(word), "\(word): \(outcome.stdout)")
            XCTAssertFalse(outcome.stdout.contains("is a statement of this interpreter"), "\(word): \(outcome.stdout)")
        }
        let train = try session([":help train"])
        XCTAssertTrue(train.stdout.contains("early stop on METRIC patience N"), train.stdout)
    }
}
