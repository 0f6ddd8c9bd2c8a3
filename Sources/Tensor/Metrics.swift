// Metrics.swift — numbers reported beside the loss: accuracy and perplexity.
//
// Accuracy counts rows: for classes, the row's argmax (first on ties) against an integer
// target; for a sigmoid output, each value thresholded against a 0/1 target. Rows left out
// of the loss (mask 0, ignore index) are left out here too. Perplexity is exp of the mean
// per-word cross-entropy (natural log), as the PTB language model reports it.

import Foundation

package enum Metrics {
    /// Correct and counted rows of class scores [N, C] (logits or probabilities) against targets.
    package static func accuracy(scores: Tensor, targets: [Int32], mask: [Float]? = nil,
                                ignoreIndex: Int32? = nil) throws -> (correct: Int, counted: Int) {
        let op = "accuracy"
        let (rows, c) = try Loss.rowsAndColumns(scores, op)
        guard targets.count == rows else {
            throw TensorError(op, "expected \(rows) targets (one per row of \(scores.shape)) but got \(targets.count)")
        }
        try Loss.checkMask(mask, rows: rows, op)
        var correct = 0, counted = 0
        for n in 0..<rows {
            if targets[n] == ignoreIndex || (mask.map { $0[n] == 0 } ?? false) { continue }
            var best = 0
            for j in 1..<max(c, 1) where scores.scalars[n * c + j] > scores.scalars[n * c + best] { best = j }
            counted += 1
            if best == Int(targets[n]) { correct += 1 }
        }
        return (correct, counted)
    }

    /// Correct and counted values of a sigmoid output against 0/1 targets of the same shape.
    /// - Parameter fromLogits: the outputs are logits (threshold 0) rather than probabilities (0.5).
    package static func binaryAccuracy(outputs: Tensor, targets: Tensor, mask: [Float]? = nil,
                                      fromLogits: Bool = false) throws -> (correct: Int, counted: Int) {
        let op = "binary accuracy"
        guard outputs.shape == targets.shape else {
            throw TensorError(op, "expected targets of shape \(outputs.shape) but got \(targets.shape)")
        }
        let (rows, c) = try Loss.rowsAndColumns(outputs, op)
        try Loss.checkMask(mask, rows: rows, op)
        let threshold: Float = fromLogits ? 0 : 0.5
        var correct = 0, counted = 0
        for n in 0..<rows where mask.map({ $0[n] != 0 }) ?? true {
            for j in (n * c)..<(n * c + c) {
                counted += 1
                if (outputs.scalars[j] > threshold) == (targets.scalars[j] > 0.5) { correct += 1 }
            }
        }
        return (correct, counted)
    }

    /// exp(mean per-word loss): `totalLoss` summed over `words` counted words.
    package static func perplexity(totalLoss: Double, words: Int) -> Double {
        Foundation.exp(totalLoss / Double(max(words, 1)))
    }

    /// exp(meanLoss).
    package static func perplexity(meanLoss: Double) -> Double { Foundation.exp(meanLoss) }
}
