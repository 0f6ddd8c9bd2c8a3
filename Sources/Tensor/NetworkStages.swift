// NetworkStages.swift — the layers of a `Network` as it runs them: each stage's forward pass
// and its backward pass side by side, on buffers the stage owns and reuses batch after batch.
//
// Legend: B batch, T time steps, V vocabulary, D embedding width, I inputs, H hidden, O outputs.
// Everything between stages is time-major:
//   a sequence  [T, B, F]   (row t*B + b is step t of sequence b)
//   a vector    [B, F]      (after an LSTM that keeps only the last step)
//
//   embedding   ids [B, T] (batch-major, as given)  ->  [T, B, D]       dW[id] += dY[row]
//   recurrent   [T, B, I] -> [T, B, D·H] or [B, D·H] (RecurrentStack.swift: LSTM, GRU or RNN
//                                                      layers l0, l1, …, D = 2 when bidirectional)
//   dense       [N…, I] -> [N…, O]   Z = X Wᵀ + b, Y = act(Z);  dW += dZᵀX, db += Σ dZ, dX = dZ W
//   dropout     same shape in and out, Y = X·M, dX = dY·M
// A buffer is reallocated only when the (batch, time) shape changes; a tensor handed to the
// next stage shares its storage until the next batch writes it again.

import Foundation

/// An inverted-dropout mask kept for the backward pass (see Dropout.swift for the rule).
struct NetworkDropoutMask {
    let rate: Float
    private(set) var mask: [Float] = []
    private(set) var active = false

    init(rate: Float) { self.rate = rate }

    /// X · M in training (a fresh mask unless `frozen` and one of the right size exists).
    mutating func apply(_ x: inout Tensor, training: Bool, frozen: Bool, using rng: inout SeededRandom) {
        active = training && rate > 0
        guard active else { return }
        if !(frozen && mask.count == x.count) {
            Dropout.drawMask(count: x.count, rate: rate, using: &rng, into: &mask)
        }
        let n = x.count
        mask.withUnsafeBufferPointer { m in
            x.scalars.withUnsafeMutableBufferPointer { p in
                for i in 0..<n { p[i] *= m[i] }
            }
        }
    }

    /// dY · M with the mask of the last `apply` (dY itself when it was not active).
    func backward(_ d: inout Tensor) {
        guard active else { return }
        let n = d.count
        precondition(n == mask.count, "dropout mask and gradient sizes differ")
        mask.withUnsafeBufferPointer { m in
            d.scalars.withUnsafeMutableBufferPointer { p in
                for i in 0..<n { p[i] *= m[i] }
            }
        }
    }
}

/// Resizes `t` to `shape` when its shape differs (its values are then zero); otherwise keeps it.
@inline(__always)
func networkReuse(_ t: inout Tensor, _ shape: [Int]) {
    if t.shape != shape { t = Tensor(zeros: shape) }
}

// MARK: - Embedding

/// The token lookup: ids [B, T] batch-major -> rows [T, B, D] time-major.
final class EmbeddingStage {
    let name: String
    let weight: ParameterSlot
    let vocabulary: Int, width: Int
    let trainable: Bool
    var dropout: NetworkDropoutMask
    /// The ids of the last forward, time-major [T*B].
    private(set) var ids: [Int32] = []
    private var output = Tensor(zeros: [0])

    init(name: String, vocabulary: Int, width: Int, dropout: Float, trainable: Bool, store: ParameterStore) {
        self.name = name
        self.vocabulary = vocabulary
        self.width = width
        self.trainable = trainable
        self.dropout = NetworkDropoutMask(rate: dropout)
        weight = store.add(name + ".weight", shape: [vocabulary, width])
    }

    func forward(_ tokens: [Int32], batch B: Int, steps T: Int, training: Bool, frozenMasks: Bool,
                 store: ParameterStore, rng: inout SeededRandom) throws -> Tensor {
        let D = width
        if ids.count != T * B { ids = [Int32](repeating: 0, count: T * B) }
        for b in 0..<B {
            for t in 0..<T {
                let id = tokens[b * T + t]
                guard id >= 0, Int(id) < vocabulary else {
                    throw NetworkError.badBatch("token id \(id) of sequence \(b) at step \(t) is outside the vocabulary of \(vocabulary) (valid ids are 0..<\(vocabulary))")
                }
                ids[t * B + b] = id
            }
        }
        networkReuse(&output, [T, B, D])
        store.values.withUnsafeBufferPointer { v in
            let w = v.baseAddress! + weight.offset
            output.scalars.withUnsafeMutableBufferPointer { y in
                for r in 0..<(T * B) { (y.baseAddress! + r * D).update(from: w + Int(ids[r]) * D, count: D) }
            }
        }
        var y = output
        dropout.apply(&y, training: training, frozen: frozenMasks, using: &rng)
        return y
    }

    /// The first time step whose looked-up rows hold a NaN or infinity.
    func firstNonFiniteStep() -> Int? {
        guard output.rank == 3 else { return nil }
        let row = output.shape[1] * output.shape[2]
        return (0..<output.shape[0]).first { t in !(t * row..<(t + 1) * row).allSatisfy { output.scalars[$0].isFinite } }
    }

    /// Adds dY [T, B, D] into the gradient rows of the ids looked up (only those rows).
    func backward(_ dY: Tensor, store: ParameterStore) {
        guard trainable else { return }
        var d = dY
        dropout.backward(&d)
        let D = width
        store.grads.withUnsafeMutableBufferPointer { g in
            let dW = g.baseAddress! + weight.offset
            d.scalars.withUnsafeBufferPointer { dy in
                for (r, id) in ids.enumerated() {
                    let row = dW + Int(id) * D, src = dy.baseAddress! + r * D
                    for j in 0..<D { row[j] += src[j] }
                }
            }
        }
    }
}

// MARK: - Dense

/// A fully connected layer on the last axis: [B, I] -> [B, O] or [T, B, I] -> [T, B, O].
final class DenseStage {
    let name: String
    let weight: ParameterSlot, bias: ParameterSlot
    let inputSize: Int, outputSize: Int
    let activation: Activation
    private var input = Tensor(zeros: [0])
    private(set) var z = Tensor(zeros: [0]), y = Tensor(zeros: [0])
    private var dz = Tensor(zeros: [0]), dx = Tensor(zeros: [0])
    private var activated = false

    init(name: String, inputSize: Int, outputSize: Int, activation: Activation, store: ParameterStore) {
        self.name = name
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        weight = store.add(name + ".weight", shape: [outputSize, inputSize])
        bias = store.add(name + ".bias", shape: [outputSize])
    }

    /// Y = act(X Wᵀ + b), or Z = X Wᵀ + b when `applyingActivation` is false (logits for a loss).
    func forward(_ x: Tensor, applyingActivation: Bool, store: ParameterStore) -> Tensor {
        let I = inputSize, O = outputSize, rows = x.count / I
        let shape = Array(x.shape.dropLast()) + [O]
        networkReuse(&z, shape)
        store.values.withUnsafeBufferPointer { v in
            let w = v.baseAddress! + weight.offset, b = v.baseAddress! + bias.offset
            x.scalars.withUnsafeBufferPointer { px in
                z.scalars.withUnsafeMutableBufferPointer { pz in
                    for r in 0..<rows { (pz.baseAddress! + r * O).update(from: b, count: O) }
                    BLAS.gemm(transB: true, m: rows, n: O, k: I, a: px.baseAddress!, b: w,
                              beta: 1, c: pz.baseAddress!)
                }
            }
        }
        input = x
        activated = applyingActivation && activation != .none
        guard activated else { return z }
        networkReuse(&y, shape)
        z.scalars.withUnsafeBufferPointer { pz in
            y.scalars.withUnsafeMutableBufferPointer { py in
                activation.forward(pz.baseAddress!, py.baseAddress!, rows: rows, columns: O)
            }
        }
        return y
    }

    /// dY (or dZ when the forward skipped the activation) -> dX; dW and db accumulate.
    func backward(_ dY: Tensor, store: ParameterStore, needsInputGradient: Bool) -> Tensor? {
        let I = inputSize, O = outputSize, rows = dY.count / O
        precondition(dY.shape == z.shape, "dense backward: gradient shape differs from the output's")
        var dZ = dY
        if activated {
            networkReuse(&dz, z.shape)
            y.scalars.withUnsafeBufferPointer { py in
                dY.scalars.withUnsafeBufferPointer { pdy in
                    dz.scalars.withUnsafeMutableBufferPointer { pdz in
                        activation.backward(py.baseAddress!, pdy.baseAddress!, pdz.baseAddress!, rows: rows, columns: O)
                    }
                }
            }
            dZ = dz
        }
        Dense.accumulateParameterGradients(dZ: dZ, input: input, rows: rows, outputSize: O, inputSize: I,
                                           weight: weight, bias: bias, store: store)
        guard needsInputGradient else { return nil }
        networkReuse(&dx, input.shape)
        store.values.withUnsafeBufferPointer { v in
            dZ.scalars.withUnsafeBufferPointer { pdz in
                dx.scalars.withUnsafeMutableBufferPointer { pdx in
                    BLAS.gemm(m: rows, n: I, k: O, a: pdz.baseAddress!, b: v.baseAddress! + weight.offset,
                              c: pdx.baseAddress!)
                }
            }
        }
        return dx
    }
}

// MARK: - Dropout

/// A dropout layer: the same shape in and out.
final class DropoutStage {
    let name: String
    var mask: NetworkDropoutMask

    init(name: String, rate: Float) {
        self.name = name
        mask = NetworkDropoutMask(rate: rate)
    }

    func forward(_ x: Tensor, training: Bool, frozenMasks: Bool, rng: inout SeededRandom) -> Tensor {
        var y = x
        mask.apply(&y, training: training, frozen: frozenMasks, using: &rng)
        return y
    }

    func backward(_ dY: Tensor) -> Tensor {
        var d = dY
        mask.backward(&d)
        return d
    }
}

/// One stage of a network, in order.
enum NetworkStage {
    case embedding(EmbeddingStage)
    case recurrent(RecurrentStack)
    case dense(DenseStage)
    case dropout(DropoutStage)

    var name: String {
        switch self {
        case .embedding(let s): return s.name
        case .recurrent(let s): return s.name
        case .dense(let s): return s.name
        case .dropout(let s): return s.name
        }
    }
}
