// NetworkKernelTests.swift — the network's fast kernels against their plain references: the
// vector exponential against Foundation.exp, the argmax, the fused softmax cross-entropy against
// Loss.softmaxCrossEntropy and Metrics.accuracy.

import XCTest
import CKernels
@testable import Tensor

final class NetworkKernelTests: XCTestCase {
    func testVectorExpMatchesFoundationExp() {
        var rng = SeededRandom(seed: 5)
        let x = (0..<203).map { _ in rng.uniform(in: -80, 80) } + [0, -1e-3, 1e-3, 50, -50]
        for shift: Float in [0, 3.5] {
            var fast = [Float](repeating: 0, count: x.count), reference = fast
            let fastSum = seq_exp_shifted(x, shift, &fast, x.count)
            let referenceSum = seq_exp_shifted_reference(x, shift, &reference, x.count)
            for (a, b) in zip(fast, reference) {
                XCTAssertEqual(Double(a), Double(b), accuracy: 4e-7 * Double(b))
            }
            XCTAssertEqual(Double(fastSum), Double(referenceSum), accuracy: 1e-6 * Double(referenceSum))
            XCTAssertEqual(seq_exp_shifted(x, shift, nil, x.count), fastSum, "the sum alone is the same sum")
        }
        var y = [Float](repeating: 0, count: 8)
        XCTAssertTrue(seq_exp_shifted([Float](repeating: .nan, count: 8), 0, &y, 8).isNaN)
        XCTAssertTrue(y.allSatisfy(\.isNaN))
    }

    /// The first index of the maximum, over lengths around the 8-lane blocks, with ties.
    func testArgmaxIsTheFirstIndexOfTheMaximum() {
        var rng = SeededRandom(seed: 6)
        for n in [1, 2, 7, 8, 15, 16, 17, 33, 10_000] {
            var x = (0..<n).map { _ in rng.uniform(in: -5, 5) }
            XCTAssertEqual(seq_argmax(x, n), seq_argmax_reference(x, n), "n=\(n)")
            let top = x.max()!, at = x.firstIndex(of: top)!
            XCTAssertEqual(seq_argmax(x, n), at, "n=\(n)")
            if n > 3 {
                x[n - 1] = top      // a tie later on: still the first
                x[n / 2] = top + 1  // a new maximum in the middle
                XCTAssertEqual(seq_argmax(x, n), n / 2, "n=\(n)")
            }
        }
        XCTAssertEqual(seq_argmax([Float](repeating: 2, count: 20), 20), 0)
    }

    func testFusedSoftmaxCrossEntropyMatchesTheReference() throws {
        var rng = SeededRandom(seed: 8)
        let rows = 7, classes = 37
        let logits = Tensor(unchecked: [rows, classes], (0..<(rows * classes)).map { _ in rng.uniform(in: -6, 6) })
        let targets: [Int32] = (0..<rows).map { _ in Int32(rng.int(below: classes)) }
        let mask: [Float] = [1, 1, 0, 1, 1, 0, 1]
        let reference = try Loss.softmaxCrossEntropy(logits: logits, targets: targets, mask: mask)
        let accuracy = try Metrics.accuracy(scores: logits, targets: targets, mask: mask)
        var grad = [Float](repeating: 9, count: rows * classes)
        let (total, correct) = logits.scalars.withUnsafeBufferPointer { z in
            targets.withUnsafeBufferPointer { t in
                mask.withUnsafeBufferPointer { m in
                    grad.withUnsafeMutableBufferPointer { g in
                        NetworkLossKernels.softmaxCrossEntropy(logits: z.baseAddress!, targets: t.baseAddress!, mask: m.baseAddress!,
                                                               rows: rows, classes: classes, scale: Double(reference.counted),
                                                               grad: g.baseAddress!)
                    }
                }
            }
        }
        XCTAssertEqual(total, reference.total, accuracy: 1e-5 * reference.total)
        XCTAssertEqual(correct, accuracy.correct)
        for (a, b) in zip(grad, reference.gradient.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // A target placed at the row's largest logit is counted correct.
        var sure = logits
        for j in 0..<classes { sure.scalars[j] = j == Int(targets[0]) ? 10 : 0 }
        let one = sure.scalars.withUnsafeBufferPointer { z in
            targets.withUnsafeBufferPointer { t in
                NetworkLossKernels.softmaxCrossEntropy(logits: z.baseAddress!, targets: t.baseAddress!, mask: nil,
                                                       rows: 1, classes: classes, scale: 1, grad: nil)
            }
        }
        XCTAssertEqual(one.correct, 1)
    }
}
