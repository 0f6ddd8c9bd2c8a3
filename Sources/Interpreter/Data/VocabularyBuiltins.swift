// VocabularyBuiltins.swift — vocabulary, encode, decode: between symbols and ids. Each walks
// its symbols under a `Pacer` (a stop is seen within a few thousand symbols).

import SeqLang

enum VocabularyBuiltins {
    static func install(into registry: CommandRegistry) {
        registry.register(function: "vocabulary") { values, context, range in
            let args = try Arguments("vocabulary", values, context, range,
                                     names: ["symbols", "size limit", "\"open\" or \"closed\"", "\"chars\" or \"words\""], optional: 3)
            // vocabulary(symbols [, N] [, KIND] [, UNIT]): the words may stand in N's place, in
            // either order.
            var wordsFrom = 1
            if args.has(1) {
                if case .string = args.values[1] {} else { wordsFrom = 2 }
            }
            let words = try FunctionChoices.words(args, from: wordsFrom)
            let closed = words[FunctionChoices.vocabularyKind.name] == "closed"
            let characters = words[FunctionChoices.vocabularyUnit.name].map { $0 == "chars" }
            let limit = wordsFrom == 2 && args.given(1) ? try args.positiveInt(1, "the largest vocabulary size") : nil
            if let limit, !closed, limit < 2 {
                throw Diagnostic.error(.runtime, at: args.range,
                                       "vocabulary: a cap of \(limit) leaves no room for a symbol: ids 0 and 1 are <pad> and <unk>",
                                       hint: "give a larger cap, or ask for a closed vocabulary without them: vocabulary(symbols, N, \"closed\")")
            }
            var pace = Pacer(context, at: range, building: "the vocabulary")
            let corpus = try flatSymbols(args, 0, pace: &pace)
            return .object(try Vocabulary.counting(corpus, limit: limit, reserve: !closed, characters: characters, pace: &pace))
        }
        registry.register(function: "encode") { values, context, range in
            let args = try Arguments("encode", values, context, range, names: ["vocabulary", "symbols"])
            let vocab = try args.object(0, "a vocabulary", as: Vocabulary.self, typeName: "vocabulary",
                                        hint: "make one with vocabulary(symbols, N)")
            var unknown = UnknownSymbols(includingFolded: false)
            var pace = Pacer(context, at: range, building: "the ids")
            let ids = try encode(args, vocab, args.values[1], path: [], &unknown, pace: &pace)
            if let warning = unknown.warning("encode", at: range) { context.warn(warning) }
            return ids
        }
        registry.register(function: "decode") { values, context, range in
            let args = try Arguments("decode", values, context, range, names: ["vocabulary", "ids"])
            let vocab = try args.object(0, "a vocabulary", as: Vocabulary.self, typeName: "vocabulary",
                                        hint: "make one with vocabulary(symbols, N)")
            var pace = Pacer(context, at: range, building: "the symbols")
            return try decode(args, vocab, args.values[1], path: [], pace: &pace)
        }
    }

    /// The symbols of a list of strings, or of a list of such lists (one per sample), in order.
    static func flatSymbols(_ args: Arguments, _ i: Int, pace: inout Pacer) throws -> [String] {
        let items = try args.list(i, "the symbols")
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (k, v) in items.enumerated() {
            try pace.tick()
            switch v {
            case .string(let s): out.append(s)
            case .list(let inner):
                for (j, x) in inner.enumerated() {
                    guard case .string(let s) = x else {
                        throw Diagnostic.error(.type, at: args.range,
                                               "\(args.function) expects symbols (strings) but item \(j + 1) of item \(k + 1) is \(x.typeName)")
                    }
                    out.append(s)
                }
            default:
                throw Diagnostic.error(.type, at: args.range,
                                       "\(args.function) expects symbols (a list of strings) as argument \(i + 1) but item \(k + 1) is \(v.typeName)",
                                       hint: "split text into symbols first with words(text), tokens(text) or chars(text)")
            }
        }
        return out
    }

    private static func position(_ path: [Int]) -> String {
        path.isEmpty ? "" : " (item " + path.reversed().map { String($0 + 1) }.joined(separator: " of item ") + ")"
    }

    private static func encode(_ args: Arguments, _ vocab: Vocabulary, _ value: Value, path: [Int], _ unknown: inout UnknownSymbols,
                               pace: inout Pacer) throws -> Value {
        try pace.tick()
        switch value {
        case .string(let s):
            if let id = unknown.id(of: s, in: vocab) { return .int(id) }
            throw Diagnostic.error(.runtime, at: args.range,
                                   "encode: symbol \"\(s)\"\(position(path)) is not in the vocabulary of \(vocab.size) symbols, which has no <unk>",
                                   hint: "a closed vocabulary knows only its corpus' symbols; the default one, vocabulary(symbols [, N]), maps unseen symbols to <unk>")
        case .list(let items):
            try pace.reserve(bytes: ValueMemory.list(items.count))
            return .list(try items.enumerated().map { try encode(args, vocab, $0.element, path: path + [$0.offset], &unknown, pace: &pace) })
        default:
            throw Diagnostic.error(.type, at: args.range,
                                   "encode expects symbols (a string or a list of strings) as argument 2 but got \(value.typeName)\(position(path))")
        }
    }

    private static func decode(_ args: Arguments, _ vocab: Vocabulary, _ value: Value, path: [Int],
                               pace: inout Pacer) throws -> Value {
        try pace.tick()
        switch value {
        case .int(let id):
            guard id >= 0 && id < vocab.size else {
                throw Diagnostic.error(.runtime, at: args.range,
                                       "decode: id \(id)\(position(path)) is outside the vocabulary, whose ids are 0 to \(vocab.size - 1)")
            }
            return .string(vocab.symbols[id])
        case .list(let items):
            try pace.reserve(bytes: ValueMemory.list(items.count))
            return .list(try items.enumerated().map { try decode(args, vocab, $0.element, path: path + [$0.offset], pace: &pace) })
        default:
            throw Diagnostic.error(.type, at: args.range,
                                   "decode expects ids (an int or a list of ints) as argument 2 but got \(value.typeName)\(position(path))")
        }
    }
}
