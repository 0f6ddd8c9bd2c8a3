// TextBuiltins.swift — read_text, read_lines, words, tokens, chars, lower: from a file to symbols.
//
// `tokens` splits at whitespace only (for corpora that are already tokenized, like PTB, Aesop
// and rt-polarity); `words` also splits punctuation off as symbols of their own (for raw
// text). Both take an optional newline symbol (`"<eos>"`) that each line break becomes. Given a
// list of strings instead of one string, each returns one list per string. `lower` lower-cases
// and composes (Unicode NFC, so an `é` typed as `e` + accent is the same symbol as `é`) a
// string, or every string of a list, nested or not. Each walks its text under a `Pacer`, so a
// stop is seen within a few thousand characters and a result past the memory limit is refused
// while it grows.

import Foundation
import SeqLang

enum TextBuiltins {
    static func install(into registry: CommandRegistry) {
        registry.register(function: "read_text") { values, context, range in
            let args = try Arguments("read_text", values, context, range, names: ["path"])
            return .string(try DataFile.readText(try args.string(0, "a file path"), context: context, at: range))
        }
        registry.register(function: "read_lines") { values, context, range in
            let args = try Arguments("read_lines", values, context, range, names: ["path"])
            let text = try DataFile.readText(try args.string(0, "a file path"), context: context, at: range)
            var pace = Pacer(context, at: range, building: "the lines of the file")
            let found = try lines(of: text, pace: &pace)
            pace.add(bytes: ValueMemory.list(found.count))
            try pace.ask()
            return .list(found.map { .string($0) })
        }
        registry.register(function: "words") { values, context, range in
            try split("words", values, context, range, punctuation: true)
        }
        registry.register(function: "tokens") { values, context, range in
            try split("tokens", values, context, range, punctuation: false)
        }
        registry.register(function: "chars") { values, context, range in
            let args = try Arguments("chars", values, context, range, names: ["text"])
            var pace = Pacer(context, at: range, building: "the characters of the text")
            return try mapText(args, 0) { text in
                var out: [Value] = []
                do {
                    for ch in text {
                        try pace.tick()
                        pace.add(bytes: MemoryLayout<Value>.stride)
                        out.append(.string(String(ch)))
                    }
                } catch {
                    Pacer.discard(&out, leaving: [])
                    throw error
                }
                return .list(out)
            }
        }
        registry.register(function: "lower") { values, context, range in
            let args = try Arguments("lower", values, context, range, names: ["text"])
            func lowered(_ v: Value, _ path: [Int]) throws -> Value {
                switch v {
                case .string(let s): return .string(lower(s))
                case .list(let items): return .list(try items.enumerated().map { try lowered($0.element, path + [$0.offset + 1]) })
                default:
                    let at = path.isEmpty ? "" : " (item " + path.reversed().map(String.init).joined(separator: " of item ") + ")"
                    throw Diagnostic.error(.type, at: range, "lower expects text: a string or a list of strings, got \(v.typeName)\(at)")
                }
            }
            return try lowered(args.values[0], [])
        }
    }

    /// `text` lower-cased and composed (NFC): what `lower` gives, and how a lower-cased
    /// vocabulary normalises a symbol it looks up.
    static func lower(_ text: String) -> String {
        text.lowercased().precomposedStringWithCanonicalMapping
    }

    /// The lines of `text` without their terminators (`\n` or `\r\n`); no empty last line for a
    /// final newline.
    /// Splits on the scalar U+000A, not the `Character` "\n": Swift reads `"\r\n"` as one
    /// Character, which a split at "\n" never matches.
    static func lines(of text: String) -> [String] {
        var unchecked = Pacer()
        return (try? lines(of: text, pace: &unchecked)) ?? []
    }

    /// `lines(of:)`, one tick of `pace` per line. The text is walked once as UTF-8 bytes (a
    /// line feed byte is always U+000A), each line made as it is found: no list of all the
    /// lines' ranges is built before the first tick, so a stop is seen within a few thousand
    /// lines however large the text.
    static func lines(of text: String, pace: inout Pacer) throws -> [String] {
        var text = text
        text.makeContiguousUTF8()
        return try text.utf8.withContiguousStorageIfAvailable { bytes -> [String] in
            var out: [String] = []
            var start = 0
            let n = bytes.count
            guard let base = bytes.baseAddress else { return out }
            while start < n {
                try pace.tick()
                // The line feed ending this line (or the end of the text), and the line without
                // it and without a carriage return before it.
                let feed = memchr(base + start, 0x0A, n - start)
                    .map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? n
                var end = feed
                if end > start && bytes[end - 1] == 0x0D { end -= 1 }
                let kept = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                pace.add(bytes: ValueMemory.string(kept))
                out.append(kept)
                start = feed + 1
            }
            return out
        }!
    }

    private static func split(_ name: String, _ values: [Value], _ context: CommandContext, _ range: SourceRange,
                              punctuation: Bool) throws -> Value {
        let args = try Arguments(name, values, context, range, names: ["text", "newline symbol"], optional: 1)
        let eos = args.has(1) ? try args.string(1, "the symbol each line break becomes") : nil
        if let eos, eos.isEmpty || eos.contains(where: \.isWhitespace) {
            throw args.valueError("the newline symbol must be a non-empty symbol without spaces but is \"\(eos)\"")
        }
        var pace = Pacer(context, at: range, building: "the \(name) of the text")
        return try mapText(args, 0) { text in
            .list(try tokenize(text, newline: eos, splitPunctuation: punctuation, pace: &pace).map { .string($0) })
        }
    }

    /// Applies `body` to a string argument, or to each string of a list argument.
    private static func mapText(_ args: Arguments, _ i: Int, _ body: (String) throws -> Value) throws -> Value {
        switch args.values[i] {
        case .string(let s): return try body(s)
        case .list:
            return .list(try args.strings(i, "text").map(body))
        default: throw args.typeError(i, "text", expected: "a string or a list of strings")
        }
    }

    /// Splits `text` at whitespace; with `splitPunctuation`, also cuts each piece into words and
    /// punctuation marks. A line break becomes `newline` when given.
    /// `pace` ticks once per character and counts each symbol's bytes.
    static func tokenize(_ text: String, newline: String?, splitPunctuation: Bool, pace: inout Pacer) throws -> [String] {
        var out: [String] = []
        var piece = ""
        func flush() {
            guard !piece.isEmpty else { return }
            let before = out.count
            if splitPunctuation { out.append(contentsOf: cutPunctuation(piece)) } else { out.append(piece) }
            for symbol in out[before...] { pace.add(bytes: ValueMemory.symbol(symbol)) }
            piece = ""
        }
        for ch in text.unicodeScalars {
            try pace.tick()
            if ch == "\n" {
                flush()
                if let newline { out.append(newline) }
            } else if ch.properties.isWhitespace {
                flush()
            } else {
                piece.unicodeScalars.append(ch)
            }
        }
        flush()
        return out
    }

    /// Cuts one whitespace-free piece into words and punctuation. A word is a run of letters and
    /// digits that may hold `'`, `-` or `.` between two of them (`don't`, `30-year`, `u.s`);
    /// every other character is a symbol of its own. A marker like `<unk>` stays whole.
    static func cutPunctuation(_ piece: String) -> [String] {
        if piece.hasPrefix("<"), piece.hasSuffix(">"), piece.count > 2,
           piece.dropFirst().dropLast().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            return [piece]
        }
        let chars = Array(piece)
        var out: [String] = []
        var word = ""
        for (i, c) in chars.enumerated() {
            if c.isLetter || c.isNumber {
                word.append(c)
            } else if (c == "'" || c == "-" || c == "." || c == "’"), !word.isEmpty,
                      i + 1 < chars.count, chars[i + 1].isLetter || chars[i + 1].isNumber {
                word.append(c)
            } else {
                if !word.isEmpty { out.append(word); word = "" }
                out.append(String(c))
            }
        }
        if !word.isEmpty { out.append(word) }
        return out
    }
}
