// WeightMatcher.swift — which tensor of a foreign file goes into which parameter of the model.
//
// The model's layers with weights are the targets, in order; each is an embedding, a linear
// (dense) or a recurrent layer, read off its PyTorch-style parameter names, so a new layer
// kind that names its parameters as PyTorch does matches without a change here. By default
// the modules of each kind are taken in the file's natural name order (`fc1` before `fc2`,
// `lstm` before `lstm_1`) and given to the layers of that kind in model order; recurrent
// modules are matched sub-layer by sub-layer (`_l0`, `_l0_reverse`, `_l1`, …), so one
// 2-layer `nn.LSTM` fills a `layers 2` LSTM and so do two Keras LSTM layers. An explicit map
// names the module (or modules) of each target instead. Every pairing is checked before
// anything is copied; the first tensor that does not fit is the error, with both shapes and
// the layer. A module without biases (PyTorch `bias=False`) gets zeros, and the report says so.

import SeqLang
import Tensor

struct WeightMatcher {
    /// One model layer with weights.
    struct Target {
        /// 1-based position among all the model's layers (as `summary` lists them).
        var number: Int
        /// The layer's parameter prefix (`lstm0`) and how it reads (`lstm 6 layers 2 last`).
        var name: String
        var text: String
        /// The layer's kind word ("lstm", "gru", "rnn", …): a recurrent module must be this cell.
        var cell: String
        var slots: [(name: String, shape: [Int])]

        init(number: Int, name: String, text: String, cell: String, slots: [(name: String, shape: [Int])]) {
            self.number = number
            self.name = name
            self.text = text
            self.cell = cell
            self.slots = slots
        }

        var local: [String] { slots.map { String($0.name.dropFirst(name.count + 1)) } }
        var kind: ForeignModule.Kind {
            local.contains(where: { RecurrentName.suffix(of: $0) != nil }) ? .recurrent : local.contains("bias") ? .linear : .embedding
        }
        var sublayers: [String] {
            Set(local.compactMap(RecurrentName.suffix(of:))).sorted { RecurrentName.order($0) < RecurrentName.order($1) }
        }
        var shown: String { "layer \(number) (\(text))" }
    }

    /// One matched parameter: the model's slot name and what fills it.
    struct Match {
        var slot: String
        var shape: [Int]
        var value: ForeignTensor
    }

    struct Failure: Error {
        var message: String
        var hint: String?
    }

    let targets: [Target]

    init(targets: [Target]) { self.targets = targets }

    /// The layers of `spec` that have weights.
    init(_ spec: ModelSpec) {
        self.targets = spec.layers.enumerated().compactMap { i, layer in
            let slots = layer.parameterShapes()
            return slots.isEmpty ? nil
                : Target(number: i + 1, name: layer.name, text: layer.summaryText, cell: layer.kind.rawValue, slots: slots)
        }
    }

    /// The modules feeding each target: by kind in name order, or as `map` names them (one
    /// entry per target, each a module name or a list of them).
    func assign(_ weights: ForeignWeights, map: [[String]]?) throws -> [[ForeignModule]] {
        if let map { return try assignByMap(weights, map) }
        var pools: [ForeignModule.Kind: [ForeignModule]] = [:]
        let embeddings = targets.filter { $0.kind == .embedding }
        var embeddingShapes = embeddings.map { $0.slots[0].shape }
        for var module in weights.modules {
            var kind = module.kind
            if kind == .embedding {
                // A weight alone is an embedding, or a linear layer without bias.
                let shape = module.parameters["weight"]!.tensor.shape
                if module.name.lowercased().contains("emb") || embeddingShapes.first == shape {
                    if !embeddingShapes.isEmpty { embeddingShapes.removeFirst() }
                } else {
                    kind = .linear
                }
            }
            module.kind = kind
            pools[kind, default: []].append(module)
        }
        var result: [[ForeignModule]] = Array(repeating: [], count: targets.count)
        for kind in [ForeignModule.Kind.embedding, .linear] {
            let wanted = targets.indices.filter { targets[$0].kind == kind }
            let have = pools[kind] ?? []
            try checkCount(kind, wanted.map { targets[$0] }, have, weights.layout)
            for (t, m) in zip(wanted, have) { result[t] = [m] }
        }
        // Recurrent modules: sub-layer by sub-layer.
        var queue = (pools[.recurrent] ?? []).flatMap { m in m.sublayers.map { (m, $0) } }[...]
        let recurrent = targets.indices.filter { targets[$0].kind == .recurrent }
        let needed = recurrent.reduce(0) { $0 + targets[$1].sublayers.count }
        if queue.count != needed {
            let modules = (pools[.recurrent] ?? []).map { "'\($0.name)' (\($0.sublayers.count))" }
            throw Failure(message: "the model's recurrent layers have \(needed) sub-layer\(needed == 1 ? "" : "s") (\(recurrent.map { targets[$0].shown }.joined(separator: ", "))) but the file's recurrent modules have \(queue.count)" + (modules.isEmpty ? "" : ": " + modules.joined(separator: ", ")),
                          hint: "a stacked layer counts each level, a bidirectional one each direction; name the modules of each layer with `map [...]`")
        }
        for t in recurrent {
            var modules: [ForeignModule] = []
            for _ in targets[t].sublayers {
                let (m, _) = queue.removeFirst()
                if modules.last?.name != m.name { modules.append(m) }
            }
            result[t] = modules
        }
        return result
    }

    private func checkCount(_ kind: ForeignModule.Kind, _ wanted: [Target], _ have: [ForeignModule], _ layout: String) throws {
        guard wanted.count != have.count else { return }
        let noun = kind == .embedding ? "embedding" : "linear"
        let layers = kind == .embedding ? "embedding" : "dense"
        let names = have.map { "'\($0.name)'" }.joined(separator: ", ")
        if wanted.count > have.count {
            let missing = wanted[have.count]
            throw Failure(message: "\(missing.shown) has no weights in the file: the model has \(wanted.count) \(layers) layer\(wanted.count == 1 ? "" : "s") but the file \(have.count) \(noun) module\(have.count == 1 ? "" : "s")\(have.isEmpty ? "" : " (\(names))")",
                          hint: "load a file with a module for every layer that has weights, or name the modules with `map [...]`")
        }
        let extra = have[wanted.count]
        throw Failure(message: "\(extra.shown) of the file has no layer to go to: the model has \(wanted.count) \(layers) layer\(wanted.count == 1 ? "" : "s") but the file \(have.count) \(noun) modules (\(names))",
                      hint: "to load only some modules, name one per layer with weights with `map [...]`")
    }

    private func assignByMap(_ weights: ForeignWeights, _ map: [[String]]) throws -> [[ForeignModule]] {
        guard map.count == targets.count else {
            throw Failure(message: "the map names \(map.count) module\(map.count == 1 ? "" : "s") but the model has \(targets.count) layer\(targets.count == 1 ? "" : "s") with weights (\(targets.map(\.shown).joined(separator: ", ")))",
                          hint: "give one module name per layer with weights, in the model's order")
        }
        let byName = Dictionary(weights.modules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var used = Set<String>()
        return try zip(targets, map).map { target, names in
            try names.map { name in
                guard let module = byName[name] else {
                    throw Failure(message: "the map names '\(name)' for \(target.shown), but the file has no such module",
                                  hint: didYouMean(name, among: Array(byName.keys)) ?? "the file's modules: " + weights.modules.map { "'\($0.name)'" }.joined(separator: ", "))
                }
                guard used.insert(name).inserted else {
                    throw Failure(message: "the map names module '\(name)' twice")
                }
                let fits = module.kind == target.kind || (module.kind == .embedding && target.kind == .linear)
                guard fits else {
                    throw Failure(message: "the map gives \(module.shown) to \(target.shown), which is not a layer of that kind")
                }
                return module
            }
        }
    }

    /// Every slot of every target with the tensor that fills it, checked; nothing is copied.
    func match(_ modules: [[ForeignModule]]) throws -> [Match] {
        var out: [Match] = []
        for (target, sources) in zip(targets, modules) {
            // (target's local name) -> (module, module's local name)
            var sourceOf: [String: (ForeignModule, String)] = [:]
            if target.kind == .recurrent {
                let pairs = sources.flatMap { m in m.sublayers.map { (m, $0) } }
                guard pairs.count == target.sublayers.count else {
                    throw Failure(message: "\(target.shown) has \(target.sublayers.count) recurrent sub-layer\(target.sublayers.count == 1 ? "" : "s") but \(sources.map(\.shown).joined(separator: " and ")) \(sources.count == 1 ? "has" : "have") \(pairs.count)",
                                  hint: "a stacked layer counts each level, a bidirectional one each direction")
                }
                for (suffix, (module, theirs)) in zip(target.sublayers, pairs) {
                    guard module.cell == target.cell else {
                        let theirs = (module.cell ?? "?").uppercased(), ours = target.cell.uppercased()
                        func article(_ cell: String) -> String { cell == "GRU" ? "a" : "an" }   // an LSTM, an RNN
                        throw Failure(message: "\(module.shown) cannot fill \(target.shown): it is \(article(theirs)) \(theirs), the layer \(article(ours)) \(ours)",
                                      hint: "declare the model with the file's layer kinds, or name the modules with `map [...]`")
                    }
                    guard suffix.hasSuffix("_reverse") == theirs.hasSuffix("_reverse") else {
                        throw Failure(message: "\(module.shown) sub-layer \(theirs) runs \(theirs.hasSuffix("_reverse") ? "backward" : "forward") but \(target.shown) needs \(suffix) there",
                                      hint: "a bidirectional file needs a bidirectional layer")
                    }
                    for kind in RecurrentName.kinds { sourceOf[kind + suffix] = (module, kind + theirs) }
                }
            } else {
                for name in target.local { sourceOf[name] = (sources[0], name) }
            }
            for (slot, local) in zip(target.slots, target.local) {
                let (module, theirs) = sourceOf[local]!
                if let value = module.parameters[theirs] {
                    guard value.tensor.shape == slot.shape else {
                        throw Failure(message: "tensor '\(value.source)' \(value.sourceShape)\(value.conversion.map { " (\($0): \(value.tensor.shape))" } ?? "") does not fit \(target.shown): its \(local) is \(slot.shape)",
                                      hint: fitHint(local, slot.shape, value.tensor.shape, target))
                    }
                    out.append(Match(slot: slot.name, shape: slot.shape, value: value))
                } else if local.hasPrefix("bias"), !module.parameters.keys.contains(where: { $0.hasPrefix("bias") }) {
                    let zeros = Tensor(zeros: slot.shape)
                    out.append(Match(slot: slot.name, shape: slot.shape,
                                     value: ForeignTensor(source: "zeros", sourceShape: slot.shape,
                                                          conversion: "\(module.shown) has no \(theirs)", tensor: zeros)))
                } else {
                    throw Failure(message: "\(target.shown) needs \(local) \(slot.shape) but \(module.shown) has no \(theirs)",
                                  hint: "its tensors: " + module.parameters.values.map(\.source).sorted().joined(separator: ", "))
                }
            }
        }
        return out
    }

    private func fitHint(_ local: String, _ expected: [Int], _ found: [Int], _ target: Target) -> String {
        if local.hasPrefix("weight_ih"), expected.count == 2, found.count == 2, expected[0] == found[0] {
            return "the file's layer reads \(found[1]) features but the model gives it \(expected[1]); check the layer before it"
        }
        if expected.count == 2, found.count == 2, expected == [found[1], found[0]] {
            return "the shape is transposed: is the file in another framework's layout?"
        }
        return "declare the layer with the file's sizes, or name each layer's module with `map [...]`"
    }
}
