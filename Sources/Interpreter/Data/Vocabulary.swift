// Vocabulary.swift — the symbol <-> id table a script builds with `vocabulary(symbols, N)`.
//
// Ids are given by frequency, most frequent first; symbols seen equally often keep the order
// of their first appearance, so the same corpus always gives the same ids. With a cap N and
// more than N distinct symbols, the N - 1 most frequent symbols are kept and every other one
// is counted as `<unk>`, which then takes its place in the frequency order like any symbol.

import SeqLang

/// A vocabulary: `symbols[id]` is the symbol with that id.
public final class Vocabulary: ScriptObject {
    /// The symbol that stands for every symbol not in the vocabulary.
    public static let unknownSymbol = "<unk>"

    /// The symbols in id order.
    public let symbols: [String]
    private let ids: [String: Int]

    /// Makes a vocabulary from symbols already in id order (they must be distinct).
    public init(symbols: [String]) {
        self.symbols = symbols
        var ids: [String: Int] = [:]
        ids.reserveCapacity(symbols.count)
        for (i, s) in symbols.enumerated() {
            precondition(ids[s] == nil, "Vocabulary: duplicate symbol \(s)")
            ids[s] = i
        }
        self.ids = ids
    }

    /// Builds a vocabulary ordered by frequency (ties: first appearance), capped at `limit`
    /// symbols with `<unk>` standing for the rest. `limit` must be at least 1 when given.
    public static func counting(_ corpus: [String], limit: Int? = nil) -> Vocabulary {
        var counts: [String: (count: Int, first: Int)] = [:]
        for (i, s) in corpus.enumerated() {
            if let c = counts[s] { counts[s] = (c.count + 1, c.first) } else { counts[s] = (1, i) }
        }
        var entries = counts.map { (symbol: $0.key, count: $0.value.count, first: $0.value.first) }
        if let limit, entries.count > limit {
            precondition(limit >= 1, "Vocabulary.counting: limit below 1")
            entries.sort(by: ranks)
            let kept = entries.filter { $0.symbol != unknownSymbol }.prefix(limit - 1)
            let keptSet = Set(kept.map(\.symbol))
            let folded = entries.filter { !keptSet.contains($0.symbol) }
            let unk = (symbol: unknownSymbol, count: folded.reduce(0) { $0 + $1.count },
                       first: folded.map(\.first).min() ?? 0)
            entries = Array(kept) + [unk]
        }
        entries.sort(by: ranks)
        return Vocabulary(symbols: entries.map(\.symbol))
    }

    private static func ranks(_ a: (symbol: String, count: Int, first: Int),
                              _ b: (symbol: String, count: Int, first: Int)) -> Bool {
        a.count != b.count ? a.count > b.count : a.first < b.first
    }

    public var size: Int { symbols.count }

    /// The id of `symbol`, if it is in the vocabulary.
    public func id(of symbol: String) -> Int? { ids[symbol] }

    /// The id of `<unk>`, if the vocabulary has one.
    public var unknownID: Int? { ids[Vocabulary.unknownSymbol] }

    // MARK: ScriptObject

    public var typeName: String { "vocabulary" }
    public var displayDescription: String {
        let preview = symbols.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")
        return "vocabulary of \(size) symbols [\(preview)\(size > 8 ? ", …" : "")]"
    }
    public var memberNames: [String] { ["size", "symbols", "unk"] }
    public func member(_ name: String) -> Value? {
        switch name {
        case "size": return .int(size)
        case "symbols": return .list(symbols.map { .string($0) })
        case "unk": return unknownID.map { .int($0) } ?? Value.none
        default: return nil
        }
    }
}
