// LoadWeightsStatement.swift — `load weights PATH [into MODEL] [map [MODULE, …]]`: another
// framework's weights into a declared model.
//
// The file's kind is read off its first bytes, not its name: a zip is a Keras `.keras`
// archive (its `model.weights.h5`), an HDF5 file Keras' `.weights.h5`, anything else a
// safetensors file of plain tensors in PyTorch's layout. Every byte is read through the
// host's file check. The modules are matched to the model's layers (WeightMatcher.swift) and
// every tensor is checked before the first is copied, so on any error the model keeps the
// weights it had. What went where is printed, one line per parameter. Loaded weights count as
// trained: a later `seed` does not start them again.

import SeqLang
import Tensor

enum LoadWeightsStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        // StatementReader has checked the form against CommandTable.load: `weights`, a path,
        // known options each given once with a value.
        var args = StatementArguments(request, context)
        _ = args.next()
        let pathArg = args.next()!
        guard case .string(let path)? = pathArg.value else { preconditionFailure("the reader checks the path") }
        var model: Model?
        var map: [[String]]?
        while let option = args.next(), let word = option.word {
            let arg = args.next()!
            if word == "into" {
                guard case .object(let o)? = arg.value, let m = o as? Model else { preconditionFailure("the reader checks the model") }
                model = m
            } else {
                map = try moduleMap(arg, args)
            }
        }
        let target = try model ?? session.models.requireCurrent(for: "load weights", at: request.keywordRange)
        let spec = try NetworkBridge.spec(of: target, for: "load weights", at: request.keywordRange)
        let bytes = try DataFile.readBytes(path, context: context, at: pathArg.range)
        func fail(_ message: String, hint: String? = nil) -> Diagnostic {
            Diagnostic.error(.io, at: pathArg.range, "cannot load weights from '\(path)': \(message)", hint: hint)
        }
        let weights: ForeignWeights
        do {
            // What each header declares must fit beside the file's bytes before it is decoded.
            weights = try read(bytes, path: path) {
                try context.checkMemory(MemorySize.add($0, bytes.count), for: "the weights of '\(path)'", at: pathArg.range)
            }
        } catch let e as PyTorchWeights.Failure {
            throw fail("tensor '\(e.tensor)': \(e.message)", hint: e.hint)
        } catch let e as KerasWeights.Failure {
            throw fail(e.message, hint: e.hint)
        } catch let e as HDF5File.Failure {
            throw fail(e.message)
        } catch let e as KerasArchive.Failure {
            throw fail(e.message)
        } catch let e as SafeTensorsError {
            throw fail((e.offset.map { "at byte \($0): " } ?? "") + e.message,
                       hint: e.hint ?? "SeqLang reads safetensors (PyTorch), .keras and .weights.h5 (Keras 3) weight files")
        }
        let matcher = WeightMatcher(spec)
        let matches: [WeightMatcher.Match]
        do {
            matches = try matcher.match(try matcher.assign(weights, map: map))
        } catch let e as WeightMatcher.Failure {
            throw Diagnostic.error(.shape, at: pathArg.range, "cannot load weights from '\(path)' into model '\(target.name)': \(e.message)", hint: e.hint)
        }
        let trained = try NetworkBridge.network(of: target, session: session, statement: "load weights", at: request.keywordRange)
        let store = trained.network.store
        var values = store.values
        for m in matches {
            guard let slot = store.slot(named: m.slot), slot.shape == m.shape else {
                preconditionFailure("the network's slots follow LayerSpec.parameterShapes()")
            }
            values.replaceSubrange(slot.range, with: m.value.tensor.scalars)
        }
        if context.checkOnly { return .none }
        store.values = values
        trained.trainedSteps = max(trained.trainedSteps, 1)
        context.output(report(matches, weights: weights, path: path, model: target.name, map: map))
        return .none
    }

    /// The bytes as modules: a zip is a `.keras` archive, HDF5 a `.weights.h5`, else
    /// safetensors. `fits` is asked, from each header and before the memory is allocated,
    /// whether the bytes it declares may be held (an inflated member, then the values).
    static func read(_ bytes: [UInt8], path: String, fits: (Int) throws -> Void) throws -> ForeignWeights {
        if KerasArchive.isZip(bytes) {
            guard let h5 = try KerasArchive.member("model.weights.h5", of: bytes, fits: fits) else {
                throw KerasArchive.Failure(message: "it is a zip archive without model.weights.h5, so not a Keras 3 .keras file")
            }
            return try KerasWeights.modules(try HDF5File.datasets(in: h5) { try fits(MemorySize.add($0, h5.count)) })
        }
        if HDF5File.isHDF5(bytes) {
            return try KerasWeights.modules(try HDF5File.datasets(in: bytes, fits: fits))
        }
        let (tensors, _) = try SafeTensors.decode(bytes, path: path, fits: fits)
        return try PyTorchWeights.modules(tensors)
    }

    /// `map ["emb", "rnn", "out"]`: one entry per layer with weights, each a module name or a
    /// list of them (two Keras LSTMs for one `layers 2` LSTM).
    private static func moduleMap(_ arg: CommandArg, _ args: StatementArguments) throws -> [[String]] {
        guard case .list(let items)? = arg.value else {
            throw Diagnostic.error(.type, at: arg.range, "expected a list of module names after `map`, got \(arg.value.map { args.shown($0, arg) } ?? "'\(arg.word ?? "?")'")",
                                   hint: "for example `map [\"encoder.embedding\", \"encoder.rnn\", \"head\"]`, one per layer with weights")
        }
        return try items.map { item in
            switch item {
            case .string(let s): return [s]
            case .list(let inner):
                return try inner.map { v in
                    guard case .string(let s) = v else {
                        throw Diagnostic.error(.type, at: arg.range, "every module name in the map must be a string, got \(v.typeName)")
                    }
                    return s
                }
            default:
                throw Diagnostic.error(.type, at: arg.range, "every entry of the map must be a module name (string) or a list of them, got \(item.typeName)")
            }
        }
    }

    /// One line per parameter: `  lstm0.weight_ih_l0 [64, 8] <- lstm.weight_ih_l0`.
    static func report(_ matches: [WeightMatcher.Match], weights: ForeignWeights, path: String, model: String, map: [[String]]?) -> String {
        var lines = ["loaded \(matches.count) tensors from '\(path)' (\(weights.layout) layout) into model '\(model)':"]
        let width = matches.map { "\($0.slot) \($0.shape)".count }.max() ?? 0
        for m in matches {
            let left = "\(m.slot) \(m.shape)"
            var right = m.value.source == "zeros" ? "zeros" : "\(m.value.source) \(m.value.sourceShape)"
            if let c = m.value.conversion { right += " (\(c))" }
            lines.append("  " + left + String(repeating: " ", count: width - left.count) + "  <- " + right)
        }
        if map != nil {
            let used = Set(map!.joined())
            let unused = weights.modules.map(\.name).filter { !used.contains($0) }
            if !unused.isEmpty { lines.append("not loaded (not in the map): " + unused.map { "'\($0)'" }.joined(separator: ", ")) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
