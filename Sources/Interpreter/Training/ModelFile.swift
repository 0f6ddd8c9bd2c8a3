// ModelFile.swift — SeqLang's model and checkpoint files: one safetensors file each.
//
// A model file holds every parameter under its model name (`lstm0.weight_ih_l0`, …) and, in
// the header metadata:
//
//     format           "seqlang"            what wrote the file
//     format_version   "1"                  the layout of this metadata
//     kind             "model" | "checkpoint"
//     architecture     ModelSpec.architectureJSON()
//     vocabulary       JSON list of the symbols, in id order (when the model reads tokens)
//     vocabulary_normalisation  "lower" | "none"  whether new text is lower-cased before it is
//                                           looked up (a vocabulary counted from `lower` text);
//                                           absent in older files: read from the symbols
//     vocabulary_unit  "chars" | "words"    whether its symbols are characters (text cut into
//                                           characters, generated text joined without spaces);
//                                           absent in older files: read from the symbols
//     classes          JSON list of the class names (when the data named them)
//     padding          "first" | "last"     the training samples were padded to the model's
//                                           length and a longer one kept its first or last
//                                           symbols (`sequences`); absent otherwise
//
// A checkpoint adds the optimizer's state tensors (`optimizer.adam.m`, …) and `training`, the
// JSON of a `TrainingState` (plan, position, history, random generators). Files are written
// atomically through the file sandbox (`CommandContext.writeFile`, AtomicFile), so a failed save never destroys the previous file. Every
// problem reading one is an `.io` diagnostic naming the file (and the byte offset, when the
// problem has one).

import Foundation
import SeqLang
import Tensor

enum ModelFile {
    static let format = "seqlang"
    static let version = 1

    /// What a model file holds, read and checked.
    struct Contents {
        var spec: ModelSpec
        var tensors: [String: Tensor]
        var vocabulary: Vocabulary?
        var classes: [String]?
        var padding: SequencePadding?
        var kind: String
        var training: TrainingState?
    }

    // MARK: - Writing

    static func metadata(_ spec: ModelSpec, _ trained: TrainedNetwork, kind: String) -> [String: String] {
        var m = ["format": format, "format_version": String(version), "kind": kind,
                 "architecture": spec.architectureJSON()]
        if let v = trained.vocabulary {
            m["vocabulary"] = jsonList(v.symbols)
            m["vocabulary_normalisation"] = v.lowerCased ? "lower" : "none"
            m["vocabulary_unit"] = v.unit
        }
        if let c = trained.classes { m["classes"] = jsonList(c) }
        if let p = trained.padding { m["padding"] = p.keep }
        return m
    }

    static func jsonList(_ items: [String]) -> String {
        // An array of strings always encodes.
        String(decoding: try! JSONEncoder().encode(items), as: UTF8.self)
    }

    /// Writes the model's weights and architecture to `path` (already authorized).
    static func save(_ spec: ModelSpec, _ trained: TrainedNetwork, to path: String, shownAs name: String,
                     context: CommandContext, at range: SourceRange) throws {
        try write(trained.network.store.namedTensors(), metadata(spec, trained, kind: "model"), to: path,
                  shownAs: name, context: context, at: range)
    }

    /// Writes a checkpoint of `trainer` at its current position.
    static func writeCheckpoint(_ trainer: Trainer, to path: String, at range: SourceRange) throws {
        var meta = metadata(trainer.spec, trainer.trained, kind: "checkpoint")
        meta["training"] = trainer.state.json()
        let tensors = trainer.network.store.namedTensors() + trainer.optimizer.exportState()
        try write(tensors, meta, to: path, shownAs: path, context: trainer.context, at: range)
    }

    private static func write(_ tensors: [(name: String, tensor: Tensor)], _ meta: [String: String], to path: String,
                              shownAs name: String, context: CommandContext, at range: SourceRange) throws {
        // In an mpirun job every rank holds the same weights; the first alone writes them.
        if JobPlace.isFollower { return }
        do {
            try context.writeFile(path, contents: SafeTensors.encoded(tensors, metadata: meta, shownAs: name), at: range)
        } catch let e as SafeTensorsError {
            throw Diagnostic.error(.io, at: range, "cannot write '\(name)': \(e.message)", hint: e.hint)
        }
    }

    // MARK: - Reading

    /// A JSON list of strings (the vocabulary and class metadata), or nil if `text` is not one.
    static func stringList(_ text: String) -> [String]? {
        try? JSONDecoder().decode([String].self, from: Data(text.utf8))
    }

    /// Reads (through the file sandbox) and checks the file at `path`; `name` is how the user wrote it.
    static func read(_ path: String, shownAs name: String, context: CommandContext, at range: SourceRange) throws -> Contents {
        func fail(_ message: String, hint: String? = nil) -> Diagnostic {
            Diagnostic.error(.io, at: range, "cannot load '\(name)': \(message)", hint: hint)
        }
        let bytes = try context.readFile(path, at: range)
        let tensors: [String: Tensor], meta: [String: String]
        do {
            // The values its header declares must fit beside the file's bytes before they are decoded.
            (tensors, meta) = try SafeTensors.decode(bytes, path: name, fits: {
                try context.checkMemory(MemorySize.add($0, bytes.count), for: "the weights of '\(name)'", at: range)
            }, poll: { try context.checkCancelled(at: range) })
        } catch let e as SafeTensorsError {
            throw fail((e.offset.map { "at byte \($0): " } ?? "") + e.message,
                       hint: e.hint ?? "the file is damaged or not a weight file; save the model again")
        }
        guard meta["format"] == format else {
            throw fail("it is a safetensors file but not a SeqLang model: its metadata has no `format: seqlang`",
                       hint: "SeqLang reads the files its own `save` and `checkpoint` write")
        }
        guard let v = meta["format_version"].flatMap(Int.init), v >= 1 else {
            throw fail("its format version is missing or unreadable")
        }
        guard v <= version else {
            throw fail("it was written in format version \(v), but this SeqLang reads up to version \(version)",
                       hint: "update SeqLang to read it")
        }
        guard let json = meta["architecture"] else { throw fail("its metadata has no architecture") }
        let spec: ModelSpec
        do {
            spec = try ModelSpec(architectureJSON: json)
        } catch {
            throw fail("its architecture metadata is not a model description (\(error))")
        }
        var vocabulary: Vocabulary?
        if let text = meta["vocabulary"] {
            guard let symbols = stringList(text) else {
                throw fail("its vocabulary metadata is not a JSON list of strings")
            }
            if Set(symbols).count != symbols.count { throw fail("its vocabulary lists a symbol twice") }
            /// A flag of two words: nil when absent (an older file), else whether it is `yes`.
            func flag(_ key: String, _ yes: String, _ no: String, _ what: String) throws -> Bool? {
                switch meta[key] {
                case nil: return nil
                case yes?: return true
                case no?: return false
                case let other?: throw fail("its \(what) metadata is \"\(other)\", not \"\(yes)\" or \"\(no)\"")
                }
            }
            vocabulary = Vocabulary(symbols: symbols,
                                    lowerCased: try flag("vocabulary_normalisation", "lower", "none", "vocabulary normalisation"),
                                    characters: try flag("vocabulary_unit", "chars", "words", "vocabulary unit"))
        }
        var classes: [String]?
        if let text = meta["classes"] {
            guard let list = stringList(text) else {
                throw fail("its class metadata is not a JSON list of strings")
            }
            classes = list
        }
        var padding: SequencePadding?
        if let text = meta["padding"] {
            guard let p = SequencePadding(keep: text) else { throw fail("its padding metadata is \"\(text)\", not \"first\" or \"last\"") }
            padding = p
        }
        var training: TrainingState?
        if let text = meta["training"] {
            do { training = try TrainingState.read(json: text) } catch {
                throw fail("its training metadata cannot be read (\(error))")
            }
        }
        return Contents(spec: spec, tensors: tensors, vocabulary: vocabulary, classes: classes, padding: padding,
                        kind: meta["kind"] ?? "model", training: training)
    }

    /// A model object for `contents` with its weights in place, made current and bound to its
    /// name. `setup` is how its network trains.
    static func model(from contents: Contents, setup: TrainingSetup, seed: UInt64, session: TrainingSession,
                      context: CommandContext, shownAs name: String, at range: SourceRange) throws -> (Model, TrainedNetwork) {
        let spec = contents.spec
        let model = Model(name: spec.name)
        model.setInput(spec.input)
        var flow = ShapeFlow(input: spec.input)
        for (i, layer) in spec.layers.enumerated() {
            guard case .success(let next) = flow.applying(layer) else {
                throw Diagnostic.error(.io, at: range,
                    "cannot load '\(name)': layer \(i + 1) of its architecture (\(layer.summaryText)) does not fit the shape \(flow.shape) before it")
            }
            flow = next
            model.append(ModelLayer(spec: layer, flow: flow))
        }
        let network: Network
        do {
            network = try Network(spec: NetworkBridge.networkSpec(spec, setup), seed: seed, budget: session.memory, stop: session.stop)
            network.stopSignal = session.stop
            try SafeTensors.assign(contents.tensors, to: network.store, path: name, ignoringPrefixes: ["optimizer."])
        } catch let e as SafeTensorsError {
            throw Diagnostic.error(.io, at: range, "cannot load '\(name)': \(e.message)", hint: e.hint)
        } catch let e as NetworkError {
            throw Diagnostic.error(.io, at: range, "cannot load '\(name)': its architecture cannot be built: \(e)")
        }
        let trained = TrainedNetwork(network: network, revision: model.revision, vocabulary: contents.vocabulary,
                                     classes: contents.classes)
        trained.padding = contents.padding
        trained.trainedSteps = contents.training?.step ?? 1
        model.network = trained
        session.models.current = model
        context.define(model.name, .object(model))
        return (model, trained)
    }
}
