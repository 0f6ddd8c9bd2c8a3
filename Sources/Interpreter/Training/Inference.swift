// Inference.swift — `predict` and `generate`: a trained model applied to new input.
//
//     predict [MODEL] INPUT
//         INPUT: a dataset (probabilities of every sample), a tensor [time, feature] or
//         [sample, time, feature], a list of ids or numbers (one sequence), or text, which is
//         cut into symbols as the model's vocabulary says (`vocab.unit`: characters, or
//         whitespace-separated words).
//     generate [MODEL] from TEXT length N [temperature T] [top K]
//         continues TEXT by N symbols: greedy (the most likely symbol) unless `temperature` or
//         `top` ask for seeded sampling. A model that predicts at every step runs at batch 1,
//         carrying its state from symbol to symbol; a model that reads a fixed window (three
//         symbols in, the next out) slides the window. Words are joined by spaces, characters
//         without.
// Many samples — a dataset, or a tensor [sample, time, feature] — are predicted `chunk` samples
// at a time into one result allocated (and checked against the memory limit) up front, so the
// working memory is one chunk's whatever their number, and a stop is seen at every chunk (and
// every time step inside one).

import Foundation
import SeqLang
import Tensor

enum Inference {
    /// The trained network of `model` for inference (not stateful).
    static func network(_ model: Model, _ session: TrainingSession, statement: String, at range: SourceRange) throws -> TrainedNetwork {
        var setup = TrainingSetup()
        if let current = model.network?.network.spec {
            setup = TrainingSetup(loss: current.loss, reduction: current.reduction, stateful: false)
        }
        return try NetworkBridge.network(of: model, setup: setup, session: session, statement: statement, at: range)
    }

    /// Warns at `range` when `model` has never been trained (nor loaded): what `statement`
    /// gives are the outputs of its initial weights, as Keras predicts with a model just built.
    static func warnIfUntrained(_ model: Model, _ trained: TrainedNetwork, for statement: String,
                                at range: SourceRange, _ context: CommandContext) {
        if let warning = untrainedWarning(model, trained, for: statement, at: range) { context.warn(warning) }
    }

    /// The warning of `warnIfUntrained`, nil for a model trained or loaded.
    static func untrainedWarning(_ model: Model, _ trained: TrainedNetwork, for statement: String,
                                 at range: SourceRange) -> Diagnostic? {
        guard trained.trainedSteps == 0 else { return nil }
        return .warning(at: range,
            "\(statement): model '\(model.name)' has not been trained: this is what its initial (random) weights give",
            hint: "train it first, e.g. `train adam epochs 10 on data`, or load trained weights with `load(\"model.safetensors\")`")
    }

    /// A model never trained takes the class names, vocabulary and padding of the data it is
    /// evaluated or predicted on, as training would have attached them (each only when it has
    /// none yet): `evaluate`'s table and a later `predict` name the classes as a trained
    /// model's do, and text reads with the data's vocabulary.
    static func adoptNames(of data: Dataset, _ trained: TrainedNetwork) {
        guard trained.trainedSteps == 0 else { return }
        if trained.classes == nil, let c = data.classes { trained.classes = c }
        if trained.vocabulary == nil, let v = data.vocabulary { trained.vocabulary = v }
        if trained.padding == nil, let keep = data.keepsLast { trained.padding = SequencePadding(keepLast: keep) }
    }

    /// The word symbols of `text` for vocabulary `v`: its whitespace-separated pieces, and a
    /// piece the vocabulary does not know cut as `words` cuts punctuation off (`film!` is
    /// `film` and `!` when those are known), so text typed as prose reads as the corpus did.
    static func words(of text: String, _ v: Vocabulary) -> [String] {
        text.split(whereSeparator: \.isWhitespace).flatMap { piece -> [String] in
            let whole = String(piece)
            if v.lookUp(whole) != nil { return [whole] }
            let parts = TextBuiltins.cutPunctuation(whole)
            return parts.count > 1 && parts.contains(where: { v.lookUp($0) != nil }) ? parts : [whole]
        }
    }

    /// The character symbols of `text` for vocabulary `v` (of characters): every character,
    /// but whitespace the vocabulary has no symbol for (counted from text without spaces, or
    /// from single-character words) is left out rather than read as `<unk>`.
    static func characters(of text: String, _ v: Vocabulary) -> [String] {
        text.compactMap { c in
            let s = String(c)
            return c.isWhitespace && v.lookUp(s) == nil ? nil : s
        }
    }

    /// `text` as ids of the model's vocabulary.
    static func ids(of text: String, _ trained: TrainedNetwork, for statement: String, at range: SourceRange,
                    warn: (Diagnostic) -> Void) throws -> [Int] {
        guard let v = trained.vocabulary else {
            if trained.trainedSteps == 0 {
                throw Diagnostic.error(.type, at: range, "this model has not been trained, so it has no vocabulary to read text with yet",
                                       hint: "give ids, e.g. `\(statement) encode(vocab, words(\"…\"))`, or train it first on data made with a vocabulary (`sequences(…, vocab)`, `windows(ids, n, vocab)`)")
            }
            throw Diagnostic.error(.type, at: range, "this model has no vocabulary, so it cannot read text",
                                   hint: "train it on data made with a vocabulary (`windows(ids, n, vocab)`, `lm_batches(…, vocab)`), or give ids")
        }
        let symbols = v.characters ? characters(of: text, v) : words(of: text, v)
        guard !symbols.isEmpty else {
            throw Diagnostic.error(.type, at: range, "the text holds no symbols")
        }
        var unknown = UnknownSymbols(includingFolded: true)
        let ids = try symbols.map { s in
            if let id = unknown.id(of: s, in: v) { return id }
            throw Diagnostic.error(.name, at: range,
                                   Suggestion.message("'\(s)' is not in the model's vocabulary", for: s, among: v.symbols),
                                   hint: "the vocabulary has \(v.size) symbols and no <unk> (it was made closed; the default vocabulary(symbols [, N]) has one)")
        }
        if let warning = unknown.warning(statement, at: range) { warn(warning) }
        return ids
    }

    /// One sequence (or several) as network inputs, fitted to the model's declared length (see
    /// `fitted`), with the true length of each when they were padded.
    static func inputs(_ value: Value, _ trained: TrainedNetwork, _ spec: ModelSpec, at range: SourceRange,
                       warn: (Diagnostic) -> Void) throws -> (NetworkInputs, lengths: [Int]?) {
        let network = trained.network
        func numbers(_ items: [Value]) -> [Double]? {
            var out: [Double] = []
            for item in items {
                switch item {
                case .int(let v): out.append(Double(v))
                case .number(let v): out.append(v)
                default: return nil
                }
            }
            return out
        }
        let result: NetworkInputs
        switch (value, network.spec.input) {
        case (.string(let text), .tokens):
            let ids = try ids(of: text, trained, for: "predict", at: range, warn: warn)
            result = .tokens(ids.map { Int32($0) }, batch: 1, steps: ids.count)
        case (.list(let items), .tokens(let vocabulary)):
            guard let ns = numbers(items), ns.allSatisfy({ $0 == $0.rounded() }) else {
                throw Diagnostic.error(.type, at: range, "expected a list of token ids (whole numbers), got \(value.debugText)")
            }
            if let bad = ns.first(where: { $0 < 0 || $0 >= Double(vocabulary) }) {
                throw Diagnostic.error(.shape, at: range, "token id \(formatNumber(bad)) is outside the model's vocabulary of \(vocabulary) ids")
            }
            result = .tokens(ns.map { Int32($0) }, batch: 1, steps: ns.count)
        case (.list(let items), .features(let f)):
            guard let ns = numbers(items) else {
                throw Diagnostic.error(.type, at: range, "expected a list of numbers, got \(value.debugText)")
            }
            guard ns.count % f == 0 else {
                throw Diagnostic.error(.shape, at: range, "expected a multiple of \(f) numbers (\(f) per step) but the list has \(ns.count)")
            }
            result = .features(ns.map { Float($0) }, batch: 1, steps: ns.count / f, features: f)
        case (.tensor(let value), .features(let f)):
            let t = value.tensor
            guard (t.rank == 2 || t.rank == 3), t.shape.last == f else {
                throw Diagnostic.error(.shape, at: range,
                    "expected a tensor [time, feature \(f)] or [sample, time, feature \(f)] but got \(t.shape)")
            }
            result = t.rank == 2 ? .features(t.scalars, batch: 1, steps: t.shape[0], features: f)
                : .features(t.scalars, batch: t.shape[0], steps: t.shape[1], features: f)
        default:
            let wants = spec.input.kind == .tokens ? "text, a list of token ids or a dataset" : "a tensor, a list of numbers or a dataset"
            throw Diagnostic.error(.type, at: range, "this model reads \(spec.input.shape): expected \(wants), got \(value.typeName)")
        }
        guard let length = spec.input.length, result.steps != length else { return (result, nil) }
        return try fitted(result, to: length, trained, spec, at: range, warn: warn)
    }

    /// A sequence of another length than the model's `input … N`, made N long the way the
    /// training data was: samples from `sequences` were padded after their symbols (with
    /// `<pad>`, masked by length) and cut to their first or last N, so a text is too, with a note
    /// saying which. A window model (trained on `windows`) reads the last N; a shorter input
    /// than that is an error saying how many it needs. A model never trained pads a shorter
    /// input as `sequences` does by default, and reads the last N of a longer one.
    static func fitted(_ inputs: NetworkInputs, to length: Int, _ trained: TrainedNetwork, _ spec: ModelSpec,
                       at range: SourceRange, warn: (Diagnostic) -> Void) throws -> (NetworkInputs, lengths: [Int]?) {
        let steps = inputs.steps, batch = inputs.batch
        let unit = spec.input.kind == .tokens ? "symbols" : "steps"
        func rows<T>(_ values: [T], width: Int, pad: T, keepLast: Bool) -> [T] {
            var out: [T] = []
            out.reserveCapacity(batch * length * width)
            for b in 0..<batch {
                let row = values[(b * steps * width)..<((b + 1) * steps * width)]
                let kept = steps <= length ? row : (keepLast ? row.suffix(length * width) : row.prefix(length * width))
                out += kept
                out += [T](repeating: pad, count: (length - min(steps, length)) * width)
            }
            return out
        }
        func cut(keepLast: Bool, pad: Int32) -> NetworkInputs {
            switch inputs {
            case .tokens(let ids, _, _):
                return .tokens(rows(ids, width: 1, pad: pad, keepLast: keepLast), batch: batch, steps: length)
            case .features(let xs, _, _, let f):
                return .features(rows(xs, width: f, pad: 0, keepLast: keepLast), batch: batch, steps: length, features: f)
            }
        }
        if let padding = trained.padding {
            let padID = Int32(trained.vocabulary?.paddingID ?? 0)
            let note: String
            if steps < length {
                note = "the model reads \(length) \(unit) and was trained on samples padded to that length: this input of \(steps) is padded after its symbols (masked, as in training)"
            } else {
                note = "the model reads \(length) \(unit) and was trained on samples cut to their \(padding.keep) \(length): this input of \(steps) is cut the same way"
            }
            warn(Diagnostic(.note, kind: .warning, at: range, note))
            return (cut(keepLast: padding.keepLast, pad: padID), [Int](repeating: min(steps, length), count: batch))
        }
        if steps < length && trained.trainedSteps == 0 {
            // No training data to copy yet: padded as `sequences` pads by default.
            warn(Diagnostic(.note, kind: .warning, at: range,
                            "the model reads \(length) \(unit) and has not been trained yet: this input of \(steps) is padded after its symbols (masked), as `sequences` pads samples"))
            return (cut(keepLast: false, pad: Int32(trained.vocabulary?.paddingID ?? 0)), [Int](repeating: steps, count: batch))
        }
        guard steps > length else {
            let trainedOn = trained.trainedSteps > 0 ? "it was trained on samples of exactly \(length) \(unit), not padded ones" : "it has not been trained on padded samples yet"
            throw Diagnostic.error(.shape, at: range,
                "expected \(spec.input.shape) but the input has \(steps) \(unit) where the model reads \(length), and \(trainedOn)",
                hint: spec.input.kind == .tokens
                    ? "give at least \(length) symbols, or train on `sequences(samples, labels, \(length))`, which pads shorter samples, so that `predict` pads them too"
                    : "give at least \(length) steps")
        }
        warn(Diagnostic(.note, kind: .warning, at: range,
                        "the model reads \(length) \(unit) at a time: the last \(length) of this input of \(steps) are read, as a window of the training data was"))
        return (cut(keepLast: true, pad: 0), nil)
    }

    static func predictions(_ network: Network, _ inputs: NetworkInputs, lengths: [Int]? = nil, at range: SourceRange) throws -> Tensor {
        do {
            return try network.predict(inputs, lengths: lengths)
        } catch let e as NetworkError {
            throw Diagnostic.error(.runtime, at: range, "prediction failed: \(e)")
        }
    }

    /// A batch of predictions with the axes of the model's output: `[batch, class 2]`,
    /// `[batch, time, class V]` for a model with an output at every step, `[batch, feature 1]`.
    static func named(_ p: Tensor, _ spec: ModelSpec) -> Tensor {
        var p = p
        let names = spec.outputShape.axes.map(\.name)
        if names.count == p.rank { p.axisNames = names }
        return p
    }

    /// The predictions of one sequence without its batch axis: `[time T, class V]` for a model
    /// with an output at every step (the row of a batch's `[batch, time, class V]`).
    static func single(_ p: Tensor, _ spec: ModelSpec) -> Tensor {
        var t = Tensor(unchecked: Array(p.shape.dropFirst()), p.scalars)
        let names = spec.outputShape.axes.map(\.name).dropFirst()
        if names.count == t.rank { t.axisNames = Array(names) }
        return t
    }

    /// Samples predicted at once by `predictions(_:count:…)`.
    static let chunk = 64

    /// The predictions of `count` samples, batch-major, `chunk` samples at a time:
    /// `inputs(range)` gives the inputs (and lengths) of the samples in `range`. The result is checked
    /// against the memory limit before it is allocated; a stop is seen between chunks.
    static func predictions(_ network: Network, count: Int, chunk: Int = Inference.chunk, context: CommandContext,
                            at range: SourceRange, inputs: (Range<Int>) throws -> (NetworkInputs, [Int]?)) throws -> Tensor {
        var scalars: [Float] = []
        var shape: [Int] = []
        var start = 0
        while start < count {
            // A stop between chunks is reported like one inside the network: at the statement.
            if network.stopSignal?.isRaised == true { throw StopSignal.Stopped() }
            try context.checkCancelled(at: range)
            let end = min(start + chunk, count)
            let (part, lengths) = try inputs(start..<end)
            if start == 0 {
                let perSample = (network.outputIsSequence ? part.steps : 1) * network.outputSize
                shape = network.outputIsSequence ? [count, part.steps, network.outputSize] : [count, network.outputSize]
                let (n, overflow) = count.multipliedReportingOverflow(by: perSample)
                try context.checkMemory(overflow ? Int.max : n * MemoryLayout<Float>.size,
                                        for: "the predictions of \(count) samples", at: range)
                scalars.reserveCapacity(n)
            }
            let p = try predictions(network, part, lengths: lengths, at: range)
            scalars += p.scalars
            start = end
        }
        return Tensor(unchecked: shape, scalars)
    }

    /// A record for one output row: the class and its probability, or the values.
    static func describe(_ row: [Float], _ trained: TrainedNetwork) -> Value {
        let network = trained.network
        let probabilities = Value.list(row.map { .number(Double($0)) })
        switch network.loss {
        case .meanSquaredError:
            return .record([("values", probabilities)])
        case .binaryCrossEntropy where row.count == 1:
            let c = row[0] > 0.5 ? 1 : 0
            return .record([("class", label(c, trained)), ("probability", .number(Double(row[0])))])
        default:
            var best = 0
            for j in row.indices where row[j] > row[best] { best = j }
            return .record([("class", label(best, trained)),
                            ("probability", .number(Double(row[best]))), ("probabilities", probabilities)])
        }
    }

    /// A class id as its name (class names, or the vocabulary's symbol for next-symbol models).
    static func label(_ id: Int, _ trained: TrainedNetwork) -> Value {
        if let classes = trained.classes, id < classes.count { return .string(classes[id]) }
        if let v = trained.vocabulary, id < v.size, trained.network.outputSize == v.size { return .string(v.symbols[id]) }
        return .int(id)
    }
}

/// `predict [MODEL] INPUT`
enum PredictStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        var args = StatementArguments(request, context)
        let model = try session.model(&args, for: "predict", at: request.keywordRange)
        guard let arg = args.next() else {
            throw Diagnostic.error(.syntax, at: request.keywordRange, "expected what to predict from after `predict`",
                                   hint: "for example `predict \"had a general\"`, `predict [4, 2, 9]` or `predict test`")
        }
        if let extra = args.next() {
            throw Diagnostic.error(.syntax, at: extra.range, "unexpected argument; `predict` takes a model (optional) and one input")
        }
        let value = try args.value(of: arg, for: "the input")
        let spec = try NetworkBridge.spec(of: model, for: "predict", at: request.keywordRange)
        let trained = try Inference.network(model, session, statement: "predict", at: request.keywordRange)
        let network = trained.network
        if case .object(let o) = value, let data = o as? Dataset {
            try DataFit.check(data, spec, network, needsTargets: false, at: arg.range)
            if context.checkOnly { return .none }
            Inference.warnIfUntrained(model, trained, for: "predict", at: request.keywordRange, context)
            Inference.adoptNames(of: data, trained)
            let p = try Inference.predictions(network, count: data.count, context: context, at: arg.range) {
                let batch = data.batch($0)
                return (NetworkBridge.inputs(batch), batch.lengths)
            }
            let result = Value.tensor(TensorValue(Inference.named(p, spec)))
            context.define("prediction", result)
            return result
        }
        if case .list(let items) = value, !items.isEmpty, spec.input.kind == .tokens,
           items.allSatisfy({ if case .string = $0 { return true } else { return false } }) {
            // Several texts, as Keras predicts a batch: each as one text, a list of their results;
            // a warning is given once, and only the first text's note (how it was padded or cut).
            var said = Set<String>(), noted = false
            var results: [Value] = []
            for item in items {
                results.append(try one(item, model, trained, spec, at: arg.range, request, context) { d in
                    if d.severity == .note { if noted { return }; noted = true }
                    if said.insert(d.message).inserted { context.warn(d) }
                })
                if context.checkOnly { return .none }
            }
            let result = Value.list(results)
            context.define("prediction", result)
            return result
        }
        let result = try one(value, model, trained, spec, at: arg.range, request, context) { context.warn($0) }
        if context.checkOnly { return .none }
        context.define("prediction", result)
        return result
    }

    /// The prediction of one input (a text, a list of ids, a tensor): a record, or a tensor for
    /// a per-step model or a batch; none in a check.
    static func one(_ value: Value, _ model: Model, _ trained: TrainedNetwork, _ spec: ModelSpec, at range: SourceRange,
                    _ request: CommandRequest, _ context: CommandContext, warn: (Diagnostic) -> Void) throws -> Value {
        let network = trained.network
        let (inputs, lengths) = try Inference.inputs(value, trained, spec, at: range) { d in
            if !context.checkOnly { warn(d) }
        }
        if context.checkOnly { return .none }
        if let warning = Inference.untrainedWarning(model, trained, for: "predict", at: request.keywordRange) { warn(warning) }
        let p: Tensor
        if case .features(let xs, let samples, let steps, let f) = inputs, samples > Inference.chunk {
            let size = steps * f
            p = try Inference.predictions(network, count: samples, context: context, at: range) { rows in
                (.features(Array(xs[(rows.lowerBound * size)..<(rows.upperBound * size)]), batch: rows.count, steps: steps, features: f),
                 lengths.map { Array($0[rows]) })
            }
        } else {
            p = try Inference.predictions(network, inputs, lengths: lengths, at: range)
        }
        let c = network.outputSize
        let result: Value
        if inputs.batch == 1 && network.outputIsSequence {
            // One sequence through a per-step model: its outputs at every step, [time T, class V].
            result = .tensor(TensorValue(Inference.single(p, spec)))
        } else if inputs.batch == 1 {
            result = Inference.describe(Array(p.scalars[(p.count - c)...]), trained)
        } else {
            result = .tensor(TensorValue(Inference.named(p, spec)))
        }
        return result
    }
}

/// `generate [MODEL] from TEXT length N [temperature T] [top K]`
enum GenerateStatement {
    static let options = CommandTable.generate.form.optionNames

    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        var args = StatementArguments(request, context)
        let model = try session.model(&args, for: "generate", at: request.keywordRange)
        var seedText: (String, SourceRange)?, length: Int?, temperature: Double?, top: Int?
        var seen = Set<String>()
        while let option = args.next() {
            guard let word = option.word, options.contains(word) else { throw unknownOption(option, of: "`generate`", valid: options) }
            guard seen.insert(word).inserted else {
                throw Diagnostic.error(.syntax, at: option.range, "option '\(word)' is given twice")
            }
            switch word {
            case "from":
                let arg = try args.optionValue(after: option, what: "the text to continue", options: options)
                guard case .string(let s)? = arg.value else {
                    throw Diagnostic.error(.type, at: arg.range, "expected the text to continue as a string, got \(arg.value.map { args.shown($0, arg) } ?? arg.word ?? "?")",
                                           hint: "for example `generate from \"had a general\" length 32`")
                }
                seedText = (s, arg.range)
            case "length":
                let arg = try args.optionValue(after: option, what: "the number of symbols to generate", options: options)
                length = try args.positiveInt(arg, for: "the number of symbols to generate")
            case "temperature":
                temperature = try TrainPlanReader.positiveNumber(&args, after: option, what: "the temperature")
            default:
                let arg = try args.optionValue(after: option, what: "how many of the likeliest symbols to sample from", options: options)
                top = try args.positiveInt(arg, for: "the number of symbols to sample from")
            }
        }
        guard let (text, textRange) = seedText else {
            throw Diagnostic.error(.syntax, at: request.keywordRange, "`generate` needs a text to continue: add `from \"…\"`",
                                   hint: "for example `generate from \"had a general\" length 32`")
        }
        guard let length else {
            throw Diagnostic.error(.syntax, at: request.keywordRange, "`generate` needs `length N`: how many symbols to add")
        }
        let spec = try NetworkBridge.spec(of: model, for: "generate", at: request.keywordRange)
        guard spec.input.kind == .tokens else {
            throw Diagnostic.error(.type, at: request.keywordRange, "`generate` continues text, but this model reads vectors of numbers \(spec.input.shape)")
        }
        let trained = try Inference.network(model, session, statement: "generate", at: request.keywordRange)
        guard let vocabulary = trained.vocabulary else {
            throw Diagnostic.error(.type, at: request.keywordRange, "this model has no vocabulary, so it cannot turn ids back into text",
                                   hint: "train it on data made with a vocabulary (`windows(ids, n, vocab)`, `lm_batches(…, vocab)`)")
        }
        let network = trained.network
        guard network.loss == .crossEntropy, network.outputSize == vocabulary.size else {
            throw Diagnostic.error(.shape, at: request.keywordRange,
                "`generate` needs a model that predicts the next symbol over its vocabulary of \(vocabulary.size), but this one gives \(spec.outputShape)")
        }
        // A model with an output at every step is run one symbol at a time.
        if network.outputIsSequence { try NetworkBridge.checkBidirectional(spec, for: .generate, at: request.keywordRange) }
        var ids = try Inference.ids(of: text, trained, for: "generate", at: textRange) { d in
            if !context.checkOnly { context.warn(d) }
        }
        let window = spec.input.length
        if !network.outputIsSequence, let window, ids.count < window {
            throw Diagnostic.error(.shape, at: textRange, "the model reads \(window) symbols at a time, but the text has \(ids.count)",
                                   hint: "start from at least \(window) symbols")
        }
        if context.checkOnly { return .none }
        Inference.warnIfUntrained(model, trained, for: "generate", at: request.keywordRange, context)
        var produced: [Int] = []
        do {
            var probabilities: [Float]
            if network.outputIsSequence {
                network.resetGenerationState()
                probabilities = []
                for id in ids { probabilities = try network.generateStep(token: Int32(id)) }
            } else {
                probabilities = try next(network, ids, window: window ?? ids.count)
            }
            for _ in 0..<length {
                // Padding is never text: `<pad>` is not generated.
                if let pad = vocabulary.paddingID, pad < probabilities.count { probabilities[pad] = 0 }
                let id = choose(probabilities, temperature: temperature, top: top, &session.random)
                produced.append(id)
                ids.append(id)
                if network.outputIsSequence {
                    probabilities = try network.generateStep(token: Int32(id))
                } else {
                    probabilities = try next(network, ids, window: window ?? ids.count)
                }
                try context.checkCancelled(at: request.keywordRange)
            }
        } catch let e as NetworkError {
            throw Diagnostic.error(.runtime, at: request.keywordRange, "generation failed: \(e)")
        }
        let separator = vocabulary.characters ? "" : " "
        let continuation = produced.map { vocabulary.symbols[$0] }.joined(separator: separator)
        let result = text + (continuation.isEmpty ? "" : separator) + continuation
        context.output(result + "\n")
        context.define("generated", .string(result))
        return .string(result)
    }

    /// The next-symbol probabilities of a fixed-window model from the last `window` ids.
    static func next(_ network: Network, _ ids: [Int], window: Int) throws -> [Float] {
        let last = ids.suffix(window).map { Int32($0) }
        return try network.predict(.tokens(last, batch: 1, steps: last.count)).scalars
    }

    /// The likeliest id, or a seeded draw from the (sharpened or flattened) distribution.
    static func choose(_ p: [Float], temperature: Double?, top: Int?, _ random: inout SeededRandom) -> Int {
        var order = Array(p.indices)
        order.sort { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
        guard temperature != nil || top != nil else { return order[0] }
        let kept = Array(order.prefix(top ?? order.count))
        let t = temperature ?? 1
        let weights = kept.map { Foundation.pow(max(Double(p[$0]), 1e-30), 1 / t) }
        let total = weights.reduce(0, +)
        var u = random.uniformDouble() * total
        for (k, w) in zip(kept, weights) {
            u -= w
            if u < 0 { return k }
        }
        return kept.last!
    }
}
