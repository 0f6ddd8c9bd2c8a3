// LayerStatement.swift — the `layer` statement: reads a layer's kind, sizes and options,
// resolves them into a `LayerSpec`, checks it against the shape it receives and appends it
// to the current model.
//
//     layer -> "layer" KIND SIZES {OPTION}
//     embedding [VOCAB] DIM   {dropout R | keep P | init I | frozen}
//     lstm UNITS | [UNITS, …]  {dropout R | keep P | layers N | last | bidirectional | forget_bias F | init I | bias C}
//     gru UNITS | [UNITS, …]   {dropout R | keep P | layers N | last | bidirectional | init I | bias C}
//     rnn UNITS | [UNITS, …]   {tanh | relu | dropout R | keep P | layers N | last | bidirectional | init I | bias C}
//     dense UNITS [ACTIVATION] {per step | init I | bias C}
//     dropout RATE
//     I -> uniform R | glorot | normal S
//
// A list of sizes (`layer lstm [128, 64] dropout 0.5 last`) adds one recurrent layer per size,
// each with the options; `last` applies to the final one. `bidirectional` doubles a recurrent
// layer's output features (both directions side by side).
//
// Every problem is reported where it was written: a bad size at the size, a bad option at
// the option, a shape that does not fit at the kind and its sizes (`lstm 128`).

import SeqLang

enum LayerStatement {
    static let kinds = LayerSpec.Kind.allCases.map(\.rawValue)
    static let activations = Activation.allCases.map(\.rawValue)
    static let initializers = ["uniform", "glorot", "normal"]

    /// The options each kind accepts, as `CommandTable` declares them (dense also accepts its
    /// activation as a bare word).
    static func options(for kind: LayerSpec.Kind) -> [String] {
        CommandTable.layerKind(kind.rawValue)?.optionNames ?? []
    }

    /// Dropout rates from this one up draw a warning that `keep` may have been meant.
    static let highDropoutWarning = 0.7

    static func run(_ request: CommandRequest, _ context: CommandContext, session: ModelSession) throws -> Value {
        let model = try session.requireCurrent(for: "layer", at: request.keywordRange)
        var args = StatementArguments(request, context)

        // KIND
        guard let kindArg = args.next() else {
            throw Diagnostic.error(.syntax, at: request.keywordRange,
                "expected a layer kind after `layer`: \(Suggestion.list(kinds))",
                hint: "for example `layer lstm 128`")
        }
        guard let kindWord = kindArg.word else {
            throw Diagnostic.error(.type, at: kindArg.range,
                "expected a layer kind (\(Suggestion.list(kinds))), got \(kindArg.value?.debugText ?? "?")")
        }
        guard let kind = LayerSpec.Kind(rawValue: kindWord) else {
            if let near = didYouMean(kindWord, among: kinds) {
                throw Diagnostic.error(.name, at: kindArg.range, "unknown layer kind '\(kindWord)'; " + near,
                    hint: "layer kinds: \(kinds.joined(separator: ", "))")
            }
            throw Diagnostic.error(.name, at: kindArg.range,
                "unknown layer kind '\(kindWord)'; expected \(Suggestion.list(kinds))")
        }
        guard let flow = model.outputFlow else {
            throw Diagnostic.error(.shape, at: kindArg.range,
                "model '\(model.name)' has no input yet, so this \(kindWord) layer has no shape to work on",
                hint: "say what the model reads first: `input tokens 100 vocab 10000` or `input sequence 28 features 28`")
        }
        let valid = options(for: kind)

        // SIZES
        var units = 0, explicitVocabulary: (value: Int, range: SourceRange)?
        var dropoutRate: (rate: Double, option: CommandArg, arg: CommandArg)?
        var unitsArg = kindArg
        var sizes: [Int] = []  // `layer lstm [128, 64]`: one LSTM per size
        switch kind {
        case .embedding:
            let what = "the embedding dimension"
            let first = try required(&args, after: kindArg, what, kindWord)
            let a = try args.positiveInt(first, for: what, optionWords: valid)
            if let next = args.peek, isPositional(next, valid) {
                _ = args.next()
                let vocabulary = try args.positiveInt(first, for: "the vocabulary size")
                units = try args.positiveInt(next, for: what, optionWords: valid)
                explicitVocabulary = (vocabulary, first.range)
                unitsArg = next
            } else {
                units = a
                unitsArg = first
            }
        case .lstm, .gru, .rnn, .dense:
            let what = "the number of units"
            unitsArg = try required(&args, after: kindArg, what, kindWord)
            if kind.isRecurrent, case .list(let items)? = unitsArg.value {
                sizes = try stackSizes(items, unitsArg, kindWord)
                units = sizes[0]
            } else {
                units = try args.positiveInt(unitsArg, for: what, optionWords: valid)
            }
        case .dropout:
            let what = "the dropout rate"
            let rateArg = try required(&args, after: kindArg, what, kindWord)
            let rate = try args.number(rateArg, for: what)
            dropoutRate = (rate, kindArg, rateArg)
            unitsArg = rateArg
        }

        // OPTIONS
        var seen: [String: CommandArg] = [:]
        var stack = 1, last = false, bidirectional = false, perStep: CommandArg?, frozen = false
        var activation: Activation?
        var forgetBias = 1.0, weightInit: Initializer?, biasConstant: Double?
        while let option = args.next() {
            guard let word = option.word, valid.contains(word) else {
                throw unknownOption(option, of: "\(Suggestion.article(kindWord)) \(kindWord) layer", valid: valid)
            }
            if let act = Activation(rawValue: word) {
                if activation != nil {
                    throw Diagnostic.error(.syntax, at: option.range,
                        "the activation is given twice: '\(activation!.rawValue)' and '\(word)'")
                }
                activation = act
                continue
            }
            if seen[word] != nil {
                throw Diagnostic.error(.syntax, at: option.range, "option '\(word)' is given twice")
            }
            if (word == "dropout" && seen["keep"] != nil) || (word == "keep" && seen["dropout"] != nil) {
                throw Diagnostic.error(.type, at: option.range,
                    "`dropout` and `keep` both set this layer's dropout; give only one",
                    hint: "`dropout 0.2` drops 20% of the values and `keep 0.8` keeps 80%: the same setting")
            }
            seen[word] = option
            switch word {
            case "dropout":
                let v = try args.optionValue(after: option, what: "the fraction of values to drop, at least 0 and below 1", options: valid)
                dropoutRate = (try args.number(v, for: "the dropout rate"), option, v)
            case "keep":
                let v = try args.optionValue(after: option, what: "the fraction of values to keep, above 0 and at most 1", options: valid)
                let p = try args.number(v, for: "the keep probability")
                guard p > 0 && p <= 1 else {
                    throw Diagnostic.error(.type, at: v.range,
                        "the keep probability must be above 0 and at most 1, got \(formatNumber(p))",
                        hint: "`keep P` is the fraction of values kept; `keep 1` keeps them all")
                }
                // Rounded so that `keep 0.8` gives exactly the rate `dropout 0.2` gives.
                dropoutRate = (((1 - p) * 1e12).rounded() / 1e12, option, v)
            case "layers":
                let v = try args.optionValue(after: option, what: "the number of stacked \(kindWord.uppercased()) layers", options: valid)
                stack = try args.positiveInt(v, for: "the number of stacked layers")
            case "last":
                last = true
            case "bidirectional":
                bidirectional = true
            case "forget_bias":
                let v = try args.optionValue(after: option, what: "the forget-gate bias", options: valid)
                forgetBias = try args.number(v, for: "the forget-gate bias")
            case "init":
                weightInit = try readInitializer(after: option, &args, options: valid)
            case "bias":
                let v = try args.optionValue(after: option, what: "the starting value of the biases", options: valid)
                biasConstant = try args.number(v, for: "the starting value of the biases")
            case "frozen":
                frozen = true
            case "per":
                guard let step = args.peek, step.word == "step" else {
                    throw Diagnostic.error(.syntax, at: option.range, "expected `per step`",
                        hint: "`per step` applies the dense layer at every time step")
                }
                _ = args.next()
                perStep = option
            default:
                preconditionFailure("option '\(word)' is listed for \(kindWord) but not handled")
            }
        }

        // Dropout rate: checked where it was written, a warning when it looks like a keep.
        var rate = 0.0
        if let d = dropoutRate {
            let spelledAsDrop = d.option.word != "keep"
            if spelledAsDrop && !(d.rate >= 0 && d.rate < 1) {
                throw Diagnostic.error(.type, at: d.arg.range,
                    "the dropout rate must be at least 0 and below 1, got \(formatNumber(d.rate))",
                    hint: "`dropout R` is the fraction of values dropped during training; `dropout 0.2` drops 20%")
            }
            if spelledAsDrop && d.rate >= highDropoutWarning {
                let percent = Int((d.rate * 100).rounded())
                context.warn(.warning(at: d.arg.range,
                    "dropout \(formatNumber(d.rate)) drops \(percent)% of the values during training",
                    hint: "if \(formatNumber(d.rate)) is the fraction to keep (TensorFlow's keep_prob), write `keep \(formatNumber(d.rate))`, which keeps \(percent)%"))
            }
            rate = d.rate
        }

        if sizes.count > 0, let layersOption = seen["layers"] {
            throw Diagnostic.error(.syntax, at: layersOption.range,
                "`layers N` stacks one size N times, but the sizes are already given as a list",
                hint: "write `layer lstm [200, 200]` or `layer lstm 200 layers 2`")
        }

        // Resolve into a spec.
        let index = model.layers.filter { $0.spec.kind == kind }.count
        var inputSize = flow.features ?? 0
        if kind == .embedding, case .tokens(_, let inputVocabulary) = flow {
            if let explicit = explicitVocabulary {
                if let inputVocabulary, inputVocabulary != explicit.value {
                    throw Diagnostic.error(.shape, at: explicit.range,
                        "the embedding's vocabulary \(explicit.value) does not match the input's vocab \(inputVocabulary)",
                        hint: "write `layer embedding \(units)` to use the input's vocabulary")
                }
                inputSize = explicit.value
            } else if let inputVocabulary {
                inputSize = inputVocabulary
            } else {
                throw Diagnostic.error(.shape, at: unitsArg.range,
                    "the embedding needs a vocabulary size, but the input gives none",
                    hint: "write `layer embedding VOCAB \(units)`, or give the input one: `input tokens vocab VOCAB`")
            }
        }
        let chosenInit = weightInit ?? model.defaultInit
        let weights = chosenInit ?? (kind == .embedding ? .uniform(0.05) : .glorot)
        let biases: Initializer
        if let biasConstant { biases = .constant(biasConstant) }
        else if case .uniform(let r)? = chosenInit { biases = .uniform(r) }
        else { biases = .constant(0) }
        let resolvedActivation = activation ?? (kind == .rnn ? .tanh : .linear)
        var made: [ModelLayer] = []
        var current = flow
        for (k, size) in (sizes.isEmpty ? [units] : sizes).enumerated() {
            let isFinal = sizes.isEmpty || k == sizes.count - 1
            let spec = LayerSpec(
                kind: kind, name: "\(kind.rawValue)\(index + k)",
                units: kind == .dropout ? (current.features ?? 0) : size,
                inputSize: k == 0 ? inputSize : (current.features ?? 0),
                stack: stack, last: last && isFinal, bidirectional: bidirectional, perStep: perStep != nil,
                activation: resolvedActivation, dropout: rate,
                forgetBias: kind == .lstm ? forgetBias : 0,
                weightInit: weights, biasInit: biases, trainable: !frozen)

            // Shape check.
            switch current.applying(spec) {
            case .success(let out):
                made.append(ModelLayer(spec: spec, flow: out, statement: request.range))
                current = out
            case .failure(let mismatch):
                // A shape that does not fit is reported at the kind and its sizes (`lstm 128`).
                var place = kindArg
                let end = unitsArg.range.start.column + unitsArg.range.length
                if unitsArg.range.start.line == kindArg.range.start.line, end > kindArg.range.start.column {
                    place.range.length = end - kindArg.range.start.column
                }
                throw diagnostic(for: mismatch, spec: spec, model: model, kindArg: place, perStep: perStep)
            }
        }
        for layer in made { model.append(layer) }
        return made.count == 1 ? .object(made[0]) : .list(made.map { .object($0) })
    }

    /// The sizes of `layer lstm [128, 64]`: a non-empty list of positive integers.
    private static func stackSizes(_ items: [Value], _ arg: CommandArg, _ kind: String) throws -> [Int] {
        let sizes = items.compactMap { item -> Int? in
            if case .int(let n) = item, n > 0 { return n }
            return nil
        }
        guard !items.isEmpty, sizes.count == items.count else {
            throw Diagnostic.error(.type, at: arg.range,
                "expected a list of positive integers for the sizes of the stacked \(kind.uppercased()) layers, got \(Value.list(items).debugText)",
                hint: "for example `layer \(kind) [128, 64]`: \(Suggestion.article(kind)) \(kind) of 128 units, then one of 64")
        }
        return sizes
    }

    /// `uniform R` | `glorot` | `normal S` after an `init` option.
    static func readInitializer(after option: CommandArg, _ args: inout StatementArguments,
                                options: [String]) throws -> Initializer {
        let what = "an initializer: uniform R, glorot or normal S"
        let kindArg = try args.optionValue(after: option, what: what, options: options)
        guard let word = kindArg.word, initializers.contains(word) else {
            let found = kindArg.word.map { "'\($0)'" } ?? kindArg.value?.debugText ?? "?"
            throw Diagnostic.error(.name, at: kindArg.range,
                Suggestion.message("unknown initializer \(found)", for: kindArg.word, among: initializers),
                hint: "initializers: `uniform 0.1` (between -0.1 and 0.1), `glorot`, `normal 0.1` (truncated normal, deviation 0.1)")
        }
        if word == "glorot" { return .glorot }
        let scaleWhat = word == "uniform" ? "the uniform range" : "the standard deviation"
        guard let scaleArg = args.peek, isPositional(scaleArg, options) else {
            throw Diagnostic.error(.syntax, at: kindArg.range,
                "initializer '\(word)' needs \(scaleWhat)", hint: "for example `init \(word) 0.1`")
        }
        _ = args.next()
        let scale = try args.number(scaleArg, for: scaleWhat)
        guard scale > 0 else {
            throw Diagnostic.error(.type, at: scaleArg.range,
                "expected a positive number for \(scaleWhat), got \(formatNumber(scale))")
        }
        return word == "uniform" ? .uniform(scale) : .truncatedNormal(scale)
    }

    /// The next argument, which must be there: `what` is named in the error otherwise.
    private static func required(_ args: inout StatementArguments, after kindArg: CommandArg,
                                 _ what: String, _ kindWord: String) throws -> CommandArg {
        guard let arg = args.next() else {
            throw Diagnostic.error(.syntax, at: kindArg.range,
                "expected \(what) after `\(kindWord)`", hint: example(kindWord))
        }
        return arg
    }

    /// True when `arg` is a value rather than an option word of this statement.
    static func isPositional(_ arg: CommandArg, _ options: [String]) -> Bool {
        guard let word = arg.word else { return true }
        if options.contains(word) { return false }
        return arg.value != nil || Suggestion.closest(to: word, in: options) == nil
    }

    static func example(_ kind: String) -> String {
        switch kind {
        case "embedding": return "for example `layer embedding 64` (or `layer embedding 10000 64` with the vocabulary)"
        case "dropout": return "for example `layer dropout 0.5`"
        default: return "for example `layer \(kind) 128`"
        }
    }


    /// A shape mismatch as a diagnostic at the place that caused it, with the likely fix.
    static func diagnostic(for mismatch: ShapeMismatch, spec: LayerSpec, model: Model,
                           kindArg: CommandArg, perStep: CommandArg?) -> Diagnostic {
        let kind = spec.kind.rawValue
        let previous = model.layers.last?.spec
        switch mismatch {
        case .needsTokens(let found):
            let hint = model.layers.isEmpty
                ? "the input already gives vectors; an embedding is for `input tokens` (integer ids)"
                : "an embedding turns token ids into vectors, so it comes right after `input tokens`"
            return .error(.shape, at: kindArg.range,
                "an embedding needs token ids [batch, time], but it receives \(found.shape)", hint: hint)
        case .needsVectors(let found):
            let expected = spec.kind.isRecurrent ? "a sequence of vectors [batch, time, feature]" : "vectors"
            return .error(.shape, at: kindArg.range,
                "\(Suggestion.article(kind)) \(kind) layer needs \(expected), but it receives token ids \(found.shape)",
                hint: "add `layer embedding 64` before it to turn each token id into a vector of 64 features")
        case .needsSequence(let found):
            if spec.kind == .dense, let perStep {
                return .error(.shape, at: perStep.range,
                    "`per step` needs a sequence [batch, time, feature], but the dense layer receives one vector per example \(found.shape)",
                    hint: "remove `per step`: the layer before already gives one vector per example")
            }
            let hint = previous.map { $0.kind.isRecurrent && $0.last } == true
                ? "the \(previous!.kind.rawValue) before it keeps only its final step (`last`); remove `last` there to pass the whole sequence on"
                : "\(Suggestion.article(kind)) \(kind) reads a sequence; put it before the layers that reduce the sequence to one vector"
            return .error(.shape, at: kindArg.range,
                "\(Suggestion.article(kind)) \(kind) layer needs a sequence [batch, time, feature], but it receives one vector per example \(found.shape)",
                hint: hint)
        case .needsSingleVector(let found):
            let act = spec.activation == .linear ? "" : " \(spec.activation.rawValue)"
            return .error(.shape, at: kindArg.range,
                "a dense layer needs one vector per example [batch, feature], but it receives a sequence \(found.shape)",
                hint: "add `last` to the \(previous.map { $0.kind.isRecurrent ? $0.kind.rawValue : "lstm" } ?? "lstm") to keep only its final step, or write `layer dense \(spec.units)\(act) per step` for an output at every step")
        case .vocabulary(let expected, let found):
            return .error(.shape, at: kindArg.range,
                "the embedding's vocabulary \(found) does not match the input's vocab \(expected)")
        case .features(let expected, let found):
            return .error(.shape, at: kindArg.range,
                "\(Suggestion.article(kind)) \(kind) layer expects \(expected) features but receives \(found)")
        }
    }
}
