// Dense.swift — the fully connected layer, forward and backward, with a naive reference.
//
// Legend: N rows (batch, or batch × time for a time-distributed layer), I inputs, O outputs.
//   forward   X [N, I], W [O, I], b [O]  ->  Z = X Wᵀ + b [N, O],  Y = act(Z) [N, O]
//   backward  dY [N, O]  ->  dZ = dY · act'(Z)
//             dW [O, I] += dZᵀ X,   db [O] += Σ_rows dZ,   dX [N, I] = dZ W
// Any input whose last axis is I works: the leading axes are flattened into N and kept in
// the output shape ([B, T, I] -> [B, T, O]).
// Parameter names follow PyTorch's nn.Linear (`weight` [O, I], `bias` [O]) after a prefix,
// so `dense0.weight` loads into `torch.nn.Linear` unchanged.
//
// For a softmax output trained with cross-entropy, run `forward(_:store:applyingActivation:
// false)` and give the logits to `Loss.softmaxCrossEntropy`, which is faster and stable;
// the gradient it returns is dZ, which `backward` then takes as-is. This class is the dense
// layer `Network` runs (`dense0.weight` …), so the tests of this file test what trains.

/// A fully connected layer whose parameters live in a `ParameterStore`; the layer a `Network`
/// runs. Its buffers are reused while the input's shape stays the same: a tensor it returns
/// shares storage with the next call's result until that call writes it.
package final class Dense {
    package let inputSize: Int
    package let outputSize: Int
    package let activation: Activation
    /// The name prefix without its trailing dot (`dense0`): how errors name the layer.
    package let name: String
    /// Polled between the blocks of its large products (`BLAS.gemm(polling:)`); a raised
    /// signal makes `forward` and `backward` throw `StopSignal.Stopped` (nil: never).
    package var stopSignal: StopSignal?
    /// Told when `backward` has finished the weight and bias gradients (before the input
    /// gradient's product, which then polls it; GradientOverlap.swift; nil: never).
    package var gradientOverlap: GradientOverlap?
    /// `prefix + "weight"`, shape [O, I].
    package let weight: ParameterSlot
    /// `prefix + "bias"`, shape [O].
    package let bias: ParameterSlot

    // What the last forward pass saw, for backward.
    private var input = Tensor(zeros: [0])
    /// Z = X Wᵀ + b of the last forward pass (the output when no activation was applied).
    package private(set) var preActivation = Tensor(zeros: [0])
    private var activated = Tensor(zeros: [0])
    private var activationApplied = false
    private var dz = Tensor(zeros: [0]), dx = Tensor(zeros: [0])

    /// Registers `prefix + "weight"` [outputSize, inputSize] and `prefix + "bias"` [outputSize]
    /// in `store` (zero-filled: initialize them with an `Initializer`).
    ///
    /// - Parameter prefix: prepended to the names, e.g. `"dense0."`, so several layers coexist.
    package init(inputSize: Int, outputSize: Int, activation: Activation = .none,
                store: ParameterStore, prefix: String = "") {
        precondition(inputSize > 0 && outputSize > 0, "Dense: sizes must be positive")
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        name = prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix
        weight = store.add(prefix + "weight", shape: [outputSize, inputSize])
        bias = store.add(prefix + "bias", shape: [outputSize])
    }

    /// Y = act(X Wᵀ + b), or the pre-activation Z when `applyingActivation` is false (logits
    /// for a loss).
    /// - Throws: `TensorError` if the last axis of `x` is not `inputSize`.
    package func forward(_ x: Tensor, store: ParameterStore, applyingActivation: Bool = true) throws -> Tensor {
        guard let last = x.shape.last, last == inputSize else {
            throw TensorError("dense forward", "expected input with last axis \(inputSize) but got shape \(x.shape)")
        }
        let stop = stopSignal
        let I = inputSize, O = outputSize, rows = x.count / I
        let shape = Array(x.shape.dropLast()) + [O]
        networkReuse(&preActivation, shape)
        store.values.withUnsafeBufferPointer { v in
            let w = v.baseAddress! + weight.offset, b = v.baseAddress! + bias.offset
            x.scalars.withUnsafeBufferPointer { px in
                preActivation.scalars.withUnsafeMutableBufferPointer { pz in
                    for r in 0..<rows { (pz.baseAddress! + r * O).update(from: b, count: O) }
                    if rows > 0 {
                        BLAS.gemm(polling: stop, transB: true, m: rows, n: O, k: I, a: px.baseAddress!, b: w, beta: 1, c: pz.baseAddress!)
                    }
                }
            }
        }
        try stop.check()
        input = x
        activationApplied = applyingActivation && activation != .none
        guard activationApplied else { return preActivation }
        networkReuse(&activated, shape)
        preActivation.scalars.withUnsafeBufferPointer { pz in
            activated.scalars.withUnsafeMutableBufferPointer { py in
                activation.forward(pz.baseAddress!, py.baseAddress!, rows: rows, columns: O)
            }
        }
        return activated
    }

    /// dW[O, I] += dZᵀ X (one GEMM) and db[O] += the column sums of dZ[rows, O], into the
    /// store's gradients.
    static func accumulateParameterGradients(dZ: Tensor, input: Tensor, rows: Int, outputSize o: Int,
                                             inputSize i: Int, weight: ParameterSlot, bias: ParameterSlot,
                                             store: ParameterStore, polling stop: StopSignal? = nil) {
        store.grads.withUnsafeMutableBufferPointer { g in
            let dW = g.baseAddress! + weight.offset, db = g.baseAddress! + bias.offset
            dZ.scalars.withUnsafeBufferPointer { pdz in
                input.scalars.withUnsafeBufferPointer { px in
                    BLAS.gemm(polling: stop, transA: true, m: o, n: i, k: rows, a: pdz.baseAddress!, b: px.baseAddress!,
                              beta: 1, c: dW)
                }
                for r in 0..<rows {
                    let row = pdz.baseAddress! + r * o
                    for j in 0..<o { db[j] += row[j] }
                }
            }
        }
    }

    /// Accumulates dW and db into `store.grads` and returns dX, for the last `forward`.
    /// `dY` is the gradient of the loss by that forward's output (dZ if it skipped the activation).
    package func backward(_ dY: Tensor, store: ParameterStore) throws -> Tensor {
        try backward(dY, store: store, needsInputGradient: true)!
    }

    /// Like `backward(_:store:)`; without `needsInputGradient` (the layers below have nothing to
    /// train) dX is not computed and nil is returned.
    package func backward(_ dY: Tensor, store: ParameterStore, needsInputGradient: Bool) throws -> Tensor? {
        guard dY.shape == preActivation.shape else {
            throw TensorError.shape("dense backward", expected: preActivation.shape, got: dY.shape)
        }
        let I = inputSize, O = outputSize, rows = dY.count / O
        var dZ = dY
        if activationApplied {
            networkReuse(&dz, preActivation.shape)
            activated.scalars.withUnsafeBufferPointer { py in
                dY.scalars.withUnsafeBufferPointer { pdy in
                    dz.scalars.withUnsafeMutableBufferPointer { pdz in
                        activation.backward(py.baseAddress!, pdy.baseAddress!, pdz.baseAddress!, rows: rows, columns: O)
                    }
                }
            }
            dZ = dz
        }
        if rows > 0 {
            Dense.accumulateParameterGradients(dZ: dZ, input: input, rows: rows, outputSize: O, inputSize: I,
                                               weight: weight, bias: bias, store: store, polling: stopSignal)
        }
        try stopSignal.check()
        gradientOverlap?.final(from: weight.offset)
        guard needsInputGradient else { return nil }
        networkReuse(&dx, input.shape)
        guard rows > 0 else { return dx }
        store.values.withUnsafeBufferPointer { v in
            dZ.scalars.withUnsafeBufferPointer { pdz in
                dx.scalars.withUnsafeMutableBufferPointer { pdx in
                    BLAS.gemm(polling: stopSignal, overlap: gradientOverlap, m: rows, n: I, k: O, a: pdz.baseAddress!,
                              b: v.baseAddress! + weight.offset, c: pdx.baseAddress!)
                }
            }
        }
        try stopSignal.check()
        return dx
    }

    // MARK: - Naive reference (plain loops, for tests)

    /// Y = act(X Wᵀ + b) by plain loops; x is [N, I], w [O, I], b [O].
    package static func referenceForward(x: [Float], w: [Float], b: [Float], rows: Int, inputs: Int, outputs: Int,
                                        activation: Activation) -> [Float] {
        var z = [Float](repeating: 0, count: rows * outputs)
        for n in 0..<rows {
            for o in 0..<outputs {
                var s = b[o]
                for i in 0..<inputs { s += x[n * inputs + i] * w[o * inputs + i] }
                z[n * outputs + o] = s
            }
        }
        var y = z
        z.withUnsafeBufferPointer { pz in
            y.withUnsafeMutableBufferPointer { py in
                activation.forward(pz.baseAddress!, py.baseAddress!, rows: rows, columns: outputs)
            }
        }
        return y
    }

    /// (dX, dW, db) by plain loops, from dZ (the gradient after the activation's backward).
    package static func referenceBackward(x: [Float], w: [Float], dZ: [Float], rows: Int, inputs: Int, outputs: Int)
        -> (dX: [Float], dW: [Float], db: [Float]) {
        var dX = [Float](repeating: 0, count: rows * inputs)
        var dW = [Float](repeating: 0, count: outputs * inputs)
        var db = [Float](repeating: 0, count: outputs)
        for n in 0..<rows {
            for o in 0..<outputs {
                let g = dZ[n * outputs + o]
                db[o] += g
                for i in 0..<inputs {
                    dW[o * inputs + i] += g * x[n * inputs + i]
                    dX[n * inputs + i] += g * w[o * inputs + i]
                }
            }
        }
        return (dX, dW, db)
    }
}
