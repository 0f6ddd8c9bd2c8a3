// TerminalReplTests.swift — the REPL under a real terminal (tmux): line editing, history
// across sessions, tab completion, continuation lines, echo, errors, :help, Ctrl-C, Ctrl-D.

import Foundation
import XCTest

final class TerminalReplTests: XCTestCase {
    private var sessions: [TmuxSession] = []
    private var home: URL!

    override func setUpWithError() throws {
        guard TmuxSession.available else {
            XCTFail("tmux is not installed: scripts/deps.sh installs it")
            throw TmuxFailure(arguments: ["tmux"], status: -1)
        }
        home = try Seqsh.temporaryFolder(for: self)
    }

    override func tearDown() {
        for session in sessions { session.kill() }
        sessions = []
    }

    /// A running seqsh in a fresh tmux server, with this test's HOME.
    private func startSession(file: StaticString = #filePath, line: UInt = #line) throws -> TmuxSession {
        let session = TmuxSession(home: home)
        sessions.append(session)
        try session.start(file: file, line: line)
        return session
    }

    func testTabCompletesAKeyword() throws {
        let repl = try startSession()
        repl.type("lay")
        repl.waitFor("seq> lay")
        repl.press("Tab")
        // At the start of a statement only `layer` begins so: Tab completes it and adds a space.
        repl.waitFor("seq> layer")
        repl.type("embe")
        repl.press("Tab")
        repl.waitFor("seq> layer embedding")
        repl.type("64 ")
        repl.waitFor("seq> layer embedding 64")
    }

    /// Tab offers what the statement's declaration allows at the cursor and the members of
    /// what a name holds; the space readline adds never doubles one that is there.
    func testTabCompletesOptionsAndMembersFromTheDeclarations() throws {
        let repl = try startSession()
        repl.enter("model m")
        repl.waitFor("seq> ", count: 2)
        repl.type("train adam ep")
        repl.press("Tab")
        repl.waitFor("seq> train adam epochs")
        repl.type("3")
        XCTAssertTrue(repl.waitFor("seq> train adam epochs 3"), "one space after the completed option")
        repl.press("C-u")
        repl.type("m.pa")
        repl.press("Tab")
        repl.waitFor("seq> m.params")
        repl.press("Enter")
        repl.waitFor("\n0\n")
        // Completing in the middle of a line, before a space: none is added.
        repl.type("layer lstm 8 dr last")
        for _ in 0..<5 { repl.press("Left") }
        repl.press("Tab")
        repl.waitFor("seq> layer lstm 8 dropout last")
        XCTAssertFalse(repl.screen.contains("dropout  last"), repl.screen)
        repl.press("C-e", "C-u")
        repl.type("layer l")
        repl.press("Tab")
        repl.waitFor("seq> layer lstm")
        // The REPL's own commands, and the topics of `:help`.
        repl.press("C-u")
        repl.type(":he")
        repl.press("Tab")
        repl.waitFor("seq> :help")
        repl.type("generat")
        repl.press("Tab")
        repl.waitFor("seq> :help generate")
    }

    func testUpArrowRecallsALineFromAnEarlierSession() throws {
        let first = try startSession()
        first.enter("let remembered = 41")
        first.waitFor("seq> ", count: 2)
        first.press("C-d")
        first.waitForExit()

        let second = try startSession()
        second.press("Up")
        second.waitFor("seq> let remembered = 41")
        second.press("Enter")
        second.enter("remembered + 1")
        second.waitFor("\n42")
    }

    func testABlockContinuesUnderTheContinuationPrompt() throws {
        let repl = try startSession()
        repl.enter("fn twice(a) {")
        repl.waitFor("...> ")
        repl.enter("return a * 2")
        repl.waitFor("...> ", count: 2)
        repl.enter("}")
        repl.waitFor("seq> ", count: 2)
        repl.enter("twice(21)")
        repl.waitFor("\n42\n")
    }

    func testAnErrorShowsACaretAndTheSessionKeepsItsState() throws {
        let repl = try startSession()
        repl.enter("let n = 5")
        repl.enter("print(nn)")
        repl.waitFor("<repl>:1:7: error: unknown name 'nn'")
        repl.waitFor("  print(nn)\n        ^~")
        repl.enter("n * 2")
        repl.waitFor("\n10\n")
    }

    func testAModelTypedLineByLineShowsEachLayer() throws {
        let repl = try startSession()
        repl.enter("model tagger")
        repl.waitFor("model tagger (no input yet)")
        repl.enter("input tokens 50 vocab 200")
        repl.waitFor("[batch, time 50]")
        repl.enter("layer embedding 16")
        repl.waitFor("layer embedding 200 16 -> [batch, time 50, feature 16]   3,200 params")
        repl.enter("layer lstm 32 last")
        repl.waitFor("-> [batch, feature 32]")
        repl.enter(":undo")
        repl.waitFor("model tagger now gives [batch, time 50, feature 16]")
    }

    func testHelp() throws {
        let repl = try startSession()
        repl.enter(":help")
        repl.waitFor(":shape EXPR")
        repl.waitFor("Ctrl-C clears the line or stops a running statement")
        repl.enter(":help layer")
        repl.waitFor("layer KIND SIZES {OPTION}")
    }

    func testCtrlCStopsARunningStatementAndReturnsToThePrompt() throws {
        let repl = try startSession()
        repl.enter("let kept = 3")
        repl.enter("while true { }")
        repl.waitFor("while true { }")
        repl.interruptUntil("the script was stopped by Ctrl-C")
        repl.enter("kept * 10")
        repl.waitFor("\n30\n")
    }

    func testCtrlCStopsTrainingKeepsTheWeightsAndResumeContinues() throws {
        let repl = try startSession()
        let checkpoint = home.appendingPathComponent("abcd.ckpt").path
        for line in ["let syms = tokens(\"a b c d a b c d a b c d a b c d\")",
                     "let vocab = vocabulary(syms, \"closed\")",
                     "let data = windows(encode(vocab, syms), 2, vocab)",
                     "model abcd",
                     "input tokens 2 vocab vocab.size",
                     "layer embedding 8",
                     "layer lstm 32 last",
                     "layer dense vocab.size softmax"] {
            repl.enter(line)
        }
        repl.waitFor("layer dense 4 softmax -> [batch, class 4]")
        repl.enter("train adam lr 0.01 epochs 100000 batch 1 on data checkpoint \"\(checkpoint)\"")
        // Wait until a few epochs (and so a checkpoint) are done, then interrupt.
        repl.waitUntil("a checkpoint to be written") { _ in FileManager.default.fileExists(atPath: checkpoint) }
        repl.interruptUntil("training stopped by Ctrl-C in epoch")
        repl.waitFor("(history.interrupted is true)")
        // The model is still there, and training continues from the checkpoint.
        repl.enter("abcd.params")
        repl.waitFor("\n5540\n")
        // Two epochs past those finished, however many the interrupt let through.
        repl.enter("let target = history.epochs + 2")
        repl.enter("let h = resume \"\(checkpoint)\" on data epochs target")
        repl.enter("h.epochs == target")
        repl.waitFor("\ntrue\n")
    }

    /// Lines that make `data`: 2,000 windows of a repeating text, so an epoch at batch 1 takes
    /// long enough to watch its bar.
    static let longData = [
        "let text = \"\"",
        "for i in range(500) { text = text + \"a b c d \" }",
        "let syms = tokens(text)",
        "let vocab = vocabulary(syms, \"closed\")",
        "let data = windows(encode(vocab, syms), 2, vocab)",
        "model abcd",
        "input tokens 2 vocab vocab.size",
        "layer embedding 8",
        "layer lstm 32 last",
        "layer dense vocab.size softmax",
    ]

    func testTrainingDrawsALiveBarAndCtrlCKeepsTheHistory() throws {
        let repl = try startSession()
        for line in Self.longData { repl.enter(line) }
        repl.waitFor("layer dense 4 softmax -> [batch, class 4]")
        repl.enter("train adam lr 0.01 epochs 1000 batch 1 on data")
        // The bar is redrawn in place: steps, the loss so far, the rate and the time left.
        repl.waitUntil("the live progress bar") { screen in
            screen.contains("epoch 1/1000 █") && screen.contains("/1998  loss ") && screen.contains(" samples/s  left ")
        }
        repl.interruptUntil("training stopped by Ctrl-C in epoch")
        repl.waitFor("(history.interrupted is true)")
        repl.enter("history.interrupted")
        repl.waitFor("\ntrue\n")
        // The bar was erased, not left behind the message.
        XCTAssertFalse(repl.screen.contains("left 0:") && repl.screen.contains("█ "), repl.screen)
    }

    func testAScriptOnATerminalDrawsTheBarToo() throws {
        let script = home.appendingPathComponent("long.seq")
        try (Self.longData + ["train adam lr 0.01 epochs 1 batch 1 on data", "print(\"trained\", history.epochs)"])
            .joined(separator: "\n").write(to: script, atomically: true, encoding: .utf8)
        let session = TmuxSession(home: home)
        sessions.append(session)
        try session.start(arguments: [script.path])
        session.waitUntil("the bar of a script") { $0.contains("epoch 1/1 █") && $0.contains(" samples/s  left ") }
        session.waitFor("trained 1")
        session.waitFor("[exit 0]")
        XCTAssertTrue(session.screen.contains("epoch 1/1  loss "), session.screen)
    }

    func testCtrlDUnderTheContinuationPromptDropsTheEntryAndKeepsTheSession() throws {
        let repl = try startSession()
        repl.enter("let kept = 21")
        repl.enter("fn half_typed(x) {")
        repl.waitFor("...> ")
        repl.press("C-d")
        repl.waitFor("(the unfinished entry of 1 line is dropped; Ctrl-D at an empty seq> quits)")
        repl.enter("kept * 2")
        repl.waitFor("\n42\n")
        XCTAssertTrue(repl.isRunning)
        repl.press("C-d")
        repl.waitForExit()
    }

    func testCtrlCAtThePromptClearsTheLine() throws {
        let repl = try startSession()
        repl.type("half typed")
        repl.waitFor("seq> half typed")
        repl.press("C-c")
        repl.waitFor("seq> half typed^C\nseq> ")
        repl.enter("1 + 1")
        repl.waitFor("\n2\n")
        XCTAssertTrue(repl.isRunning)
    }

    func testCtrlDQuits() throws {
        let repl = try startSession()
        repl.press("C-d")
        repl.waitForExit()
    }
}
