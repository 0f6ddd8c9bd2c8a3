// ModelCommands.swift — the `model`, `input` and `summary` statements, and `install(into:)`,
// which registers them with `layer` (LayerStatement.swift) in an interpreter.
//
//     model NAME [init INITIALIZER]          declares a model, makes it current, binds NAME
//     input tokens [LENGTH] [vocab V]        token ids: [batch, time LENGTH]
//     input sequence [LENGTH] features F     vectors: [batch, time LENGTH, feature F]
//     summary [MODEL]                        prints the table of layers, shapes, parameters
//
// A missing LENGTH means sequences of variable length (`[batch, time]`).

import SeqLang

/// The model-building statements of SeqLang.
enum ModelCommands {
    /// Registers `model`, `input`, `layer` and `summary` with `registry`, acting on `session`
    /// (the interpreter's models), and returns it.
    @discardableResult
    static func install(into registry: CommandRegistry, session: ModelSession = ModelSession()) -> ModelSession {
        registry.register(CommandTable.model) { request, context in
            try ModelStatement.run(request, context, session: session)
        }
        registry.register(CommandTable.input) { request, context in
            try InputStatement.run(request, context, session: session)
        }
        registry.register(CommandTable.layer) { request, context in
            try LayerStatement.run(request, context, session: session)
        }
        registry.register(CommandTable.summary) { request, context in
            try SummaryStatement.run(request, context, session: session)
        }
        return session
    }
}

/// `model NAME [init INITIALIZER]`
enum ModelStatement {
    static let options = CommandTable.model.form.optionNames

    static func run(_ request: CommandRequest, _ context: CommandContext, session: ModelSession) throws -> Value {
        var args = StatementArguments(request, context)
        guard let nameArg = args.next() else {
            throw Diagnostic.error(.syntax, at: request.keywordRange,
                "expected a name after `model`", hint: "for example `model sentiment`")
        }
        let name: String
        if let word = nameArg.word {
            name = word
        } else if case .string(let s)? = nameArg.value, !s.isEmpty {
            name = s
        } else {
            throw Diagnostic.error(.type, at: nameArg.range,
                "expected a name after `model`, got \(nameArg.value?.debugText ?? "nothing")",
                hint: "for example `model sentiment`")
        }
        let model = Model(name: name)
        model.initialNetwork = { [weak session, weak model] in model.flatMap { session?.makeNetwork?($0) } }
        while let option = args.next() {
            guard let word = option.word, word == "init" else {
                throw unknownOption(option, of: "a model", valid: options)
            }
            model.defaultInit = try LayerStatement.readInitializer(after: option, &args, options: options)
        }
        session.current = model
        context.define(name, .object(model))
        return .object(model)
    }
}

/// `input tokens [LENGTH] [vocab V]` | `input sequence [LENGTH] features F`
enum InputStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, session: ModelSession) throws -> Value {
        let model = try session.requireCurrent(for: "input", at: request.keywordRange)
        var args = StatementArguments(request, context)
        let kinds = ["tokens", "sequence"]
        guard let kindArg = args.next() else {
            throw Diagnostic.error(.syntax, at: request.keywordRange,
                "expected what the model reads after `input`: tokens or sequence",
                hint: "for example `input tokens 100 vocab 10000` or `input sequence 28 features 28`")
        }
        guard let kindWord = kindArg.word, let kind = InputSpec.Kind(rawValue: kindWord) else {
            let found = kindArg.word.map { "'\($0)'" } ?? kindArg.value?.debugText ?? "?"
            throw Diagnostic.error(.name, at: kindArg.range,
                Suggestion.message("unknown input kind \(found)", for: kindArg.word, among: kinds),
                hint: "an input is `tokens` (integer ids) or `sequence` (vectors of numbers)")
        }
        if !model.layers.isEmpty {
            throw Diagnostic.error(.shape, at: request.keywordRange,
                "the input of model '\(model.name)' must come before its layers, and it already has \(model.layers.count)",
                hint: "declare `model \(model.name)` again to start over")
        }
        let valid = kind == .tokens ? ["vocab"] : ["features"]
        var length: Int?
        if let next = args.peek, !(next.word.map(valid.contains) ?? false),
           next.value != nil || next.word == nil || Suggestion.closest(to: next.word!, in: valid) == nil {
            _ = args.next()
            length = try args.positiveInt(next, for: "the number of time steps", optionWords: valid)
        }
        var vocabulary: Int?, features: Int?
        while let option = args.next() {
            guard let word = option.word, valid.contains(word) else {
                throw unknownOption(option, of: "a \(kindWord) input", valid: valid)
            }
            if (word == "vocab" ? vocabulary : features) != nil {
                throw Diagnostic.error(.syntax, at: option.range, "option '\(word)' is given twice")
            }
            let what = word == "vocab" ? "the vocabulary size" : "the number of features at each step"
            let valueArg = try args.optionValue(after: option, what: what, options: valid)
            let n = try args.positiveInt(valueArg, for: what)
            if word == "vocab" { vocabulary = n } else { features = n }
        }
        if kind == .sequence && features == nil {
            throw Diagnostic.error(.syntax, at: kindArg.range,
                "a sequence input needs `features N`, the number of values at each step",
                hint: "for example `input sequence \(length.map(String.init) ?? "28") features 28`")
        }
        let input = InputSpec(kind: kind, length: length, vocabulary: vocabulary, features: features)
        model.setInput(input)
        return .shape(input.shape)
    }
}

/// `summary [MODEL]`
enum SummaryStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, session: ModelSession) throws -> Value {
        let model: Model
        if let arg = request.args.first {
            guard case .object(let object)? = arg.value, let m = object as? Model else {
                if arg.value == nil, let word = arg.word {
                    throw Diagnostic.error(.name, at: arg.range, "unknown name '\(word)'",
                        hint: "`summary` takes a model, or nothing for the current one")
                }
                throw Diagnostic.error(.type, at: arg.range,
                    "expected a model, got \(arg.value.map { "\(Suggestion.article($0.typeName)) \($0.typeName)" } ?? "nothing")")
            }
            model = m
            if request.args.count > 1 {
                throw Diagnostic.error(.syntax, at: request.args[1].range,
                    "unexpected argument after the model; `summary` takes at most one")
            }
        } else {
            model = try session.requireCurrent(for: "summary", at: request.keywordRange)
        }
        context.output(SummaryTable(model: model).text)
        return .object(model)
    }
}

/// The diagnostic for an option this statement does not know: did-you-mean (a Keras or
/// PyTorch spelling too, ForeignSpellings.swift) or the list.
func unknownOption<A: ReadableArgument>(_ arg: A, of what: String, valid: [String]) -> Diagnostic {
    guard let word = arg.word else {
        return Diagnostic.error(.syntax, at: arg.range,
            "expected an option of \(what), got \(arg.knownValue?.debugText ?? "?")",
            hint: valid.isEmpty ? "\(what) takes no options" : "valid options: \(valid.joined(separator: ", "))")
    }
    let message = "unknown option '\(word)' for \(what)"
    return Diagnostic.error(.name, at: arg.range,
        ForeignSpellings.leftOutMessage(message, for: word, among: valid, values: Activation.allCases.map(\.rawValue))
            ?? ForeignSpellings.message(message, for: word, among: valid),
        hint: valid.isEmpty ? "\(what) takes no options" : "valid options: \(valid.joined(separator: ", "))")
}
