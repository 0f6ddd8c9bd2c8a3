// FunctionChoices.swift — the string options of the built-in functions and the words each
// allows: `vocabulary(syms, "closed")`, `sequences(…, "last")`. One list per option: the function
// reads its argument through it at run time, the checker (`seqsh --check`) applies the same
// list to a literal argument, so a misspelt word gets the same located error with its
// did-you-mean before anything runs, and `:help NAME` lists the words. (The run-time reading,
// `FunctionChoice.read`, is beside `Arguments` in Data/Arguments.swift and the checker's,
// `FunctionChoices.check`, in Check/CheckBuiltins.swift, so this file stays in the core layer.)

import SeqLang

/// A string argument of a built-in function that takes one of a few words.
struct FunctionChoice {
    /// The function that takes it.
    let function: String
    /// The argument positions (from 0) it may stand at; the last one given is read (the kind of
    /// `vocabulary` stands in the cap's place when no cap is given).
    let positions: [Int]
    /// The words it allows, each with what it means; the first is the default.
    let words: [(word: String, meaning: String)]
    let hint: String

    var allowed: [String] { words.map(\.word) }

    /// The error for `got` (a string, or another type's name) given at argument `i`.
    func error(_ got: Value, argument i: Int, at range: SourceRange) -> Diagnostic {
        let shown: String, word: String?
        if case .string(let s) = got { shown = "\"\(s)\""; word = s } else { shown = got.typeName; word = nil }
        let list = words.map { "\"\($0.word)\" (\($0.meaning))" }
        let either = list.dropLast().joined(separator: ", ") + " or " + list.last!
        return .error(.type, at: range,
                      Suggestion.message("\(function): argument \(i + 1) is \(either), not \(shown)", for: word, among: allowed),
                      hint: hint)
    }

    /// The line `:help` shows: `Argument 2 or 3, one of: "open" (…), "closed" (…).`
    var helpLine: String {
        let at = positions.map { String($0 + 1) }
        let list = words.map { "\"\($0.word)\" (\($0.meaning))" }.joined(separator: ", ")
        return "Argument \(at.count > 1 ? at.dropLast().joined(separator: ", ") + " or " + at.last! : at[0]), one of: \(list)."
    }
}

/// Every string option of the built-in functions.
enum FunctionChoices {
    static let vocabularyKind = FunctionChoice(
        function: "vocabulary", positions: [1, 2],
        words: [("open", "the default: <pad> and <unk> reserved"), ("closed", "the corpus' symbols alone")],
        hint: "for example vocabulary(syms, 10000) or vocabulary(syms, \"closed\")")

    static let sequencesKeep = FunctionChoice(
        function: "sequences", positions: [3],
        words: [("first", "the default: a long sample's first symbols are kept"), ("last", "its last symbols")],
        hint: "for example sequences(samples, labels, 100, \"last\", vocab)")

    static let all = [vocabularyKind, sequencesKeep]

    /// The choices of function `name`.
    static func of(_ name: String) -> [FunctionChoice] { all.filter { $0.function == name } }

}
