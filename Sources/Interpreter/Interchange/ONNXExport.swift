// ONNXExport.swift — a model as an ONNX graph (`export onnx PATH`), opset 17, IR version 8.
//
// The graph computes what `predict` computes, for a batch of full-length sequences:
//
//     tokens   int64 [batch, time]            or   features float [batch, time, feature F]
//     embedding      Gather(embedding0.weight, tokens)                    -> [batch, time, D]
//     (first recurrent layer)  Transpose perm [1, 0, 2]                   -> [time, batch, ·]
//     lstm / gru / rnn   one ONNX LSTM / GRU / RNN node per stacked layer (ONNXLayout.swift)
//                        Y [time, D, batch, H] -> Squeeze (D = 1) or Transpose + Reshape
//                        (D = 2) -> [time, batch, D·H];  `last`: Y_h [D, batch, H] -> [batch, D·H]
//     dense          Gemm(x, W, b, transB = 1) on [batch, I]; MatMul(x, Wᵀ) + Add(b) per step
//     activations    Sigmoid / Tanh / Relu / Softmax(axis = -1) after their dense layer, and
//                    the softmax or sigmoid that `predict` puts on a final layer's logits
//     dropout        nothing (inference)
//     output         "probabilities" (after a softmax or sigmoid) or "outputs",
//                    [batch, class C] or, per step, [batch, time, class C]
//
// Batch and time are symbolic dimensions ("batch", "time"). The model's metadata properties
// carry `vocabulary` and `classes` (JSON lists, when known) and `seqlang.architecture` (the
// model description `save` writes), so `load onnx` gives back the same model.

import Foundation
import ONNXFormat
import SeqLang
import Tensor

struct ONNXExport {
    static let opset: Int64 = 17
    static let irVersion: Int64 = 8

    let spec: ModelSpec
    let trained: TrainedNetwork
    private var graph = Onnx_GraphProto()
    private var names = Set<String>()

    /// Where the data path stands between layers.
    private struct Flow {
        var name: String
        /// A time axis is present ([batch, time, F] or [time, batch, F]); false for [batch, F].
        var sequence: Bool
        var timeMajor: Bool
    }

    private init(spec: ModelSpec, trained: TrainedNetwork) {
        self.spec = spec
        self.trained = trained
    }

    /// The ONNX model of `spec` with the weights of `trained`.
    static func model(_ spec: ModelSpec, _ trained: TrainedNetwork) -> Onnx_ModelProto {
        var export = ONNXExport(spec: spec, trained: trained)
        export.buildGraph()
        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        model.producerName = "SeqLang"
        model.producerVersion = SeqLangVersion.string
        model.docString = "SeqLang model '\(spec.name)'"
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Self.opset
        model.opsetImport = [opset]
        model.graph = export.graph
        var meta = [("seqlang.architecture", spec.architectureJSON())]
        if let v = trained.vocabulary { meta.append(("vocabulary", ModelFile.jsonList(v.symbols))) }
        if let c = trained.classes { meta.append(("classes", ModelFile.jsonList(c))) }
        model.metadataProps = meta.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return model
    }

    /// Writes the ONNX model to `path` (already authorized), atomically.
    static func write(_ spec: ModelSpec, _ trained: TrainedNetwork, to path: String, shownAs name: String,
                      at range: SourceRange) throws {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try model(spec, trained).serializedData())
        } catch {
            throw Diagnostic.error(.io, at: range, "cannot write '\(name)': the ONNX model cannot be encoded (\(error))")
        }
        do {
            try SafeTensors.writeAtomically(bytes, to: path)
        } catch let e as SafeTensorsError {
            throw Diagnostic.error(.io, at: range, "cannot write '\(name)': \(e.message)", hint: e.hint)
        }
    }

    // MARK: - The graph

    private mutating func buildGraph() {
        let network = trained.network
        graph.name = spec.name
        var flow: Flow
        switch spec.input.kind {
        case .tokens:
            graph.input = [ONNXTensors.valueInfo("tokens", .int64, ["batch", "time"])]
            flow = Flow(name: "tokens", sequence: true, timeMajor: false)
        case .sequence:
            graph.input = [ONNXTensors.valueInfo("features", .float, ["batch", "time", .size(spec.input.features ?? 0)])]
            flow = Flow(name: "features", sequence: true, timeMajor: false)
        }
        let lastDense = spec.layers.lastIndex { $0.kind == .dense }
        for (index, layer) in spec.layers.enumerated() {
            switch layer.kind {
            case .embedding:
                let weight = initializer(layer.name + ".weight")
                flow.name = node("Gather", [weight, flow.name], name: layer.name)
            case .lstm:
                flow = recurrent(.lstm, layer, flow)
            case .gru:
                flow = recurrent(.gru, layer, flow)
            case .rnn:
                flow = recurrent(.rnn, layer, flow)
            case .dense:
                var activation = NetworkBridge.activation(layer.activation)
                if index == lastDense, let onLogits = network.logitActivation { activation = onLogits }
                flow = dense(layer, flow, activation: activation)
            case .dropout:
                break
            }
        }
        if flow.sequence && flow.timeMajor {
            flow.name = node("Transpose", [flow.name], name: "batch_major", ints: ["perm": [1, 0, 2]])
        }
        let probabilities = graph.node.last.map { ["Softmax", "Sigmoid"].contains($0.opType) } ?? false
        let outputName = probabilities ? "probabilities" : "outputs"
        // The last node writes the graph output directly.
        graph.node[graph.node.count - 1].output[0] = outputName
        let dims: [ONNXTensors.Dim] = flow.sequence ? ["batch", "time", .size(network.outputSize)] : ["batch", .size(network.outputSize)]
        graph.output = [ONNXTensors.valueInfo(outputName, .float, dims)]
    }

    /// One ONNX recurrent node per stacked layer, time-major in and out.
    private mutating func recurrent(_ kind: ONNXRecurrentKind, _ layer: LayerSpec, _ input: Flow) -> Flow {
        var flow = input
        if !flow.timeMajor {
            flow.name = node("Transpose", [flow.name], name: layer.name + ".time_major", ints: ["perm": [1, 0, 2]])
            flow.timeMajor = true
        }
        let H = layer.units, D = layer.bidirectional ? 2 : 1
        var strings: [String: [String]] = [:]
        if D == 2 { strings["direction"] = ["bidirectional"] }
        if kind == .rnn && layer.activation == .relu { strings["activations"] = [String](repeating: "Relu", count: D) }
        var ints: [String: [Int64]] = ["hidden_size": [Int64(H)]]
        if kind == .gru { ints["linear_before_reset"] = [1] }
        for l in 0..<layer.stack {
            let prefix = "\(layer.name)_l\(l)"
            let (w, r, b) = recurrentWeights(kind, layer, stackIndex: l)
            let outputs = nodeOutputs(kind.rawValue, [flow.name, w, r, b], name: prefix, count: 2, ints: ints, strings: strings)
            if l < layer.stack - 1 || !layer.last {
                // Y [T, D, B, H] -> [T, B, D·H]
                if D == 1 {
                    flow.name = node("Squeeze", [outputs[0], constant(ints: [1])], name: prefix + ".Y")
                } else {
                    let moved = node("Transpose", [outputs[0]], name: prefix + ".Y_directions_last", ints: ["perm": [0, 2, 1, 3]])
                    flow.name = node("Reshape", [moved, constant(ints: [0, 0, -1])], name: prefix + ".Y")
                }
                flow.sequence = true
            } else {
                // Y_h [D, B, H] -> [B, D·H]: the forward final h, then the backward one.
                if D == 1 {
                    flow.name = node("Squeeze", [outputs[1], constant(ints: [0])], name: prefix + ".Y_h")
                } else {
                    let moved = node("Transpose", [outputs[1]], name: prefix + ".Y_h_batch_first", ints: ["perm": [1, 0, 2]])
                    flow.name = node("Reshape", [moved, constant(ints: [0, -1])], name: prefix + ".Y_h")
                }
                flow.sequence = false
            }
        }
        return flow
    }

    /// W [D, G·H, I], R [D, G·H, H], B [D, 2·G·H] of stacked layer `l`, in ONNX's gate order,
    /// the forward direction first.
    private mutating func recurrentWeights(_ kind: ONNXRecurrentKind, _ layer: LayerSpec,
                                           stackIndex l: Int) -> (String, String, String) {
        let H = layer.units, G = kind.gates, D = layer.bidirectional ? 2 : 1
        let I = l == 0 ? layer.inputSize : layer.outputFeatures
        let store = trained.network.store
        let order = kind.onnxFromSeqLang
        var w: [Float] = [], r: [Float] = [], b: [Float] = []
        for suffix in layer.bidirectional ? ["", "_reverse"] : [""] {
            func parameter(_ name: String) -> ArraySlice<Float> {
                store.tensor(store.slot(named: "\(layer.name).\(name)_l\(l)\(suffix)")!).scalars[...]
            }
            w += ONNXLayout.reorderBlocks(parameter("weight_ih"), hidden: H, width: I, order: order)
            r += ONNXLayout.reorderBlocks(parameter("weight_hh"), hidden: H, width: H, order: order)
            b += ONNXLayout.reorderBlocks(parameter("bias_ih"), hidden: H, width: 1, order: order)
                + ONNXLayout.reorderBlocks(parameter("bias_hh"), hidden: H, width: 1, order: order)
        }
        let prefix = "\(layer.name).\(kind.rawValue)_l\(l)"
        return (add(ONNXTensors.floats(prefix + ".W", [D, G * H, I], w)),
                add(ONNXTensors.floats(prefix + ".R", [D, G * H, H], r)),
                add(ONNXTensors.floats(prefix + ".B", [D, 2 * G * H], b)))
    }

    private mutating func dense(_ layer: LayerSpec, _ input: Flow, activation: Tensor::Activation) -> Flow {
        var flow = input
        let weight = layer.name + ".weight", bias = layer.name + ".bias"
        if flow.sequence {
            let store = trained.network.store
            let w = store.tensor(store.slot(named: weight)!).scalars
            let wT = add(ONNXTensors.floats(weight + "_transposed", [layer.inputSize, layer.units],
                                            ONNXLayout.transposed(w, rows: layer.units, columns: layer.inputSize)))
            let product = node("MatMul", [flow.name, wT], name: layer.name + ".MatMul")
            flow.name = node("Add", [product, initializer(bias)], name: layer.name)
        } else {
            flow.name = node("Gemm", [flow.name, initializer(weight), initializer(bias)], name: layer.name,
                             ints: ["transB": [1]])
        }
        switch activation {
        case .none: break
        case .sigmoid: flow.name = node("Sigmoid", [flow.name], name: layer.name + ".sigmoid")
        case .tanh: flow.name = node("Tanh", [flow.name], name: layer.name + ".tanh")
        case .relu: flow.name = node("Relu", [flow.name], name: layer.name + ".relu")
        case .softmax: flow.name = node("Softmax", [flow.name], name: layer.name + ".softmax", ints: ["axis": [-1]])
        }
        return flow
    }

    // MARK: - Building blocks

    /// A parameter of the network as an initializer under its SeqLang name.
    private mutating func initializer(_ parameter: String) -> String {
        let store = trained.network.store
        let slot = store.slot(named: parameter)!
        return add(ONNXTensors.floats(parameter, slot.shape, store.tensor(slot).scalars))
    }

    /// An int64 vector initializer (Squeeze axes and the like), shared by value.
    private mutating func constant(ints: [Int64]) -> String {
        let name = "const_" + ints.map { $0 < 0 ? "m\(-$0)" : "\($0)" }.joined(separator: "_")
        if !names.contains(name) { _ = add(ONNXTensors.int64s(name, [ints.count], ints)) }
        return name
    }

    private mutating func add(_ tensor: Onnx_TensorProto) -> String {
        graph.initializer.append(tensor)
        names.insert(tensor.name)
        return tensor.name
    }

    /// Appends a node with one output named after the node; returns the output's name.
    private mutating func node(_ op: String, _ inputs: [String], name: String, ints: [String: [Int64]] = [:]) -> String {
        nodeOutputs(op, inputs, name: name, count: 1, ints: ints)[0]
    }

    /// Appends a node with `count` outputs (`name`, `name.1`, …, or ONNX's output names for
    /// the recurrent operators); returns their names.
    private mutating func nodeOutputs(_ op: String, _ inputs: [String], name: String, count: Int,
                                      ints: [String: [Int64]] = [:], strings: [String: [String]] = [:]) -> [String] {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = unique(name)
        n.input = inputs
        let recurrentOutputs = ["Y", "Y_h", "Y_c"]
        n.output = (0..<count).map { k in
            count == 1 ? n.name : unique(n.name + "." + (k < recurrentOutputs.count ? recurrentOutputs[k] : "\(k)"))
        }
        n.attribute = ints.keys.sorted().map { key in
            let values = ints[key]!
            // Lists are attributes of type INTS (`perm`); everything else here is one INT.
            return key == "perm" ? ONNXTensors.attribute(key, ints: values) : ONNXTensors.attribute(key, int: values[0])
        } + strings.keys.sorted().map { key in
            // `activations` is a list (STRINGS); `direction` one STRING.
            key == "activations" ? ONNXTensors.attribute(key, strings: strings[key]!) : ONNXTensors.attribute(key, string: strings[key]![0])
        }
        graph.node.append(n)
        return n.output
    }

    private mutating func unique(_ name: String) -> String {
        var candidate = name, k = 1
        while names.contains(candidate) {
            candidate = "\(name)_\(k)"
            k += 1
        }
        names.insert(candidate)
        return candidate
    }
}
