// Adam.swift — Adam (Kingma & Ba 2015) in PyTorch's formulation and with its defaults.
//
//   m ← β1 m + (1 − β1) g          v ← β2 v + (1 − β2) g²
//   m̂ = m / (1 − β1ᵗ)             v̂ = v / (1 − β2ᵗ)
//   p ← p − lr · m̂ / (√v̂ + ε)
// Defaults lr 0.001, β1 0.9, β2 0.999, ε 1e-8 (PyTorch; Keras uses ε 1e-7 with ε added to
// √v̂ before bias correction, which differs only when v̂ is tiny).

import CKernels
import Foundation

/// The Adam optimizer.
package final class Adam: Optimizer {
    package let kind = "adam"
    package var learningRate: Float
    package let beta1: Float, beta2: Float, epsilon: Float
    package private(set) var stepCount = 0
    private var m: [Float] = [], v: [Float] = []

    package init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    package func step(_ store: ParameterStore) {
        let n = store.count
        if m.count != n {
            m = [Float](repeating: 0, count: n)
            v = m
        }
        stepCount += 1
        let t = Double(stepCount)
        let c1 = Float(1 - Foundation.pow(Double(beta1), t)), c2 = Float(1 - Foundation.pow(Double(beta2), t))
        let (b1, b2, eps, lr) = (beta1, beta2, epsilon, learningRate)
        // One vectorised pass (CKernels/Optimizers.c), bit-identical to the formula above
        // evaluated one element at a time.
        store.grads.withUnsafeBufferPointer { g in
            store.values.withUnsafeMutableBufferPointer { p in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        seq_adam_update(p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, n,
                                        lr, b1, b2, eps, c1, c2)
                    }
                }
            }
        }
    }

    package func exportState() -> [(name: String, tensor: Tensor)] {
        [(statePrefix + "step", OptimizerState.scalar(stepCount)),
         (statePrefix + "m", OptimizerState.vector(m)),
         (statePrefix + "v", OptimizerState.vector(v))]
    }

    package func importState(_ tensors: [String: Tensor], parameterCount: Int) throws {
        let step = try OptimizerState.step(tensors, prefix: statePrefix)
        let newM = try OptimizerState.vector(tensors, "m", prefix: statePrefix, count: parameterCount)
        let newV = try OptimizerState.vector(tensors, "v", prefix: statePrefix, count: parameterCount)
        (stepCount, m, v) = (step, newM, newV)
    }
}
