// Model.swift — the model and layer objects a script holds: `sentiment.params`, `l.shape`.
//
// A `Model` is built statement by statement (`model`, `input`, `layer`), so its input may be
// missing for a while; `spec` is the complete `ModelSpec` once the input is there. A
// `ModelLayer` is what `layer` returns: one layer's resolved spec and output shape, and,
// once the model has weights, its tensors by PyTorch name (`l.weights.weight_ih_l0`).
// A model that has learned from text carries its vocabulary (`m.vocab`), also after `load`.

import SeqLang

/// A model under construction or complete, as scripts see it.
final class Model: ScriptObject {
    /// The name it was declared with (`model sentiment`).
    let name: String
    /// What the model reads; nil until an `input` statement.
    internal(set) var input: InputSpec?
    /// The layers in order, with their output shapes.
    internal(set) var layers: [ModelLayer] = []
    /// The initializer of layers that give no `init` (`model ptb init uniform 0.1`).
    internal(set) var defaultInit: Initializer?
    /// Counts every change to the architecture; code that builds a network from `spec` can
    /// compare it to know when to rebuild.
    internal(set) var revision = 0
    /// The trained network built from `spec`, kept here by the training statements (the model
    /// builder never reads it). Reset to nil whenever the architecture changes.
    var network: TrainedNetwork?
    /// Builds `network` with its initial weights when there is none (the session's
    /// `makeNetwork`); nil for a model outside a session.
    var initialNetwork: (() -> TrainedNetwork?)?

    init(name: String) {
        self.name = name
    }

    /// The complete architecture; nil until the model has an input.
    var spec: ModelSpec? {
        input.map { ModelSpec(name: name, input: $0, layers: layers.map(\.spec)) }
    }

    /// What flows out of the last layer (or the input); nil without an input.
    var outputFlow: ShapeFlow? {
        layers.last?.flow ?? input.map(ShapeFlow.init(input:))
    }

    /// All parameters of all layers.
    var parameterCount: Int { layers.reduce(0) { $0 + $1.spec.parameterCount } }

    func setInput(_ input: InputSpec) {
        self.input = input
        changed()
    }

    func append(_ layer: ModelLayer) {
        layer.owner = self
        layers.append(layer)
        changed()
    }

    private func changed() {
        revision += 1
        network = nil
    }

    /// The same architecture with no weights: what the checker builds on when it checks code
    /// against a session's models (a REPL's), so nothing it does reaches the session's own.
    func architectureCopy() -> Model {
        let copy = Model(name: name)
        copy.input = input
        copy.defaultInit = defaultInit
        for layer in layers { copy.append(ModelLayer(spec: layer.spec, flow: layer.flow, statement: layer.statement)) }
        return copy
    }

    // MARK: ScriptObject

    var typeName: String { "model" }

    var displayDescription: String {
        guard let input else { return "model \(name) (no input yet)" }
        let out = outputFlow.map { $0.shape.description } ?? "?"
        return "model \(name): \(input.kind.rawValue) \(input.shape) -> \(out), "
            + "\(layers.count) layer\(layers.count == 1 ? "" : "s"), \(groupedThousands(parameterCount)) params"
    }

    var memberNames: [String] { Members.model }

    /// The weights the model has now (nil before it was trained, loaded or used).
    var trained: TrainedNetwork? {
        guard let t = network, t.revision == revision else { return nil }
        return t
    }

    func member(_ member: String) -> Value? {
        switch member {
        case "name": return .string(name)
        case "input": return input.map { .shape($0.shape) } ?? Value.none
        case "output": return outputFlow.map { .shape($0.shape) } ?? Value.none
        case "layers": return .list(layers.map { .object($0) })
        case "params": return .int(parameterCount)
        case "vocab": return trained?.vocabulary.map { .object($0) } ?? Value.none
        case "classes": return trained?.classes.map { .list($0.map { .string($0) }) } ?? Value.none
        default: return nil
        }
    }
}

/// One layer of a model, as `layer` returns it.
final class ModelLayer: ScriptObject {
    /// The resolved architecture of the layer.
    let spec: LayerSpec
    /// What flows out of it.
    let flow: ShapeFlow
    /// Where the `layer` statement was written (for diagnostics about the layer).
    let statement: SourceRange?
    /// The model the layer belongs to, once appended.
    weak var owner: Model?

    init(spec: LayerSpec, flow: ShapeFlow, statement: SourceRange? = nil) {
        self.spec = spec
        self.flow = flow
        self.statement = statement
    }

    /// The layer's tensors by their PyTorch names inside the layer (`weight`, `bias`,
    /// `weight_ih_l0`, …), copies of the current weights (a model never trained gets its
    /// initial ones now); nil while the model is not complete.
    var weights: [(key: String, value: Value)]? {
        guard let store = (owner?.trained ?? owner?.initialNetwork?())?.network.store else { return nil }
        let prefix = spec.name + "."
        return store.slots.filter { $0.name.hasPrefix(prefix) }
            .map { (key: String($0.name.dropFirst(prefix.count)), value: .tensor(TensorValue(store.tensor($0)))) }
    }

    /// The output shape with named axes.
    var shape: NamedShape { flow.shape }

    var typeName: String { "layer" }

    /// `lstm 128 -> [batch, time 100, feature 128]   99,328 params`
    var displayDescription: String {
        var text = "\(spec.summaryText) -> \(shape)   \(groupedThousands(spec.parameterCount)) params"
        if spec.kind != .dropout && spec.dropout > 0 { text += ", dropout \(formatNumber(spec.dropout))" }
        return text
    }

    var memberNames: [String] { Members.layer }

    func member(_ member: String) -> Value? {
        switch member {
        case "kind": return .string(spec.kind.rawValue)
        case "name": return .string(spec.name)
        case "units": return spec.kind == .dropout ? Value.none : .int(spec.units)
        case "shape", "output_shape": return .shape(shape)
        case "weights": return weights.map { .record($0) } ?? Value.none
        case "params": return .int(spec.parameterCount)
        case "dropout": return .number(spec.dropout)
        default: return nil
        }
    }
}

/// `788289` as `788,289`.
func groupedThousands(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}
