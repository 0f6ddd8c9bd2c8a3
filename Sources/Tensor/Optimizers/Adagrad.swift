// Adagrad.swift — Adagrad (Duchi, Hazan & Singer 2011) in PyTorch's formulation and defaults.
//
//   s ← s + g²        p ← p − lr · g / (√s + ε)
// Defaults lr 0.01, initial accumulator 0, ε 1e-10 (PyTorch). Keras starts the accumulator
// at 0.1 with ε 1e-7 and lr 0.001; pass those to match it.

import CKernels

/// The Adagrad optimizer.
package final class Adagrad: Optimizer {
    package let kind = "adagrad"
    package var learningRate: Float
    package let initialAccumulator: Float, epsilon: Float
    package private(set) var stepCount = 0
    private var sum: [Float] = []

    package init(learningRate: Float = 0.01, initialAccumulator: Float = 0, epsilon: Float = 1e-10) {
        self.learningRate = learningRate
        self.initialAccumulator = initialAccumulator
        self.epsilon = epsilon
    }

    package func step(_ store: ParameterStore) {
        let n = store.count
        if sum.count != n { sum = [Float](repeating: initialAccumulator, count: n) }
        let (eps, lr) = (epsilon, learningRate)
        // One vectorised pass (CKernels/Optimizers.c), bit-identical to the formula above
        // evaluated one element at a time.
        store.grads.withUnsafeBufferPointer { g in
            store.values.withUnsafeMutableBufferPointer { p in
                sum.withUnsafeMutableBufferPointer { s in
                    seq_adagrad_update(p.baseAddress!, g.baseAddress!, s.baseAddress!, n, lr, eps)
                }
            }
        }
        stepCount += 1
    }

    package func exportState() -> [(name: String, tensor: Tensor)] {
        [(statePrefix + "step", OptimizerState.scalar(stepCount)),
         (statePrefix + "sum", OptimizerState.vector(sum))]
    }

    package func importState(_ tensors: [String: Tensor], parameterCount: Int) throws {
        let step = try OptimizerState.step(tensors, prefix: statePrefix)
        guard let t = tensors[statePrefix + "sum"] else { throw TensorError("optimizer state", "missing \(statePrefix)sum") }
        guard t.count == parameterCount || t.count == 0 else {
            throw TensorError("optimizer state", "\(statePrefix)sum has \(t.count) values but the model has \(parameterCount) parameters")
        }
        sum = t.count == 0 ? [Float](repeating: initialAccumulator, count: parameterCount) : t.scalars
        stepCount = step
    }
}
