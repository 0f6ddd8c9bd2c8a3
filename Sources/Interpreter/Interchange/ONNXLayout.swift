// ONNXLayout.swift — how SeqLang's parameters sit in ONNX's recurrent operators, in one place.
//
// SeqLang keeps PyTorch's layout (ModelSpec.swift): an LSTM's fused rows are gates i, f, g, o,
// a GRU's r, z, n, each block H rows. ONNX's operators want other orders and one tensor per
// kind of parameter for all directions D (1, or 2 for `direction = bidirectional`):
//
//     LSTM   gates i, o, f, c     W [D, 4H, I]   R [D, 4H, H]   B [D, 8H] = (Wb | Rb)
//     GRU    gates z, r, h        W [D, 3H, I]   R [D, 3H, H]   B [D, 6H]   linear_before_reset = 1
//     RNN    one block            W [D, H, I]    R [D, H, H]    B [D, 2H]
//
// Wb is PyTorch's bias_ih and Rb its bias_hh, reordered the same way as the weight rows.
// `linear_before_reset = 1` is what makes ONNX's GRU compute PyTorch's
// n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).

import Tensor

enum ONNXRecurrentKind: String {
    case lstm = "LSTM", gru = "GRU", rnn = "RNN"

    /// Gate blocks per fused matrix.
    var gates: Int {
        switch self {
        case .lstm: return 4
        case .gru: return 3
        case .rnn: return 1
        }
    }

    /// ONNX's block k is SeqLang's (PyTorch's) block `onnxFromSeqLang[k]`.
    /// LSTM: ONNX i, o, f, c from PyTorch i(0), o(3), f(1), g(2). GRU: ONNX z, r, h from
    /// PyTorch z(1), r(0), n(2).
    var onnxFromSeqLang: [Int] {
        switch self {
        case .lstm: return [0, 3, 1, 2]
        case .gru: return [1, 0, 2]
        case .rnn: return [0]
        }
    }

    /// SeqLang's block k is ONNX's block `seqLangFromONNX[k]` (the inverse permutation).
    var seqLangFromONNX: [Int] {
        var inverse = [Int](repeating: 0, count: gates)
        for (k, source) in onnxFromSeqLang.enumerated() { inverse[source] = k }
        return inverse
    }
}

enum ONNXLayout {
    /// The rows of `values` (blocks of `hidden` rows of `width` values each) in the order
    /// `order`: block k of the result is block `order[k]` of `values`.
    static func reorderBlocks(_ values: ArraySlice<Float>, hidden: Int, width: Int, order: [Int]) -> [Float] {
        let block = hidden * width
        precondition(values.count == block * order.count, "reorderBlocks: wrong size")
        var out: [Float] = []
        out.reserveCapacity(values.count)
        for source in order {
            let start = values.startIndex + source * block
            out.append(contentsOf: values[start..<(start + block)])
        }
        return out
    }

    /// [I, O] from [O, I] (a dense weight as MatMul's right-hand side).
    static func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for r in 0..<rows {
            for c in 0..<columns { out[c * rows + r] = values[r * columns + c] }
        }
        return out
    }
}
