// NetworkBatch.swift — one batch for a `Network`: inputs, targets and optional lengths, all
// batch-major as a data set holds them, and the errors a network reports.
//
// Layouts (row-major, batch first):
//   tokens    [B, T]      Int32 ids
//   features  [B, T, F]   Float
//   targets   classes [B] (one per sequence) or [B, T] (one per step), Int32
//             values  [B, C] or [B, T, C], Float
//   lengths   [B]         valid steps of each sequence, 1...T; later steps are padding
// The network converts to its time-major layout ([T, B, ·], what the LSTM kernels run on)
// once per batch, when it gathers the embedding rows or copies the features.

/// What a network reads for one batch.
package enum NetworkInputs: Equatable, Sendable {
    /// Token ids [batch, steps], batch-major.
    case tokens([Int32], batch: Int, steps: Int)
    /// Features [batch, steps, features], batch-major.
    case features([Float], batch: Int, steps: Int, features: Int)

    /// B, the number of sequences.
    package var batch: Int {
        switch self {
        case .tokens(_, let b, _), .features(_, let b, _, _): return b
        }
    }

    /// T, the steps of every sequence (padding included).
    package var steps: Int {
        switch self {
        case .tokens(_, _, let t), .features(_, _, let t, _): return t
        }
    }
}

/// What a network is trained towards for one batch.
package enum NetworkTargets: Equatable, Sendable {
    /// Class ids, [B] or [B, T] (per-step outputs), for cross-entropy.
    case classes([Int32])
    /// Values, [B, C] or [B, T, C], for binary cross-entropy or squared error.
    case values([Float])
}

/// One batch: inputs, targets and the valid length of each sequence.
package struct NetworkBatch: Equatable, Sendable {
    package var inputs: NetworkInputs
    package var targets: NetworkTargets?
    /// Valid steps per sequence (B values in 1...T); nil when every sequence is full.
    package var lengths: [Int]?

    package init(inputs: NetworkInputs, targets: NetworkTargets?, lengths: [Int]? = nil) {
        self.inputs = inputs
        self.targets = targets
        self.lengths = lengths
    }

    /// Token ids [batch, steps] with class targets ([batch] or [batch, steps]).
    package init(tokens: [Int32], batch: Int, steps: Int, classes: [Int32], lengths: [Int]? = nil) {
        self.init(inputs: .tokens(tokens, batch: batch, steps: steps), targets: .classes(classes), lengths: lengths)
    }

    /// Token ids [batch, steps] with float targets ([batch, C] or [batch, steps, C]).
    package init(tokens: [Int32], batch: Int, steps: Int, values: [Float], lengths: [Int]? = nil) {
        self.init(inputs: .tokens(tokens, batch: batch, steps: steps), targets: .values(values), lengths: lengths)
    }

    /// Features [batch, steps, features] with class targets.
    package init(features: [Float], batch: Int, steps: Int, featureCount: Int, classes: [Int32],
                lengths: [Int]? = nil) {
        self.init(inputs: .features(features, batch: batch, steps: steps, features: featureCount),
                  targets: .classes(classes), lengths: lengths)
    }

    /// Features [batch, steps, features] with float targets.
    package init(features: [Float], batch: Int, steps: Int, featureCount: Int, values: [Float],
                lengths: [Int]? = nil) {
        self.init(inputs: .features(features, batch: batch, steps: steps, features: featureCount),
                  targets: .values(values), lengths: lengths)
    }
}

/// Something a network could not do, with the place and the problem.
package enum NetworkError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The spec cannot be built: which layer (index and name) and why.
    case invalidSpec(layer: Int?, message: String)
    /// A batch does not fit the network: what was expected and what came.
    case badBatch(String)
    /// A value became NaN or infinite. `layer` names the first layer whose output (or, when
    /// the forward pass stayed finite, whose parameter gradient) went non-finite, or "loss";
    /// `step` is the first time step where it happened, when the layer runs over time.
    case nonFinite(layer: String, step: Int?, detail: String)

    package var description: String {
        switch self {
        case .invalidSpec(let layer, let message):
            return layer.map { "layer \($0 + 1): \(message)" } ?? message
        case .badBatch(let message):
            return "batch: \(message)"
        case .nonFinite(let layer, let step, let detail):
            let at = step.map { " at time step \($0)" } ?? ""
            return "non-finite value in \(layer)\(at): \(detail)"
        }
    }
}

/// The result of one training or evaluation step.
package struct NetworkStepResult: Equatable, Sendable {
    /// The reduced loss of the batch.
    package var loss: Float
    /// The sum of per-row losses over counted rows (for perplexity over an epoch).
    package var lossSum: Double
    /// Rows (per-step outputs: counted steps) whose prediction matched the target; always 0
    /// for a squared-error network.
    package var correct: Int
    /// Rows counted (per-step outputs: valid steps; binary outputs: values).
    package var count: Int
    /// The global L2 norm of the gradients before clipping (training only).
    package var gradientNorm: Float?
}
