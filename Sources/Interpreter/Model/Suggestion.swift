// Suggestion.swift — "did you mean" and lists of choices in the model statements' messages.
//
// The distance itself is SeqLang's (`suggestions(for:among:)`), so every phase suggests the
// same words for the same typo.

import SeqLang

enum Suggestion {
    /// The candidate nearest to `word`, if it is close enough to be a likely typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        suggestions(for: word, among: candidates).first
    }

    /// `a, b or c` — for messages listing choices.
    static func list(_ words: [String]) -> String {
        guard words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + words.last!
    }
}
