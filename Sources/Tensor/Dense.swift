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
// the gradient it returns is dZ, which `backward` then takes as-is.

/// A fully connected layer whose parameters live in a `ParameterStore`.
public final class Dense {
    public let inputSize: Int
    public let outputSize: Int
    public let activation: Activation
    /// `prefix + "weight"`, shape [O, I].
    public let weight: ParameterSlot
    /// `prefix + "bias"`, shape [O].
    public let bias: ParameterSlot

    // What the last forward pass saw, for backward.
    private var input = Tensor(zeros: [0])
    private var output = Tensor(zeros: [0])
    private var activationApplied = true

    /// Registers `prefix + "weight"` [outputSize, inputSize] and `prefix + "bias"` [outputSize]
    /// in `store` (zero-filled: initialize them with an `Initializer`).
    ///
    /// - Parameter prefix: prepended to the names, e.g. `"dense0."`, so several layers coexist.
    public init(inputSize: Int, outputSize: Int, activation: Activation = .none,
                store: ParameterStore, prefix: String = "") {
        precondition(inputSize > 0 && outputSize > 0, "Dense: sizes must be positive")
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        weight = store.add(prefix + "weight", shape: [outputSize, inputSize])
        bias = store.add(prefix + "bias", shape: [outputSize])
    }

    /// Y = act(X Wᵀ + b), or the pre-activation Z when `applyingActivation` is false.
    /// - Throws: `TensorError` if the last axis of `x` is not `inputSize`.
    public func forward(_ x: Tensor, store: ParameterStore, applyingActivation: Bool = true) throws -> Tensor {
        guard let last = x.shape.last, last == inputSize else {
            throw TensorError("dense forward", "expected input with last axis \(inputSize) but got shape \(x.shape)")
        }
        let rows = x.count / inputSize
        var y = Tensor(zeros: Array(x.shape.dropLast()) + [outputSize])
        store.values.withUnsafeBufferPointer { v in
            let w = v.baseAddress! + weight.offset, b = v.baseAddress! + bias.offset
            x.scalars.withUnsafeBufferPointer { px in
                y.scalars.withUnsafeMutableBufferPointer { py in
                    for r in 0..<rows { (py.baseAddress! + r * outputSize).update(from: b, count: outputSize) }
                    if rows > 0 {
                        BLAS.gemm(transB: true, m: rows, n: outputSize, k: inputSize,
                                  a: px.baseAddress!, b: w, beta: 1, c: py.baseAddress!)
                    }
                    if applyingActivation {
                        activation.forward(py.baseAddress!, py.baseAddress!, rows: rows, columns: outputSize)
                    }
                }
            }
        }
        input = x
        output = y
        activationApplied = applyingActivation
        return y
    }

    /// Accumulates dW and db into `store.grads` and returns dX, for the last `forward`.
    /// `dY` is the gradient of the loss by that forward's output (dZ if it skipped the activation).
    /// dW[O, I] += dZᵀ X (one GEMM) and db[O] += the column sums of dZ[rows, O], into the
    /// store's gradients. Shared by `backward` and the network's dense stage.
    static func accumulateParameterGradients(dZ: Tensor, input: Tensor, rows: Int, outputSize o: Int,
                                             inputSize i: Int, weight: ParameterSlot, bias: ParameterSlot,
                                             store: ParameterStore) {
        store.grads.withUnsafeMutableBufferPointer { g in
            let dW = g.baseAddress! + weight.offset, db = g.baseAddress! + bias.offset
            dZ.scalars.withUnsafeBufferPointer { pdz in
                input.scalars.withUnsafeBufferPointer { px in
                    BLAS.gemm(transA: true, m: o, n: i, k: rows, a: pdz.baseAddress!, b: px.baseAddress!,
                              beta: 1, c: dW)
                }
                for r in 0..<rows {
                    let row = pdz.baseAddress! + r * o
                    for j in 0..<o { db[j] += row[j] }
                }
            }
        }
    }

    public func backward(_ dY: Tensor, store: ParameterStore) throws -> Tensor {
        guard dY.shape == output.shape else {
            throw TensorError.shape("dense backward", expected: output.shape, got: dY.shape)
        }
        let rows = dY.count / outputSize
        var dZ = dY
        if activationApplied {
            output.scalars.withUnsafeBufferPointer { py in
                dY.scalars.withUnsafeBufferPointer { pdy in
                    dZ.scalars.withUnsafeMutableBufferPointer { pdz in
                        activation.backward(py.baseAddress!, pdy.baseAddress!, pdz.baseAddress!, rows: rows, columns: outputSize)
                    }
                }
            }
        }
        var dX = Tensor(zeros: input.shape)
        guard rows > 0 else { return dX }
        let (o, i) = (outputSize, inputSize)
        Dense.accumulateParameterGradients(dZ: dZ, input: input, rows: rows, outputSize: o, inputSize: i,
                                           weight: weight, bias: bias, store: store)
        store.values.withUnsafeBufferPointer { v in
            dZ.scalars.withUnsafeBufferPointer { pdz in
                dX.scalars.withUnsafeMutableBufferPointer { pdx in
                    BLAS.gemm(m: rows, n: i, k: o, a: pdz.baseAddress!, b: v.baseAddress! + weight.offset,
                              c: pdx.baseAddress!)
                }
            }
        }
        return dX
    }

    // MARK: - Naive reference (plain loops, for tests)

    /// Y = act(X Wᵀ + b) by plain loops; x is [N, I], w [O, I], b [O].
    public static func referenceForward(x: [Float], w: [Float], b: [Float], rows: Int, inputs: Int, outputs: Int,
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
    public static func referenceBackward(x: [Float], w: [Float], dZ: [Float], rows: Int, inputs: Int, outputs: Int)
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
