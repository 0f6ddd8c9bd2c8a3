// Schedule.swift — learning-rate schedules and gradient clipping, the two things a training
// loop does to the optimizer's step besides taking it.
//
// Step decay, as the PTB language model (Zaremba et al. 2014) trains: epochs count from 1,
//   lr(epoch) = base · decay^max(epoch − N, 0)
// so epochs 1…N use the base rate and each later epoch multiplies it by `decay`.
// Global-norm clipping, as TensorFlow's clip_by_global_norm:
//   norm = √(Σ g²) over every gradient;  if norm > maxNorm, g ← g · maxNorm / norm

/// lr = base · decay^max(epoch − constantEpochs, 0), epochs counted from 1.
package struct StepDecay: Equatable, Sendable {
    package var base: Float
    package var decay: Float
    /// N: the number of epochs trained at the base rate.
    package var constantEpochs: Int

    package init(base: Float, decay: Float, constantEpochs: Int) {
        self.base = base
        self.decay = decay
        self.constantEpochs = constantEpochs
    }

    /// The learning rate for `epoch` (1 for the first epoch).
    package func learningRate(epoch: Int) -> Float {
        var lr = Double(base)
        for _ in 0..<max(epoch - constantEpochs, 0) { lr *= Double(decay) }
        return Float(lr)
    }
}

/// Scales every gradient in `store` so their global L2 norm is at most `maxNorm`, and returns
/// the norm before clipping (useful to log).
@discardableResult
package func clipGlobalNorm(_ store: ParameterStore, maxNorm: Float) -> Float {
    var sum = 0.0
    for g in store.grads { sum += Double(g) * Double(g) }
    let norm = sum.squareRoot()
    if norm > Double(maxNorm), norm > 0 {
        let k = Float(Double(maxNorm) / norm)
        store.grads.withUnsafeMutableBufferPointer { g in
            for i in 0..<g.count { g[i] *= k }
        }
    }
    return Float(norm)
}
