// RMSProp.swift — RMSProp (Tieleman & Hinton 2012) in the Keras formulation and with its defaults.
//
//   a ← ρ a + (1 − ρ) g²        p ← p − lr · g / (√a + ε)
// Defaults lr 0.001, ρ 0.9, ε 1e-7, as in Keras (`tf.keras.optimizers.RMSprop`), because the
// models SeqLang scripts mirror were written against Keras. PyTorch's RMSprop uses ρ 0.99 and
// ε 1e-8; pass those to match it. Neither uses momentum or centering here.

import CKernels

/// The RMSProp optimizer.
package final class RMSProp: Optimizer {
    package let kind = "rmsprop"
    package var learningRate: Float
    package let rho: Float, epsilon: Float
    package private(set) var stepCount = 0
    private var average: [Float] = []

    package init(learningRate: Float = 0.001, rho: Float = 0.9, epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
    }

    package func step(_ store: ParameterStore) {
        let n = store.count
        if average.count != n { average = [Float](repeating: 0, count: n) }
        let (rho, eps, lr) = (rho, epsilon, learningRate)
        // One vectorised pass (CKernels/Optimizers.c), bit-identical to the formula above
        // evaluated one element at a time.
        store.grads.withUnsafeBufferPointer { g in
            store.values.withUnsafeMutableBufferPointer { p in
                average.withUnsafeMutableBufferPointer { a in
                    seq_rmsprop_update(p.baseAddress!, g.baseAddress!, a.baseAddress!, n, lr, rho, eps)
                }
            }
        }
        stepCount += 1
    }

    package func exportState() -> [(name: String, tensor: Tensor)] {
        [(statePrefix + "step", OptimizerState.scalar(stepCount)),
         (statePrefix + "square_average", OptimizerState.vector(average))]
    }

    package func importState(_ tensors: [String: Tensor], parameterCount: Int) throws {
        let step = try OptimizerState.step(tensors, prefix: statePrefix)
        average = try OptimizerState.vector(tensors, "square_average", prefix: statePrefix, count: parameterCount)
        stepCount = step
    }
}
