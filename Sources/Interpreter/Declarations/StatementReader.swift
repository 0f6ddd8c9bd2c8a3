// StatementReader.swift — reads a command statement's arguments against its declaration.
//
//     statement -> KEYWORD [VARIANT] {POSITIONAL} {OPTION PART…}
//
// The one reader of command grammar: the interpreter runs it on every declared command
// before the handler (with the evaluated values), and the checker runs it on the same
// statement knowing only the arguments' types. It reports each problem at the argument that
// caused it: an unknown layer kind or option (with "did you mean", Keras and PyTorch
// spellings too: ForeignSpellings.swift), an option given twice or together with one that
// sets the same thing, an option without its value, a value of the wrong type or outside its
// range, an unknown name where a value belongs (with the same "did you mean" as in an
// expression, from the caller's `nameHint`), a required option left out. A problem with the
// kind or the positional arguments stops the reading; among the options every bad one is
// reported (a `DiagnosticList` when there are several), the reader stepping over the values
// of an option it could not read. A value the caller does not know (`knownValue == nil`) is
// checked by type only; one of unknown type not at all.

import SeqLang

/// One argument as the reader sees it: runtime arguments know their value, the checker's
/// arguments may know only a type.
protocol ReadableArgument {
    /// A bare identifier's spelling (nil for any other expression).
    var word: String? { get }
    var range: SourceRange { get }
    /// True when the argument has a value: an expression, or a word bound to a name.
    var isBound: Bool { get }
    /// The value, when it is known.
    var knownValue: Value? { get }
    /// The value's type name (`Value.typeName`), when it is known.
    var knownType: String? { get }
}

extension CommandArg: ReadableArgument {
    var isBound: Bool { value != nil }
    var knownValue: Value? { value }
    var knownType: String? { value?.typeName }
}

/// Where each argument of a statement went.
struct StatementReading: Sendable {
    var form: StatementForm
    /// The index of the word choosing the form (`lstm` of `layer lstm 128`).
    var variantIndex: Int?
    /// Each positional given: its slot and the argument's index.
    var positionals: [(slot: ValueSlot, index: Int)]
    /// The options in the order given.
    var options: [OptionReading]

    func option(_ name: String) -> OptionReading? { options.first { $0.name == name } }
    func positional(_ name: String) -> Int? { positionals.first { $0.slot.name == name }?.index }
}

/// One option as given: the index of its word, the words and values after it.
struct OptionReading: Sendable {
    var name: String
    var index: Int
    /// Value slots after the option, in order, with the argument's index.
    var values: [(slot: ValueSlot, index: Int)]
    /// Keyword, flag and choice words taken after the option (`stateful`, `uniform`).
    var words: [String]
}

enum StatementReader {
    /// Reads `args` of the statement `declaration` (whose keyword is at `keywordRange`).
    /// `nameHint` gives the hint for an unknown name where a value belongs (the "did you mean"
    /// of the scope the statement runs in). Throws a `Diagnostic`, or a `DiagnosticList` when
    /// several options are bad.
    static func read<A: ReadableArgument>(_ args: [A], keywordRange: SourceRange,
                                                 _ declaration: CommandDeclaration,
                                                 nameHint: @escaping (String) -> String? = { _ in nil }) throws -> StatementReading {
        var cursor = Cursor(args: args, keywordRange: keywordRange, nameHint: nameHint)
        var previous = declaration.keyword
        var form = declaration.form
        var variantIndex: Int?
        if !declaration.variants.isEmpty {
            form = try variant(&cursor, declaration)
            variantIndex = 0
            previous = form.word ?? previous
        }
        let optionWords = form.optionNames
        var reading = StatementReading(form: form, variantIndex: variantIndex, positionals: [], options: [])

        // POSITIONALS: as many as are given, the optional ones filled first only when more
        // than the required ones are there.
        // The required ones are taken as they come; optional ones only when they are values.
        let required = form.positionals.filter { !$0.optional }.count
        var taken: [Int] = []
        var j = cursor.index
        while taken.count < form.positionals.count, j < args.count {
            if taken.count >= required && !isPositional(args[j], form.positionals[taken.count], optionWords) { break }
            taken.append(j)
            j += 1
        }
        // A leading optional MODEL is only a model when it is one.
        var slots = form.positionals
        var extra = max(0, taken.count - required)
        var filled: [ValueSlot] = []
        for slot in slots {
            if slot.optional {
                if extra > 0 { filled.append(slot); extra -= 1 }
            } else {
                filled.append(slot)
            }
        }
        if taken.count > filled.count { taken.removeLast(taken.count - filled.count) }
        if let first = filled.first, first.optional, first.type == .model, let i = taken.first,
           let type = args[i].knownType, type != "model", taken.count > required {
            // `predict m x` where m is not a model: the optional slot is the input instead.
            filled.removeFirst()
            taken.removeLast()
        }
        slots = filled
        if taken.count < required {
            let missing = slots[taken.count]
            let at = taken.last.map { args[$0].range } ?? (variantIndex.map { args[$0].range } ?? keywordRange)
            var hint = "for example `\(form.example)`"
            var message = "expected \(missing.missing ?? missing.what) after `\(taken.last.flatMap { args[$0].word } ?? previous)`"
            if case .word(let words) = missing.type { message += ": \(Suggestion.list(words))" }
            if declaration.keyword == "train" { hint = "for example `train adam lr 0.001 epochs 10 on data`" }
            throw Diagnostic.error(.syntax, at: at == keywordRange ? keywordRange : (variantIndex.map { args[$0].range } ?? at),
                                   message, hint: hint)
        }
        // A bad positional (`train Adam`) is reported with every bad option after it.
        var problems: [Diagnostic] = []
        for (slot, i) in zip(slots, taken) {
            do {
                try checkValue(args[i], slot, after: previous, positional: true, optionWords: optionWords, nameHint: nameHint)
            } catch let d as Diagnostic {
                problems.append(d)
            }
            reading.positionals.append((slot, i))
        }
        cursor.index = taken.last.map { $0 + 1 } ?? cursor.index

        // OPTIONS: every bad one is reported; the values after one that could not be read are
        // stepped over up to the next word that is not bound (an option, or a misspelt one).
        var given: [String: A] = [:]
        /// The options offered for misspelt ones: a required option offered so is not missing too.
        var offered = Set<String>()
        /// Steps over values, and the words of `grammar` (the rest of an option that failed).
        func skipValues(grammar: Set<String> = []) {
            while let next = cursor.peek, !(next.word.map(optionWords.contains) ?? false),
                  next.word == nil || next.isBound || grammar.contains(next.word!) {
                cursor.index += 1
            }
        }
        while let option = cursor.next() {
            guard let word = option.word, let declared = form.option(word) else {
                if form.options.isEmpty {
                    throw Diagnostic.error(.syntax, at: option.range,
                        "unexpected argument; \(form.owner) takes \(usage(declaration, form))")
                }
                problems.append(unknownOption(option, of: form.owner, valid: optionWords))
                if let word = option.word, let near = ForeignSpellings.suggestion(for: word, among: optionWords) {
                    offered.insert(String(near.split(separator: " ")[0]))
                }
                skipValues()
                continue
            }
            if given[word] != nil {
                problems.append(Diagnostic.error(.syntax, at: option.range, "option '\(word)' is given twice",
                    hint: declaration.keyword == "train" || declaration.keyword == "resume" ? "give each option once" : nil))
            } else if let other = declared.conflicts.first(where: { given[$0] != nil }) {
                problems.append(Diagnostic.error(declaration.keyword == "layer" ? .type : .syntax, at: option.range,
                                                 declared.conflictMessage ?? "`\(word)` and `\(other)` cannot be given together",
                                                 hint: declared.conflictHint))
            }
            given[word] = given[word] ?? option
            var occurrence = OptionReading(name: word, index: cursor.index - 1, values: [], words: [])
            do {
                try readParts(declared.parts, &cursor, &occurrence, option: option, noun: nil, optionWords: optionWords)
                reading.options.append(occurrence)
            } catch let d as Diagnostic {
                problems.append(d)
                // The word the problem is at belongs to this option; so do its grammar's words.
                if let at = cursor.peek, at.range == d.range, !(at.word.map(optionWords.contains) ?? false) { cursor.index += 1 }
                skipValues(grammar: words(of: declared.parts))
            }
        }
        for need in form.required where given[need.option] == nil && !offered.contains(need.option) {
            problems.append(Diagnostic.error(.syntax, at: keywordRange, need.message, hint: need.hint.isEmpty ? nil : need.hint))
        }
        if problems.count == 1 { throw problems[0] }
        if problems.count > 1 { throw DiagnosticList(problems) }
        return reading
    }

    /// The usage line of a form (`layer lstm UNITS {OPTION}`).
    static func usage(_ declaration: CommandDeclaration, _ form: StatementForm) -> String {
        var words = [declaration.keyword]
        if let w = form.word { words.append(w) }
        words += form.positionals.map { $0.optional ? "[\($0.name)]" : $0.name }
        if !form.options.isEmpty { words.append("{OPTION}") }
        return words.joined(separator: " ")
    }

    // MARK: - Pieces

    /// The words of an option's grammar: keywords, flags, choices, the words a slot takes
    /// (`stop`, `on`, `val_loss`, `patience`, …).
    private static func words(of parts: [OptionPart]) -> Set<String> {
        var words = Set<String>()
        for part in parts {
            switch part {
            case .value(let slot): if case .word(let ws) = slot.type { words.formUnion(ws) }
            case .keyword(let w, _, _), .flag(let w): words.insert(w)
            case .choice(_, let choices), .optionalChoice(let choices):
                for c in choices { words.insert(c.word); words.formUnion(Self.words(of: c.then)) }
            }
        }
        return words
    }

    private struct Cursor<A: ReadableArgument> {
        let args: [A]
        let keywordRange: SourceRange
        let nameHint: (String) -> String?
        var index = 0
        var peek: A? { index < args.count ? args[index] : nil }
        mutating func next() -> A? {
            guard let a = peek else { return nil }
            index += 1
            return a
        }
        /// Just past the statement's last argument.
        var endRange: SourceRange {
            let last = args.last?.range ?? keywordRange
            return SourceRange(file: last.file, line: last.start.line, column: last.start.column + last.length, length: 1)
        }
    }

    private static func variant<A: ReadableArgument>(_ cursor: inout Cursor<A>, _ declaration: CommandDeclaration) throws -> StatementForm {
        let words = declaration.variantWords
        let noun = declaration.variantNoun
        guard let arg = cursor.next() else {
            if words.count == 1 {
                throw Diagnostic.error(.syntax, at: cursor.keywordRange, "expected `\(words[0])` after `\(declaration.keyword)`, got nothing",
                                       hint: "write `\(declaration.form.example)`")
            }
            throw Diagnostic.error(.syntax, at: cursor.keywordRange,
                "expected \(Suggestion.article(noun)) \(noun) after `\(declaration.keyword)`: \(Suggestion.list(words))",
                hint: "for example `\(declaration.form.example)`")
        }
        guard let word = arg.word else {
            throw Diagnostic.error(.type, at: arg.range,
                "expected \(Suggestion.article(noun)) \(noun) (\(Suggestion.list(words))), got \(arg.knownValue?.debugText ?? "an expression")")
        }
        guard let form = declaration.form(for: word) else {
            if words.count == 1 {
                throw Diagnostic.error(.syntax, at: arg.range, "expected `\(words[0])` after `\(declaration.keyword)`, got '\(word)'",
                                       hint: "write `\(declaration.form.example)`")
            }
            if let near = ForeignSpellings.suggestion(for: word, among: words) {
                throw Diagnostic.error(.name, at: arg.range, Suggestion.message("unknown \(noun) '\(word)'", suggesting: near),
                                       hint: "\(noun)s: \(words.joined(separator: ", "))")
            }
            throw Diagnostic.error(.name, at: arg.range, "unknown \(noun) '\(word)'; expected \(Suggestion.list(words))")
        }
        return form
    }

    /// True when `arg` fills `slot` rather than being an option word.
    private static func isPositional<A: ReadableArgument>(_ arg: A, _ slot: ValueSlot, _ options: [String]) -> Bool {
        switch slot.type {
        case .name, .word: return true
        default: break
        }
        guard let word = arg.word else { return true }
        if options.contains(word) { return false }
        return arg.isBound || ForeignSpellings.suggestion(for: word, among: options) == nil
    }

    private static func readParts<A: ReadableArgument>(_ parts: [OptionPart], _ cursor: inout Cursor<A>, _ out: inout OptionReading,
                                                       option: A, noun: (String, String)?, optionWords: [String]) throws {
        for part in parts {
            switch part {
            case .value(let slot):
                guard let arg = cursor.peek, !(arg.word.map(optionWords.contains) == true && !arg.isBound) else {
                    if let (noun, word) = noun {
                        throw Diagnostic.error(.syntax, at: cursor.args[cursor.index - 1].range,
                                               "\(noun) '\(word)' needs \(slot.what)", hint: "for example `\(out.name) \(word) 0.1`")
                    }
                    throw Diagnostic.error(.syntax, at: option.range, "option '\(out.name)' needs a value: \(slot.missing ?? slot.what)")
                }
                cursor.index += 1
                try checkValue(arg, slot, after: out.name, positional: false, optionWords: optionWords, nameHint: cursor.nameHint)
                out.values.append((slot, cursor.index - 1))
            case .keyword(let word, let message, let hint):
                guard let arg = cursor.peek, arg.word == word else {
                    // `{value}` in the message stands for the value read just before.
                    let before = out.values.last.flatMap { cursor.args[$0.index].knownValue }
                    let text = message.replacingOccurrences(of: "{value}", with: before.map(\.description) ?? "F")
                    throw Diagnostic.error(.syntax, at: out.name == "per" ? option.range : (cursor.peek?.range ?? cursor.endRange),
                                           text, hint: hint)
                }
                cursor.index += 1
                out.words.append(word)
            case .flag(let word):
                if let arg = cursor.peek, arg.word == word {
                    cursor.index += 1
                    out.words.append(word)
                }
            case .optionalChoice(let choices):
                if let word = cursor.peek?.word, let choice = choices.first(where: { $0.word == word }) {
                    cursor.index += 1
                    out.words.append(word)
                    try readParts(choice.then, &cursor, &out, option: option, noun: nil, optionWords: optionWords)
                }
            case .choice(let choiceNoun, let choices):
                let words = choices.map(\.word)
                guard let arg = cursor.peek, !(arg.word.map(optionWords.contains) == true && !arg.isBound) else {
                    let usage = choices.map { ([$0.word] + $0.then.compactMap { if case .value(let s) = $0 { return s.name } else { return nil } })
                        .joined(separator: " ") }
                    throw Diagnostic.error(.syntax, at: option.range,
                        "option '\(out.name)' needs a value: \(Suggestion.article(choiceNoun)) \(choiceNoun): \(Suggestion.list(usage))")
                }
                cursor.index += 1
                guard let word = arg.word, let choice = choices.first(where: { $0.word == word }) else {
                    let found = arg.word.map { "'\($0)'" } ?? arg.knownValue?.debugText ?? "an expression"
                    throw Diagnostic.error(.name, at: arg.range,
                        ForeignSpellings.message("unknown \(choiceNoun) \(found)", for: arg.word, among: words),
                        hint: "\(choiceNoun)s: \(Suggestion.list(words))")
                }
                out.words.append(word)
                try readParts(choice.then, &cursor, &out, option: option, noun: (choiceNoun, word), optionWords: optionWords)
            }
        }
    }

    /// Checks one value against its slot: fully when the value is known, by type otherwise.
    static func checkValue<A: ReadableArgument>(_ arg: A, _ slot: ValueSlot, after previous: String,
                                                positional: Bool, optionWords: [String],
                                                nameHint: (String) -> String? = { _ in nil }) throws {
        if case .word(let words) = slot.type {
            guard let word = arg.word, words.contains(word) else {
                let noun = slot.what.split(separator: " ").dropFirst().joined(separator: " ")
                let found = arg.word.map { "'\($0)'" } ?? arg.knownValue?.debugText ?? "an expression"
                throw Diagnostic.error(arg.word == nil ? .syntax : .name, at: arg.range,
                    ForeignSpellings.message("unknown \(noun) \(found)", for: arg.word, among: words),
                    hint: "the \(noun)s are \(Suggestion.list(words))")
            }
            return
        }
        if case .name = slot.type {
            if arg.word != nil { return }
            if let type = arg.knownType {
                if type == "string", case .string(let s)? = arg.knownValue, s.isEmpty {} else if type == "string" { return }
                throw Diagnostic.error(.type, at: arg.range,
                    "expected \(slot.what) after `\(previous)`, got \(arg.knownValue?.debugText ?? type)",
                    hint: "for example `\(previous) sentiment`")
            }
            return
        }
        guard arg.isBound else {
            let word = arg.word ?? "?"
            if positional && optionWords.contains(word) {
                throw Diagnostic.error(.syntax, at: arg.range, "expected \(slot.what), got the option '\(word)'",
                                       hint: slot.type == .history ? slot.type.unboundHint(word, what: slot.what) : "write \(slot.what) before the options")
            }
            throw Diagnostic.error(.name, at: arg.range, "unknown name '\(word)'",
                                   hint: nameHint(word) ?? slot.type.unboundHint(word, what: slot.what))
        }
        guard let type = arg.knownType else { return }
        let value = arg.knownValue
        let shown = value.map { shownValue($0, arg.word) } ?? (arg.word.map { "\($0) (\(type))" } ?? type)
        func typeError(_ expected: String) -> Diagnostic {
            .error(.type, at: arg.range, "expected \(expected), got \(shown)")
        }
        switch slot.type {
        case .positiveInt, .wholeNumber:
            let whole = slot.type == .wholeNumber
            let expected = whole ? "a whole number of 0 or more for \(slot.what)" : "a positive integer for \(slot.what)"
            guard type == "int" || (type == "number" && !whole) else { throw typeError(expected) }
            guard let value else { return }
            let n: Int?
            switch value {
            case .int(let v): n = v
            case .number(let v) where v.rounded() == v && abs(v) < 1e15: n = Int(v)
            default: n = nil
            }
            guard let n, whole ? n >= 0 : n > 0 else { throw typeError(expected) }
        case .number(let range):
            guard type == "int" || type == "number" else { throw typeError("a number for \(slot.what)") }
            guard let value else { return }
            let v: Double
            switch value {
            case .int(let i): v = Double(i)
            case .number(let d) where d.isFinite: v = d
            default: throw typeError("a number for \(slot.what)")
            }
            if let range, !range.contains(v) {
                throw Diagnostic.error(.type, at: arg.range, "\(range.message), got \(formatNumber(v))", hint: range.hint)
            }
        case .string, .path:
            let after = positional ? " after `\(previous)`" : ""
            guard type == "string" else { throw typeError("\(slot.what) as a string\(after)") }
            if case .string(let s)? = value, s.isEmpty { throw typeError("\(slot.what) as a string\(after)") }
        case .sizes:
            if type == "list" {
                guard case .list(let items)? = value else { return }
                let ok = !items.isEmpty && items.allSatisfy { if case .int(let n) = $0 { return n > 0 } else { return false } }
                if !ok {
                    throw Diagnostic.error(.type, at: arg.range,
                        "expected a list of positive integers for the sizes of the stacked LSTMs, got \(Value.list(items).debugText)",
                        hint: "for example `layer lstm [128, 64]`: an LSTM of 128 units, then one of 64")
                }
                return
            }
            try checkValue(arg, ValueSlot(slot.name, .positiveInt, slot.what), after: previous, positional: positional,
                           optionWords: optionWords, nameHint: nameHint)
        case .dataset:
            guard type == "dataset" else {
                throw Diagnostic.error(.type, at: arg.range, "expected a dataset after `\(previous)`, got \(shown)",
                                       hint: "datasets come from `windows`, `sequences`, `lm_batches`, `mnist` or `split`")
            }
        case .model:
            guard type == "model" else { throw typeError("a model") }
        case .history:
            guard type == "record" else {
                throw Diagnostic.error(.type, at: arg.range, "expected a training history (the record `train` returns), got \(type)",
                                       hint: "`train` binds its history to `history`: write `plot history`")
            }
        case .name, .word, .any:
            return
        }
    }

    /// The text naming a value in a message: words by their spelling and value, strings quoted.
    static func shownValue(_ value: Value, _ word: String?) -> String {
        if let word { return "\(word) (\(value.typeName) \(value.debugText))" }
        return value.debugText
    }
}
