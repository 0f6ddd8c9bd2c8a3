// LSTMReference.swift — the naive LSTM: one layer forward in plain loops and Double precision.
//
// The reference the fast `LSTMLayer` is tested against, and the forward pass finite-difference
// gradient checks differentiate. Same legend, layouts and gate order (`LSTMGate`) as LSTM.swift:
//   x [T, B, I] -> y [T, B, H];  W_ih [G, I], W_hh [G, H], b_ih [G], b_hh [G];  G = 4H.
// No BLAS, no fusion, no in-place tricks: every dot product is written out.

import Foundation

/// The plain-loop Double-precision LSTM layer the fast kernel is checked against.
enum LSTMReference {
    /// One layer's parameters in PyTorch layout, as Doubles.
    struct Weights {
        var inputSize: Int
        var hiddenSize: Int
        var wih: [Double]   // [4H, I]
        var whh: [Double]   // [4H, H]
        var bih: [Double]   // [4H]
        var bhh: [Double]   // [4H]

        /// Reads a layer's four tensors out of a store.
        init(_ layer: LSTMLayer, in store: ParameterStore) {
            inputSize = layer.inputSize
            hiddenSize = layer.hiddenSize
            wih = store.values[layer.weightIH.range].map(Double.init)
            whh = store.values[layer.weightHH.range].map(Double.init)
            bih = store.values[layer.biasIH.range].map(Double.init)
            bhh = store.values[layer.biasHH.range].map(Double.init)
        }

        init(inputSize: Int, hiddenSize: Int, wih: [Double], whh: [Double], bih: [Double], bhh: [Double]) {
            self.inputSize = inputSize
            self.hiddenSize = hiddenSize
            self.wih = wih
            self.whh = whh
            self.bih = bih
            self.bhh = bhh
        }
    }

    struct Result {
        var outputs: [Double]   // [T, B, H]
        var h: [Double]         // [B, H] final
        var c: [Double]         // [B, H] final
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Runs one layer over `input` [T, B, I]; `h0`, `c0` [B, H] default to zeros; a sequence
    /// past `lengths[b]` holds its state and outputs zero.
    static func forward(input: [Double], steps T: Int, batch B: Int, weights w: Weights,
                        h0: [Double]? = nil, c0: [Double]? = nil, lengths: [Int]? = nil) -> Result {
        let I = w.inputSize, H = w.hiddenSize
        var h = h0 ?? [Double](repeating: 0, count: B * H)
        var c = c0 ?? [Double](repeating: 0, count: B * H)
        var y = [Double](repeating: 0, count: T * B * H)
        for t in 0..<T {
            for b in 0..<B {
                if let lengths, t >= lengths[b] { continue }   // held state, zero output
                // pre-activation of gate `gate`, unit j
                func pre(_ gate: LSTMGate, _ j: Int) -> Double {
                    let row = gate.rawValue * H + j
                    var s = w.bih[row] + w.bhh[row]
                    for k in 0..<I { s += w.wih[row * I + k] * input[(t * B + b) * I + k] }
                    for k in 0..<H { s += w.whh[row * H + k] * h[b * H + k] }
                    return s
                }
                var hNew = [Double](repeating: 0, count: H)
                var cNew = [Double](repeating: 0, count: H)
                for j in 0..<H {
                    let i = sigmoid(pre(.input, j))
                    let f = sigmoid(pre(.forget, j))
                    let g = tanh(pre(.cell, j))
                    let o = sigmoid(pre(.output, j))
                    cNew[j] = f * c[b * H + j] + i * g
                    hNew[j] = o * tanh(cNew[j])
                }
                for j in 0..<H {
                    h[b * H + j] = hNew[j]
                    c[b * H + j] = cNew[j]
                    y[(t * B + b) * H + j] = hNew[j]
                }
            }
        }
        return Result(outputs: y, h: h, c: c)
    }
}
