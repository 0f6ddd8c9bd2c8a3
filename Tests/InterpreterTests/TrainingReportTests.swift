// TrainingReportTests.swift — what training tells the user: the live bar on a terminal, the
// unit of the throughput, four significant digits, the loss warning for class ids, `resume`
// that has nothing left to do, early stopping that names and restores the best epoch,
// `checkpoint PATH best`, and the history kept after an interruption.

import XCTest
import SeqLang
import Tensor
@testable import Interpreter

final class TrainingReportTests: XCTestCase {
    func testTheBarShowsStepsLossThroughputAndTimeLeftOnlyOnATerminal() {
        let captured = Captured { $0.outputIsTerminal = true }
        let outcome = captured.run(nextWordPrelude + "train adam epochs 1 batch 4 on data")
        XCTAssertEqual(outcome.errors, [])
        // The first step is always drawn; the bar is erased before the epoch line.
        XCTAssertTrue(outcome.output.contains("\r\u{1B}[Kepoch 1/1 "), outcome.output)
        XCTAssertTrue(outcome.output.contains(" 1/4  loss "), outcome.output)
        XCTAssertTrue(outcome.output.contains(" samples/s  left 0:0"), outcome.output)
        XCTAssertTrue(outcome.output.contains("\r\u{1B}[Kepoch 1/1  loss "), outcome.output)
        let piped = runSeq(nextWordPrelude + "train adam epochs 1 batch 4 on data").output
        XCTAssertFalse(piped.contains("\r") || piped.contains("█") || piped.contains("left"), piped)
    }

    func testTheThroughputSaysWhatItCounts() {
        // A classifier counts samples; a word model words; a character model symbols.
        XCTAssertTrue(runSeq(nextWordPrelude + "train adam epochs 1 on data").output.contains("  samples/s "))
        let lm = """
            let syms = SYMS
            let vocab = vocabulary(syms)
            let data = lm_batches(encode(vocab, syms), 2, 4, vocab)
            model lm
            input tokens vocab vocab.size
            layer embedding 8
            layer lstm 8
            layer dense vocab.size softmax per step
            train adam epochs 1 bptt 4 stateful on data
            """
        let words = runSeq(lm.replacingOccurrences(of: "SYMS", with: "tokens(\"the cat sat on the mat and the dog sat on the log\")"))
        XCTAssertEqual(words.errors, [])
        XCTAssertTrue(words.output.contains("  words/s "), words.output)
        let chars = runSeq(lm.replacingOccurrences(of: "SYMS", with: "chars(\"the cat sat on the mat and the dog sat on the log\")"))
        XCTAssertEqual(chars.errors, [])
        XCTAssertTrue(chars.output.contains("  symbols/s "), chars.output)
    }

    func testFiguresHaveFourSignificantDigits() {
        XCTAssertEqual(Figures.short(4.51234), "4.512")
        XCTAssertEqual(Figures.short(0.693147), "0.6931")
        XCTAssertEqual(Figures.short(0.0123456), "0.01235")
        XCTAssertEqual(Figures.short(111.24), "111.2")
        XCTAssertEqual(Figures.short(1234.4), "1234")
        XCTAssertEqual(Figures.short(0), "0.000")
        XCTAssertEqual(Figures.short(0.0000123456), "1.235e-05")
        XCTAssertEqual(Figures.short(-0.5), "-0.5000")
    }

    func testClassIdsThroughALinearOutputWarnAtTheLayerWithTheFix() {
        let script = nextWordPrelude.replacingOccurrences(of: "layer dense vocab.size softmax", with: "layer dense vocab.size")
        let outcome = runSeq(script + "train adam epochs 1 on data")
        XCTAssertEqual(outcome.errors, [])
        XCTAssertEqual(outcome.result.warnings.map { "\($0.range.start): \($0.message)" },
                       ["9:1: the data's targets are class ids (0 to 8), but `layer dense 9` has no activation, so training uses mean squared error and learns the ids as numbers"])
        XCTAssertEqual(outcome.result.warnings.first?.hint,
                       "for classes end the model with `layer dense 9 softmax` (cross-entropy); write `loss mse` on `train` if numbers were meant")
        // Saying the loss is deliberate silences it.
        XCTAssertEqual(runSeq(script + "train adam epochs 1 loss mse on data").result.warnings.count, 0)
        let sigmoid = runSeq(nextWordPrelude.replacingOccurrences(of: "layer dense vocab.size softmax", with: "layer dense vocab.size sigmoid")
                             + "train adam epochs 1 on data")
        XCTAssertEqual(sigmoid.result.warnings.map(\.message),
                       ["the data has 9 classes, but `layer dense 9 sigmoid` ends in a sigmoid, which treats each output as a separate yes/no"])
        XCTAssertEqual(runSeq(nextWordPrelude + "train adam epochs 1 on data").result.warnings.count, 0)
    }

    /// Stalls at once: val_accuracy never improves after the first epoch.
    let stalling = "train sgd lr 0.000001 epochs 20 batch 4 on data validate data early stop on val_accuracy patience 2"

    func testEarlyStoppingNamesTheBestEpochAndRestoresItsWeights() throws {
        let stopped = temporaryPath("early-best.safetensors"), first = temporaryPath("epoch-1.safetensors")
        let outcome = runSeq(nextWordPrelude + stalling + "\nprint(history.best_epoch, history.epochs)\nsave \"\(stopped)\"")
        XCTAssertEqual(outcome.errors, [])
        XCTAssertTrue(outcome.output.contains("early stop: val_accuracy has not improved for 2 epochs; the best was epoch 1 (val_acc "), outcome.output)
        XCTAssertTrue(outcome.output.contains("), whose weights are restored\n"), outcome.output)
        XCTAssertTrue(outcome.output.contains("1 3\n"), outcome.output)
        XCTAssertEqual(runSeq(nextWordPrelude + "train sgd lr 0.000001 epochs 1 batch 4 on data\nsave \"\(first)\"").errors, [])
        let a = try SafeTensors.read(from: stopped).tensors, b = try SafeTensors.read(from: first).tensors
        XCTAssertFalse(b.isEmpty)
        for (name, t) in b { XCTAssertEqual(a[name]?.scalars, t.scalars, name) }
    }

    func testKeepLastLeavesTheLastEpochsWeights() throws {
        let kept = temporaryPath("early-last.safetensors"), third = temporaryPath("epoch-3.safetensors")
        let outcome = runSeq(nextWordPrelude + stalling + " keep last\nsave \"\(kept)\"")
        XCTAssertEqual(outcome.errors, [])
        XCTAssertTrue(outcome.output.contains("; the weights of the last epoch are kept (`keep last`)\n"), outcome.output)
        XCTAssertEqual(runSeq(nextWordPrelude + "train sgd lr 0.000001 epochs 3 batch 4 on data\nsave \"\(third)\"").errors, [])
        let a = try SafeTensors.read(from: kept).tensors, b = try SafeTensors.read(from: third).tensors
        for (name, t) in b { XCTAssertEqual(a[name]?.scalars, t.scalars, name) }
        XCTAssertEqual(runSeq(nextWordPrelude + stalling + " keep best").errors,
                       ["10:106: expected `last` after `keep`: early stopping ends with `restore best` (the default) or `keep last`"])
    }

    func testACheckpointWrittenOnlyAtTheBestEpochAndAResumeWithNothingToDo() {
        let path = temporaryPath("best.ckpt")
        try? FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(runSeq(nextWordPrelude + stalling + " checkpoint \"\(path)\" best").errors, [])
        // The checkpoint holds epoch 1, the best, though training ran three.
        let resumed = runSeq(nextWordPrelude + "resume \"\(path)\" on data validate data epochs 1\nprint(history.epochs)")
        XCTAssertEqual(resumed.errors, [])
        XCTAssertEqual(resumed.result.warnings.map(\.message),
                       ["the checkpoint has already trained 1 epoch, so `epochs 1` trains nothing"])
        let resumeLine = "resume \"\(path)\" on data validate data "
        XCTAssertEqual(resumed.result.warnings.first?.range.start.line, 10)
        XCTAssertEqual(resumed.result.warnings.first?.range.start.column, resumeLine.count + 1)
        XCTAssertEqual(resumed.result.warnings.first?.hint, "`epochs N` counts from the start of the run: `epochs 2` trains 1 more")
        XCTAssertTrue(resumed.output.hasSuffix("1\n"), resumed.output)
        XCTAssertEqual(runSeq(nextWordPrelude + "train adam epochs 2 on data checkpoint \"\(path)\" best").errors,
                       ["10:29: `checkpoint PATH best` keeps the epoch with the best validation figure, but no `validate DATA` is given"])
    }

    func testAnInterruptedRunBindsTheHistorySoFar() {
        let captured = cancelling(atStep: 6)
        let outcome = captured.run(nextWordPrelude + "train adam lr 0.02 epochs 5 batch 4 on data")
        XCTAssertEqual(outcome.errors, ["10:1: training cancelled in epoch 2 at step 2 of 4; the weights learned so far are kept"])
        XCTAssertEqual(outcome.result.errors.first?.hint,
                       "`history` holds the 1 finished epoch and this one so far (history.interrupted is true)")
        let history = captured.run("print(history.interrupted, history.epochs, history.steps, len(history.loss))")
        XCTAssertEqual(history.output, "true 1 6 2\n")
    }

    func testATimeLimitIsNamedWithItsSeconds() {
        // The limit counts per run: the model is made in one, trained in the next.
        let captured = Captured { $0.timeLimit = 0.5 }
        XCTAssertEqual(captured.run(nextWordPrelude).errors, [])
        let outcome = captured.run("train adam epochs 1000000 on data")
        XCTAssertEqual(outcome.result.errors.first?.kind, .limit)
        XCTAssertTrue(outcome.errors.first?.hasPrefix("1:1: training stopped by the time limit of 0.5 s in epoch ") == true, "\(outcome.errors)")
    }
}
