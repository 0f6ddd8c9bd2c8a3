// VocabularyBuiltins.swift — vocabulary, encode, decode: between symbols and ids.

import SeqLang

enum VocabularyBuiltins {
    static func install(into registry: CommandRegistry) {
        registry.register(function: "vocabulary") { values, context, range in
            let args = try Arguments("vocabulary", values, context, range, names: ["symbols", "size limit"], optional: 1)
            let limit = args.has(1) ? try args.positiveInt(1, "the largest vocabulary size") : nil
            let corpus = try flatSymbols(args, 0)
            return .object(Vocabulary.counting(corpus, limit: limit))
        }
        registry.register(function: "encode") { values, context, range in
            let args = try Arguments("encode", values, context, range, names: ["vocabulary", "symbols"])
            let vocab = try args.object(0, "a vocabulary", as: Vocabulary.self, typeName: "vocabulary",
                                        hint: "make one with vocabulary(symbols, N)")
            return try encode(args, vocab, args.values[1], path: [])
        }
        registry.register(function: "decode") { values, context, range in
            let args = try Arguments("decode", values, context, range, names: ["vocabulary", "ids"])
            let vocab = try args.object(0, "a vocabulary", as: Vocabulary.self, typeName: "vocabulary",
                                        hint: "make one with vocabulary(symbols, N)")
            return try decode(args, vocab, args.values[1], path: [])
        }
    }

    /// The symbols of a list of strings, or of a list of such lists (one per sample), in order.
    static func flatSymbols(_ args: Arguments, _ i: Int) throws -> [String] {
        let items = try args.list(i, "the symbols")
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (k, v) in items.enumerated() {
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

    private static func encode(_ args: Arguments, _ vocab: Vocabulary, _ value: Value, path: [Int]) throws -> Value {
        switch value {
        case .string(let s):
            if let id = vocab.id(of: s) ?? vocab.unknownID { return .int(id) }
            throw Diagnostic.error(.runtime, at: args.range,
                                   "encode: symbol \"\(s)\"\(position(path)) is not in the vocabulary of \(vocab.size) symbols, which has no <unk>",
                                   hint: "build the vocabulary from data that has every symbol, or cap it (vocabulary(symbols, N)) so unseen symbols become <unk>")
        case .list(let items):
            return .list(try items.enumerated().map { try encode(args, vocab, $0.element, path: path + [$0.offset]) })
        default:
            throw Diagnostic.error(.type, at: args.range,
                                   "encode expects symbols (a string or a list of strings) as argument 2 but got \(value.typeName)\(position(path))")
        }
    }

    private static func decode(_ args: Arguments, _ vocab: Vocabulary, _ value: Value, path: [Int]) throws -> Value {
        switch value {
        case .int(let id):
            guard id >= 0 && id < vocab.size else {
                throw Diagnostic.error(.runtime, at: args.range,
                                       "decode: id \(id)\(position(path)) is outside the vocabulary, whose ids are 0 to \(vocab.size - 1)")
            }
            return .string(vocab.symbols[id])
        case .list(let items):
            return .list(try items.enumerated().map { try decode(args, vocab, $0.element, path: path + [$0.offset]) })
        default:
            throw Diagnostic.error(.type, at: args.range,
                                   "decode expects ids (an int or a list of ints) as argument 2 but got \(value.typeName)\(position(path))")
        }
    }
}
