// Embedding.swift — the token lookup table, forward and backward.
//
// Legend: N tokens (batch × time), V vocabulary size, D embedding width.
//   forward   ids [N] (Int32), W [V, D]  ->  Y [N, D],  Y[n] = W[ids[n]]
//   backward  dY [N, D]  ->  dW[ids[n]] += dY[n]   (only the rows that were used; a repeated
//             id accumulates once per use). Token ids have no gradient.
// The weight is named `prefix + "weight"` like PyTorch's nn.Embedding. This class is the
// embedding a `Network` runs: `forward(tokens:batch:steps:store:)` reads its batch-major ids
// [B, T] into time-major rows [T, B, D] in a buffer reused while the shape stays the same.

/// A learned vector per token id, stored in a `ParameterStore`.
package final class Embedding {
    package let vocabularySize: Int
    package let width: Int
    /// `prefix + "weight"`, shape [V, D].
    package let weight: ParameterSlot

    /// The name prefix without its trailing dot (`embedding0`): how errors name the layer.
    package let name: String
    /// False for a table that is not trained: `backward` then leaves the gradient alone.
    package var trainable = true

    private var lastIDs: [Int32] = []
    private var rows = Tensor(zeros: [0])

    /// Registers `prefix + "weight"` [vocabularySize, width] in `store` (zero-filled).
    package init(vocabularySize: Int, width: Int, store: ParameterStore, prefix: String = "") {
        precondition(vocabularySize > 0 && width > 0, "Embedding: sizes must be positive")
        self.vocabularySize = vocabularySize
        self.width = width
        name = prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix
        weight = store.add(prefix + "weight", shape: [vocabularySize, width])
    }

    /// The rows of batch-major ids [B, T] (`tokens[b * T + t]`), time-major: [T, B, D].
    /// - Throws: `TensorError` naming the first id outside the vocabulary, its sequence and step.
    package func forward(tokens: [Int32], batch B: Int, steps T: Int, store: ParameterStore) throws -> Tensor {
        if lastIDs.count != T * B { lastIDs = [Int32](repeating: 0, count: T * B) }
        for b in 0..<B {
            for t in 0..<T {
                let id = tokens[b * T + t]
                guard id >= 0, Int(id) < vocabularySize else {
                    throw TensorError("embedding forward", "token id \(id) of sequence \(b) at step \(t) is outside the vocabulary of \(vocabularySize) (valid ids are 0..<\(vocabularySize))")
                }
                lastIDs[t * B + b] = id
            }
        }
        networkReuse(&rows, [T, B, width])
        let d = width
        store.values.withUnsafeBufferPointer { v in
            let w = v.baseAddress! + weight.offset
            rows.scalars.withUnsafeMutableBufferPointer { y in
                for r in 0..<(T * B) { (y.baseAddress! + r * d).update(from: w + Int(lastIDs[r]) * d, count: d) }
            }
        }
        return rows
    }

    /// The first time step whose looked-up rows (of the last time-major forward) hold a NaN or
    /// infinity.
    package func firstNonFiniteStep() -> Int? {
        guard rows.rank == 3 else { return nil }
        let row = rows.shape[1] * rows.shape[2]
        return (0..<rows.shape[0]).first { t in !(t * row..<(t + 1) * row).allSatisfy { rows.scalars[$0].isFinite } }
    }

    /// The rows of the table for `ids`, shaped `leadingShape + [width]` (default `[ids.count, width]`).
    /// - Throws: `TensorError` naming the first id outside 0..<vocabularySize and its position,
    ///   or a `leadingShape` that does not hold `ids.count` tokens.
    package func forward(_ ids: [Int32], store: ParameterStore, leadingShape: [Int]? = nil) throws -> Tensor {
        let lead = leadingShape ?? [ids.count]
        guard lead.reduce(1, *) == ids.count else {
            throw TensorError("embedding forward", "shape \(lead) needs \(lead.reduce(1, *)) token ids but \(ids.count) were given")
        }
        for (n, id) in ids.enumerated() where id < 0 || Int(id) >= vocabularySize {
            throw TensorError("embedding forward",
                              "token id \(id) at position \(n) is outside the vocabulary of size \(vocabularySize) (valid ids are 0..<\(vocabularySize))")
        }
        var y = Tensor(zeros: lead + [width])
        let d = width
        store.values.withUnsafeBufferPointer { v in
            let w = v.baseAddress! + weight.offset
            y.scalars.withUnsafeMutableBufferPointer { py in
                for (n, id) in ids.enumerated() {
                    (py.baseAddress! + n * d).update(from: w + Int(id) * d, count: d)
                }
            }
        }
        lastIDs = ids
        return y
    }

    /// Adds dY's rows into the gradient rows of the ids the last `forward` looked up (nothing
    /// when the table is not `trainable`).
    package func backward(_ dY: Tensor, store: ParameterStore) throws {
        guard trainable else { return }
        guard dY.count == lastIDs.count * width, dY.shape.last == width else {
            throw TensorError("embedding backward",
                              "expected a gradient of \(lastIDs.count) rows of \(width) but got shape \(dY.shape)")
        }
        let d = width
        store.grads.withUnsafeMutableBufferPointer { g in
            let dW = g.baseAddress! + weight.offset
            dY.scalars.withUnsafeBufferPointer { pdy in
                for (n, id) in lastIDs.enumerated() {
                    BLAS.axpy(n: d, alpha: 1, x: pdy.baseAddress! + n * d, y: dW + Int(id) * d)
                }
            }
        }
    }
}
