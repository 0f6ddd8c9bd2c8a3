// RecurrentLayerTests.swift — `layer gru`, `layer rnn` and `bidirectional` as a user writes them:
// shapes, parameter counts and the summary; option errors with positions; the refusals of a
// bidirectional layer under `stateful` training and in step-by-step `generate`; training and a
// gradient check through scripts; and saved model files run by an independent numpy version of
// PyTorch's nn.GRU / nn.LSTM(bidirectional) / nn.RNN (Tests/TensorTests/Reference/
// recurrent_reference.py) giving the same outputs as `predict`.

import Foundation
import XCTest
import SeqLang
import Tensor
import Interpreter

final class RecurrentLayerTests: XCTestCase {
    private let prelude = """
        model m
        input tokens 20 vocab 100
        layer embedding 8

        """

    func testShapesParameterCountsAndSummary() {
        let outcome = runSeq(prelude + """
            layer gru 16 bidirectional
            layer rnn 4 relu layers 2
            layer lstm [6, 3] bidirectional last
            layer dense 1 sigmoid
            summary
            """)
        XCTAssertEqual(outcome.errors, [])
        let lines = outcome.output.split(separator: "\n").map(String.init)
        // GRU per direction: 3·16·(8 + 16) + 2·48 = 1,248; the RNN: 4·(32 + 4) + 8, then 4·(4 + 4) + 8;
        // the bidirectional LSTMs: 2·(4·6·(4 + 6) + 48) and 2·(4·3·(12 + 3) + 24).
        XCTAssertTrue(lines.contains("gru 16 bidirectional        [batch, time 20, feature 32]    2,496         -"), outcome.output)
        XCTAssertTrue(lines.contains("rnn 4 relu layers 2         [batch, time 20, feature 4]       192         -"), outcome.output)
        XCTAssertTrue(lines.contains("lstm 6 bidirectional        [batch, time 20, feature 12]      576         -"), outcome.output)
        XCTAssertTrue(lines.contains("lstm 3 bidirectional last   [batch, feature 6]                408         -"), outcome.output)
        XCTAssertTrue(lines.contains("dense 1 sigmoid             [batch, class 1]                    7         -"), outcome.output)
        XCTAssertTrue(lines.contains("total params: 4,479 (4,479 trainable)"), outcome.output)
    }

    func testBadOptionsAreLocatedWithTheReason() {
        XCTAssertEqual(runSeq(prelude + "layer gru 4 forget_bias 1").errors,
                       ["4:13: unknown option 'forget_bias' for a gru layer"])
        XCTAssertEqual(runSeq(prelude + "layer rnn 4 sigmoid").errors, ["4:13: unknown option 'sigmoid' for an rnn layer"])
        XCTAssertEqual(runSeq(prelude + "layer rnn 4 tanh relu").errors, ["4:18: the activation is given twice: 'tanh' and 'relu'"])
        XCTAssertEqual(runSeq(prelude + "layer gur 4").errors, ["4:7: unknown layer kind 'gur'; did you mean 'gru'?"])
        XCTAssertEqual(runSeq(prelude + "layer gru 4 bidirectional bidirectional").errors,
                       ["4:27: option 'bidirectional' is given twice"])
        XCTAssertEqual(runSeq(prelude + "layer gru 4 last\nlayer rnn 3").errors,
                       ["5:7: an rnn layer needs a sequence [batch, time, feature], but it receives one vector per example [batch, feature 4]"])
    }

    private let lmPrelude = """
        let text = "the cat sat on the mat and the dog sat on the log and the cat saw the dog"
        let vocab = vocabulary(tokens(text))
        let ids = encode(vocab, tokens(text))
        let streams = lm_batches(ids, 2, 4, vocab)
        model lm
        input tokens vocab vocab.size
        layer embedding 8
        layer gru 8 bidirectional
        layer dense vocab.size softmax per step

        """

    func testBidirectionalIsRefusedUnderStatefulTrainingAndStepByStepGeneration() {
        let stateful = runSeq(lmPrelude + "train sgd lr 0.1 epochs 1 bptt 4 stateful on streams quiet")
        XCTAssertEqual(stateful.errors, ["10:34: model 'lm' has a bidirectional layer (gru0: gru 8 bidirectional) that cannot be trained `stateful`: its backward direction reads each sequence from its end, so there is no state to carry into the next batch"])
        let generate = runSeq(lmPrelude + "train sgd lr 0.1 epochs 1 on streams quiet\ngenerate from \"the cat\" length 2")
        XCTAssertEqual(generate.errors, ["11:1: model 'lm' has a bidirectional layer (gru0: gru 8 bidirectional) that cannot run one step at a time, as `generate` runs a model with an output at every step: its backward direction needs the whole sequence before its first output"])
        let evaluate = runSeq(lmPrelude + "evaluate on streams")
        XCTAssertEqual(evaluate.errors.first?.hasPrefix("10:13: model 'lm' has a bidirectional layer"), true, "\(evaluate.errors)")
    }

    /// The checker (`seqsh --check`) refuses the same statements at the same places, running nothing.
    func testTheCheckerRefusesTheSameBidirectionalUses() {
        let stateful = Captured().interpreter.check(source: lmPrelude + "train sgd lr 0.1 epochs 1 bptt 4 stateful on streams quiet")
        XCTAssertEqual(stateful.diagnostics.map { "\($0.range.start)" }, ["10:34"])
        XCTAssertEqual(stateful.diagnostics.first?.message.contains("cannot be trained `stateful`"), true)
        let generate = Captured().interpreter.check(source: lmPrelude + "train sgd lr 0.1 epochs 1 on streams quiet\ngenerate from \"the cat\" length 2")
        XCTAssertEqual(generate.diagnostics.map { "\($0.range.start)" }, ["11:1"])
        let fine = Captured().interpreter.check(source: lmPrelude + "train sgd lr 0.1 epochs 1 on streams quiet")
        XCTAssertEqual(fine.diagnostics.map(\.message), [])
    }

    func testABidirectionalGRULearnsAndPassesAGradientCheck() {
        let outcome = runSeq(nextWordPrelude.replacingOccurrences(of: "layer lstm 16 last dropout 0.1", with: "layer gru 16 bidirectional last dropout 0.1") + """
            train adam lr 0.02 epochs 30 batch 4 on data quiet
            let r = evaluate on data
            let g = check gradients on data
            generate from "the cat sat" length 2
            print(r.accuracy >= 0.9)
            """)
        XCTAssertEqual(outcome.errors, [])
        XCTAssertTrue(outcome.output.contains("gru0.weight_hh_l0_reverse"), outcome.output)
        XCTAssertEqual(outcome.output.split(separator: "\n").last, "true", outcome.output)
    }

    /// A GRU model resumed from a checkpoint ends where an uninterrupted run ends, bit for bit.
    func testResumeOfAGRUModelMatchesAnUninterruptedRunBitForBit() throws {
        let prelude = nextWordPrelude.replacingOccurrences(of: "layer lstm 16 last dropout 0.1", with: "layer gru 16 layers 2 bidirectional last dropout 0.1")
        let half = temporaryPath("gru-half.ckpt")
        let straight = runSeq(prelude + "train adam lr 0.02 epochs 4 batch 4 on data quiet\nhistory.loss")
        XCTAssertEqual(straight.errors, [])
        XCTAssertEqual(runSeq(prelude + "train adam lr 0.02 epochs 2 batch 4 on data checkpoint \"\(half)\" quiet").errors, [])
        let second = runSeq("""
            let syms = tokens("the cat sat on the mat and the dog sat on the log and the cat saw the dog")
            let vocab = vocabulary(syms, "closed")
            let data = windows(encode(vocab, syms), 3, vocab)
            resume "\(half)" on data epochs 4
            history.loss
            """)
        XCTAssertEqual(second.errors, [])
        XCTAssertEqual(numbers(second.result.value).count, 4)
        XCTAssertEqual(numbers(second.result.value).map(\.bitPattern), numbers(straight.result.value).map(\.bitPattern))
    }

    /// `predict` in SeqLang and the numpy nn.* versions on the saved file agree within 1e-5.
    func testSavedFilesRunInNumpyAsPyTorchWouldGiveTheSameOutputs() throws {
        let models = [
            "layer gru 6 layers 2 bidirectional last init uniform 0.5\nlayer dense vocab.size softmax",
            "layer lstm 5 layers 2 bidirectional last init uniform 0.5\nlayer dense vocab.size softmax",
            "layer rnn 6 relu init uniform 0.5\nlayer rnn 4 bidirectional last init uniform 0.5\nlayer dense 1 sigmoid",
            "layer gru 5 bidirectional init uniform 0.5\nlayer dense vocab.size softmax per step",
        ]
        for (n, layers) in models.enumerated() {
            let path = temporaryPath("recurrent_\(n).safetensors")
            let outcome = runSeq("""
                let text = "the cat sat on the mat and the dog sat on the log and the cat saw the dog"
                let vocab = vocabulary(tokens(text))
                let ids = encode(vocab, tokens(text))
                let data = windows(ids, 4, vocab)
                print(ids)
                model m
                input tokens 4 vocab vocab.size
                layer embedding 6 init uniform 0.5
                \(layers)
                save "\(path)"
                predict data
                """)
            XCTAssertEqual(outcome.errors, [], layers)
            guard case .tensor(let predicted)? = outcome.result.value else { XCTFail("no prediction: \(layers)"); continue }
            let ids = try XCTUnwrap(outcome.output.split(separator: "\n").first)
                .trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",")
                .map { Int($0.trimmingCharacters(in: .whitespaces))! }
            let windows = (0..<(ids.count - 4)).map { Array(ids[$0..<($0 + 4)]) }
            let numpy = try runReference(path, windows)
            XCTAssertEqual(numpy.count, predicted.count, layers)
            let worst = zip(numpy, predicted.scalars).map { abs($0 - Double($1)) }.max() ?? 1
            XCTAssertLessThan(worst, 1e-5, layers)
        }
    }

    private func runReference(_ path: String, _ ids: [[Int]]) throws -> [Double] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../TensorTests/Reference/recurrent_reference.py").standardized.path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, "model", path, "\(ids)"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw TensorError("recurrent_reference.py", String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        func flatten(_ v: Any) -> [Double] {
            if let a = v as? [Any] { return a.flatMap(flatten) }
            return [(v as? NSNumber)?.doubleValue ?? .nan]
        }
        return flatten(try JSONSerialization.jsonObject(with: data))
    }
}
