// NetworkStages.swift — how a `Network` joins its layers: the stages in order, each one layer
// class from that layer's own file, and the buffer rule they share.
//
// Legend: B batch, T time steps, V vocabulary, D embedding width, I inputs, H hidden, O outputs.
// Everything between stages is time-major:
//   a sequence  [T, B, F]   (row t*B + b is step t of sequence b)
//   a vector    [B, F]      (after a recurrent layer that keeps only the last step)
//
//   embedding   Embedding.swift, then its output dropout (Dropout.swift):
//               ids [B, T] (batch-major, as given)  ->  [T, B, D]
//   recurrent   RecurrentStack.swift (LSTM.swift, GRU.swift, RNN.swift, Bidirectional.swift):
//               [T, B, I] -> [T, B, D·H] or [B, D·H], D = 2 when bidirectional
//   dense       Dense.swift: [N…, I] -> [N…, O]
//   dropout     Dropout.swift: same shape in and out
// A buffer is reallocated only when the (batch, time) shape changes; a tensor handed to the
// next stage shares its storage until the next batch writes it again.

import Foundation

/// Resizes `t` to `shape` when its shape differs (its values are then zero); otherwise keeps it.
@inline(__always)
func networkReuse(_ t: inout Tensor, _ shape: [Int]) {
    if t.shape != shape { t = Tensor(zeros: shape) }
}

/// One stage of a network, in order.
enum NetworkStage {
    /// The lookup table and the dropout on its output.
    case embedding(Embedding, Dropout)
    case recurrent(RecurrentStack)
    case dense(Dense)
    case dropout(Dropout)

    var name: String {
        switch self {
        case .embedding(let e, _): return e.name
        case .recurrent(let s): return s.name
        case .dense(let d): return d.name
        case .dropout(let d): return d.name
        }
    }
}
