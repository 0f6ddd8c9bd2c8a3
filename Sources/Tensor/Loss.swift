// Loss.swift — training losses: each returns the loss and its gradient by the network output.
//
// Legend: N rows, C classes (or output values per row).
//   softmaxCrossEntropy   logits Z [N, C], targets t [N] (Int32)
//                         ℓ_n = logsumexp(Z_n) − Z_n[t_n]        dZ_n = (softmax(Z_n) − onehot(t_n)) / scale
//   sigmoidBinaryCrossEntropy  logits Z [N, C], targets y [N, C] in [0, 1]
//                         ℓ = max(z, 0) − z·y + log(1 + e^−|z|)   dz = (σ(z) − y) / scale
//   meanSquaredError      predictions P [N, C], targets y [N, C]
//                         ℓ = (p − y)²                           dp = 2 (p − y) / scale
// Rows can be left out (padded time steps) by a per-row `mask` (0 = ignore) and, for
// cross-entropy, by an `ignoreIndex` target; ignored rows get a zero gradient.
// `scale` comes from the reduction:
//   .mean                          the number of counted terms (rows for cross-entropy,
//                                  rows × C for the elementwise losses)
//   .sumOverStepsMeanOverBatch(B)  B: with T steps of B sequences, loss = Σ / B, as the PTB
//                                  language model reports it
// Sums run in Double; logits go through the log-sum-exp trick, so no input overflows.

import Foundation

/// How per-row losses become one number.
package enum LossReduction: Equatable, Sendable {
    /// The mean over counted terms.
    case mean
    /// The sum over everything counted, divided by the number of sequences in the batch.
    case sumOverStepsMeanOverBatch(batch: Int)
}

/// A loss value and what the training loop needs beside it.
package struct LossResult: Sendable {
    /// The reduced loss.
    package var loss: Float
    /// The sum of the per-term losses over counted terms (for perplexity over an epoch).
    package var total: Double
    /// How many terms were counted (rows for cross-entropy).
    package var counted: Int
    /// The gradient of `loss` by the network output, same shape as the output.
    package var gradient: Tensor
}

package enum Loss {
    /// The divisor a reduction applies when `counted` terms were summed.
    static func scale(_ reduction: LossReduction, counted: Int, operation: String) throws -> Double {
        switch reduction {
        case .mean:
            return Double(max(counted, 1))
        case .sumOverStepsMeanOverBatch(let b):
            guard b > 0 else { throw TensorError(operation, "the batch size for the reduction must be positive but is \(b)") }
            return Double(b)
        }
    }

    /// Rows and columns of an output whose last axis holds the values of one row.
    static func rowsAndColumns(_ t: Tensor, _ operation: String) throws -> (Int, Int) {
        guard let c = t.shape.last, c > 0 else {
            throw TensorError(operation, "expected an output with a non-empty last axis but got shape \(t.shape)")
        }
        return (t.count / c, c)
    }

    static func checkMask(_ mask: [Float]?, rows: Int, _ operation: String) throws {
        if let mask, mask.count != rows {
            throw TensorError(operation, "expected a mask of \(rows) rows but got \(mask.count)")
        }
    }

    /// Softmax cross-entropy from logits with integer class targets (fused and stable).
    ///
    /// - Parameters:
    ///   - logits: [N, C] (or [B, T, C]: the leading axes are rows).
    ///   - targets: one class id per row, in 0..<C unless it equals `ignoreIndex`.
    ///   - mask: per-row weights, 0 to ignore a row, 1 to count it.
    /// - Throws: `TensorError` naming the row whose target is outside 0..<C, or a size mismatch.
    package static func softmaxCrossEntropy(logits: Tensor, targets: [Int32], mask: [Float]? = nil,
                                           ignoreIndex: Int32? = nil,
                                           reduction: LossReduction = .mean) throws -> LossResult {
        let op = "softmax cross-entropy"
        let (rows, c) = try rowsAndColumns(logits, op)
        guard targets.count == rows else {
            throw TensorError(op, "expected \(rows) targets (one per row of \(logits.shape)) but got \(targets.count)")
        }
        try checkMask(mask, rows: rows, op)
        var counted = 0
        for (n, t) in targets.enumerated() {
            if t == ignoreIndex || (mask.map { $0[n] == 0 } ?? false) { continue }
            guard t >= 0, Int(t) < c else {
                throw TensorError(op, "target \(t) in row \(n) is not a class id in 0..<\(c)")
            }
            counted += 1
        }
        let s = try scale(reduction, counted: counted, operation: op)
        var grad = Tensor(zeros: logits.shape)
        var total = 0.0
        logits.scalars.withUnsafeBufferPointer { z in
            grad.scalars.withUnsafeMutableBufferPointer { g in
                for n in 0..<rows {
                    let t = targets[n]
                    let w = mask?[n] ?? 1
                    if t == ignoreIndex || w == 0 { continue }
                    let zr = z.baseAddress! + n * c, gr = g.baseAddress! + n * c
                    var m = -Float.infinity
                    for j in 0..<c { m = max(m, zr[j]) }
                    var sum = 0.0
                    for j in 0..<c {
                        let e = Foundation.exp(zr[j] - m)
                        gr[j] = e
                        sum += Double(e)
                    }
                    total += Double(w) * ((Double(m) + Foundation.log(sum)) - Double(zr[Int(t)]))
                    let k = Float(Double(w) / (sum * s))
                    for j in 0..<c { gr[j] *= k }
                    gr[Int(t)] -= Float(Double(w) / s)
                }
            }
        }
        return LossResult(loss: Float(total / s), total: total, counted: counted, gradient: grad)
    }

    /// Binary cross-entropy of sigmoid(logits) against targets in [0, 1], computed from the
    /// logits so that large |logit| neither overflows nor loses the gradient.
    /// - Parameter mask: per-row weights over the leading axes (0 ignores the row's values).
    package static func sigmoidBinaryCrossEntropy(logits: Tensor, targets: Tensor, mask: [Float]? = nil,
                                                 reduction: LossReduction = .mean) throws -> LossResult {
        try elementwise("sigmoid binary cross-entropy", logits, targets, mask, reduction) { z, y in
            let loss = Double(max(z, 0)) - Double(z) * Double(y) + Foundation.log1p(Foundation.exp(-Double(abs(z))))
            return (loss, Activation.sigmoid(z) - y)
        }
    }

    /// Squared error (p − y)², reduced over counted values.
    package static func meanSquaredError(predictions: Tensor, targets: Tensor, mask: [Float]? = nil,
                                        reduction: LossReduction = .mean) throws -> LossResult {
        try elementwise("mean squared error", predictions, targets, mask, reduction) { p, y in
            let d = p - y
            return (Double(d) * Double(d), 2 * d)
        }
    }

    /// A loss that is a sum of `term(output, target) -> (loss, dloss/doutput)` over values.
    private static func elementwise(_ op: String, _ output: Tensor, _ targets: Tensor, _ mask: [Float]?,
                                    _ reduction: LossReduction,
                                    _ term: (Float, Float) -> (Double, Float)) throws -> LossResult {
        guard targets.shape == output.shape else {
            throw TensorError(op, "expected targets of shape \(output.shape) (the output's) but got \(targets.shape)")
        }
        let (rows, c) = try rowsAndColumns(output, op)
        try checkMask(mask, rows: rows, op)
        let counted = c * (mask.map { m in m.filter { $0 != 0 }.count } ?? rows)
        let s = try scale(reduction, counted: counted, operation: op)
        var grad = Tensor(zeros: output.shape)
        var total = 0.0
        for n in 0..<rows {
            let w = mask?[n] ?? 1
            if w == 0 { continue }
            for j in (n * c)..<(n * c + c) {
                let (l, d) = term(output.scalars[j], targets.scalars[j])
                total += Double(w) * l
                grad.scalars[j] = Float(Double(w) * Double(d) / s)
            }
        }
        return LossResult(loss: Float(total / s), total: total, counted: counted, gradient: grad)
    }
}
