// CheckCommands.swift — command statements in the checker.
//
// Every command is read with `StatementReader` against its declaration, as execution reads it,
// with arguments whose types (and values, where fixed) the checker inferred. Then:
//   - `model`, `input`, `layer`, `summary` run for real on the checker's own models: they only
//     build specs and check shapes (no weights). Sizes known only from data run as stand-in
//     integers that are shown by name again (`class vocab.size`); a diagnostic that rests on a
//     size the checker does not know is dropped rather than guessed;
//   - `train`, `evaluate`, `predict`, `generate`, `save`, `resume`, `check`, `plot`, `load`
//     are not run: the checker checks what they need (a complete current model, a vocabulary)
//     and binds what their declaration says they bind (`train` binds `history`).

import SeqLang

/// A command argument as the checker knows it.
struct CheckArg: ReadableArgument {
    var word: String?
    var range: SourceRange
    var isBound: Bool
    var type: CheckType
    var knownValue: Value? { type.constant }
    var knownType: String? { type.typeName }
}

/// What the real model statements may ask of the checker while they run on its models.
final class CheckContext: CommandContext {
    unowned let checker: Checker
    init(_ checker: Checker) { self.checker = checker }
    func output(_ text: String) {}
    func warn(_ diagnostic: Diagnostic) {
        if let d = checker.shown(diagnostic) { checker.report(d) }
    }
    func define(_ name: String, _ value: Value) {
        let type: CheckType
        if case .object(let o) = value, let m = o as? Model { type = .model(m) } else { type = CheckType.of(value) }
        checker.bind(name, type, at: checker.currentRange, in: checker.globals)
    }
    func lookup(_ name: String) -> Value? { nil }
    func authorize(path: String, writing: Bool, at range: SourceRange) throws -> String {
        try checker.host.authorize(path, writing, range)
    }
    func checkCancelled(at range: SourceRange) throws {}
    var checkOnly: Bool { true }
}

extension Checker {
    static let modelStatements: Set<String> = ["model", "input", "layer", "summary"]

    func command(_ s: Stmt, _ scope: CheckScope) throws -> CheckType {
        guard case .command(let keyword, let argExprs) = s.kind else { return .unknown }
        var args: [CheckArg] = []
        for e in argExprs {
            if case .variable(let name) = e.kind, e.extent == e.range {
                let bound = scope.lookup(name) ?? (host.natives.contains(name) ? .function(CheckFunction(native: name)) : nil)
                args.append(CheckArg(word: name, range: e.range, isBound: bound != nil, type: bound ?? .unknown))
            } else {
                args.append(CheckArg(word: nil, range: e.extent, isBound: true, type: try value(e, scope)))
            }
        }
        guard let declaration = host.declarations[keyword] else {
            if !host.commands.contains(keyword) {
                throw Diagnostic.error(.runtime, at: s.range, "the '\(keyword)' statement is not available: no handler is registered for it",
                                       hint: host.commands.isEmpty ? "this interpreter has no command statements installed"
                                           : "available: " + host.commands.sorted().joined(separator: ", "))
            }
            return .unknown  // a host's own statement: its arguments are checked as expressions
        }
        var whole = s.range
        if let last = args.last?.range, last.start.line == whole.start.line {
            whole.length = last.start.column + last.length - whole.start.column
        }
        currentRange = whole
        if !readsCommandsOnly {
            try models.checkNeeds(of: declaration, word: args.first?.word, modelGiven: args.contains { $0.knownType == "model" }, at: s.range)
        }
        do {
            let reading = try StatementReader.read(args, keywordRange: s.range, declaration) { [unowned self] in nameHint($0, scope) }
            if readsCommandsOnly { return .unknown }
            if Checker.modelStatements.contains(keyword) {
                return try modelStatement(keyword, args, reading, s.range, whole)
            }
            return try trainingStatement(declaration, args, reading, s.range)
        } catch {
            // What the statement would have bound or built is unknown from here, so later
            // lines are not blamed for it.
            if !readsCommandsOnly {
                if let name = declaration.binds?.name { bind(name, .unknown, at: s.range, in: globals) }
                if keyword == "layer" || keyword == "input", let m = models.current { unknownShape.insert(ObjectIdentifier(m)) }
                if keyword == "model" { modelFromFile() }
            }
            throw error
        }
    }

    // MARK: - Model statements, run on the checker's models

    private func modelStatement(_ keyword: String, _ args: [CheckArg], _ reading: StatementReading,
                                _ keywordRange: SourceRange, _ whole: SourceRange) throws -> CheckType {
        let current = models.current
        if keyword == "layer" || keyword == "input", let m = current, unknownShape.contains(ObjectIdentifier(m)) {
            return keyword == "layer" ? .layer : .shape
        }
        // The value each argument stands for, from the slot it fills.
        var slots: [Int: ValueSlot] = [:]
        for p in reading.positionals { slots[p.index] = p.slot }
        for o in reading.options { for v in o.values { slots[v.index] = v.slot } }
        var request: [CommandArg] = []
        for (i, arg) in args.enumerated() {
            if let word = arg.word, !arg.isBound {
                request.append(CommandArg(word: word, value: nil, at: arg.range))
                continue
            }
            if let word = arg.word, slots[i] == nil || slots[i]?.type == .name {
                // A word the statement reads as a word (a name, an option) even though it is bound.
                request.append(CommandArg(word: word, value: standIn(for: arg.type, slot: nil) ?? Value.none, at: arg.range))
                continue
            }
            guard let value = standIn(for: arg.type, slot: slots[i]) else {
                // An argument the model statements cannot be run with: the shape is unknown from here.
                if let m = current, keyword != "model" { unknownShape.insert(ObjectIdentifier(m)) }
                return keyword == "model" ? .model(nil) : .unknown
            }
            request.append(CommandArg(word: arg.word, value: value, at: arg.range))
        }
        let req = CommandRequest(keyword: keyword, keywordRange: keywordRange, args: request, range: whole)
        let context = CheckContext(self)
        let result: Value
        do {
            switch keyword {
            case "model": result = try ModelStatement.run(req, context, session: models)
            case "input": result = try InputStatement.run(req, context, session: models)
            case "layer": result = try LayerStatement.run(req, context, session: models)
            default: result = try SummaryStatement.run(req, context, session: models)
            }
        } catch let d as Diagnostic {
            if let shown = shown(d) { throw shown }
            if let m = models.current, keyword == "layer" || keyword == "input" { unknownShape.insert(ObjectIdentifier(m)) }
            return .unknown
        }
        return recordFacts(keyword, result, whole)
    }

    /// Facts and symbols of a model statement that ran.
    private func recordFacts(_ keyword: String, _ result: Value, _ whole: SourceRange) -> CheckType {
        switch keyword {
        case "model":
            guard case .object(let o) = result, let m = o as? Model else { return .unknown }
            symbols.append(Symbol(kind: .model, name: m.name, range: whole, detail: "model \(m.name)", parent: nil))
            facts.append(StatementFact(keyword: keyword, range: whole, shape: nil, parameters: nil, text: "model \(m.name) (no input yet)"))
            return .model(m)
        case "input":
            let shape = named(models.current?.outputFlow?.shape.description ?? "?")
            facts.append(StatementFact(keyword: keyword, range: whole, shape: shape, parameters: nil, text: shape))
            return .shape
        case "layer":
            var made: [ModelLayer] = []
            if case .object(let o) = result, let l = o as? ModelLayer { made = [l] }
            if case .list(let items) = result {
                made = items.compactMap { if case .object(let o) = $0 { return o as? ModelLayer } else { return nil } }
            }
            for layer in made {
                let shape = named(layer.shape.description)
                let exact = !usesStandIn(layer.spec)
                let params = exact ? layer.spec.parameterCount : nil
                var text = named(layer.spec.summaryText) + " -> " + shape
                if let params { text += "   \(groupedThousands(params)) params" }
                if layer.spec.kind != .dropout && layer.spec.dropout > 0 { text += ", dropout \(formatNumber(layer.spec.dropout))" }
                facts.append(StatementFact(keyword: keyword, range: whole, shape: shape, parameters: params, text: "layer " + text))
                symbols.append(Symbol(kind: .layer, name: layer.spec.name, range: whole, detail: text, parent: models.current?.name))
            }
            return made.count == 1 ? .layer : .list(.layer, items: made.map { _ in .layer })
        default:
            return .model(models.current)
        }
    }

    private func usesStandIn(_ spec: LayerSpec) -> Bool {
        [spec.units, spec.inputSize].contains { $0 >= Checker.standInBase }
    }

    /// The value an argument of type `type` stands for when the model statements run, nil when
    /// there is none.
    func standIn(for type: CheckType, slot: ValueSlot?) -> Value? {
        if case .int(_, let symbol?) = type { return .int(standInNumber(symbol)) }
        if let c = type.constant { return c }
        switch (type, slot?.type) {
        case (.number, .number(let range)?), (.int, .number(let range)?):
            return .number(range?.sample ?? 1)
        case (.int, _):
            return .int(standInNumber(nil))
        case (.number, _):
            return .number(1)
        case (.model(let m?), _):
            return .object(m)
        case (.list(let e, let items), _):
            if let items {
                let values = items.compactMap { standIn(for: $0, slot: nil) }
                return values.count == items.count ? .list(values) : nil
            }
            if case .int = e { return .int(standInNumber(nil)) }
            return nil
        case (.string, _):
            return .string("?")
        case (.bool, _):
            return .bool(false)
        default:
            return nil
        }
    }

    /// The stand-in integer for a size named `symbol` (the same one each time), or a fresh one.
    func standInNumber(_ symbol: String?) -> Int {
        if let symbol, let n = standInBySymbol[symbol] { return n }
        let n = Checker.standInBase + 1 + standIns.count
        standIns[n] = symbol ?? ""
        if let symbol { standInBySymbol[symbol] = n }
        return n
    }

    /// `text` with each stand-in shown as its name; nil when it rests on an unknown size.
    func named(_ text: String, anonymous: inout Bool) -> String {
        guard !standIns.isEmpty else { return text }
        var out = text
        for (n, name) in standIns.sorted(by: { $0.key > $1.key }) {
            for spelling in [String(n), groupedThousands(n)] where out.contains(spelling) {
                if name.isEmpty { anonymous = true }
                out = out.replacingOccurrences(of: spelling, with: name.isEmpty ? "N" : name)
            }
        }
        return out
    }

    func named(_ text: String) -> String {
        var anonymous = false
        return named(text, anonymous: &anonymous)
    }

    /// A diagnostic from the model statements as the user should see it, or nil when it rests
    /// on a size the checker does not know.
    func shown(_ d: Diagnostic) -> Diagnostic? {
        var anonymous = false
        var out = d
        out.message = named(d.message, anonymous: &anonymous)
        out.hint = d.hint.map { named($0, anonymous: &anonymous) }
        // Two sizes compared where one is known only from data (`vocab.size` against 10000)
        // may well be equal when the script runs: not proved, not reported.
        let compared = d.message.contains("does not match") || d.message.contains("features but receives")
        if compared && out.message != d.message { return nil }
        return anonymous ? nil : out
    }

    // MARK: - Training statements: needs and bindings

    /// Where `stateful` is written in a `train` statement (`stateful`, or `bptt N stateful`).
    private func statefulRange(_ reading: StatementReading, _ args: [CheckArg]) -> SourceRange? {
        if let option = reading.option("stateful") { return args[option.index].range }
        if let bptt = reading.option("bptt"), bptt.words.contains("stateful") {
            let after = (bptt.values.last?.index ?? bptt.index) + 1
            return after < args.count ? args[after].range : args[bptt.index].range
        }
        return nil
    }

    private func trainingStatement(_ declaration: CommandDeclaration, _ args: [CheckArg], _ reading: StatementReading,
                                   _ keywordRange: SourceRange) throws -> CheckType {
        let keyword = declaration.keyword
        let statementName = ModelSession.statementName(declaration)
        var model = models.current
        if let i = reading.positional("MODEL") ?? reading.option("into")?.values.first?.index {
            if case .model(let m) = args[i].type { model = m } else { model = nil }
        }
        // Paths are authorized as execution would (resolved, never opened).
        for (slot, i) in reading.positionals + reading.options.flatMap(\.values) {
            if case .path(let writing) = slot.type, case .string(let p?) = args[i].type {
                _ = try host.authorize(p, writing, args[i].range)
            }
        }
        let known = model.map { !unknownShape.contains(ObjectIdentifier($0)) } ?? false
        if declaration.needs(for: reading.form.word).contains(.completeModel), let model, known {
            _ = try NetworkBridge.spec(of: model, for: statementName, at: keywordRange)
        }
        func data(_ option: String) -> DataFact? {
            guard let i = reading.option(option)?.values.first?.index, case .dataset(let d) = args[i].type else { return nil }
            return d
        }
        // The data against the model's input, as far as the data's shape is known.
        if let model, known, let spec = model.spec {
            for option in ["on", "validate"] {
                guard let i = reading.option(option)?.values.first?.index, case .dataset(let d) = args[i].type,
                      let input = d.input else { continue }
                try fit(input, spec, at: args[i].range)
            }
            if keyword == "predict", let i = reading.positional("INPUT"), case .dataset(let d) = args[i].type, let input = d.input {
                try fit(input, spec, at: args[i].range)
            }
        }
        // What a bidirectional layer cannot do, refused where execution refuses it.
        if let model, known, let spec = model.spec {
            if keyword == "train", let at = statefulRange(reading, args) {
                try NetworkBridge.checkBidirectional(spec, for: .stateful, at: at)
            }
            if keyword == "generate", spec.outputShape.axes.count == 3 {
                try NetworkBridge.checkBidirectional(spec, for: .generate, at: keywordRange)
            }
        }
        switch keyword {
        case "train", "resume":
            if let model, let d = data("on") {
                if d.noVocabulary { withoutVocabulary.insert(ObjectIdentifier(model)) }
                else { withoutVocabulary.remove(ObjectIdentifier(model)) }
                trainedModels.insert(ObjectIdentifier(model))
            }
            var fields: [(key: String, type: CheckType)] = [("loss", .list(.number, items: nil))]
            if reading.option("validate") != nil { fields.append(("val_loss", .list(.number, items: nil))) }
            fields += [("lr", .list(.number, items: nil)), ("epochs", .int), ("steps", .int), ("seconds", .number),
                       ("stopped_early", .bool)]
            let history = CheckType.record(fields, open: true)
            bind("history", history, at: keywordRange, in: globals)
            return history
        case "evaluate":
            let evaluation = CheckType.record([("loss", .number)], open: true)
            bind("evaluation", evaluation, at: keywordRange, in: globals)
            return evaluation
        case "predict":
            bind("prediction", .unknown, at: keywordRange, in: globals)
            return .unknown
        case "generate":
            if let model, known, let spec = model.spec {
                guard spec.input.kind == .tokens else {
                    throw Diagnostic.error(.type, at: keywordRange,
                        "`generate` continues text, but this model reads vectors of numbers \(named(spec.input.shape.description))")
                }
                let id = ObjectIdentifier(model)
                if withoutVocabulary.contains(id) || !trainedModels.contains(id) {
                    throw Diagnostic.error(.type, at: keywordRange, "this model has no vocabulary, so it cannot turn ids back into text",
                        hint: "train it on data made with a vocabulary (`windows(ids, n, vocab)`, `lm_batches(…, vocab)`)")
                }
            }
            bind("generated", .string, at: keywordRange, in: globals)
            return .string
        case "check":
            let gradients = CheckType.record([], open: true)
            bind("gradients", gradients, at: keywordRange, in: globals)
            return gradients
        case "load":
            if reading.form.word == "onnx" {
                // `load onnx` makes the model in the file current; its shape is known only then.
                modelFromFile()
                return .model(nil)
            }
            if let model { trainedModels.insert(ObjectIdentifier(model)) }
            return .none
        default:
            return .none
        }
    }

    /// The rules of `DataFit.check` that the data's shape alone decides.
    private func fit(_ input: DataFact.DataInput, _ spec: ModelSpec, at range: SourceRange) throws {
        let modelShape = named(spec.input.shape.description)
        func mismatch(_ why: String, hint: String? = nil) -> Diagnostic {
            Diagnostic.error(.shape, at: range, "expected \(modelShape) but the data gives \(input.shape)\(why)", hint: hint)
        }
        switch (spec.input.kind, input) {
        case (.tokens, .features(let t, let f)):
            throw mismatch(": the model reads token ids, the data has vectors of numbers",
                           hint: "declare `input sequence \(t.map { "\($0) " } ?? "")features \(f ?? 0)` for this data")
        case (.sequence, .tokens):
            throw mismatch(": the model reads vectors of numbers, the data has token ids",
                           hint: "declare `input tokens vocab V` and an embedding for this data")
        case (.tokens, .tokens(let t?)):
            if let length = spec.input.length, length < Checker.standInBase, length != t {
                throw mismatch(": \(t) time steps where the model reads \(length)")
            }
        case (.sequence, .features(let t, let f)):
            if let length = spec.input.length, length < Checker.standInBase, let t, length != t {
                throw mismatch(": \(t) time steps where the model reads \(length)")
            }
            if let f, let g = spec.input.features, g < Checker.standInBase, f != g {
                throw mismatch(": \(f) features at each step where the model reads \(g)")
            }
        default:
            return
        }
    }
}
