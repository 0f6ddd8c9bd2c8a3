// ModelSpec.swift — a model's architecture as pure data: its input and its layers, every
// option resolved.
//
// The `model`/`input`/`layer` statements build a `ModelSpec`; training builds a Tensor-level
// network from it; weight files carry it as JSON metadata (`architectureJSON()`). Nothing here
// knows about source positions or scripts — the statements check user input and report
// diagnostics, then store only valid, resolved values here.
//
// Parameter names (`parameterShapes()`) follow PyTorch inside each layer, prefixed by the
// layer's name, which is its kind and its index among layers of that kind:
//
//     embedding0.weight        [V, D]
//     lstm0.weight_ih_l0       [4H, I]     gate rows in PyTorch order i, f, g, o
//     lstm0.weight_hh_l0       [4H, H]
//     lstm0.bias_ih_l0         [4H]
//     lstm0.bias_hh_l0         [4H]
//     lstm0.weight_ih_l1 …     (stacked `layers N`: l1 … l(N-1), each with input size H)
//     gru0.weight_ih_l0        [3H, I]     gate rows in PyTorch order r, z, n; weight_hh [3H, H], biases [3H]
//     rnn0.weight_ih_l0        [H, I]      weight_hh [H, H], biases [H]
//     …_l0_reverse             the backward direction of a `bidirectional` layer, right after
//                              its forward one; stacked layers then read 2H features
//     dense0.weight            [O, I]
//     dense0.bias              [O]
//
// Dropout layers have names (`dropout0`) but no parameters.

import Foundation

/// How a parameter tensor starts before training.
enum Initializer: Hashable, Sendable, CustomStringConvertible, Codable {
    /// Uniform in [-scale, scale].
    case uniform(Double)
    /// Glorot (Xavier) uniform: uniform in ±sqrt(6 / (fanIn + fanOut)).
    case glorot
    /// Normal with this standard deviation, values beyond two deviations redrawn
    /// (TensorFlow's `truncated_normal`).
    case truncatedNormal(Double)
    /// Every value the same.
    case constant(Double)

    /// The script spelling: `uniform 0.1`, `glorot`, `normal 0.1`, `constant 0.1`.
    var description: String {
        switch self {
        case .uniform(let s): return "uniform \(formatNumber(s))"
        case .glorot: return "glorot"
        case .truncatedNormal(let s): return "normal \(formatNumber(s))"
        case .constant(let c): return "constant \(formatNumber(c))"
        }
    }

    /// Reads the script spelling back (`description`); nil if it is not one.
    init?(spelling: String) {
        let parts = spelling.split(separator: " ").map(String.init)
        switch (parts.first, parts.count) {
        case ("glorot", 1): self = .glorot
        case ("uniform", 2): guard let v = Double(parts[1]) else { return nil }; self = .uniform(v)
        case ("normal", 2): guard let v = Double(parts[1]) else { return nil }; self = .truncatedNormal(v)
        case ("constant", 2): guard let v = Double(parts[1]) else { return nil }; self = .constant(v)
        default: return nil
        }
    }

    init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Initializer(spelling: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "unknown initializer '\(text)'"))
        }
        self = value
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// What a model reads: token ids or sequences of feature vectors.
struct InputSpec: Codable, Hashable, Sendable {
    enum Kind: String, Codable, Hashable, Sendable {
        /// Integer token ids, `[batch, time]`.
        case tokens
        /// Float feature vectors, `[batch, time, feature]`.
        case sequence
    }
    var kind: Kind
    /// Time steps; nil for sequences of variable length.
    var length: Int?
    /// The vocabulary size of token ids, if the input states it.
    var vocabulary: Int?
    /// Features per step of a `sequence` input (nil for tokens).
    var features: Int?

    init(kind: Kind, length: Int?, vocabulary: Int? = nil, features: Int? = nil) {
        self.kind = kind
        self.length = length
        self.vocabulary = vocabulary
        self.features = features
    }

    /// `[batch, time 100]` or `[batch, time 28, feature 28]`.
    var shape: NamedShape { ShapeFlow(input: self).shape }
}

/// One layer with every option resolved.
struct LayerSpec: Codable, Hashable, Sendable {
    enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        case embedding, lstm, gru, rnn, dense, dropout

        /// True for the recurrent kinds (lstm, gru, rnn), which share their options and shapes.
        var isRecurrent: Bool { self == .lstm || self == .gru || self == .rnn }

        /// Fused gate rows per hidden unit (LSTM 4, GRU 3, RNN 1); 0 for other kinds.
        var gatesPerUnit: Int {
            switch self {
            case .lstm: return 4
            case .gru: return 3
            case .rnn: return 1
            default: return 0
            }
        }
    }
    var kind: Kind
    /// The parameter-name prefix: kind and index among layers of that kind (`lstm1`).
    var name: String
    /// Output features: embedding dimension, recurrent hidden size (per direction), dense
    /// outputs; for dropout the features passed through.
    var units: Int
    /// Input features: the vocabulary for an embedding, the incoming features otherwise.
    var inputSize: Int
    /// Stacked recurrent layers (`layers N`); 1 for every other kind.
    var stack: Int
    /// Recurrent: keep only the final step (`last`), giving `[batch, feature H]`.
    var last: Bool
    /// Recurrent: a second cell reads each sequence backwards (`bidirectional`); the outputs
    /// are concatenated, so the layer gives 2H features.
    var bidirectional: Bool
    /// Dense: applied at every time step (`per step`), giving `[batch, time, class O]`.
    var perStep: Bool
    /// Dense activation; an RNN's cell activation (`.tanh` or `.relu`); `.linear` for other kinds.
    var activation: Activation
    /// The effective rate of values dropped during training, 0 ≤ rate < 1. On an embedding or
    /// LSTM it applies to the layer's output (for a stack, to each stacked layer's output),
    /// like TensorFlow's `DropoutWrapper(output_keep_prob:)`.
    var dropout: Double
    /// LSTM: added to the forget-gate slice of `bias_ih` after initialisation.
    var forgetBias: Double
    /// How weight matrices start.
    var weightInit: Initializer
    /// How bias vectors start (before `forgetBias` is added).
    var biasInit: Initializer
    /// False for an embedding marked `frozen` (pre-computed vectors, not trained).
    var trainable: Bool

    init(kind: Kind, name: String, units: Int, inputSize: Int, stack: Int = 1,
                last: Bool = false, bidirectional: Bool = false, perStep: Bool = false, activation: Activation = .linear,
                dropout: Double = 0, forgetBias: Double = 1, weightInit: Initializer = .glorot,
                biasInit: Initializer = .constant(0), trainable: Bool = true) {
        self.kind = kind
        self.name = name
        self.units = units
        self.inputSize = inputSize
        self.stack = stack
        self.last = last
        self.bidirectional = bidirectional
        self.perStep = perStep
        self.activation = activation
        self.dropout = dropout
        self.forgetBias = forgetBias
        self.weightInit = weightInit
        self.biasInit = biasInit
        self.trainable = trainable
    }

    /// Reads a layer written by any version: `bidirectional` is absent from files written
    /// before it existed and means false there.
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        name = try c.decode(String.self, forKey: .name)
        units = try c.decode(Int.self, forKey: .units)
        inputSize = try c.decode(Int.self, forKey: .inputSize)
        stack = try c.decode(Int.self, forKey: .stack)
        last = try c.decode(Bool.self, forKey: .last)
        bidirectional = try c.decodeIfPresent(Bool.self, forKey: .bidirectional) ?? false
        perStep = try c.decode(Bool.self, forKey: .perStep)
        activation = try c.decode(Activation.self, forKey: .activation)
        dropout = try c.decode(Double.self, forKey: .dropout)
        forgetBias = try c.decode(Double.self, forKey: .forgetBias)
        weightInit = try c.decode(Initializer.self, forKey: .weightInit)
        biasInit = try c.decode(Initializer.self, forKey: .biasInit)
        trainable = try c.decode(Bool.self, forKey: .trainable)
    }

    /// PyTorch-style parameter names and shapes of this layer, in storage order.
    func parameterShapes() -> [(name: String, shape: [Int])] {
        switch kind {
        case .embedding:
            return [("\(name).weight", [inputSize, units])]
        case .lstm, .gru, .rnn:
            var out: [(name: String, shape: [Int])] = []
            let g = kind.gatesPerUnit * units
            for l in 0..<stack {
                let i = l == 0 ? inputSize : outputFeatures
                for suffix in bidirectional ? ["", "_reverse"] : [""] {
                    out.append(("\(name).weight_ih_l\(l)\(suffix)", [g, i]))
                    out.append(("\(name).weight_hh_l\(l)\(suffix)", [g, units]))
                    out.append(("\(name).bias_ih_l\(l)\(suffix)", [g]))
                    out.append(("\(name).bias_hh_l\(l)\(suffix)", [g]))
                }
            }
            return out
        case .dense:
            return [("\(name).weight", [units, inputSize]), ("\(name).bias", [units])]
        case .dropout:
            return []
        }
    }

    /// Features out of the layer: 2·units for a bidirectional recurrent layer, else units.
    var outputFeatures: Int { bidirectional ? 2 * units : units }

    /// The number of scalars in this layer's parameters (a recurrent layer counts both biases,
    /// as PyTorch does: G·H(I+H) + 2G·H per stacked layer and direction, G = 4, 3 or 1).
    var parameterCount: Int {
        parameterShapes().reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// The script spelling of the layer's main arguments: `lstm 128 layers 2 last`,
    /// `dense 1 sigmoid`, `dropout 0.5`.
    var summaryText: String {
        switch kind {
        case .embedding:
            return "embedding \(inputSize) \(units)" + (trainable ? "" : " frozen")
        case .lstm, .gru, .rnn:
            return "\(kind.rawValue) \(units)" + (kind == .rnn && activation == .relu ? " relu" : "")
                + (stack > 1 ? " layers \(stack)" : "") + (bidirectional ? " bidirectional" : "") + (last ? " last" : "")
        case .dense:
            return "dense \(units)" + (activation == .linear ? "" : " \(activation.rawValue)")
                + (perStep ? " per step" : "")
        case .dropout:
            return "dropout \(formatNumber(dropout))"
        }
    }
}

/// A model's whole architecture: what it reads and its layers in order.
struct ModelSpec: Codable, Hashable, Sendable {
    /// The model's name in the script (`model sentiment`).
    var name: String
    var input: InputSpec
    var layers: [LayerSpec]

    init(name: String, input: InputSpec, layers: [LayerSpec]) {
        self.name = name
        self.input = input
        self.layers = layers
    }

    /// Every parameter of every layer, in storage order, with PyTorch-style names (see the
    /// header of this file for the scheme).
    func parameterShapes() -> [(name: String, shape: [Int])] {
        layers.flatMap { $0.parameterShapes() }
    }

    /// All parameters of the model.
    var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// Parameters that training updates (a `frozen` embedding's are not).
    var trainableParameterCount: Int {
        layers.filter(\.trainable).reduce(0) { $0 + $1.parameterCount }
    }

    /// The output shape after each layer, in order. The layers of a spec built by the
    /// statements always fit; for a spec from elsewhere (a weight file) a layer that does not
    /// fit ends the list early.
    func layerShapes() -> [NamedShape] {
        var flow = ShapeFlow(input: input)
        var shapes: [NamedShape] = []
        for layer in layers {
            guard case .success(let next) = flow.applying(layer) else { break }
            flow = next
            shapes.append(flow.shape)
        }
        return shapes
    }

    /// The model's output shape (its input shape when it has no layers).
    var outputShape: NamedShape { layerShapes().last ?? input.shape }

    /// The architecture as JSON (keys sorted, so equal specs give equal text).
    func architectureJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        // Encoding plain structs, strings and numbers cannot fail.
        let data = try! encoder.encode(self)
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads an architecture written by `architectureJSON()`; throws `DecodingError` when the
    /// text is not one.
    init(architectureJSON json: String) throws {
        self = try JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8))
    }
}
