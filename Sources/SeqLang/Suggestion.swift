// Suggestion.swift — "did you mean": the one place that finds near words and phrases the offer.
//
// Every phase (parser, interpreter, the model statements, the REPL, the downloader) suggests
// through these functions, so a typo gets the same suggestion, in the same words, everywhere.

/// Words within `maxDistance` edits of `word`, closest first: the source of "did you mean".
/// An edit changes the length by one at most, so a candidate whose length differs by more than
/// the limit is passed over without measuring, and a measure stops once it passes the limit.
package func suggestions(for word: String, among candidates: [String], maxDistance: Int? = nil) -> [String] {
    let target = Array(word)
    let limit = maxDistance ?? max(1, min(3, target.count / 3 + 1))
    var near: [String: Int] = [:]
    for candidate in candidates where candidate != word {
        guard abs(candidate.count - target.count) <= limit else { continue }
        let d = editDistance(target, Array(candidate), limit: limit)
        if d <= limit { near[candidate] = d }
    }
    return near.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }.map(\.key)
}

/// A "did you mean 'x'?" hint for `word`, or nil when nothing is close (or there is no word).
/// `prefix` is written before the suggestion inside the quotes (`:` for REPL commands).
package func didYouMean(_ word: String?, among candidates: [String], prefix: String = "") -> String? {
    guard let word else { return nil }
    return suggestions(for: word, among: candidates).first.map { didYouMean(prefix + $0) }
}

/// The offer itself: "did you mean 'x'?".
package func didYouMean(_ suggestion: String) -> String {
    "did you mean '\(suggestion)'?"
}

/// Levenshtein distance between two strings (characters).
package func editDistance(_ a: String, _ b: String) -> Int {
    editDistance(Array(a), Array(b), limit: Int.max)
}

/// Levenshtein distance between `a` and `b`, exact up to `limit`; past it, some value above
/// `limit` (the measure stops when a whole row exceeds it).
private func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        var smallest = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            smallest = min(smallest, current[j])
        }
        if smallest > limit { return smallest }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// Messages that name a word and offer the near one, and lists of choices.
package enum Suggestion {
    /// The candidate nearest to `word`, if it is close enough to be a likely typo.
    package static func closest(to word: String, in candidates: [String]) -> String? {
        suggestions(for: word, among: candidates).first
    }

    /// `message; did you mean 'x'?` when a candidate is near `word`, else `message` alone.
    package static func message(_ message: String, for word: String?, among candidates: [String],
                               prefix: String = "") -> String {
        didYouMean(word, among: candidates, prefix: prefix).map { message + "; " + $0 } ?? message
    }

    /// `message; did you mean 'x'?` for a suggestion found elsewhere (nil: `message` alone).
    package static func message(_ message: String, suggesting suggestion: String?) -> String {
        suggestion.map { message + "; " + didYouMean($0) } ?? message
    }

    /// "a" or "an" before `word` in a message: "an lstm", "an rnn", "an int", "a dense".
    package static func article(_ word: String) -> String {
        word == "lstm" || word == "rnn" || "aeiou".contains(word.first ?? "x") ? "an" : "a"
    }

    /// `a, b or c` — for messages listing choices.
    package static func list(_ words: [String]) -> String {
        guard words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + words.last!
    }
}
