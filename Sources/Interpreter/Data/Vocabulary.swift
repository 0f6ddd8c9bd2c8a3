// Vocabulary.swift — the symbol <-> id table a script builds with
// `vocabulary(symbols [, N] [, "closed"] [, "chars" | "words"])`.
//
// An open vocabulary (the default) reserves two ids before any symbol: 0 is `<pad>`, what
// padding is written with, and 1 is `<unk>`, which every symbol not in the vocabulary becomes
// (a `<unk>` or `<pad>` already in the corpus is counted as that reserved id). The symbols
// follow by frequency, most frequent first; symbols seen equally often keep the order of their
// first appearance, so the same corpus always gives the same ids. A cap N counts the reserved
// ids: the N - 2 most frequent symbols are kept and the rest are folded into `<unk>`.
//
// A closed vocabulary (`"closed"`) has exactly the corpus' symbols, in frequency order, and no
// reserved id: a tutorial's exact table (Aesop's 112 symbols, `,` = 0). With a cap N and more
// than N distinct symbols, the N - 1 most frequent are kept and every other one is counted as
// `<unk>`, which then takes its place in the frequency order like any symbol.
//
// A vocabulary whose symbols hold cased letters but no upper-case one (counted from
// `lower(text)`, or from text that was lower-case already) is lower-cased: a symbol looked up
// in it (`encode`, and the text of `predict` and `generate`) is normalised as `lower` does
// first, so "The" finds "the" instead of becoming `<unk>`. Model files save the flag
// (`vocabulary_normalisation`), so a loaded model's `m.vocab` does the same.
//
// A vocabulary is of characters or of words (its unit, `vocab.unit`): of characters, the text
// of `predict` and `generate` is cut into characters and generated symbols are joined without
// spaces; of words, text is cut at whitespace and symbols are joined with spaces. It is what
// `vocabulary(…, "chars")` or `"words"` says or, not said, characters when every symbol of the
// corpus is one character (what `chars` gives, with or without a space among them). Decided
// once, when the vocabulary is counted; model files save it (`vocabulary_unit`).

import SeqLang

/// A vocabulary: `symbols[id]` is the symbol with that id.
final class Vocabulary: ScriptObject {
    /// The symbol that stands for every symbol not in the vocabulary.
    static let unknownSymbol = "<unk>"
    /// The symbol padding is written with (id 0 of an open vocabulary).
    static let paddingSymbol = "<pad>"

    /// The symbols in id order.
    let symbols: [String]
    private let ids: [String: Int]
    /// Symbols of the corpus that the cap folded into `<unk>`: encoding them is expected, so
    /// `encode` warns only of symbols never seen.
    let folded: Set<String>

    /// Whether symbols are lower-cased (as `lower` does) before they are looked up: the
    /// vocabulary was counted from lower-cased text.
    let lowerCased: Bool

    /// Whether the symbols are characters (text cut into characters, generated symbols joined
    /// without spaces) rather than words.
    let characters: Bool

    /// Makes a vocabulary from symbols already in id order (they must be distinct), lower-cased
    /// when `lowerCased` says so or, when nil, when its symbols are (`isLowerCased`), and of
    /// characters when `characters` says so or, when nil, when its symbols are (`isCharacters`).
    convenience init(symbols: [String], lowerCased: Bool? = nil, characters: Bool? = nil) {
        self.init(symbols: symbols, folded: [], lowerCased: lowerCased, characters: characters)
    }

    init(symbols: [String], folded: Set<String>, lowerCased: Bool? = nil, characters: Bool? = nil) {
        self.symbols = symbols
        self.folded = folded
        self.lowerCased = lowerCased ?? Vocabulary.isLowerCased(symbols)
        self.characters = characters ?? Vocabulary.isCharacters(symbols)
        var ids: [String: Int] = [:]
        ids.reserveCapacity(symbols.count)
        for (i, s) in symbols.enumerated() {
            precondition(ids[s] == nil, "Vocabulary: duplicate symbol \(s)")
            ids[s] = i
        }
        self.ids = ids
    }

    /// Builds a vocabulary ordered by frequency (ties: first appearance), capped at `limit`
    /// ids. Open (`reserve`, the default): `<pad>` = 0 and `<unk>` = 1 first, `limit` at least
    /// 2. Closed: the corpus' symbols alone, `<unk>` standing for the rest when there are more
    /// than `limit` (at least 1). Of characters as `characters` says or, when nil, as the
    /// corpus' symbols are (`isCharacters`).
    static func counting(_ corpus: [String], limit: Int? = nil, reserve: Bool = true, characters: Bool? = nil) -> Vocabulary {
        var unchecked = Pacer()
        return (try? counting(corpus, limit: limit, reserve: reserve, characters: characters, pace: &unchecked)) ?? Vocabulary(symbols: [])
    }

    /// `counting(_:limit:reserve:characters:)`, one tick of `pace` per symbol.
    static func counting(_ corpus: [String], limit: Int? = nil, reserve: Bool = true, characters: Bool? = nil,
                         pace: inout Pacer) throws -> Vocabulary {
        var counts: [String: (count: Int, first: Int)] = [:]
        for (i, s) in corpus.enumerated() {
            try pace.tick()
            if let c = counts[s] { counts[s] = (c.count + 1, c.first) } else { counts[s] = (1, i) }
        }
        var entries = counts.map { (symbol: $0.key, count: $0.value.count, first: $0.value.first) }
        entries.sort(by: ranks)
        // Lower-cased (and of characters) when the whole corpus was, not only the symbols a cap keeps.
        let lowerCased = isLowerCased(entries.map(\.symbol))
        let characters = characters ?? isCharacters(entries.map(\.symbol))
        if reserve {
            let reserved = [paddingSymbol, unknownSymbol]
            precondition(limit.map { $0 >= reserved.count } ?? true, "Vocabulary.counting: limit below 2")
            let ordinary = entries.filter { !reserved.contains($0.symbol) }.map(\.symbol)
            let kept = limit.map { Array(ordinary.prefix($0 - reserved.count)) } ?? ordinary
            return Vocabulary(symbols: reserved + kept, folded: Set(ordinary.dropFirst(kept.count)),
                              lowerCased: lowerCased, characters: characters)
        }
        var folded: Set<String> = []
        if let limit, entries.count > limit {
            precondition(limit >= 1, "Vocabulary.counting: limit below 1")
            let kept = entries.filter { $0.symbol != unknownSymbol }.prefix(limit - 1)
            let keptSet = Set(kept.map(\.symbol))
            let rest = entries.filter { !keptSet.contains($0.symbol) }
            folded = Set(rest.map(\.symbol)).subtracting([unknownSymbol])
            let unk = (symbol: unknownSymbol, count: rest.reduce(0) { $0 + $1.count },
                       first: rest.map(\.first).min() ?? 0)
            entries = Array(kept) + [unk]
            entries.sort(by: ranks)
        }
        return Vocabulary(symbols: entries.map(\.symbol), folded: folded, lowerCased: lowerCased, characters: characters)
    }

    private static func ranks(_ a: (symbol: String, count: Int, first: Int),
                              _ b: (symbol: String, count: Int, first: Int)) -> Bool {
        a.count != b.count ? a.count > b.count : a.first < b.first
    }

    /// True when some symbol has a cased letter and none is changed by `lower`.
    static func isLowerCased(_ symbols: [String]) -> Bool {
        var cased = false
        for s in symbols {
            if TextBuiltins.lower(s) != s { return false }
            if !cased, s.contains(where: \.isCased) { cased = true }
        }
        return cased
    }

    /// True when every symbol (`<pad>` and `<unk>` aside, and there is another) is one
    /// character, as `chars` cuts text: the vocabulary of a character model.
    static func isCharacters(_ symbols: [String]) -> Bool {
        var any = false
        for s in symbols where s != paddingSymbol && s != unknownSymbol {
            if s.count != 1 { return false }
            any = true
        }
        return any
    }

    /// `vocab.unit`: "chars" or "words", the word `vocabulary(…, UNIT)` takes.
    var unit: String { characters ? "chars" : "words" }

    var size: Int { symbols.count }

    /// The id of `symbol` exactly as it is, if it is in the vocabulary.
    func id(of symbol: String) -> Int? { ids[symbol] }

    /// The id of `symbol` as new text is looked up: normalised as `lower` does first when the
    /// vocabulary is lower-cased.
    func lookUp(_ symbol: String) -> Int? {
        if let id = ids[symbol] { return id }
        return lowerCased ? ids[TextBuiltins.lower(symbol)] : nil
    }

    /// The id of `<unk>`, if the vocabulary has one.
    var unknownID: Int? { ids[Vocabulary.unknownSymbol] }

    /// The id of `<pad>`, if the vocabulary has one.
    var paddingID: Int? { ids[Vocabulary.paddingSymbol] }

    // MARK: ScriptObject

    var typeName: String { "vocabulary" }
    var displayDescription: String {
        let preview = symbols.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")
        return "vocabulary of \(size) symbols [\(preview)\(size > 8 ? ", …" : "")]"
    }
    var memberNames: [String] { Members.vocabulary }
    func member(_ name: String) -> Value? {
        switch name {
        case "size": return .int(size)
        case "symbols": return .list(symbols.map { .string($0) })
        case "unk": return unknownID.map { .int($0) } ?? Value.none
        case "pad": return paddingID.map { .int($0) } ?? Value.none
        case "lower": return .bool(lowerCased)
        case "unit": return .string(unit)
        default: return nil
        }
    }
}

/// The symbols that became `<unk>`, gathered while encoding, and the warning that lists the
/// first few. `encode` leaves out the symbols the cap folded into `<unk>` (they are expected);
/// `predict` and `generate` name every symbol of the user's text the model does not know.
struct UnknownSymbols {
    static let shown = 5
    /// Whether symbols of the vocabulary's own corpus that the cap folded count too.
    var includingFolded: Bool
    private(set) var distinct: [String] = []
    private var seen: Set<String> = []
    private(set) var count = 0

    init(includingFolded: Bool) { self.includingFolded = includingFolded }

    /// The id of `symbol` (`<unk>`'s when it is missing, noted), nil without a `<unk>`.
    mutating func id(of symbol: String, in vocab: Vocabulary) -> Int? {
        if let id = vocab.lookUp(symbol) { return id }
        guard let unk = vocab.unknownID else { return nil }
        if includingFolded || !vocab.folded.contains(symbol) {
            count += 1
            if seen.insert(symbol).inserted { distinct.append(symbol) }
        }
        return unk
    }

    /// `encode: 3 symbols (2 distinct) are not in the vocabulary and became <unk>: "a", "b"`.
    func warning(_ who: String, at range: SourceRange) -> Diagnostic? {
        guard count > 0 else { return nil }
        let list = distinct.prefix(Self.shown).map { "\"\($0)\"" }.joined(separator: ", ") + (distinct.count > Self.shown ? ", …" : "")
        let what = count == 1 ? "1 symbol is" : "\(count) symbols\(distinct.count < count ? " (\(distinct.count) distinct)" : "") are"
        return .warning(at: range, "\(who): \(what) not in the vocabulary and became <unk>: \(list)",
                        hint: "a vocabulary counted from more text (or lower-cased text, `lower(text)`) knows more words")
    }
}
