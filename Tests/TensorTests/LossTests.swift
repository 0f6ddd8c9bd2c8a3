// LossTests.swift — losses and metrics: hand-computed answers, gradient checks for every loss,
// reduction and row mask, and numerical stability at extreme logits.

import Foundation
import XCTest
@testable import Tensor

final class LossTests: XCTestCase {
    let check = GradientCheck()

    func testSoftmaxCrossEntropyByHand() throws {
        // logits [[1,2,3],[1,1,1]], targets [2,0]:
        //   row 0: log(e+e²+e³) − 3 = 0.40760596444438013
        //   row 1: log 3            = 1.0986122886681098
        //   mean                    = 0.753109126556245
        //   softmax row 0 = [0.09003057317038046, 0.24472847105479767, 0.6652409557748219]
        let logits = Tensor(unchecked: [2, 3], [1, 2, 3, 1, 1, 1])
        let r = try Loss.softmaxCrossEntropy(logits: logits, targets: [2, 0])
        XCTAssertEqual(r.loss, 0.753109126556245, accuracy: 1e-6)
        XCTAssertEqual(r.total, 0.40760596444438013 + 1.0986122886681098, accuracy: 1e-6)
        XCTAssertEqual(r.counted, 2)
        let expected: [Float] = [0.09003057317038046 / 2, 0.24472847105479767 / 2, (0.6652409557748219 - 1) / 2,
                                 (1.0 / 3 - 1) / 2, 1.0 / 6, 1.0 / 6]
        for (a, e) in zip(r.gradient.scalars, expected) { XCTAssertEqual(a, e, accuracy: 1e-6) }
        // Sum over steps, mean over a batch of 1: the plain sum.
        let s = try Loss.softmaxCrossEntropy(logits: logits, targets: [2, 0], reduction: .sumOverStepsMeanOverBatch(batch: 1))
        XCTAssertEqual(s.loss, 1.5062182531124948, accuracy: 1e-6)
    }

    func testSoftmaxCrossEntropyGradientChecks() throws {
        var rng = SeededRandom(seed: 7)
        let rows = 6, c = 5
        let targets: [Int32] = [0, 4, 2, -100, 1, 3]
        let mask: [Float] = [1, 1, 0, 1, 1, 1]
        let cases: [(String, [Float]?, LossReduction)] = [
            ("mean", nil, .mean),
            ("mask", mask, .mean),
            ("sum over steps / batch 3", mask, .sumOverStepsMeanOverBatch(batch: 3)),
        ]
        for (name, m, reduction) in cases {
            var logits = randomValues(rows * c, &rng, scale: 3)
            func loss(_ z: [Float]) throws -> Double {
                Double(try Loss.softmaxCrossEntropy(logits: Tensor(unchecked: [rows, c], z), targets: targets, mask: m,
                                                    ignoreIndex: -100, reduction: reduction).total)
                    / (reduction == .mean ? Double(m == nil ? 5 : 4) : 3)
            }
            let r = try Loss.softmaxCrossEntropy(logits: Tensor(unchecked: [rows, c], logits), targets: targets, mask: m,
                                                 ignoreIndex: -100, reduction: reduction)
            XCTAssertEqual(r.counted, m == nil ? 5 : 4, name)
            XCTAssertEqual(Double(r.loss), try loss(logits), accuracy: 1e-6, name)
            check.assertClose("softmax CE \(name)", r.gradient.scalars, try check.numeric(&logits, loss))
            // Ignored rows have zero gradient.
            XCTAssertEqual(Array(r.gradient.scalars[(3 * c)..<(4 * c)]), [Float](repeating: 0, count: c))
            if m != nil { XCTAssertEqual(Array(r.gradient.scalars[(2 * c)..<(3 * c)]), [Float](repeating: 0, count: c)) }
        }
    }

    func testFusedDenseSoftmaxCrossEntropyGradient() throws {
        // Dense logits -> fused softmax CE, checked through the layer's input and weights.
        let store = ParameterStore()
        let dense = Dense(inputSize: 3, outputSize: 4, activation: .softmax, store: store, prefix: "out.")
        var rng = SeededRandom(seed: 3)
        Initializer.glorotUniform.apply(to: dense.weight, in: store, using: &rng)
        var x = randomValues(6, &rng)
        let targets: [Int32] = [3, 1]
        func loss(_ x: [Float]) throws -> Double {
            let z = try dense.forward(Tensor(unchecked: [2, 3], x), store: store, applyingActivation: false)
            return try Loss.softmaxCrossEntropy(logits: z, targets: targets).total / 2
        }
        let z = try dense.forward(Tensor(unchecked: [2, 3], x), store: store, applyingActivation: false)
        let r = try Loss.softmaxCrossEntropy(logits: z, targets: targets)
        store.zeroGrads()
        let dX = try dense.backward(r.gradient, store: store)
        check.assertClose("fused dX", dX.scalars, try check.numeric(&x, loss))
        // The same loss computed unfused (softmax layer, then −log p) agrees.
        let p = try dense.forward(Tensor(unchecked: [2, 3], x), store: store)
        let unfused = -(Foundation.log(Double(p.scalars[3])) + Foundation.log(Double(p.scalars[4 + 1]))) / 2
        XCTAssertEqual(Double(r.loss), unfused, accuracy: 1e-6)
    }

    func testSoftmaxCrossEntropyIsStableAtExtremeLogits() throws {
        let r = try Loss.softmaxCrossEntropy(logits: Tensor(unchecked: [1, 3], [1000, -1000, 0]), targets: [1])
        XCTAssertEqual(r.loss, 2000, accuracy: 1e-3)
        XCTAssertTrue(r.gradient.isFinite)
    }

    func testBadTargetsAreErrors() {
        XCTAssertThrowsError(try Loss.softmaxCrossEntropy(logits: Tensor(zeros: [2, 3]), targets: [0, 3])) { e in
            XCTAssertEqual("\(e)", "softmax cross-entropy: target 3 in row 1 is not a class id in 0..<3")
        }
        XCTAssertThrowsError(try Loss.softmaxCrossEntropy(logits: Tensor(zeros: [2, 3]), targets: [0]))
        XCTAssertThrowsError(try Loss.meanSquaredError(predictions: Tensor(zeros: [2, 1]), targets: Tensor(zeros: [2])))
        XCTAssertThrowsError(try Loss.softmaxCrossEntropy(logits: Tensor(zeros: [2, 3]), targets: [0, 1], mask: [1]))
    }

    func testSigmoidBinaryCrossEntropy() throws {
        // By hand: z = 0, y = 1 -> log 2; z = 2, y = 0 -> 2 + log(1 + e^-2) = 2.1269280110429727.
        let r = try Loss.sigmoidBinaryCrossEntropy(logits: Tensor(unchecked: [2, 1], [0, 2]), targets: Tensor(unchecked: [2, 1], [1, 0]))
        XCTAssertEqual(Double(r.loss), (Foundation.log(2.0) + 2.1269280110429727) / 2, accuracy: 1e-6)
        XCTAssertEqual(r.gradient.scalars[0], (0.5 - 1) / 2, accuracy: 1e-6)
        // Stable at extreme logits.
        let big = try Loss.sigmoidBinaryCrossEntropy(logits: Tensor(unchecked: [2, 1], [200, -200]), targets: Tensor(unchecked: [2, 1], [0, 1]))
        XCTAssertEqual(big.loss, 200, accuracy: 1e-3)
        XCTAssertTrue(big.gradient.isFinite)

        var rng = SeededRandom(seed: 11)
        var logits = randomValues(8, &rng, scale: 3)
        let targets = Tensor(unchecked: [4, 2], [1, 0, 0.3, 1, 0, 0, 1, 0.7])
        for (name, mask, reduction) in [("mean", nil, LossReduction.mean), ("mask", [1, 0, 1, 1] as [Float]?, .mean),
                                        ("per batch", [1, 0, 1, 1], .sumOverStepsMeanOverBatch(batch: 2))] {
            let divisor: Double = reduction == .mean ? (mask == nil ? 8 : 6) : 2
            func loss(_ z: [Float]) throws -> Double {
                try Loss.sigmoidBinaryCrossEntropy(logits: Tensor(unchecked: [4, 2], z), targets: targets, mask: mask).total / divisor
            }
            let r = try Loss.sigmoidBinaryCrossEntropy(logits: Tensor(unchecked: [4, 2], logits), targets: targets, mask: mask, reduction: reduction)
            XCTAssertEqual(Double(r.loss), try loss(logits), accuracy: 1e-6)
            check.assertClose("sigmoid BCE \(name)", r.gradient.scalars, try check.numeric(&logits, loss))
        }
    }

    func testMeanSquaredError() throws {
        // ((1 − 0)² + (2 − 4)²) / 2 = 2.5, gradient 2(p − y)/2 = [1, −2].
        let r = try Loss.meanSquaredError(predictions: Tensor(unchecked: [2, 1], [1, 2]), targets: Tensor(unchecked: [2, 1], [0, 4]))
        XCTAssertEqual(r.loss, 2.5)
        XCTAssertEqual(r.gradient.scalars, [1, -2])
        var rng = SeededRandom(seed: 12)
        var p = randomValues(6, &rng)
        let y = Tensor(unchecked: [3, 2], randomValues(6, &rng))
        func loss(_ p: [Float]) throws -> Double {
            try Loss.meanSquaredError(predictions: Tensor(unchecked: [3, 2], p), targets: y, mask: [1, 1, 0]).total / 4
        }
        let g = try Loss.meanSquaredError(predictions: Tensor(unchecked: [3, 2], p), targets: y, mask: [1, 1, 0])
        XCTAssertEqual(g.counted, 4)
        check.assertClose("MSE with mask", g.gradient.scalars, try check.numeric(&p, loss))
    }

    func testMetrics() throws {
        let scores = Tensor(unchecked: [4, 3], [0.1, 0.7, 0.2, 0.5, 0.2, 0.3, 0, 0, 1, 0.3, 0.3, 0.3])
        let a = try Metrics.accuracy(scores: scores, targets: [1, 2, 2, 0])
        XCTAssertEqual(a.correct, 3)  // row 3 ties: first max (class 0) wins
        XCTAssertEqual(a.counted, 4)
        let masked = try Metrics.accuracy(scores: scores, targets: [1, 2, -1, 0], mask: [1, 0, 1, 1], ignoreIndex: -1)
        XCTAssertEqual(masked.correct, 2)
        XCTAssertEqual(masked.counted, 2)
        let b = try Metrics.binaryAccuracy(outputs: Tensor(unchecked: [4, 1], [0.9, 0.4, 0.6, 0.5]), targets: Tensor(unchecked: [4, 1], [1, 0, 0, 1]))
        XCTAssertEqual(b.correct, 2)
        let logits = try Metrics.binaryAccuracy(outputs: Tensor(unchecked: [2, 1], [2, -1]), targets: Tensor(unchecked: [2, 1], [1, 0]), fromLogits: true)
        XCTAssertEqual(logits.correct, 2)
        // Perplexity of a uniform guess over 10 words is 10.
        XCTAssertEqual(Metrics.perplexity(totalLoss: 4 * Foundation.log(10.0), words: 4), 10, accuracy: 1e-9)
        XCTAssertEqual(Metrics.perplexity(meanLoss: 0), 1)
    }
}
