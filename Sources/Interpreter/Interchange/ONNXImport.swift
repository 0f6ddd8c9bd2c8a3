// ONNXImport.swift — an ONNX graph read back as a SeqLang model (`load onnx PATH`).
//
// The reader walks the nodes in order and follows values symbolically instead of running
// them. Each value is one of:
//   constant  an initializer, a `Constant` node, or an operator folded on constants
//             (Unsqueeze, Squeeze, Concat, Slice, Transpose, Reshape, Gather, Cast)
//   flow      the model's data path, with its axes (batch, time, feature N, direction N)
//             and the layers it has passed through
//   states    the final states of several recurrent nodes concatenated (PyTorch's h_n)
//   finalDirection  one direction of a bidirectional node's final states (h_n[0], h_n[1])
//   zeros     zeros shaped at run time (PyTorch's initial h0/c0: Shape → Gather → … →
//             ConstantOfShape)
//   shape     integers computed from a run-time shape
// Layers come from the operators on the flow: Gather of a constant matrix by token ids is an
// embedding; LSTM / GRU / RNN nodes are recurrent layers (gate orders in ONNXLayout.swift),
// consecutive ones of one size stacked; Gemm, or MatMul then Add, is a dense layer, per step
// when the flow has a time axis; Sigmoid / Tanh / Relu / Softmax set its activation. Reading
// the recurrent output Y_h, or Y at time step -1, makes the layer keep only its last step.
// This covers the graphs `export onnx` writes and those `torch.onnx.export` writes for
// Embedding → LSTM/GRU → Linear models (batch-first or not). The first node outside these
// forms is named in the error. When the file's `seqlang.architecture` metadata describes the
// same parameters, that description (names, dropout, initializers) is kept.

import Foundation
import ONNXFormat
import SeqLang
import Tensor

enum ONNXImport {
    /// Why a file cannot be read as a model; `ONNXImport.read` turns it into a diagnostic.
    struct Failure: Error {
        var message: String
        var hint: String?
        /// The graph's input layout was the wrong guess (batch-first against time-first).
        var layout = false
    }

    enum Axis: Equatable, CustomStringConvertible {
        case batch, time, feature(Int), direction(Int)
        var description: String {
            switch self {
            case .batch: return "batch"
            case .time: return "time"
            case .feature(let n): return "feature \(n)"
            case .direction(let n): return "direction \(n)"
            }
        }
    }

    /// One layer as read from the graph, before it gets its SeqLang name.
    struct Draft {
        enum Kind: Equatable {
            case embedding
            case recurrent(ONNXRecurrentKind, directions: Int)
            case dense
        }
        var kind: Kind
        var units: Int
        var inputSize: Int
        var stack = 1
        var last = false
        var perStep = false
        var activation: Activation = .linear
        /// Parameters by their name inside the layer (`weight`, `weight_ih_l0`, …).
        var tensors: [(String, Tensor)] = []
    }

    struct Flow {
        var axes: [Axis]
        var layers: [Draft]
        /// The value is a recurrent node's Y (possibly transposed or squeezed) with nothing else
        /// applied: selecting its last time step means `last`.
        var freshSequence = false
        /// The last layer is a MatMul dense whose bias (an Add) may follow.
        var biasOpen = false
        /// The last layer is a dense with nothing after it: an activation may follow.
        var activationOpen = false

        var isTokens: Bool { layers.isEmpty && axes.count == 2 }
    }

    indirect enum Symbol {
        case constant(ONNXArray)
        case flow(Flow)
        case states([Flow])
        /// One direction (0 forward, 1 backward) of a bidirectional node's final states Y_h,
        /// the value named `source`: concatenated in that order along the features it is `last`.
        case finalDirection(Flow, Int, source: String)
        case zeros
        case shape
    }

    // MARK: - Reading a file

    /// The model in an ONNX file's bytes; `name` is the path as the user wrote it. `fits` is
    /// asked, from the initializers' shapes and before their values are decoded, whether the
    /// bytes they declare may be held beside the file's.
    static func read(_ data: [UInt8], shownAs name: String, at range: SourceRange,
                     fits: (Int) throws -> Void = { _ in }) throws -> ModelFile.Contents {
        func fail(_ message: String, hint: String? = nil) -> Diagnostic {
            Diagnostic.error(.io, at: range, "cannot load '\(name)': \(message)", hint: hint)
        }
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw fail("it is not an ONNX model (the protobuf cannot be decoded: \(error))",
                       hint: "`load onnx` reads .onnx files; a SeqLang model file loads with `load(PATH)`")
        }
        guard model.hasGraph else { throw fail("it is not an ONNX model: it has no graph") }
        try fits(model.graph.initializer.reduce(data.count) { MemorySize.add($0, ONNXTensors.declaredBytes($1)) })
        let base = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
        do {
            return try contents(of: model, defaultName: base)
        } catch let f as Failure {
            throw fail(f.message, hint: f.hint ?? "SeqLang reads graphs of an embedding (Gather), LSTM/GRU/RNN nodes and dense layers (Gemm, or MatMul and Add) with Sigmoid/Tanh/Relu/Softmax, as `export onnx` and torch.onnx.export write them")
        }
    }

    /// The SeqLang model a decoded ONNX model describes.
    static func contents(of model: Onnx_ModelProto, defaultName: String) throws -> ModelFile.Contents {
        let meta = Dictionary(model.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 17
        var reader = GraphReader(graph: model.graph, opset: opset)
        let flow: Flow
        do {
            flow = try reader.run(timeFirst: false)
        } catch let first as Failure where first.layout {
            reader = GraphReader(graph: model.graph, opset: opset)
            do { flow = try reader.run(timeFirst: true) } catch { throw first }
        }
        var (spec, tensors) = try modelSpec(flow, input: reader.inputSpec, name: identifier(defaultName))
        if let json = meta["seqlang.architecture"], let described = try? ModelSpec(architectureJSON: json) {
            let shapes = { (s: ModelSpec) in s.parameterShapes().map { "\($0.name) \($0.shape)" } }
            if shapes(described) == shapes(spec) && described.input.kind == spec.input.kind { spec = described }
        }
        var vocabulary: Vocabulary?
        if let text = meta["vocabulary"] {
            guard let symbols = ModelFile.stringList(text) else {
                throw Failure(message: "its vocabulary metadata is not a JSON list of strings")
            }
            if Set(symbols).count != symbols.count { throw Failure(message: "its vocabulary metadata lists a symbol twice") }
            if let v = spec.input.vocabulary, v != symbols.count {
                throw Failure(message: "its vocabulary metadata lists \(symbols.count) symbols but the embedding has \(v) rows")
            }
            vocabulary = Vocabulary(symbols: symbols)
        }
        var classes: [String]?
        if let text = meta["classes"] {
            guard let list = ModelFile.stringList(text) else { throw Failure(message: "its class metadata is not a JSON list of strings") }
            classes = list
        }
        return ModelFile.Contents(spec: spec, tensors: tensors, vocabulary: vocabulary, classes: classes,
                                  kind: "model", training: nil)
    }

    /// `text` as a script name: letters, digits and underscores, not starting with a digit.
    static func identifier(_ text: String) -> String {
        var s = String(text.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        if s.isEmpty || s.first!.isNumber { s = "model_" + s }
        return s
    }

    /// The spec and named tensors of the layers `flow` went through.
    static func modelSpec(_ flow: Flow, input: InputSpec, name: String) throws -> (ModelSpec, [String: Tensor]) {
        var counts: [LayerSpec.Kind: Int] = [:]
        var layers: [LayerSpec] = []
        var tensors: [String: Tensor] = [:]
        for draft in flow.layers {
            let kind: LayerSpec.Kind
            switch draft.kind {
            case .embedding: kind = .embedding
            case .dense: kind = .dense
            case .recurrent(let r, _):
                kind = r == .lstm ? .lstm : r == .gru ? .gru : .rnn
            }
            var bidirectional = false
            if case .recurrent(_, let directions) = draft.kind { bidirectional = directions == 2 }
            let layerName = "\(kind.rawValue)\(counts[kind, default: 0])"
            counts[kind, default: 0] += 1
            layers.append(LayerSpec(kind: kind, name: layerName, units: draft.units, inputSize: draft.inputSize,
                                    stack: draft.stack, last: draft.last, bidirectional: bidirectional, perStep: draft.perStep,
                                    activation: draft.activation, forgetBias: 0))
            for (suffix, t) in draft.tensors { tensors["\(layerName).\(suffix)"] = t }
        }
        var spec = ModelSpec(name: name, input: input, layers: layers)
        if case .tokens = input.kind, let e = layers.first, e.kind == .embedding { spec.input.vocabulary = e.inputSize }
        // The layers must fit SeqLang's shape rules (a dense after a sequence is per step, …).
        var shape = ShapeFlow(input: spec.input)
        for (i, layer) in spec.layers.enumerated() {
            guard case .success(let next) = shape.applying(layer) else {
                throw Failure(message: "layer \(i + 1) read from the graph (\(layer.summaryText)) does not fit the shape \(shape.shape) before it")
            }
            shape = next
        }
        return (spec, tensors)
    }
}

// MARK: - The graph walk

extension ONNXImport {
    struct GraphReader {
        let graph: Onnx_GraphProto
        let opset: Int64
        var values: [String: Symbol] = [:]
        var inputSpec = InputSpec(kind: .tokens, length: nil)

        init(graph: Onnx_GraphProto, opset: Int64) {
            self.graph = graph
            self.opset = opset
        }

        /// Follows every node; returns the flow of the first graph output.
        mutating func run(timeFirst: Bool) throws -> Flow {
            for t in graph.initializer {
                do { values[t.name] = .constant(try ONNXTensors.array(t)) } catch let e as ONNXTensors.Unreadable {
                    throw Failure(message: "initializer '\(t.name)' cannot be read: \(e.message)")
                }
            }
            let inputs = graph.input.filter { values[$0.name] == nil }
            guard inputs.count == 1, let input = inputs.first else {
                throw Failure(message: "its graph has \(inputs.count) inputs (\(inputs.map { "'\($0.name)'" }.joined(separator: ", "))), but a SeqLang model reads one: token ids [batch, time] or features [batch, time, feature]",
                              hint: inputs.count > 1 ? "initial states as inputs are not supported; export the model with its states inside" : nil)
            }
            try readInput(input, timeFirst: timeFirst)
            guard let output = graph.output.first else { throw Failure(message: "its graph has no output") }
            // Only the nodes the first output depends on: outputs nobody reads (h_n, c_n) don't matter.
            var wanted: Set<String> = [output.name]
            var needed = Set<Int>()
            for (index, node) in graph.node.enumerated().reversed() where node.output.contains(where: wanted.contains) {
                needed.insert(index)
                wanted.formUnion(node.input.filter { !$0.isEmpty })
            }
            for (index, node) in graph.node.enumerated() where needed.contains(index) {
                do {
                    try step(node)
                } catch var f as Failure {
                    let shown = node.name.isEmpty ? "" : " '\(node.name)'"
                    f.message = "node \(index + 1)\(shown) (\(node.opType)) is not supported: \(f.message)"
                    throw f
                }
            }
            guard case .flow(let flow)? = values[output.name] else {
                throw Failure(message: "its output '\(output.name)' is not computed from the input by the layers SeqLang reads")
            }
            let kinds = flow.axes.filter { if case .feature = $0 { return false } else { return true } }
            guard !flow.layers.isEmpty, flow.axes.count == kinds.count + 1, case .feature = flow.axes.last!,
                  kinds.contains(.batch) else {
                throw Failure(message: "its output '\(output.name)' has axes [\(flow.axes.map(\.description).joined(separator: ", "))], not [batch, feature] or [batch, time, feature]")
            }
            return flow
        }

        private mutating func readInput(_ input: Onnx_ValueInfoProto, timeFirst: Bool) throws {
            let type = input.type.tensorType
            let dims = type.shape.dim
            let element = Onnx_TensorProto.DataType(rawValue: Int(type.elemType)) ?? .undefined
            let order: [Axis] = timeFirst ? [.time, .batch] : [.batch, .time]
            func size(_ k: Int) -> Int? {
                if k < dims.count, case .dimValue(let v)? = dims[k].value, v > 0 { return Int(v) }
                return nil
            }
            let length = size(timeFirst ? 0 : 1)
            switch (element, dims.count) {
            case (.int64, 2), (.int32, 2):
                values[input.name] = .flow(Flow(axes: order, layers: []))
                inputSpec = InputSpec(kind: .tokens, length: length)
            case (.float, 3):
                guard let f = size(2) else {
                    throw Failure(message: "its input '\(input.name)' has no fixed feature size (dimension 3 is '\(dims[2].dimParam)')")
                }
                values[input.name] = .flow(Flow(axes: order + [.feature(f)], layers: []))
                inputSpec = InputSpec(kind: .sequence, length: length, features: f)
            default:
                throw Failure(message: "its input '\(input.name)' is \(element) with \(dims.count) dimensions; SeqLang reads int64 token ids [batch, time] or float features [batch, time, feature]")
            }
        }

        // MARK: Symbols

        private func symbol(_ node: Onnx_NodeProto, _ k: Int) throws -> Symbol? {
            guard k < node.input.count, !node.input[k].isEmpty else { return nil }
            guard let s = values[node.input[k]] else {
                throw Failure(message: "its input '\(node.input[k])' is not produced by an earlier node, an initializer or the graph input")
            }
            return s
        }

        private func constant(_ node: Onnx_NodeProto, _ k: Int, _ what: String) throws -> ONNXArray {
            guard case .constant(let a)? = try symbol(node, k) else {
                throw Failure(message: "its \(what) must be a constant")
            }
            return a
        }

        private func flow(_ node: Onnx_NodeProto, _ k: Int) throws -> Flow? {
            if case .flow(let f)? = try symbol(node, k) { return f }
            return nil
        }

        private func attribute(_ node: Onnx_NodeProto, _ name: String) -> Onnx_AttributeProto? {
            node.attribute.first { $0.name == name }
        }

        private func int(_ node: Onnx_NodeProto, _ name: String, default value: Int64) -> Int64 {
            attribute(node, name).map(\.i) ?? value
        }

        /// The axes of Squeeze/Unsqueeze/ReduceX: an input from opset 13 on, an attribute before.
        private func axesArgument(_ node: Onnx_NodeProto) throws -> [Int64]? {
            if node.input.count > 1, !node.input[1].isEmpty {
                guard let ints = try constant(node, 1, "axes").ints else { throw Failure(message: "its axes are not integers") }
                return ints
            }
            return attribute(node, "axes")?.ints
        }

        private mutating func set(_ node: Onnx_NodeProto, _ s: Symbol) { set(node, output: 0, s) }

        private mutating func set(_ node: Onnx_NodeProto, output k: Int, _ s: Symbol) {
            if k < node.output.count, !node.output[k].isEmpty { values[node.output[k]] = s }
        }

        // MARK: One node

        private mutating func step(_ node: Onnx_NodeProto) throws {
            guard node.domain.isEmpty || node.domain == "ai.onnx" else {
                throw Failure(message: "it belongs to the operator domain '\(node.domain)', not ONNX's own")
            }
            switch node.opType {
            case "Constant":
                set(node, .constant(try constantNode(node)))
            case "Identity", "Dropout":
                if let s = try symbol(node, 0) { set(node, s) }
            case "Cast":
                guard let s = try symbol(node, 0) else { return }
                if case .constant(let a) = s {
                    let to = Onnx_TensorProto.DataType(rawValue: Int(int(node, "to", default: 1))) ?? .undefined
                    let folded = [.float, .double, .float16].contains(to)
                        ? ONNXArray(dims: a.dims, values: .floats(a.floats))
                        : ONNXArray(dims: a.dims, values: .ints(a.ints ?? a.floats.map { Int64($0) }))
                    set(node, .constant(folded))
                } else {
                    set(node, s)
                }
            case "Shape":
                set(node, .shape)
            case "ConstantOfShape":
                let value = try attribute(node, "value").map { try ONNXTensors.array($0.t).floats } ?? [0]
                guard value.allSatisfy({ $0 == 0 }) else {
                    throw Failure(message: "it fills with \(value.first ?? 0); SeqLang's states start at zero")
                }
                set(node, .zeros)
            case "Expand":
                guard case .constant(let a)? = try symbol(node, 0), a.floats.allSatisfy({ $0 == 0 }) else {
                    throw Failure(message: "only zeros expanded to a run-time shape (initial states) are supported")
                }
                set(node, .zeros)
            case "Unsqueeze", "Squeeze", "Concat", "Slice", "Transpose", "Reshape", "Gather":
                try reshaping(node)
            case "LSTM", "GRU", "RNN":
                try recurrent(node, ONNXRecurrentKind(rawValue: node.opType)!)
            case "Gemm":
                try gemm(node)
            case "MatMul":
                try matMul(node)
            case "Add":
                try add(node)
            case "Sigmoid", "Tanh", "Relu", "Softmax":
                try activation(node)
            default:
                throw Failure(message: "SeqLang has no layer for \(node.opType)")
            }
        }

        private func constantNode(_ node: Onnx_NodeProto) throws -> ONNXArray {
            guard let a = node.attribute.first else { throw Failure(message: "it has no value") }
            switch a.name {
            case "value":
                do { return try ONNXTensors.array(a.t) } catch let e as ONNXTensors.Unreadable { throw Failure(message: e.message) }
            case "value_float": return ONNXArray(dims: [], values: .floats([a.f]))
            case "value_floats": return ONNXArray(dims: [a.floats.count], values: .floats(a.floats))
            case "value_int": return ONNXArray(dims: [], values: .ints([a.i]))
            case "value_ints": return ONNXArray(dims: [a.ints.count], values: .ints(a.ints))
            default: throw Failure(message: "its value is given as '\(a.name)', which SeqLang does not read")
            }
        }

        // MARK: Shape operators

        private mutating func reshaping(_ node: Onnx_NodeProto) throws {
            let inputs = try (0..<node.input.count).map { try symbol(node, $0) }
            // Everything constant: fold.
            let constants = inputs.compactMap { s -> ONNXArray? in if case .constant(let a)? = s { return a } else { return nil } }
            if constants.count == inputs.compactMap({ $0 }).count {
                set(node, .constant(try ONNXFold.apply(node, constants, opset: opset)))
                return
            }
            if inputs.contains(where: { if case .shape? = $0 { return true } else { return false } }) {
                set(node, .shape)
                return
            }
            if case .zeros? = inputs.first {
                set(node, .zeros)
                return
            }
            switch node.opType {
            case "Transpose":
                guard var f = try flow(node, 0) else { break }
                let perm = attribute(node, "perm")?.ints.map { Int($0) } ?? Array((0..<f.axes.count).reversed())
                guard perm.sorted() == Array(0..<f.axes.count) else { throw Failure(message: "its permutation \(perm) does not fit \(f.axes.count) axes") }
                f.axes = perm.map { f.axes[$0] }
                f.activationOpen = false
                set(node, .flow(f))
                return
            case "Squeeze":
                guard var f = try flow(node, 0) else { break }
                let axes = try axesArgument(node) ?? f.axes.indices.filter { f.axes[$0] == .direction(1) }.map(Int64.init)
                let normalized = Set(axes.map { Int($0 < 0 ? $0 + Int64(f.axes.count) : $0) })
                for a in normalized {
                    guard a >= 0, a < f.axes.count, f.axes[a] == .direction(1) else {
                        throw Failure(message: "it removes axis \(a) of [\(f.axes.map(\.description).joined(separator: ", "))], which is not the direction axis of a one-directional recurrent output")
                    }
                }
                f.axes = f.axes.enumerated().filter { !normalized.contains($0.offset) }.map(\.element)
                f.activationOpen = false
                set(node, .flow(f))
                return
            case "Reshape":
                guard var f = try flow(node, 0) else { break }
                let target = try constant(node, 1, "target shape").ints ?? []
                f.axes = try mergedDirections(f.axes, target)
                f.activationOpen = false
                set(node, .flow(f))
                return
            case "Gather":
                try gather(node)
                return
            case "Concat":
                if case .finalDirection? = inputs.first {
                    try concatenatedDirections(node, inputs)
                    return
                }
                // PyTorch's h_n: the final states of stacked recurrent nodes, concatenated.
                var states: [Flow] = []
                for s in inputs {
                    switch s {
                    case .flow(let f)? where f.axes.first.map({ if case .direction = $0 { return true } else { return false } }) == true:
                        states.append(f)
                    case .states(let fs)?: states += fs
                    default:
                        throw Failure(message: "it concatenates values other than final recurrent states")
                    }
                }
                guard int(node, "axis", default: 0) == 0 else { throw Failure(message: "it concatenates final states along an axis other than 0") }
                set(node, .states(states))
                return
            default:
                break
            }
            throw Failure(message: "it reshapes the model's data in a way SeqLang has no layer for")
        }

        /// [time, batch, direction D, feature H] → [time, batch, feature D·H] (and the same for
        /// any leading axes kept by 0 or their size): the only reshape of a flow SeqLang needs.
        private func mergedDirections(_ axes: [Axis], _ target: [Int64]) throws -> [Axis] {
            guard axes.count >= 2, target.count == axes.count - 1,
                  case .direction(let d) = axes[axes.count - 2], case .feature(let h) = axes[axes.count - 1] else {
                throw Failure(message: "it reshapes [\(axes.map(\.description).joined(separator: ", "))] to \(target); SeqLang only merges a recurrent output's directions into its features")
            }
            for (k, t) in target.dropLast().enumerated() where t != 0 {
                if case .feature(let n) = axes[k], n == t { continue }
                throw Failure(message: "it reshapes axis \(k) (\(axes[k])) to \(t); SeqLang only merges a recurrent output's directions into its features")
            }
            guard target.last == -1 || target.last == Int64(d * h) else {
                throw Failure(message: "it reshapes direction \(d) × feature \(h) to \(target.last!)")
            }
            return Array(axes.dropLast(2)) + [.feature(d * h)]
        }

        private mutating func gather(_ node: Onnx_NodeProto) throws {
            let axis = Int(int(node, "axis", default: 0))
            let data = try symbol(node, 0), indices = try symbol(node, 1)
            switch (data, indices) {
            case (.constant(let table)?, .flow(var f)?) where f.isTokens && axis == 0:
                guard table.dims.count == 2, case .floats = table.values else {
                    throw Failure(message: "its embedding table must be a float matrix [vocabulary, width] but has shape \(table.dims)")
                }
                let (v, d) = (table.dims[0], table.dims[1])
                var draft = Draft(kind: .embedding, units: d, inputSize: v)
                draft.tensors = [("weight", Tensor(unchecked: [v, d], table.floats))]
                f.layers.append(draft)
                f.axes.append(.feature(d))
                set(node, .flow(f))
            case (.flow(var f)?, .constant(let index)?):
                guard let i = index.ints, i.count == 1, index.dims.isEmpty else {
                    throw Failure(message: "it selects several entries of the model's data; SeqLang only selects the last time step or a final state")
                }
                let a = axis < 0 ? axis + f.axes.count : axis
                guard a >= 0, a < f.axes.count else { throw Failure(message: "its axis \(axis) does not exist") }
                switch f.axes[a] {
                case .time where i[0] == -1 && f.freshSequence:
                    guard case .recurrent(_, let directions) = f.layers.last?.kind, directions == 1 else {
                        throw Failure(message: "it takes the last time step of a bidirectional output, which is not that layer's final state")
                    }
                    f.layers[f.layers.count - 1].last = true
                case .direction(1) where i[0] == 0 || i[0] == -1:
                    break
                case .direction(2) where a == 0 && f.layers.last?.last == true && (-2...1).contains(i[0]):
                    // torch.cat([h_n[0], h_n[1]], dim=1) of a bidirectional layer, as the dynamo exporter writes it.
                    f.axes.remove(at: a)
                    f.freshSequence = false
                    f.activationOpen = false
                    set(node, .finalDirection(f, Int(i[0] < 0 ? i[0] + 2 : i[0]), source: node.input[0]))
                    return
                default:
                    throw Failure(message: "it selects entry \(i[0]) of the \(f.axes[a]) axis; SeqLang only selects the last time step (-1) of a recurrent output")
                }
                f.axes.remove(at: a)
                f.freshSequence = false
                f.activationOpen = false
                set(node, .flow(f))
            case (.states(let flows)?, .constant(let index)?):
                guard axis == 0, let i = index.ints, i.count == 1, i[0] == -1 || i[0] == Int64(flows.count - 1) else {
                    throw Failure(message: "it selects a final state other than the last recurrent layer's")
                }
                var f = flows[flows.count - 1]
                guard f.axes.first == .direction(1) else {
                    throw Failure(message: "it selects one direction of a bidirectional layer's final states")
                }
                f.axes.removeFirst()
                set(node, .flow(f))
            default:
                throw Failure(message: "it gathers from the model's data in a way SeqLang has no layer for")
            }
        }

        /// Concat(h_n[0], h_n[1], axis = 1): a bidirectional layer's `last` output, forward then
        /// backward final state, the order SeqLang keeps them in.
        private mutating func concatenatedDirections(_ node: Onnx_NodeProto, _ inputs: [Symbol?]) throws {
            var parts: [(Flow, Int, String)] = []
            for s in inputs {
                guard case .finalDirection(let f, let k, let source)? = s else {
                    throw Failure(message: "it concatenates one direction of a final state with another value")
                }
                parts.append((f, k, source))
            }
            guard parts.count == 2, parts[0].1 == 0, parts[1].1 == 1, parts[0].2 == parts[1].2 else {
                throw Failure(message: "it concatenates the directions of final states other than forward then backward of one layer")
            }
            var f = parts[0].0
            let axis = int(node, "axis", default: 0)
            guard f.axes.count == 2, f.axes[0] == .batch, case .feature(let h) = f.axes[1], axis == 1 || axis == -1 else {
                throw Failure(message: "it concatenates a bidirectional layer's final states along axis \(axis), not their features")
            }
            f.axes = [.batch, .feature(2 * h)]
            set(node, .flow(f))
        }

        // MARK: Recurrent layers

        private mutating func recurrent(_ node: Onnx_NodeProto, _ kind: ONNXRecurrentKind) throws {
            guard var f = try flow(node, 0) else { throw Failure(message: "its input X is not the model's data") }
            guard f.axes.count == 3, f.axes[0] == .time, f.axes[1] == .batch, case .feature(let I) = f.axes[2] else {
                throw Failure(message: "its input X has axes [\(f.axes.map(\.description).joined(separator: ", "))], but ONNX's \(kind.rawValue) reads [time, batch, feature]", layout: true)
            }
            let direction = attribute(node, "direction").map { String(decoding: $0.s, as: UTF8.self) } ?? "forward"
            guard direction == "forward" || direction == "bidirectional" else {
                throw Failure(message: "its direction is '\(direction)'; SeqLang reads forward and bidirectional layers")
            }
            let D = direction == "bidirectional" ? 2 : 1
            for name in ["clip", "activation_alpha", "activation_beta"] where attribute(node, name) != nil {
                throw Failure(message: "it sets '\(name)', which SeqLang's layers do not have")
            }
            if int(node, "layout", default: 0) != 0 { throw Failure(message: "it uses layout = 1 (batch first inside the node)") }
            if kind == .lstm, int(node, "input_forget", default: 0) != 0 { throw Failure(message: "it couples the input and forget gates (input_forget = 1)") }
            if kind == .gru, int(node, "linear_before_reset", default: 0) != 1 {
                throw Failure(message: "its linear_before_reset is 0; SeqLang's GRU (like PyTorch's) applies the reset gate after the recurrent product (linear_before_reset = 1)")
            }
            // The cell activations: ONNX's defaults, or Relu for an RNN (PyTorch's nonlinearity='relu').
            var cellActivation: Activation = kind == .rnn ? .tanh : .linear
            if let acts = attribute(node, "activations")?.strings.map({ String(decoding: $0, as: UTF8.self).lowercased() }) {
                let defaults: [String] = kind == .lstm ? ["sigmoid", "tanh", "tanh"] : kind == .gru ? ["sigmoid", "tanh"] : ["tanh"]
                let expected = Array([[String]](repeating: defaults, count: D).joined())
                let relu = [String](repeating: "relu", count: D)
                if kind == .rnn && (acts == relu || acts == ["relu"]) {
                    cellActivation = .relu
                } else if !(acts == expected || acts == defaults) {
                    throw Failure(message: "its activations \(acts) differ from the standard \(expected)" + (kind == .rnn ? " (or Relu)" : ""))
                }
            }
            let W = try constant(node, 1, "W"), R = try constant(node, 2, "R")
            guard R.dims.count == 3, R.dims[0] == D, R.dims[1] % kind.gates == 0 else {
                throw Failure(message: "its R has shape \(R.dims), not [\(D), \(kind.gates)·hidden, hidden]")
            }
            let H = R.dims[2], G = kind.gates
            if let h = attribute(node, "hidden_size"), h.i != H { throw Failure(message: "its hidden_size \(h.i) differs from R's \(H)") }
            guard R.dims[1] == G * H else { throw Failure(message: "its R has shape \(R.dims), not [\(D), \(G * H), \(H)]") }
            guard W.dims == [D, G * H, I] else {
                throw Failure(message: "its W has shape \(W.dims), not [\(D), \(G * H), \(I)] for an input of \(I) features")
            }
            var B = ONNXArray(dims: [D, 2 * G * H], values: .floats([Float](repeating: 0, count: D * 2 * G * H)))
            if node.input.count > 3, !node.input[3].isEmpty {
                B = try constant(node, 3, "B")
                guard B.dims == [D, 2 * G * H] else { throw Failure(message: "its B has shape \(B.dims), not [\(D), \(2 * G * H)]") }
            }
            if node.input.count > 4, !node.input[4].isEmpty {
                throw Failure(message: "it reads sequence lengths (sequence_lens); SeqLang's graphs run every sequence to its end")
            }
            for (k, state) in [(5, "initial_h"), (6, "initial_c")] {
                switch try symbol(node, k) {
                case nil, .zeros?: continue
                case .constant(let a)? where a.floats.allSatisfy({ $0 == 0 }): continue
                default: throw Failure(message: "its \(state) is not zero; SeqLang's recurrent layers start from zero states")
                }
            }
            if kind == .lstm, node.input.count > 7, !node.input[7].isEmpty {
                throw Failure(message: "it has peephole weights (P), which SeqLang's LSTM does not have")
            }
            // ONNX's gate order to SeqLang's, one direction at a time (ONNXLayout.swift).
            let order = kind.seqLangFromONNX
            let w = W.floats, r = R.floats, b = B.floats
            let l = stackIndex(f, kind, D, H, cellActivation)
            var tensors: [(String, Tensor)] = []
            for d in 0..<D {
                let suffix = "_l\(l)" + (d == 1 ? "_reverse" : "")
                let wd = w[(d * G * H * I)..<((d + 1) * G * H * I)], rd = r[(d * G * H * H)..<((d + 1) * G * H * H)]
                let bd = b[(d * 2 * G * H)..<((d + 1) * 2 * G * H)]
                tensors.append(("weight_ih" + suffix, Tensor(unchecked: [G * H, I], ONNXLayout.reorderBlocks(wd, hidden: H, width: I, order: order))))
                tensors.append(("weight_hh" + suffix, Tensor(unchecked: [G * H, H], ONNXLayout.reorderBlocks(rd, hidden: H, width: H, order: order))))
                tensors.append(("bias_ih" + suffix, Tensor(unchecked: [G * H], ONNXLayout.reorderBlocks(bd.prefix(G * H), hidden: H, width: 1, order: order))))
                tensors.append(("bias_hh" + suffix, Tensor(unchecked: [G * H], ONNXLayout.reorderBlocks(bd.suffix(G * H), hidden: H, width: 1, order: order))))
            }
            if l > 0 {
                // Stacked on the previous recurrent node of the same kind and size.
                f.layers[f.layers.count - 1].stack += 1
                f.layers[f.layers.count - 1].tensors += tensors
            } else {
                var draft = Draft(kind: .recurrent(kind, directions: D), units: H, inputSize: I)
                draft.activation = cellActivation
                draft.tensors = tensors
                f.layers.append(draft)
            }
            var y = f
            y.axes = [.time, .direction(D), .batch, .feature(H)]
            y.freshSequence = true
            y.biasOpen = false
            y.activationOpen = false
            var yh = y
            yh.axes = [.direction(D), .batch, .feature(H)]
            yh.freshSequence = false
            yh.layers[yh.layers.count - 1].last = true
            set(node, output: 0, .flow(y))
            set(node, output: 1, .flow(yh))
        }

        /// 0 for a new layer; the next stack index when `f` is, unchanged, the full output of a
        /// recurrent layer of the same kind, directions and size (PyTorch's num_layers > 1).
        private func stackIndex(_ f: Flow, _ kind: ONNXRecurrentKind, _ D: Int, _ H: Int, _ activation: Activation) -> Int {
            guard f.freshSequence, let previous = f.layers.last, previous.kind == .recurrent(kind, directions: D),
                  previous.units == H, previous.activation == activation, !previous.last else { return 0 }
            return previous.stack
        }

        // MARK: Dense layers

        private mutating func gemm(_ node: Onnx_NodeProto) throws {
            guard var f = try flow(node, 0), f.axes.count == 2, f.axes[0] == .batch, case .feature(let I) = f.axes[1] else {
                throw Failure(message: "its input A is not the model's data as [batch, feature]")
            }
            if int(node, "transA", default: 0) != 0 { throw Failure(message: "it transposes the model's data (transA = 1)") }
            for name in ["alpha", "beta"] {
                if let a = attribute(node, name), a.f != 1 { throw Failure(message: "its \(name) is \(a.f), not 1") }
            }
            let B = try constant(node, 1, "weight B")
            let transB = int(node, "transB", default: 0) != 0
            guard B.dims.count == 2, B.dims[transB ? 1 : 0] == I else {
                throw Failure(message: "its weight has shape \(B.dims), which does not take \(I) inputs")
            }
            let O = B.dims[transB ? 0 : 1]
            let weight = transB ? B.floats : ONNXLayout.transposed(B.floats, rows: I, columns: O)
            var bias = [Float](repeating: 0, count: O)
            if node.input.count > 2, !node.input[2].isEmpty {
                let C = try constant(node, 2, "bias C")
                guard C.count == O || C.count == 1 else { throw Failure(message: "its bias has shape \(C.dims), not [\(O)]") }
                bias = C.count == O ? C.floats : [Float](repeating: C.floats[0], count: O)
            }
            var draft = Draft(kind: .dense, units: O, inputSize: I)
            draft.tensors = [("weight", Tensor(unchecked: [O, I], weight)), ("bias", Tensor(unchecked: [O], bias))]
            f.layers.append(draft)
            f.axes[1] = .feature(O)
            f.freshSequence = false
            f.biasOpen = false
            f.activationOpen = true
            set(node, .flow(f))
        }

        private mutating func matMul(_ node: Onnx_NodeProto) throws {
            guard var f = try flow(node, 0), case .feature(let I)? = f.axes.last, f.axes.contains(.batch) else {
                throw Failure(message: "its first input is not the model's data with features last")
            }
            let B = try constant(node, 1, "weight")
            guard B.dims == [I, B.dims.last ?? 0], B.dims.count == 2 else {
                throw Failure(message: "its weight has shape \(B.dims), not [\(I), outputs]")
            }
            let O = B.dims[1]
            var draft = Draft(kind: .dense, units: O, inputSize: I, perStep: f.axes.contains(.time))
            draft.tensors = [("weight", Tensor(unchecked: [O, I], ONNXLayout.transposed(B.floats, rows: I, columns: O))),
                             ("bias", Tensor(zeros: [O]))]
            f.layers.append(draft)
            f.axes[f.axes.count - 1] = .feature(O)
            f.freshSequence = false
            f.biasOpen = true
            f.activationOpen = true
            set(node, .flow(f))
        }

        private mutating func add(_ node: Onnx_NodeProto) throws {
            var (flowIndex, constIndex) = (0, 1)
            if case .constant? = try symbol(node, 0) { (flowIndex, constIndex) = (1, 0) }
            guard var f = try flow(node, flowIndex), f.biasOpen, case .feature(let O)? = f.axes.last else {
                throw Failure(message: "it adds to something other than a dense layer's product (MatMul)")
            }
            let c = try constant(node, constIndex, "bias")
            guard c.count == O, c.dims.last == O else { throw Failure(message: "its bias has shape \(c.dims), not [\(O)]") }
            let last = f.layers.count - 1
            let index = f.layers[last].tensors.firstIndex { $0.0 == "bias" }!
            f.layers[last].tensors[index].1 = Tensor(unchecked: [O], c.floats)
            f.biasOpen = false
            set(node, .flow(f))
        }

        private mutating func activation(_ node: Onnx_NodeProto) throws {
            guard var f = try flow(node, 0), f.activationOpen, f.layers.last?.kind == .dense,
                  f.layers.last?.activation == .linear else {
                throw Failure(message: "\(node.opType) must follow a dense layer (Gemm, or MatMul and Add) directly; SeqLang has no separate activation layer")
            }
            if node.opType == "Softmax" {
                let axis = int(node, "axis", default: opset >= 13 ? -1 : 1)
                let normalized = axis < 0 ? axis + Int64(f.axes.count) : axis
                guard normalized == Int64(f.axes.count - 1) else {
                    throw Failure(message: "its axis \(axis) is not the class axis (the last)")
                }
            }
            let map: [String: Activation] = ["Sigmoid": .sigmoid, "Tanh": .tanh, "Relu": .relu, "Softmax": .softmax]
            f.layers[f.layers.count - 1].activation = map[node.opType]!
            f.activationOpen = false
            f.biasOpen = false
            set(node, .flow(f))
        }
    }
}
