// NetworkSpec.swift — what a sequential network is, as plain Codable data: its input, its
// layers in order, how its parameters start and which loss trains it.
//
// A spec says nothing about buffers or kernels; `Network(spec:seed:)` builds one from it.
// Parameter names follow the model builder's scheme — each layer is named by its kind and its
// index among layers of that kind, then PyTorch's names inside the layer:
//
//     embedding0.weight      [V, D]
//     lstm0.weight_ih_l0     [4H, I]   lstm0.weight_hh_l0 [4H, H]   lstm0.bias_ih_l0 [4H]   lstm0.bias_hh_l0 [4H]
//     lstm0.weight_ih_l1 …   (a stack of N layers: l1 … l(N-1), each with input size H)
//     gru0.weight_ih_l0      [3H, I]   gru0.weight_hh_l0 [3H, H]    gru0.bias_ih_l0 [3H]    gru0.bias_hh_l0 [3H]
//     rnn0.weight_ih_l0      [H, I]    rnn0.weight_hh_l0 [H, H]     rnn0.bias_ih_l0 [H]     rnn0.bias_hh_l0 [H]
//     …_l0_reverse           the backward direction of a bidirectional layer (after …_l0); a
//                            bidirectional stack's layers k > 0 read 2H features
//     dense0.weight          [O, I]    dense0.bias [O]
//
// Initialisation (`NetworkInitialization`), unless a layer overrides its weights or biases:
//   .uniform(scale)      every parameter uniform in ±scale (the PTB model's init_scale 0.1)
//   .frameworkDefaults   PyTorch's defaults: an LSTM's, GRU's or RNN's weights and biases uniform ±1/√H,
//                        an embedding normal(0, 1), a dense weight and bias uniform ±1/√fanIn
// Then an LSTM's `forgetBias` is added to the forget-gate block of `bias_ih` (Keras's
// unit_forget_bias is forgetBias 1 on zero biases; TensorFlow's PTB model uses 0).
//
// The loss follows from the last layer unless `loss` is given: a softmax dense trains with
// cross-entropy, a sigmoid dense with binary cross-entropy, anything else with squared error.

/// How a sequential network's input arrives.
package enum NetworkInput: Codable, Equatable, Sendable {
    /// Integer token ids in `0..<vocabulary`, [batch, time]; the first layer must be an embedding.
    case tokens(vocabulary: Int)
    /// Float feature vectors, [batch, time, features].
    case features(Int)
}

/// The kind of one layer of a `NetworkSpec`.
package enum NetworkLayerKind: String, Codable, Equatable, Sendable {
    case embedding, lstm, gru, rnn, dense, dropout

    /// The recurrent cell of an `lstm`, `gru` or `rnn` layer; nil for the other kinds.
    package var recurrentCell: RecurrentCell? { RecurrentCell(rawValue: rawValue) }
}

/// One layer of a sequential network, with every option spelled out.
package struct NetworkLayer: Codable, Equatable, Sendable {
    package var kind: NetworkLayerKind
    /// Embedding width, recurrent hidden size (per direction) or dense outputs; 0 for dropout.
    package var units: Int
    /// LSTM, GRU, RNN: how many layers are stacked (`lstm0.…_l0`, `…_l1`, …); 1 for other kinds.
    package var stack: Int
    /// LSTM, GRU, RNN: true to output every step [batch, time, H], false for the last valid step [batch, H].
    package var returnSequences: Bool
    /// LSTM, GRU, RNN: a second cell reads each sequence backwards; the outputs are concatenated (2H).
    package var bidirectional: Bool
    /// The rate of values dropped in training: on an embedding's or each stacked LSTM
    /// layer's output, or the rate of a dropout layer. In [0, 1).
    package var dropout: Float
    /// LSTM: added to the forget-gate block of `bias_ih` after initialisation.
    package var forgetBias: Float
    /// Dense: the activation (softmax and sigmoid outputs get their losses from logits).
    /// RNN: `.relu` for a ReLU cell; anything else is tanh.
    package var activation: Activation
    /// Dense: applied at every time step of a sequence (time-distributed).
    package var perStep: Bool
    /// How this layer's weight matrices start, instead of the network's scheme.
    package var weightInit: Initializer?
    /// How this layer's bias vectors start, instead of the network's scheme.
    package var biasInit: Initializer?
    /// False for an embedding that is not trained (its gradient is never computed).
    package var trainable: Bool

    package init(kind: NetworkLayerKind, units: Int, stack: Int = 1, returnSequences: Bool = true,
                bidirectional: Bool = false, dropout: Float = 0, forgetBias: Float = 0,
                activation: Activation = .none, perStep: Bool = false, weightInit: Initializer? = nil,
                biasInit: Initializer? = nil, trainable: Bool = true) {
        self.kind = kind
        self.units = units
        self.stack = stack
        self.returnSequences = returnSequences
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.forgetBias = forgetBias
        self.activation = activation
        self.perStep = perStep
        self.weightInit = weightInit
        self.biasInit = biasInit
        self.trainable = trainable
    }

    /// A token embedding of width `dim`, with optional dropout on its output.
    package static func embedding(_ dim: Int, dropout: Float = 0, trainable: Bool = true) -> NetworkLayer {
        NetworkLayer(kind: .embedding, units: dim, dropout: dropout, trainable: trainable)
    }

    /// `layers` stacked LSTM layers of `hidden` units (per direction).
    package static func lstm(_ hidden: Int, layers: Int = 1, returnSequences: Bool = true, bidirectional: Bool = false,
                            dropout: Float = 0, forgetBias: Float = 0) -> NetworkLayer {
        NetworkLayer(kind: .lstm, units: hidden, stack: layers, returnSequences: returnSequences,
                     bidirectional: bidirectional, dropout: dropout, forgetBias: forgetBias)
    }

    /// `layers` stacked GRU layers of `hidden` units (per direction).
    package static func gru(_ hidden: Int, layers: Int = 1, returnSequences: Bool = true, bidirectional: Bool = false,
                           dropout: Float = 0) -> NetworkLayer {
        NetworkLayer(kind: .gru, units: hidden, stack: layers, returnSequences: returnSequences,
                     bidirectional: bidirectional, dropout: dropout)
    }

    /// `layers` stacked plain RNN layers of `hidden` units (per direction), tanh or `.relu`.
    package static func rnn(_ hidden: Int, activation: Activation = .tanh, layers: Int = 1, returnSequences: Bool = true,
                           bidirectional: Bool = false, dropout: Float = 0) -> NetworkLayer {
        NetworkLayer(kind: .rnn, units: hidden, stack: layers, returnSequences: returnSequences,
                     bidirectional: bidirectional, dropout: dropout, activation: activation)
    }

    /// A fully connected layer of `units` outputs.
    package static func dense(_ units: Int, activation: Activation = .none, perStep: Bool = false,
                             weightInit: Initializer? = nil, biasInit: Initializer? = nil) -> NetworkLayer {
        NetworkLayer(kind: .dense, units: units, activation: activation, perStep: perStep,
                     weightInit: weightInit, biasInit: biasInit)
    }

    /// Dropout of `rate` on whatever flows through.
    package static func dropout(_ rate: Float) -> NetworkLayer {
        NetworkLayer(kind: .dropout, units: 0, dropout: rate)
    }
}

/// How a network's parameters start (see the file header).
package enum NetworkInitialization: Codable, Equatable, Sendable {
    /// Every parameter uniform in ±scale.
    case uniform(scale: Float)
    /// PyTorch's per-layer defaults.
    case frameworkDefaults
}

/// Which loss trains a network.
package enum NetworkLoss: String, Codable, Equatable, Sendable {
    /// Softmax cross-entropy from the logits, integer class targets.
    case crossEntropy
    /// Binary cross-entropy of the sigmoid from the logits, 0/1 (or soft) float targets.
    case binaryCrossEntropy
    /// Squared error of the outputs against float targets.
    case meanSquaredError
}

/// How per-row losses of a batch become one number.
package enum NetworkLossReduction: String, Codable, Equatable, Sendable {
    /// The mean over counted rows (per word for per-step outputs).
    case mean
    /// The sum over counted time steps divided by the batch size (the PTB model's cost).
    case sumOverStepsMeanOverBatch
}

/// A sequential network as data: input, layers, initialisation and loss.
package struct NetworkSpec: Codable, Equatable, Sendable {
    package var input: NetworkInput
    package var layers: [NetworkLayer]
    package var initialization: NetworkInitialization
    /// The loss; nil to derive it from the last layer (see the file header).
    package var loss: NetworkLoss?
    package var reduction: NetworkLossReduction
    /// True to carry recurrent state from one batch to the next (truncated backpropagation:
    /// no gradient flows into the carried state). `Network.resetState()` zeroes it.
    package var stateful: Bool

    package init(input: NetworkInput, layers: [NetworkLayer],
                initialization: NetworkInitialization = .frameworkDefaults,
                loss: NetworkLoss? = nil, reduction: NetworkLossReduction = .mean,
                stateful: Bool = false) {
        self.input = input
        self.layers = layers
        self.initialization = initialization
        self.loss = loss
        self.reduction = reduction
        self.stateful = stateful
    }

    /// The loss that trains this network: `loss` if given, else the last layer's.
    package var resolvedLoss: NetworkLoss {
        if let loss { return loss }
        guard let last = layers.last(where: { $0.kind != .dropout }), last.kind == .dense else {
            return .meanSquaredError
        }
        switch last.activation {
        case .softmax: return .crossEntropy
        case .sigmoid: return .binaryCrossEntropy
        default: return .meanSquaredError
        }
    }
}

extension Activation: Codable {}

extension Initializer: Codable {
    /// The spelling used in JSON: `zeros`, `constant 0.1`, `uniform 0.05`, `glorot`, `normal 0.1`.
    package var spelling: String {
        switch self {
        case .zeros: return "zeros"
        case .constant(let c): return "constant \(c)"
        case .uniform(let s): return "uniform \(s)"
        case .glorotUniform: return "glorot"
        case .truncatedNormal(let s): return "normal \(s)"
        }
    }

    /// Reads `spelling` back; nil if the text is not one.
    package init?(spelling: String) {
        let parts = spelling.split(separator: " ").map(String.init)
        let value = parts.count == 2 ? Float(parts[1]) : nil
        switch (parts.first ?? "", parts.count) {
        case ("zeros", 1): self = .zeros
        case ("glorot", 1): self = .glorotUniform
        case ("constant", 2): guard let value else { return nil }; self = .constant(value)
        case ("uniform", 2): guard let value else { return nil }; self = .uniform(scale: value)
        case ("normal", 2): guard let value else { return nil }; self = .truncatedNormal(std: value)
        default: return nil
        }
    }

    package init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Initializer(spelling: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown initializer '\(text)'"))
        }
        self = value
    }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(spelling)
    }
}
