// Dropout.swift — inverted dropout, forward and backward.
//
// Legend: X, Y, dY, dX and the mask M all have the same shape (any).
//   training   M = keep / (1 − rate) with keep ~ Bernoulli(1 − rate) drawn from a SeededRandom,
//              Y = X · M,  dX = dY · M   (the same mask)
//   evaluation Y = X, dX = dY
// `rate` is the fraction to DROP (Keras's and PyTorch's meaning). Scaling at training time
// keeps the expected activation unchanged, so evaluation needs no rescaling.

/// Randomly zeroes a fraction of its input while training: a `layer dropout`, and the dropout
/// a `Network` puts on an embedding's or a recurrent layer's output.
package final class Dropout {
    /// The probability of dropping each value, in [0, 1).
    package let rate: Float
    /// How errors and reports name it (`dropout0`; empty when it belongs to another layer).
    package let name: String
    /// The scaled mask of the last training pass (0 or 1/(1 − rate) per value); empty in evaluation.
    package private(set) var mask: [Float] = []
    private var fixedMask: [Float]?
    private var lastWasTraining = false

    /// - Throws: `TensorError` if `rate` is not in [0, 1).
    package init(rate: Float, name: String = "") throws {
        guard rate >= 0, rate < 1 else {
            throw TensorError("dropout", "expected a rate in [0, 1) (the fraction to drop) but got \(rate)")
        }
        self.rate = rate
        self.name = name
    }

    /// Uses `keep` (true = keep the value) instead of random draws from now on, for gradient
    /// checks and known-answer tests; `nil` goes back to random masks.
    package func setFixedMask(_ keep: [Bool]?) {
        let scale = 1 / (1 - rate)
        fixedMask = keep.map { $0.map { $0 ? scale : 0 } }
    }

    /// Fills `mask` with `count` values: 0 with probability `rate`, else 1/(1 − rate).
    package static func drawMask(count: Int, rate: Float, using rng: inout SeededRandom, into mask: inout [Float]) {
        let scale = 1 / (1 - rate)
        if mask.count != count { mask = [Float](repeating: 0, count: count) }
        for i in 0..<count { mask[i] = rng.uniform() < rate ? 0 : scale }
    }

    /// X · M while training, X in evaluation. The mask is drawn fresh each call unless one is
    /// fixed, or `reusingLastMask` is true and the last one fits (a gradient check's repeated
    /// passes see the same mask).
    package func forward(_ x: Tensor, training: Bool, reusingLastMask: Bool = false,
                        using rng: inout SeededRandom) throws -> Tensor {
        lastWasTraining = training && (rate > 0 || fixedMask != nil)
        guard lastWasTraining else { return x }
        if let fixed = fixedMask {
            guard fixed.count == x.count else {
                throw TensorError("dropout", "the fixed mask has \(fixed.count) values but the input \(x.shape) has \(x.count)")
            }
            mask = fixed
        } else if !(reusingLastMask && mask.count == x.count) {
            Dropout.drawMask(count: x.count, rate: rate, using: &rng, into: &mask)
        }
        var y = x
        Dropout.multiply(&y, by: mask)
        return y
    }

    /// dY · M with the last forward's mask (dY itself after an evaluation pass).
    package func backward(_ dY: Tensor) throws -> Tensor {
        guard lastWasTraining else { return dY }
        guard dY.count == mask.count else {
            throw TensorError("dropout backward", "expected a gradient of \(mask.count) values but got shape \(dY.shape)")
        }
        var dX = dY
        Dropout.multiply(&dX, by: mask)
        return dX
    }

    private static func multiply(_ x: inout Tensor, by mask: [Float]) {
        let n = x.count
        mask.withUnsafeBufferPointer { m in
            x.scalars.withUnsafeMutableBufferPointer { p in
                for i in 0..<n { p[i] *= m[i] }
            }
        }
    }
}
