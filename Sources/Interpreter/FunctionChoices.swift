// FunctionChoices.swift — the string options of the built-in functions and the words each
// allows: `vocabulary(syms, "closed")`, `vocabulary(chars(text), "chars")`, `sequences(…, "last")`.
// One list per option: the function reads its arguments through `FunctionChoices.words` at run
// time, the checker (`seqsh --check`) applies the same reading to literal arguments, so a
// misspelt word gets the same located error with its did-you-mean before anything runs, and
// `:help NAME` lists the words. Options of one function that may stand at the same position
// (the kind and the unit of `vocabulary`) are told apart by their words, in either order.
// (The run-time adapter, `FunctionChoices.words(_:_:from:)`, is beside `Arguments` in
// Data/Arguments.swift and the checker's, `FunctionChoices.check`, in Check/CheckBuiltins.swift,
// so this file stays in the core layer.)

import SeqLang

/// A string argument of a built-in function that takes one of a few words.
struct FunctionChoice {
    /// The function that takes it.
    let function: String
    /// What it chooses, in messages: "kind", "unit".
    let name: String
    /// The argument positions (from 0) it may stand at; the last one given is read (the kind of
    /// `vocabulary` stands in the cap's place when no cap is given).
    let positions: [Int]
    /// The words it allows, each with what it means (the first is the default when its meaning
    /// says so).
    let words: [(word: String, meaning: String)]
    let hint: String

    var allowed: [String] { words.map(\.word) }

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
        function: "vocabulary", name: "kind", positions: [1, 2, 3],
        words: [("open", "the default: <pad> and <unk> reserved"), ("closed", "the corpus' symbols alone")],
        hint: "for example vocabulary(syms, 10000) or vocabulary(syms, \"closed\")")

    /// Whether the symbols are characters (text is cut into characters and generated symbols are
    /// joined without spaces) or words (cut at whitespace, joined with spaces). Not given, the
    /// symbols decide (`Vocabulary.isCharacters`).
    static let vocabularyUnit = FunctionChoice(
        function: "vocabulary", name: "unit", positions: [1, 2, 3],
        words: [("chars", "characters, joined without spaces"), ("words", "words, joined with spaces")],
        hint: "without it, a vocabulary whose symbols are all single characters is of characters: vocabulary(tokens(\"1 + 2 = 3\"), \"words\") keeps spaces")

    static let sequencesKeep = FunctionChoice(
        function: "sequences", name: "keep", positions: [3],
        words: [("first", "the default: a long sample's first symbols are kept"), ("last", "its last symbols")],
        hint: "for example sequences(samples, labels, 100, \"last\", vocab)")

    static let all = [vocabularyKind, vocabularyUnit, sequencesKeep]

    /// The choices of function `name`.
    static func of(_ name: String) -> [FunctionChoice] { all.filter { $0.function == name } }

    /// An argument as the choices read it: a string, a value of another type (its name), or,
    /// for the checker, a value not known before the run.
    enum Given {
        case word(String)
        case other(typeName: String)
        case unknown
    }

    /// The words the arguments of `function` from position `first` on give its choices, keyed by
    /// the choice's name. Each argument at a position a choice declares must be a word of one of
    /// the choices declared there (an unknown one is skipped), and each choice is given once.
    static func words(_ function: String, _ args: [Given], from first: Int, at range: SourceRange) throws -> [String: String] {
        let choices = of(function)
        var chosen: [String: (word: String, at: Int)] = [:]
        for i in args.indices where i >= first {
            let here = choices.filter { $0.positions.contains(i) }
            guard !here.isEmpty else { continue }
            let word: String
            switch args[i] {
            case .unknown: continue
            case .other(let typeName): throw error(here, shown: typeName, word: nil, argument: i, at: range)
            case .word(let w): word = w
            }
            guard let choice = here.first(where: { $0.allowed.contains(word) }) else {
                throw error(here, shown: "\"\(word)\"", word: word, argument: i, at: range)
            }
            if let before = chosen[choice.name] {
                throw Diagnostic.error(.type, at: range,
                                       "\(function): arguments \(before.at + 1) and \(i + 1) both give the \(choice.name) (\"\(before.word)\" and \"\(word)\")",
                                       hint: "give one of \(choice.allowed.map { "\"\($0)\"" }.joined(separator: " or "))")
            }
            chosen[choice.name] = (word, i)
        }
        return chosen.mapValues(\.word)
    }

    /// The error for `shown` given at argument `i`, where `choices` may stand: every word they allow.
    static func error(_ choices: [FunctionChoice], shown: String, word: String?, argument i: Int,
                      at range: SourceRange) -> Diagnostic {
        let list = choices.flatMap(\.words).map { "\"\($0.word)\" (\($0.meaning))" }
        let either = list.dropLast().joined(separator: ", ") + " or " + list.last!
        return .error(.type, at: range,
                      Suggestion.message("\(choices[0].function): argument \(i + 1) is \(either), not \(shown)",
                                         for: word, among: choices.flatMap(\.allowed)),
                      hint: choices.map(\.hint).joined(separator: "; "))
    }
}
