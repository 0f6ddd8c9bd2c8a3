// GRUReference.swift — the naive GRU and plain RNN: one layer forward in plain loops and Double
// precision.
//
// The references the fast `GRULayer` and `RNNLayer` are tested against. Same legend, layouts and
// gate order (`GRUGate`: r, z, n) as GRU.swift and RNN.swift:
//   x [T, B, I] -> y [T, B, H];  W_ih [G, I], W_hh [G, H], b_ih [G], b_hh [G];  G = 3H (GRU), H (RNN).
// No BLAS, no fusion, no in-place tricks: every dot product is written out.

import Foundation

/// The plain-loop Double-precision GRU and RNN layers the fast kernels are checked against.
enum GRUReference {
    /// One layer's parameters in PyTorch layout, as Doubles.
    struct Weights {
        var inputSize: Int
        var hiddenSize: Int
        var wih: [Double], whh: [Double], bih: [Double], bhh: [Double]

        /// Reads a layer's four tensors out of a store.
        init(_ layer: RecurrentLayer, in store: ParameterStore) {
            inputSize = layer.inputSize
            hiddenSize = layer.hiddenSize
            let s = layer.parameterSlots
            wih = store.values[s[0].range].map(Double.init)
            whh = store.values[s[1].range].map(Double.init)
            bih = store.values[s[2].range].map(Double.init)
            bhh = store.values[s[3].range].map(Double.init)
        }

        init(inputSize: Int, hiddenSize: Int, wih: [Double], whh: [Double], bih: [Double], bhh: [Double]) {
            self.inputSize = inputSize
            self.hiddenSize = hiddenSize
            (self.wih, self.whh, self.bih, self.bhh) = (wih, whh, bih, bhh)
        }
    }

    struct Result {
        var outputs: [Double]   // [T, B, H]
        var h: [Double]         // [B, H] final
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Σ_k w[row, k] v[k] over a row of a row-major matrix with `n` columns.
    private static func dot(_ w: [Double], row: Int, _ n: Int, _ v: [Double], _ offset: Int) -> Double {
        var s = 0.0
        for k in 0..<n { s += w[row * n + k] * v[offset + k] }
        return s
    }

    /// Runs one GRU layer over `input` [T, B, I]; `h0` [B, H] defaults to zeros; a sequence
    /// past `lengths[b]` holds its state and outputs zero.
    static func gru(input: [Double], steps T: Int, batch B: Int, weights w: Weights,
                    h0: [Double]? = nil, lengths: [Int]? = nil) -> Result {
        let I = w.inputSize, H = w.hiddenSize
        var h = h0 ?? [Double](repeating: 0, count: B * H)
        var y = [Double](repeating: 0, count: T * B * H)
        for t in 0..<T {
            for b in 0..<B {
                if let lengths, t >= lengths[b] { continue }
                let xo = (t * B + b) * I, ho = b * H
                var hNew = [Double](repeating: 0, count: H)
                for j in 0..<H {
                    let (r0, z0, n0) = (GRUGate.reset.offset(hidden: H) + j, GRUGate.update.offset(hidden: H) + j,
                                        GRUGate.candidate.offset(hidden: H) + j)
                    let r = sigmoid(dot(w.wih, row: r0, I, input, xo) + w.bih[r0] + dot(w.whh, row: r0, H, h, ho) + w.bhh[r0])
                    let z = sigmoid(dot(w.wih, row: z0, I, input, xo) + w.bih[z0] + dot(w.whh, row: z0, H, h, ho) + w.bhh[z0])
                    let n = tanh(dot(w.wih, row: n0, I, input, xo) + w.bih[n0] + r * (dot(w.whh, row: n0, H, h, ho) + w.bhh[n0]))
                    hNew[j] = (1 - z) * n + z * h[ho + j]
                }
                for j in 0..<H {
                    h[ho + j] = hNew[j]
                    y[(t * B + b) * H + j] = hNew[j]
                }
            }
        }
        return Result(outputs: y, h: h)
    }

    /// Runs one plain RNN layer (tanh, or ReLU when `relu`) like `gru`.
    static func rnn(input: [Double], steps T: Int, batch B: Int, weights w: Weights, relu: Bool,
                    h0: [Double]? = nil, lengths: [Int]? = nil) -> Result {
        let I = w.inputSize, H = w.hiddenSize
        var h = h0 ?? [Double](repeating: 0, count: B * H)
        var y = [Double](repeating: 0, count: T * B * H)
        for t in 0..<T {
            for b in 0..<B {
                if let lengths, t >= lengths[b] { continue }
                let xo = (t * B + b) * I, ho = b * H
                var hNew = [Double](repeating: 0, count: H)
                for j in 0..<H {
                    let a = dot(w.wih, row: j, I, input, xo) + w.bih[j] + dot(w.whh, row: j, H, h, ho) + w.bhh[j]
                    hNew[j] = relu ? max(a, 0) : tanh(a)
                }
                for j in 0..<H {
                    h[ho + j] = hNew[j]
                    y[(t * B + b) * H + j] = hNew[j]
                }
            }
        }
        return Result(outputs: y, h: h)
    }
}
