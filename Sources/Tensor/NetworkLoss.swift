// NetworkLoss.swift — the fused softmax cross-entropy a network's classifier output trains
// with: loss, gradient and accuracy in one pass over the logits, into a reused buffer.
//
// Legend: N rows (B, or T·B for per-step outputs), C classes.
//   logits Z [N, C], targets t [N] (Int32), mask w [N] (0 = padding, 1 = counted)
//   ℓ_n = logsumexp(Z_n) − Z_n[t_n]         total = Σ_n w_n ℓ_n
//   dZ_n = w_n (softmax(Z_n) − onehot(t_n)) / scale
//   correct = #{n : w_n ≠ 0, argmax Z_n = t_n}   (first index on ties, as Metrics.accuracy)
// `Loss.softmaxCrossEntropy` is the plain reference the tests compare this kernel against;
// this one differs only in writing into a caller's buffer and counting the correct rows in
// the same pass. Sums run in Double; the row's argmax and exponentials
// are CKernels' (Softmax.c).

import CKernels
import Foundation

enum NetworkLossKernels {
    /// Softmax cross-entropy of `rows` rows of `classes` logits; writes dZ into `grad` when
    /// given (already divided by `scale`). Targets must be valid class ids for counted rows.
    static func softmaxCrossEntropy(logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                                    mask: UnsafePointer<Float>?, rows: Int, classes C: Int,
                                    scale: Double, grad: UnsafeMutablePointer<Float>?)
        -> (total: Double, correct: Int) {
        var total = 0.0
        var correct = 0
        for n in 0..<rows {
            let w = mask?[n] ?? 1
            let z = logits + n * C
            if w == 0 {
                grad?.advanced(by: n * C).update(repeating: 0, count: C)
                continue
            }
            let t = Int(targets[n])
            let best = seq_argmax(z, C)
            let m = z[best]
            if best == t { correct += 1 }
            let sum: Double
            if let grad {
                let g = grad + n * C
                sum = Double(seq_exp_shifted(z, m, g, C))
                let k = Float(Double(w) / (sum * scale))
                for j in 0..<C { g[j] *= k }
                g[t] -= Float(Double(w) / scale)
            } else {
                sum = Double(seq_exp_shifted(z, m, nil, C))
            }
            total += Double(w) * ((Double(m) + Foundation.log(sum)) - Double(z[t]))
        }
        return (total, correct)
    }
}
