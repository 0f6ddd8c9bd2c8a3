// TrainingScriptTests.swift — the training statements run as scripts through the embedding
// API: end-to-end training, determinism, resume, gradient checks, non-finite rollback,
// cancellation, progress, stateful language models, generation and plots.

import XCTest
import SeqLang
import Tensor
@testable import Interpreter

/// A next-word data set small enough to learn in a second, and its model. Its vocabulary is
/// closed (the 9 symbols of the text, no <pad> or <unk>), so ids and class counts are the text's.
let nextWordPrelude = """
    let text = "the cat sat on the mat and the dog sat on the log and the cat saw the dog"
    let syms = tokens(text)
    let vocab = vocabulary(syms, "closed")
    let data = windows(encode(vocab, syms), 3, vocab)
    model next
    input tokens 3 vocab vocab.size
    layer embedding 8
    layer lstm 16 last dropout 0.1
    layer dense vocab.size softmax

    """

/// The numbers of a list value.
func numbers(_ value: Value?) -> [Double] {
    guard case .list(let items)? = value else { return [] }
    return items.compactMap { if case .number(let v) = $0 { return v } else { return nil } }
}

/// A field of a record value.
func field(_ value: Value?, _ name: String) -> Value? {
    guard case .record(let fields)? = value else { return nil }
    return fields.first { $0.key == name }?.value
}

func temporaryPath(_ name: String) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seqlang-training-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name).path
}

final class TrainingScriptTests: XCTestCase {
    func testASmallModelLearnsTheNextWord() {
        let outcome = runSeq(nextWordPrelude + """
            train adam lr 0.02 epochs 30 batch 4 on data
            evaluate on data
            """)
        XCTAssertEqual(outcome.errors, [])
        let accuracy = field(outcome.result.value, "accuracy")
        guard case .number(let a)? = accuracy else { return XCTFail("no accuracy in \(String(describing: outcome.result.value))") }
        XCTAssertGreaterThanOrEqual(a, 0.9)
        XCTAssertTrue(outcome.output.contains("epoch 30/30  loss "), outcome.output)
        XCTAssertTrue(outcome.output.contains("  acc "), outcome.output)
    }

    func testTheHistoryHasAListPerFigureAndTheCounts() {
        let outcome = runSeq(nextWordPrelude + """
            train adam lr 0.02 epochs 3 batch 4 on data validate data
            print(history.epochs, history.steps, len(history.loss), len(history.val_accuracy))
            history
            """)
        XCTAssertEqual(outcome.errors, [])
        XCTAssertTrue(outcome.output.contains("3 12 3 3\n"), outcome.output)
        guard case .record(let fields)? = outcome.result.value else { return XCTFail() }
        XCTAssertEqual(fields.map(\.key), ["loss", "accuracy", "val_loss", "val_accuracy", "lr", "epochs", "steps",
                                          "seconds", "stopped_early", "interrupted"])
        XCTAssertTrue(outcome.output.contains("val_loss "), outcome.output)
    }

    func testTheSameSeedGivesTheSameLossBitsWithDropout() {
        let script = "seed 7\n" + nextWordPrelude + "train adam lr 0.02 epochs 4 batch 4 on data\nhistory.loss"
        let first = numbers(runSeq(script).result.value)
        let second = numbers(runSeq(script).result.value)
        XCTAssertEqual(first.count, 4)
        XCTAssertEqual(first.map(\.bitPattern), second.map(\.bitPattern))
        let other = numbers(runSeq(script.replacingOccurrences(of: "seed 7", with: "seed 8")).result.value)
        XCTAssertNotEqual(first.map(\.bitPattern), other.map(\.bitPattern))
        // Without `seed` the default seed makes runs repeat too.
        let plain = nextWordPrelude + "train adam lr 0.02 epochs 2 batch 4 on data\nhistory.loss"
        XCTAssertEqual(numbers(runSeq(plain).result.value).map(\.bitPattern), numbers(runSeq(plain).result.value).map(\.bitPattern))
    }

    func testResumeFromACheckpointMatchesAnUninterruptedRunBitForBit() throws {
        let whole = temporaryPath("whole.safetensors"), half = temporaryPath("half.ckpt")
        let resumed = temporaryPath("resumed.safetensors")
        let straight = runSeq(nextWordPrelude + """
            train adam lr 0.02 epochs 4 batch 4 decay 0.5 after 2 clip 1 on data
            save "\(whole)"
            history.loss
            """)
        XCTAssertEqual(straight.errors, [])
        let first = runSeq(nextWordPrelude + "train adam lr 0.02 epochs 2 batch 4 decay 0.5 after 2 clip 1 on data checkpoint \"\(half)\"")
        XCTAssertEqual(first.errors, [])
        // A new interpreter: the model, its weights and the optimizer come from the checkpoint.
        let second = runSeq("""
            let syms = tokens("the cat sat on the mat and the dog sat on the log and the cat saw the dog")
            let vocab = vocabulary(syms, "closed")
            let data = windows(encode(vocab, syms), 3, vocab)
            resume "\(half)" on data epochs 4
            save "\(resumed)"
            history.loss
            """)
        XCTAssertEqual(second.errors, [])
        XCTAssertEqual(numbers(second.result.value).map(\.bitPattern), numbers(straight.result.value).map(\.bitPattern))
        let a = try SafeTensors.read(from: whole).tensors, b = try SafeTensors.read(from: resumed).tensors
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted())
        for (name, t) in a { XCTAssertEqual(t.scalars.map(\.bitPattern), b[name]?.scalars.map(\.bitPattern), name) }
    }

    func testResumeRefusesOtherData() {
        let ckpt = temporaryPath("other-data.ckpt")
        XCTAssertEqual(runSeq(nextWordPrelude + "train adam epochs 1 on data checkpoint \"\(ckpt)\"").errors, [])
        let line = "resume \"\(ckpt)\" on data epochs 2"
        let outcome = runSeq("""
            let syms = tokens("a b c a b c a b c d")
            let data = windows(encode(vocabulary(syms), syms), 3)
            \(line)
            """)
        let column = line.distance(from: line.startIndex, to: line.range(of: " data")!.lowerBound) + 2
        XCTAssertEqual(outcome.errors, ["3:\(column): this is not the data the checkpoint was trained on: it was 16 samples [sample 16, time 3], this is 7 samples [sample 7, time 3]"])
    }

    func testGradientCheckOfAStackedModelIsBelowTolerance() {
        let outcome = runSeq("""
            let syms = tokens("a b c d a b c d a c b d")
            let vocab = vocabulary(syms)
            let data = windows(encode(vocab, syms), 4, vocab)
            model stacked
            input tokens 4 vocab vocab.size
            layer embedding 5
            layer lstm 6 layers 2
            layer lstm 4 last dropout 0.2
            layer dense vocab.size softmax
            check gradients on data
            """)
        XCTAssertEqual(outcome.errors, [])
        guard case .record(let fields)? = outcome.result.value else { return XCTFail("no record") }
        XCTAssertEqual(fields.count, 1 + 8 + 4 + 2)
        for (name, value) in fields {
            guard case .number(let e) = value else { return XCTFail(name) }
            XCTAssertLessThan(e, 0.05, name)
        }
        XCTAssertTrue(outcome.output.hasPrefix("parameter"), outcome.output)
        XCTAssertTrue(outcome.output.contains("lstm1.weight_hh_l0"), outcome.output)
    }

    /// Twelve sequences of four steps with two features; sample 5 holds the largest Float at
    /// step 3, which overflows a dense layer with a huge bias (finite input, infinite output).
    func nanData(poisoned: Bool) -> Dataset {
        var scalars: [Float] = []
        for i in 0..<12 { for t in 0..<4 { scalars += [Float(i % 3) * 0.3, Float(t) * 0.1] } }
        if poisoned { scalars[(5 * 4 + 2) * 2] = .greatestFiniteMagnitude; scalars[(5 * 4 + 2) * 2 + 1] = .greatestFiniteMagnitude }
        return Dataset(inputs: .features(Tensor(unchecked: [12, 4, 2], scalars)),
                       targets: .classes((0..<12).map { $0 % 3 }))
    }

    func testANonFiniteValueRollsBackAndNamesStepLayerAndTimeStep() throws {
        let model = """
            model guard
            input sequence 4 features 2
            layer dense 8 per step init uniform 1 bias 1e38
            layer lstm 5 last
            layer dense 3 softmax

            """
        let path = temporaryPath("before-nan.safetensors"), good = temporaryPath("two-steps.safetensors")
        let poisoned = Captured()
        poisoned.interpreter[global: "data"] = .object(nanData(poisoned: true))
        let outcome = poisoned.run(model + "train adam lr 0.01 epochs 1 batch 2 shuffle off on data")
        XCTAssertEqual(outcome.errors, ["6:1: training stopped at step 3 (epoch 1, batch 3): a non-finite value appeared in layer dense0 at time step 3; the weights of the last good step are kept"])
        XCTAssertEqual(outcome.result.errors.first?.kind, .runtime)
        XCTAssertEqual(poisoned.run("save \"\(path)\"").errors, [])

        let clean = Captured()
        clean.interpreter[global: "data"] = .object(nanData(poisoned: false))
        XCTAssertEqual(clean.run(model + "train adam lr 0.01 steps 2 batch 2 shuffle off on data\nsave \"\(good)\"").errors, [])
        let a = try SafeTensors.read(from: path).tensors, b = try SafeTensors.read(from: good).tensors
        for (name, t) in b { XCTAssertEqual(a[name]?.scalars, t.scalars, name) }
    }

    func testCancellingFromAnotherThreadKeepsTheWeights() throws {
        let captured = cancelling(atStep: 3)
        let outcome = captured.run(nextWordPrelude + "train adam lr 0.02 epochs 5 batch 4 on data")
        XCTAssertEqual(outcome.errors, ["10:1: training cancelled in epoch 1 at step 3 of 4; the weights learned so far are kept"])
        XCTAssertEqual(outcome.result.errors.first?.kind, .cancelled)
        let kept = temporaryPath("cancelled.safetensors"), three = temporaryPath("three-steps.safetensors")
        XCTAssertEqual(captured.run("save \"\(kept)\"").errors, [])
        XCTAssertEqual(runSeq(nextWordPrelude + "train adam lr 0.02 steps 3 batch 4 on data\nsave \"\(three)\"").errors, [])
        let a = try SafeTensors.read(from: kept).tensors, b = try SafeTensors.read(from: three).tensors
        for (name, t) in b { XCTAssertEqual(a[name]?.scalars, t.scalars, name) }
    }

    func testProgressReachesTheHostAfterEveryStep() {
        let steps = StepLog()
        let captured = Captured { config in config.onProgress = { steps.items.append($0) } }
        XCTAssertEqual(captured.run(nextWordPrelude + "train adam epochs 2 batch 7 on data").errors, [])
        // 16 samples in batches of 7: three steps an epoch.
        XCTAssertEqual(steps.items.map(\.step), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(steps.items.map(\.epoch), [1, 1, 1, 2, 2, 2])
        XCTAssertEqual(steps.items.last?.stepsPerEpoch, 3)
        XCTAssertNotNil(steps.items.last?.metrics["accuracy"])
    }

    func testAStatefulLanguageModelReportsPerplexity() {
        let outcome = runSeq("""
            let syms = tokens("the cat sat on the mat and the dog sat on the log and the cat saw the dog on the mat")
            let vocab = vocabulary(syms)
            let data = lm_batches(encode(vocab, syms), 2, 4, vocab)
            model lm init uniform 0.1
            input tokens vocab vocab.size
            layer embedding 8
            layer lstm 8 layers 2 forget_bias 0
            layer dense vocab.size softmax per step
            train sgd lr 1 epochs 3 bptt 4 stateful clip 5 decay 0.5 after 1 loss sum on data validate data
            print(history.lr)
            evaluate on data
            """)
        XCTAssertEqual(outcome.errors, [])
        XCTAssertTrue(outcome.output.contains("epoch 3/3  loss "), outcome.output)
        XCTAssertTrue(outcome.output.contains("  ppl "), outcome.output)
        XCTAssertTrue(outcome.output.contains("  val_ppl "), outcome.output)
        XCTAssertTrue(outcome.output.contains("words/s"), outcome.output)
        XCTAssertTrue(outcome.output.contains("[1.0, 0.5, 0.25]\n"), outcome.output)
        XCTAssertNotNil(field(outcome.result.value, "perplexity"))
    }

    func testEarlyStoppingStopsWhenValidationStallsAndEveryReportsSteps() {
        let outcome = runSeq(nextWordPrelude + """
            train sgd lr 0.000001 epochs 20 batch 4 on data validate data every 4 early stop on val_accuracy patience 2
            print(history.stopped_early, history.epochs)
            """)
        XCTAssertEqual(outcome.errors, [])
        XCTAssertTrue(outcome.output.contains("true 3\n"), outcome.output)
        XCTAssertTrue(outcome.output.contains("early stop: val_accuracy has not improved for 2 epochs"), outcome.output)
        XCTAssertTrue(outcome.output.contains("step 4  epoch 1/20  loss "), outcome.output)
    }

    func testGenerateContinuesTheTextGreedilyAndSamplesWithASeed() {
        let script = nextWordPrelude + "train adam lr 0.02 epochs 30 batch 4 on data\n"
        let greedy = runSeq(script + "generate from \"the cat sat\" length 5")
        XCTAssertEqual(greedy.errors, [])
        guard case .string(let text)? = greedy.result.value else { return XCTFail() }
        XCTAssertTrue(text.hasPrefix("the cat sat "), text)
        XCTAssertEqual(text.split(separator: " ").count, 8)
        XCTAssertEqual(greedy.output.split(separator: "\n").last.map(String.init), text)
        let sampled = script + "seed 3\ngenerate from \"the cat sat\" length 8 temperature 1.5 top 3"
        XCTAssertEqual(runSeq(sampled).result.value?.description, runSeq(sampled).result.value?.description)
    }

    func testPredictGivesTheClassAndProbabilities() {
        let outcome = runSeq(nextWordPrelude + """
            train adam lr 0.02 epochs 30 batch 4 on data
            let p = predict "the cat sat"
            print(p.class)
            """)
        // `predict` is a statement: its value is the run's value and `prediction`; `let` keeps it too.
        let run = runSeq(nextWordPrelude + "train adam lr 0.02 epochs 30 batch 4 on data\npredict \"the cat sat\"")
        XCTAssertEqual(outcome.errors, [])
        XCTAssertEqual(outcome.output.split(separator: "\n").last.map(String.init), "on")
        XCTAssertEqual(run.errors, [])
        XCTAssertEqual(field(run.result.value, "class")?.description, "on")
        XCTAssertEqual(numbers(field(run.result.value, "probabilities")).count, 9)
        let all = runSeq(nextWordPrelude + "predict data")
        guard case .tensor(let t)? = all.result.value else { return XCTFail("\(all.errors)") }
        XCTAssertEqual(t.sizes, [16, 9])
    }

    func testPlotDrawsBlocksAndWritesAnSVGFile() throws {
        let svg = temporaryPath("loss.svg")
        try? FileManager.default.removeItem(atPath: svg)
        let outcome = runSeq(nextWordPrelude + "train adam lr 0.02 epochs 4 batch 4 on data validate data\nplot history \"\(svg)\"")
        XCTAssertEqual(outcome.errors, [])
        XCTAssertTrue(outcome.output.contains("loss (epochs 1-4)\n"), outcome.output)
        XCTAssertTrue(outcome.output.contains("val_loss (epochs 1-4)\n"), outcome.output)
        XCTAssertTrue(outcome.output.contains("█"), outcome.output)
        XCTAssertTrue(outcome.output.contains("┤"), outcome.output)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("<svg"), text)
        XCTAssertTrue(text.contains("<polyline class=\"loss\""), text)
        XCTAssertTrue(text.contains("<polyline class=\"val_loss\""), text)
    }

    func testTerminalOutputDrawsALiveProgressBar() {
        let captured = Captured { $0.outputIsTerminal = true }
        let outcome = captured.run(nextWordPrelude + "train adam epochs 1 batch 4 on data")
        XCTAssertEqual(outcome.errors, [])
        XCTAssertTrue(outcome.output.contains("\r\u{1B}[Kepoch 1/1 "), outcome.output)
        XCTAssertTrue(outcome.output.contains(" 1/4  loss "), outcome.output)
        XCTAssertFalse(runSeq(nextWordPrelude + "train adam epochs 1 batch 4 on data").output.contains("\r"))
    }
}

final class InterpreterBox: @unchecked Sendable { var interpreter: SeqInterpreter? }

/// An interpreter whose running script is cancelled from another thread after training step `step`.
func cancelling(atStep step: Int) -> Captured {
    let box = InterpreterBox()
    let captured = Captured { config in
        config.onProgress = { progress in
            guard progress.step == step else { return }
            let done = DispatchSemaphore(value: 0)
            Thread { box.interpreter?.cancel(); done.signal() }.start()
            done.wait()
        }
    }
    box.interpreter = captured.interpreter
    return captured
}
final class StepLog: @unchecked Sendable { var items: [TrainingProgress] = [] }
