// NetworkBridge.swift — from the script's model and data to the numeric core's `Network`.
//
// A `ModelSpec` (what the statements built) becomes a `NetworkSpec` layer for layer, with every
// initializer spelled out, so the network starts exactly as `docs/model.md` says. A model's
// trained network lives in `Model.network` (a `TrainedNetwork`, Model/TrainedNetwork.swift), with the vocabulary and class
// names of the data it learned from (what `predict`, `generate` and `save` need). Batches of a
// `Dataset` become `NetworkBatch`es here, their targets shaped for the network's loss.

import SeqLang
import Tensor

/// How a network is trained, beyond its architecture.
struct TrainingSetup: Equatable {
    var loss: NetworkLoss?
    var reduction: NetworkLossReduction = .mean
    var stateful = false
}

enum NetworkBridge {
    /// The network spec of `spec`, trained as `setup` says.
    static func networkSpec(_ spec: ModelSpec, _ setup: TrainingSetup) -> NetworkSpec {
        let input: NetworkInput
        switch spec.input.kind {
        case .tokens:
            let vocabulary = spec.input.vocabulary ?? spec.layers.first(where: { $0.kind == .embedding })?.inputSize ?? 0
            input = .tokens(vocabulary: vocabulary)
        case .sequence:
            input = .features(spec.input.features ?? 0)
        }
        let layers = spec.layers.map { l -> NetworkLayer in
            switch l.kind {
            case .embedding:
                return NetworkLayer(kind: .embedding, units: l.units, dropout: Float(l.dropout),
                                    weightInit: initializer(l.weightInit), trainable: l.trainable)
            case .lstm, .gru, .rnn:
                return NetworkLayer(kind: l.kind == .lstm ? .lstm : l.kind == .gru ? .gru : .rnn, units: l.units,
                                    stack: l.stack, returnSequences: !l.last, bidirectional: l.bidirectional,
                                    dropout: Float(l.dropout), forgetBias: Float(l.forgetBias),
                                    activation: l.kind == .rnn ? activation(l.activation) : .none,
                                    weightInit: initializer(l.weightInit), biasInit: initializer(l.biasInit))
            case .dense:
                return NetworkLayer(kind: .dense, units: l.units, activation: activation(l.activation),
                                    perStep: l.perStep, weightInit: initializer(l.weightInit),
                                    biasInit: initializer(l.biasInit))
            case .dropout:
                return NetworkLayer(kind: .dropout, units: 0, dropout: Float(l.dropout))
            }
        }
        return NetworkSpec(input: input, layers: layers, initialization: .frameworkDefaults,
                           loss: setup.loss, reduction: setup.reduction, stateful: setup.stateful)
    }

    static func initializer(_ i: Initializer) -> Tensor::Initializer {
        switch i {
        case .uniform(let s): return .uniform(scale: Float(s))
        case .glorot: return .glorotUniform
        case .truncatedNormal(let s): return .truncatedNormal(std: Float(s))
        case .constant(let c): return c == 0 ? .zeros : .constant(Float(c))
        }
    }

    static func activation(_ a: Activation) -> Tensor::Activation {
        switch a {
        case .linear: return .none
        case .sigmoid: return .sigmoid
        case .tanh: return .tanh
        case .relu: return .relu
        case .softmax: return .softmax
        }
    }

    /// The complete architecture of `model`, or a diagnostic at `range` saying what is missing.
    static func spec(of model: Model, for statement: String, at range: SourceRange) throws -> ModelSpec {
        guard let spec = model.spec else {
            throw Diagnostic.error(.shape, at: range,
                "`\(statement)` needs a complete model, but model '\(model.name)' has no input yet",
                hint: "declare what it reads with `input tokens …` or `input sequence …`, then its layers")
        }
        guard !spec.layers.isEmpty else {
            throw Diagnostic.error(.shape, at: range, "`\(statement)` needs a model with layers, but model '\(model.name)' has none",
                                   hint: "add layers with `layer …`")
        }
        return spec
    }

    /// The trained network of `model`, built (from the session's seed, in its memory budget)
    /// when the model has none yet or changed since; rebuilt with the same weights when `setup`
    /// differs from its own. It polls the session's stop signal.
    static func network(of model: Model, setup: TrainingSetup? = nil, session: TrainingSession, statement: String,
                        at range: SourceRange) throws -> TrainedNetwork {
        let spec = try spec(of: model, for: statement, at: range)
        if let trained = model.network, trained.revision == model.revision {
            trained.network.stopSignal = session.stop
            guard let setup else { return trained }
            let current = trained.network.spec
            if current.loss == setup.loss && current.reduction == setup.reduction && current.stateful == setup.stateful {
                return trained
            }
            let rebuilt = try build(networkSpec(spec, setup), seed: session.seed, session: session, at: range)
            rebuilt.store.values = trained.network.store.values
            rebuilt.randomState = trained.network.randomState
            trained.network = rebuilt
            return trained
        }
        let trained = TrainedNetwork(network: try build(networkSpec(spec, setup ?? TrainingSetup()), seed: session.seed,
                                                        session: session, at: range),
                                     revision: model.revision)
        model.network = trained
        return trained
    }

    /// What a bidirectional layer cannot do, and why: its backward direction reads each
    /// sequence from its end, so it has no state to carry into the next batch and no output
    /// before the whole sequence is there.
    enum BidirectionalUse {
        case stateful, evaluateOnStreams, generate

        var refusal: (message: String, hint: String) {
            switch self {
            case .stateful:
                return ("cannot be trained `stateful`: its backward direction reads each sequence from its end, so there is no state to carry into the next batch",
                        "train without `stateful` on separate samples (`windows`, `sequences`), or drop `bidirectional`")
            case .evaluateOnStreams:
                return ("cannot be evaluated on contiguous streams, which carry state from batch to batch: its backward direction reads each sequence from its end",
                        "evaluate on separate samples (`windows`, `sequences`), or drop `bidirectional`")
            case .generate:
                return ("cannot run one step at a time, as `generate` runs a model with an output at every step: its backward direction needs the whole sequence before its first output",
                        "drop `bidirectional`, or generate with a model that reads a fixed window and gives one output (`last`)")
            }
        }
    }

    /// Refuses `use` at `range` when `spec` has a bidirectional layer, naming the layer.
    static func checkBidirectional(_ spec: ModelSpec, for use: BidirectionalUse, at range: SourceRange) throws {
        guard let layer = spec.layers.first(where: \.bidirectional) else { return }
        let (message, hint) = use.refusal
        throw Diagnostic.error(.shape, at: range, "model '\(spec.name)' has a bidirectional layer (\(layer.name): \(layer.summaryText)) that \(message)",
                               hint: hint)
    }

    /// A network of `spec` in the session's memory budget, polling its stop signal.
    static func build(_ spec: NetworkSpec, seed: UInt64, session: TrainingSession, at range: SourceRange) throws -> Network {
        do {
            let network = try Network(spec: spec, seed: seed, budget: session.memory, stop: session.stop)
            network.stopSignal = session.stop
            return network
        } catch let error as NetworkError {
            throw Diagnostic.error(.shape, at: range, "the model cannot be trained as it is: \(error)")
        }
    }

    // MARK: - Batches

    /// The inputs of `batch` as the network reads them.
    static func inputs(_ batch: DataBatch) -> NetworkInputs {
        switch batch.inputs {
        case .tokens(let g):
            return .tokens(g.ids.map { Int32(truncatingIfNeeded: $0) }, batch: g.rows, steps: g.steps)
        case .features(let t):
            let b = t.shape.count > 0 ? t.shape[0] : 0
            let steps = t.shape.count > 1 ? t.shape[1] : 1
            let f = t.shape.count > 2 ? t.shape[2] : 1
            return .features(t.scalars, batch: b, steps: steps, features: f)
        }
    }

    /// `batch` as the network trains on it: class ids for cross-entropy; for binary
    /// cross-entropy and squared error, class ids become 0/1 values (one-hot for several outputs).
    static func batch(_ batch: DataBatch, for network: Network) -> NetworkBatch {
        var targets: NetworkTargets?
        switch batch.targets {
        case .none:
            targets = nil
        case .classes(let c)?:
            if network.loss == .crossEntropy {
                targets = .classes(c.map { Int32(truncatingIfNeeded: $0) })
            } else if network.outputSize == 1 {
                targets = .values(c.map { Float($0) })
            } else {
                var v = [Float](repeating: 0, count: c.count * network.outputSize)
                for (i, k) in c.enumerated() where k >= 0 && k < network.outputSize { v[i * network.outputSize + k] = 1 }
                targets = .values(v)
            }
        case .tokens(let g)?:
            targets = .classes(g.ids.map { Int32(truncatingIfNeeded: $0) })
        case .values(let t)?:
            targets = .values(t.scalars)
        }
        return NetworkBatch(inputs: inputs(batch), targets: targets, lengths: batch.lengths)
    }
}
