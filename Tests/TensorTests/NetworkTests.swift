// NetworkTests.swift — whole networks: finite-difference gradient checks end to end, a tiny
// task learned, determinism, carried state, non-finite detection, weight files, bad input.

import Foundation
import XCTest
@testable import Tensor

final class NetworkTests: XCTestCase {
    // MARK: - Helpers

    private func randomTokens(_ count: Int, vocabulary: Int, _ rng: inout SeededRandom) -> [Int32] {
        (0..<count).map { _ in Int32(rng.int(below: vocabulary)) }
    }

    private func assertGradientsMatch(_ net: Network, _ batch: NetworkBatch, tolerance: Double = 2e-2,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let report = try net.checkGradients(batch, samples: 8)
        XCTAssertEqual(Set(report.map(\.parameter)), Set(net.store.slots.map(\.name)), file: file, line: line)
        for entry in report {
            XCTAssertLessThan(entry.worstRelativeError, tolerance, "\(entry.parameter)", file: file, line: line)
        }
    }

    // MARK: - Gradient checks

    func testGradientsEmbeddingTwoLayerLSTMPerStepSoftmaxSumOverSteps() throws {
        let spec = NetworkSpec(input: .tokens(vocabulary: 7),
                               layers: [.embedding(5, dropout: 0.3), .lstm(6, layers: 2, dropout: 0.25),
                                        .dense(7, activation: .softmax, perStep: true)],
                               initialization: .uniform(scale: 0.5), reduction: .sumOverStepsMeanOverBatch,
                               stateful: true)
        let net = try Network(spec: spec, seed: 3)
        XCTAssertEqual(net.store.slots.map(\.name), [
            "embedding0.weight",
            "lstm0.weight_ih_l0", "lstm0.weight_hh_l0", "lstm0.bias_ih_l0", "lstm0.bias_hh_l0",
            "lstm0.weight_ih_l1", "lstm0.weight_hh_l1", "lstm0.bias_ih_l1", "lstm0.bias_hh_l1",
            "dense0.weight", "dense0.bias",
        ])
        var rng = SeededRandom(seed: 11)
        let batch = NetworkBatch(tokens: randomTokens(12, vocabulary: 7, &rng), batch: 3, steps: 4,
                                 classes: randomTokens(12, vocabulary: 7, &rng))
        // A carried state from a first batch makes the check start from a non-zero state.
        _ = try net.evaluate(batch)
        try assertGradientsMatch(net, batch)
    }

    func testGradientsFeaturesLSTMLastDenseSoftmax() throws {
        let spec = NetworkSpec(input: .features(3),
                               layers: [.lstm(5, returnSequences: false, forgetBias: 1), .dense(4, activation: .softmax)])
        let net = try Network(spec: spec, seed: 5)
        var rng = SeededRandom(seed: 2)
        let xs = (0..<(2 * 6 * 3)).map { _ in rng.uniform(in: -1, 1) }
        let batch = NetworkBatch(features: xs, batch: 2, steps: 6, featureCount: 3, classes: [1, 3])
        try assertGradientsMatch(net, batch)
    }

    func testGradientsEmbeddingLSTMSeqLSTMLastDenseSigmoidWithLengths() throws {
        let spec = NetworkSpec(input: .tokens(vocabulary: 9),
                               layers: [.embedding(4), .lstm(5), .lstm(3, returnSequences: false),
                                        .dropout(0.2), .dense(1, activation: .sigmoid)])
        let net = try Network(spec: spec, seed: 8)
        XCTAssertEqual(net.loss, .binaryCrossEntropy)
        var rng = SeededRandom(seed: 4)
        let batch = NetworkBatch(tokens: randomTokens(15, vocabulary: 9, &rng), batch: 3, steps: 5,
                                 values: [1, 0, 1], lengths: [5, 2, 3])
        try assertGradientsMatch(net, batch)
    }

    func testGradientCheckFindsAWrongGradient() throws {
        let spec = NetworkSpec(input: .features(2), layers: [.lstm(3, returnSequences: false), .dense(2, activation: .softmax)])
        let net = try Network(spec: spec, seed: 1)
        let batch = NetworkBatch(features: [0.5, -0.2, 0.1, 0.9, -0.7, 0.3, 0.2, 0.4], batch: 2, steps: 2,
                                 featureCount: 2, classes: [0, 1])
        // Corrupt the dense layer's backward by doubling its output gradient: every check must fail.
        net.gradientScaleForTesting = 2
        let report = try net.checkGradients(batch, samples: 4)
        XCTAssertTrue(report.allSatisfy { $0.worstRelativeError > 0.1 }, "\(report)")
    }

    // MARK: - Learning

    func testLearnsTheNextSymbolOfARepeatingSequence() throws {
        // 0 1 2 3 4 0 1 2 3 4 …: the next symbol is determined by the current one.
        let period = 5, B = 8, T = 10
        let spec = NetworkSpec(input: .tokens(vocabulary: period),
                               layers: [.embedding(8), .lstm(16), .dense(period, activation: .softmax, perStep: true)],
                               stateful: true)
        let net = try Network(spec: spec, seed: 42)
        let adam = Adam(learningRate: 0.02)
        var offset = [Int](repeating: 0, count: B)
        for b in 0..<B { offset[b] = b % period }
        func nextBatch() -> NetworkBatch {
            var x = [Int32](), y = [Int32]()
            for b in 0..<B {
                for t in 0..<T {
                    x.append(Int32((offset[b] + t) % period))
                    y.append(Int32((offset[b] + t + 1) % period))
                }
                offset[b] = (offset[b] + T) % period
            }
            return NetworkBatch(tokens: x, batch: B, steps: T, classes: y)
        }
        var first: Float = 0
        for step in 0..<150 {
            let r = try net.trainStep(nextBatch(), optimizer: adam, clipNorm: 5)
            if step == 0 { first = r.loss }
        }
        let r = try net.evaluate(nextBatch())
        XCTAssertEqual(r.count, B * T)
        XCTAssertGreaterThan(Double(r.correct) / Double(r.count), 0.95)
        XCTAssertLessThan(r.loss, first / 10)
    }

    // MARK: - Determinism and state

    func testSameSeedGivesIdenticalLossBitsWithDropout() throws {
        func run() throws -> [UInt32] {
            let spec = NetworkSpec(input: .tokens(vocabulary: 11),
                                   layers: [.embedding(6, dropout: 0.3), .lstm(8, layers: 2, dropout: 0.4),
                                            .dense(11, activation: .softmax, perStep: true)],
                                   initialization: .uniform(scale: 0.1), stateful: true)
            let net = try Network(spec: spec, seed: 99)
            let sgd = SGD(learningRate: 1)
            var rng = SeededRandom(seed: 7)
            var bits: [UInt32] = []
            for _ in 0..<5 {
                let batch = NetworkBatch(tokens: randomTokens(24, vocabulary: 11, &rng), batch: 4, steps: 6,
                                         classes: randomTokens(24, vocabulary: 11, &rng))
                bits.append(try net.trainStep(batch, optimizer: sgd, clipNorm: 5).loss.bitPattern)
            }
            return bits
        }
        let a = try run(), b = try run()
        XCTAssertEqual(a, b)
        XCTAssertEqual(Set(a).count, a.count, "the loss should change from step to step")
    }

    func testCarriedStateOverTwoHalvesEqualsOneLongBatch() throws {
        let spec = NetworkSpec(input: .tokens(vocabulary: 6),
                               layers: [.embedding(4), .lstm(5, layers: 2), .dense(6, activation: .softmax, perStep: true)],
                               stateful: true)
        let net = try Network(spec: spec, seed: 4)
        var rng = SeededRandom(seed: 9)
        let B = 2, T = 8
        let x = randomTokens(B * T, vocabulary: 6, &rng), y = randomTokens(B * T, vocabulary: 6, &rng)
        func half(_ h: Int, _ v: [Int32]) -> [Int32] {
            var out: [Int32] = []
            for b in 0..<B {
                let start = b * T + h * (T / 2)
                out += v[start..<(start + T / 2)]
            }
            return out
        }
        let whole = try net.evaluate(NetworkBatch(tokens: x, batch: B, steps: T, classes: y))
        net.resetState()
        let first = try net.evaluate(NetworkBatch(tokens: half(0, x), batch: B, steps: T / 2, classes: half(0, y)))
        let second = try net.evaluate(NetworkBatch(tokens: half(1, x), batch: B, steps: T / 2, classes: half(1, y)))
        XCTAssertEqual(whole.lossSum, first.lossSum + second.lossSum, accuracy: 1e-4 * whole.lossSum)
        // Without the carry the second half differs.
        net.resetState()
        let fresh = try net.evaluate(NetworkBatch(tokens: half(1, x), batch: B, steps: T / 2, classes: half(1, y)))
        XCTAssertGreaterThan(abs(fresh.lossSum - second.lossSum), 1e-4)
    }

    func testGenerateStepMatchesPredictOnTheWholeSequence() throws {
        let spec = NetworkSpec(input: .tokens(vocabulary: 7),
                               layers: [.embedding(4), .lstm(6, layers: 2), .dense(7, activation: .softmax, perStep: true)])
        let net = try Network(spec: spec, seed: 12)
        let tokens: [Int32] = [3, 1, 4, 1, 5]
        let probs = try net.predict(.tokens(tokens, batch: 1, steps: 5))
        XCTAssertEqual(probs.shape, [1, 5, 7])
        for (t, token) in tokens.enumerated() {
            let p = try net.generateStep(token: token)
            for j in 0..<7 { XCTAssertEqual(p[j], probs.scalars[t * 7 + j], accuracy: 1e-6) }
        }
        net.resetGenerationState()
        let again = try net.generateStep(token: 3)
        for j in 0..<7 { XCTAssertEqual(again[j], probs.scalars[j], accuracy: 1e-6) }
    }

    // MARK: - Non-finite values

    func testNaNInARecurrentWeightNamesTheLayerAndStep() throws {
        let spec = NetworkSpec(input: .tokens(vocabulary: 5),
                               layers: [.embedding(3), .lstm(4), .lstm(4, returnSequences: false), .dense(2, activation: .softmax)])
        let net = try Network(spec: spec, seed: 1)
        let slot = try XCTUnwrap(net.store.slot(named: "lstm1.weight_hh_l0"))
        net.store.values[slot.offset + 5] = .nan
        let before = net.store.values
        let batch = NetworkBatch(tokens: [0, 1, 2, 3, 4, 0], batch: 2, steps: 3, classes: [0, 1])
        XCTAssertThrowsError(try net.trainStep(batch, optimizer: SGD(learningRate: 0.1))) { error in
            guard case NetworkError.nonFinite(let layer, let step, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(layer, "lstm1")
            XCTAssertEqual(step, 0)
            XCTAssertTrue("\(error)".contains("lstm1 at time step 0"), "\(error)")
        }
        XCTAssertEqual(net.store.values.map(\.bitPattern), before.map(\.bitPattern), "the step must not change the weights")
    }

    func testInfiniteEmbeddingRowNamesTheStepWhereItIsFirstUsed() throws {
        let spec = NetworkSpec(input: .tokens(vocabulary: 5),
                               layers: [.embedding(3), .lstm(4, returnSequences: false), .dense(2, activation: .softmax)])
        let net = try Network(spec: spec, seed: 1)
        let slot = try XCTUnwrap(net.store.slot(named: "embedding0.weight"))
        net.store.values[slot.offset + 4 * 3 + 1] = .infinity   // token 4
        let batch = NetworkBatch(tokens: [0, 1, 2, 4, 1, 1, 1, 1], batch: 2, steps: 4, classes: [0, 1])
        XCTAssertThrowsError(try net.trainStep(batch, optimizer: SGD(learningRate: 0.1))) { error in
            XCTAssertEqual(error as? NetworkError,
                           .nonFinite(layer: "embedding0", step: 3,
                                      detail: "the embedding rows looked up are not finite (embedding0.weight)"))
        }
    }

    // MARK: - Weight files

    func testSaveAndLoadReproducePredictionsBitForBit() throws {
        let spec = NetworkSpec(input: .tokens(vocabulary: 10),
                               layers: [.embedding(4), .lstm(6, returnSequences: false), .dense(3, activation: .softmax)])
        let net = try Network(spec: spec, seed: 21)
        let adam = Adam()
        var rng = SeededRandom(seed: 3)
        for _ in 0..<3 {
            _ = try net.trainStep(NetworkBatch(tokens: randomTokens(12, vocabulary: 10, &rng), batch: 3, steps: 4,
                                               classes: randomTokens(3, vocabulary: 3, &rng)), optimizer: adam)
        }
        let inputs = NetworkInputs.tokens(randomTokens(20, vocabulary: 10, &rng), batch: 4, steps: 5)
        let expected = try net.predict(inputs)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("network-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafeTensors.save(net.store, to: path)
        let other = try Network(spec: spec, seed: 0)
        XCTAssertNotEqual(try other.predict(inputs).scalars, expected.scalars)
        try SafeTensors.load(into: other.store, from: path)
        XCTAssertEqual(try other.predict(inputs).scalars.map(\.bitPattern), expected.scalars.map(\.bitPattern))
    }

    func testSpecRoundTripsThroughJSON() throws {
        let spec = NetworkSpec(input: .tokens(vocabulary: 10000),
                               layers: [.embedding(64), .lstm(128), .lstm(64, returnSequences: false),
                                        .dense(1, activation: .sigmoid, weightInit: .truncatedNormal(std: 0.1), biasInit: .constant(0.1))],
                               initialization: .uniform(scale: 0.05), reduction: .mean)
        let data = try JSONEncoder().encode(spec)
        XCTAssertEqual(try JSONDecoder().decode(NetworkSpec.self, from: data), spec)
    }

    func testInitialisationSchemes() throws {
        let spec = NetworkSpec(input: .tokens(vocabulary: 50),
                               layers: [.embedding(8), .lstm(16, forgetBias: 1),
                                        .dense(4, perStep: true, weightInit: .truncatedNormal(std: 0.1), biasInit: .constant(0.1))])
        let net = try Network(spec: spec, seed: 2)
        func values(_ name: String) throws -> [Float] { Array(net.store.values[try XCTUnwrap(net.store.slot(named: name)).range]) }
        let whh = try values("lstm0.weight_hh_l0")
        XCTAssertLessThanOrEqual(whh.map(abs).max()!, 0.25)        // ±1/√16
        XCTAssertGreaterThan(whh.map(abs).max()!, 0.2)
        let bih = try values("lstm0.bias_ih_l0")
        XCTAssertTrue(bih[16..<32].allSatisfy { $0 >= 0.75 && $0 <= 1.25 }, "forget block gets +1")
        XCTAssertTrue(bih[0..<16].allSatisfy { abs($0) <= 0.25 })
        XCTAssertEqual(try values("dense0.bias"), [0.1, 0.1, 0.1, 0.1])
        XCTAssertLessThanOrEqual(try values("dense0.weight").map(abs).max()!, 0.2)
        let emb = try values("embedding0.weight")
        let mean = emb.reduce(0, +) / Float(emb.count)
        let variance = emb.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(emb.count)
        XCTAssertEqual(variance, 1, accuracy: 0.2)                   // normal(0, 1)
        let uniform = try Network(spec: NetworkSpec(input: spec.input, layers: [.embedding(8), .lstm(16)],
                                                    initialization: .uniform(scale: 0.1)), seed: 2)
        XCTAssertLessThanOrEqual(uniform.store.values.map(abs).max()!, 0.1)
    }

    // MARK: - Bad input

    func testBadSpecsAndBatchesGiveClearErrors() throws {
        XCTAssertThrowsError(try Network(spec: NetworkSpec(input: .features(3), layers: [.lstm(4), .dense(2)]))) {
            XCTAssertEqual("\($0)", "layer 2: dense0: a dense layer after a sequence must be applied per step, or the LSTM before it must keep only the last step")
        }
        XCTAssertThrowsError(try Network(spec: NetworkSpec(input: .tokens(vocabulary: 5), layers: [.lstm(4)]))) {
            XCTAssertEqual("\($0)", "layer 1: token ids need an embedding as the first layer")
        }
        let net = try Network(spec: NetworkSpec(input: .tokens(vocabulary: 5),
                                                layers: [.embedding(3), .lstm(4, returnSequences: false), .dense(2, activation: .softmax)]))
        XCTAssertThrowsError(try net.evaluate(NetworkBatch(tokens: [0, 1, 7, 2], batch: 2, steps: 2, classes: [0, 1]))) {
            XCTAssertEqual("\($0)", "batch: token id 7 of sequence 1 at step 0 is outside the vocabulary of 5 (valid ids are 0..<5)")
        }
        XCTAssertThrowsError(try net.evaluate(NetworkBatch(tokens: [0, 1, 3, 2], batch: 2, steps: 2, classes: [0, 2]))) {
            XCTAssertEqual("\($0)", "batch: target 2 of sequence 1 is not a class id in 0..<2")
        }
        XCTAssertThrowsError(try net.evaluate(NetworkBatch(tokens: [0, 1, 3], batch: 2, steps: 2, classes: [0, 1]))) {
            XCTAssertEqual("\($0)", "batch: expected 2 x 2 = 4 token ids but got 3")
        }
        XCTAssertThrowsError(try net.evaluate(NetworkBatch(tokens: [0, 1, 3, 2], batch: 2, steps: 2, classes: [0, 1], lengths: [2, 3]))) {
            XCTAssertEqual("\($0)", "batch: the length of sequence 1 is 3 but must be in 1...2")
        }
    }
}
