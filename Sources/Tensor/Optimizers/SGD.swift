// SGD.swift — stochastic gradient descent with optional momentum (PyTorch's formulation).
//
//   without momentum   p ← p − lr · g
//   with momentum μ    b ← μ · b + g   (b = g on the first step),   p ← p − lr · b

import CKernels

/// Plain or momentum SGD.
package final class SGD: Optimizer {
    package let kind = "sgd"
    package var learningRate: Float
    package let momentum: Float
    package private(set) var stepCount = 0
    private var buffer: [Float] = []

    package init(learningRate: Float = 0.01, momentum: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    package func step(_ store: ParameterStore) {
        let n = store.count
        let lr = learningRate, mu = momentum
        if mu == 0 {
            store.grads.withUnsafeBufferPointer { g in
                store.values.withUnsafeMutableBufferPointer { p in
                    seq_sgd_update(p.baseAddress!, g.baseAddress!, n, lr)
                }
            }
        } else {
            let first = buffer.count != n || stepCount == 0
            if buffer.count != n { buffer = [Float](repeating: 0, count: n) }
            store.grads.withUnsafeBufferPointer { g in
                store.values.withUnsafeMutableBufferPointer { p in
                    buffer.withUnsafeMutableBufferPointer { b in
                        seq_sgd_momentum_update(p.baseAddress!, g.baseAddress!, b.baseAddress!, n, lr, mu,
                                                first ? 1 : 0)
                    }
                }
            }
        }
        stepCount += 1
    }

    package func exportState() -> [(name: String, tensor: Tensor)] {
        [(statePrefix + "step", OptimizerState.scalar(stepCount)),
         (statePrefix + "momentum_buffer", OptimizerState.vector(buffer))]
    }

    package func importState(_ tensors: [String: Tensor], parameterCount: Int) throws {
        let step = try OptimizerState.step(tensors, prefix: statePrefix)
        buffer = try OptimizerState.vector(tensors, "momentum_buffer", prefix: statePrefix, count: parameterCount)
        stepCount = step
    }
}
