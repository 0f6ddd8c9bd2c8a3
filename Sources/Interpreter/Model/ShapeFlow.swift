// ShapeFlow.swift — the shape rules of SeqLang's layers: what each kind accepts and gives.
//
// What flows between layers is one of three things:
//
//     tokens     [batch, time T]              integer ids (an `input tokens`)
//     sequence   [batch, time T, feature F]   a vector at every step
//     vector     [batch, feature F]           one vector per example (or `class F`)
//
// The rules (docs/model.md explains them to users):
//
//     embedding D      tokens [batch, time T]            -> [batch, time T, feature D]
//     lstm H           sequence [batch, time T, feature] -> [batch, time T, feature H]
//     lstm H last      sequence [batch, time T, feature] -> [batch, feature H]
//     gru H, rnn H     as lstm H (with or without last)
//     … bidirectional  as above with feature 2H (both directions side by side)
//     dense O          vector [batch, feature]           -> [batch, class O]
//     dense O per step sequence [batch, time T, feature] -> [batch, time T, class O]
//     dropout R        a sequence or a vector            -> the same shape
//
// A dense output's axis is `class` when its activation is sigmoid or softmax and `feature`
// otherwise. A mismatch is a `ShapeMismatch`, which the statements turn into a diagnostic at
// the place in the script that caused it.

/// What flows out of a model's input or one of its layers.
enum ShapeFlow: Hashable, Sendable {
    /// Token ids `[batch, time T]`; the vocabulary if known.
    case tokens(length: Int?, vocabulary: Int?)
    /// Feature vectors at every step, `[batch, time T, axis F]` (axis `feature`, or `class`
    /// after a per-step dense layer).
    case sequence(length: Int?, features: Int, axis: String = "feature")
    /// One vector per example, `[batch, axis F]` (axis `feature` or `class`).
    case vector(axis: String, features: Int)

    /// What an input gives.
    init(input: InputSpec) {
        switch input.kind {
        case .tokens: self = .tokens(length: input.length, vocabulary: input.vocabulary)
        case .sequence: self = .sequence(length: input.length, features: input.features ?? 0)
        }
    }

    /// The shape with named axes.
    var shape: NamedShape {
        switch self {
        case .tokens(let t, _):
            return NamedShape([.init("batch"), .init("time", t)])
        case .sequence(let t, let f, let axis):
            return NamedShape([.init("batch"), .init("time", t), .init(axis, f)])
        case .vector(let axis, let f):
            return NamedShape([.init("batch"), .init(axis, f)])
        }
    }

    /// Features per step or per example (the vocabulary for tokens, if known).
    var features: Int? {
        switch self {
        case .tokens(_, let v): return v
        case .sequence(_, let f, _), .vector(_, let f): return f
        }
    }

    /// The flow after `layer`, or why the layer does not fit here.
    func applying(_ layer: LayerSpec) -> Result<ShapeFlow, ShapeMismatch> {
        switch (layer.kind, self) {
        case (.embedding, .tokens(let t, let v)):
            if let v, v != layer.inputSize { return .failure(.vocabulary(expected: v, found: layer.inputSize)) }
            return .success(.sequence(length: t, features: layer.units))
        case (.embedding, _):
            return .failure(.needsTokens(found: self))

        case (_, .tokens):
            return .failure(.needsVectors(found: self))

        case (.lstm, .sequence(let t, let f, _)), (.gru, .sequence(let t, let f, _)), (.rnn, .sequence(let t, let f, _)):
            if f != layer.inputSize { return .failure(.features(expected: layer.inputSize, found: f)) }
            return .success(layer.last ? .vector(axis: "feature", features: layer.outputFeatures)
                                       : .sequence(length: t, features: layer.outputFeatures))
        case (.lstm, _), (.gru, _), (.rnn, _):
            return .failure(.needsSequence(found: self))

        case (.dense, .sequence(let t, let f, _)):
            guard layer.perStep else { return .failure(.needsSingleVector(found: self)) }
            if f != layer.inputSize { return .failure(.features(expected: layer.inputSize, found: f)) }
            return .success(.sequence(length: t, features: layer.units,
                                      axis: ShapeFlow.denseAxis(layer.activation)))
        case (.dense, .vector(_, let f)):
            if layer.perStep { return .failure(.needsSequence(found: self)) }
            if f != layer.inputSize { return .failure(.features(expected: layer.inputSize, found: f)) }
            return .success(.vector(axis: ShapeFlow.denseAxis(layer.activation), features: layer.units))

        case (.dropout, _):
            return .success(self)
        }
    }

    /// The axis name of a dense layer's outputs: `class` for sigmoid and softmax (scores of
    /// classes), `feature` otherwise.
    static func denseAxis(_ activation: Activation) -> String {
        activation == .sigmoid || activation == .softmax ? "class" : "feature"
    }
}

/// Why a layer does not fit the shape it receives.
enum ShapeMismatch: Error, Hashable, Sendable {
    /// An embedding got something other than token ids.
    case needsTokens(found: ShapeFlow)
    /// A layer that works on vectors got token ids.
    case needsVectors(found: ShapeFlow)
    /// A recurrent layer (or a `per step` dense) got a single vector per example.
    case needsSequence(found: ShapeFlow)
    /// A dense layer without `per step` got a sequence.
    case needsSingleVector(found: ShapeFlow)
    /// An embedding's vocabulary differs from the input's.
    case vocabulary(expected: Int, found: Int)
    /// A layer's recorded input size differs from what it receives (a spec from a file).
    case features(expected: Int, found: Int)
}
