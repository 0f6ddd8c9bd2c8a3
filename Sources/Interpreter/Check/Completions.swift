// Completions.swift — what may be typed at the cursor of a line: the one implementation of
// completion behind seqsh's Tab, the language server's `textDocument/completion` and a host's.
//
//     seq.completions(line: "train adam ep").words        // ["epochs"]
//     seq.completions(line: "layer lstm dr").words        // ["dropout"]
//     seq.completions(line: "model.pa").words             // ["params"]
//
// The line is read as the statement it begins. After a command keyword its declaration
// (CommandTable.swift) says what fits at the cursor, walking the arguments typed so far the
// way `StatementReader` reads them: the forms (`layer <Tab>`: the layer kinds), the words a
// slot takes (`train <Tab>`: the optimizers), the options of the form not given yet, the words
// an option goes on with (`early stop on <Tab>`: the metrics; `loss <Tab>`: the losses), the
// names in scope whose type fits a value slot. After `NAME.` (or `a.b.`) come the members of
// what it holds: the session's value, else the type the checker inferred (`known`, from a
// `CheckReport`), else the fields a statement binds (`history.` before any `train`).
// Anywhere else: the keywords, functions and names in scope (and the command keywords where a
// statement starts).

import SeqLang

/// One thing completion offers.
public struct CompletionCandidate: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// A reserved word: `let`, `for`, `true`.
        case keyword
        /// A command keyword: `train`, `layer`.
        case command
        /// The word choosing a statement's form: a layer kind, an input kind, `gradients`.
        case form
        /// An option of the statement: `epochs`, `dropout`.
        case option
        /// A word an option or slot takes: an optimizer, a loss, `stop`, `best`.
        case word
        /// A member after `.`: `params`, `val_loss`.
        case member
        /// A bound name.
        case name
        /// A built-in or host function.
        case function
    }
    /// What is inserted for the word at the cursor.
    public var text: String
    public var kind: Kind
    /// One line about it: an option's usage and doc, a name's type.
    public var detail: String?

    public init(_ text: String, _ kind: Kind, _ detail: String? = nil) {
        self.text = text
        self.kind = kind
        self.detail = detail
    }
}

/// The candidates for the word at a cursor.
public struct CompletionResult: Sendable {
    /// The character offset in the line where the word being completed starts.
    public var start: Int
    /// What is typed of that word (from `start` to the cursor); every candidate starts with it.
    public var prefix: String
    /// Each once, the most specific first (a statement's forms and options before names).
    public var candidates: [CompletionCandidate]
    /// The candidates' texts.
    public var words: [String] { candidates.map(\.text) }
}

/// The completion of one line against what a session knows (see the file header).
struct LineCompletion {
    /// A name completion may offer: its type name (`Value.typeName`), members and a detail.
    struct Name {
        var name: String
        var typeName: String?
        var members: [String]
        var detail: String?
        var value: Value?
    }

    var names: [String: Name]
    var functions: [String]
    var declarations: [String: CommandDeclaration]
    /// Every command keyword with a handler.
    var commands: [String]
    /// `base.name` of a session value (nil when it has no such member).
    var member: (Value, String) -> Value?

    static func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    func complete(_ line: String, cursor: Int?) -> CompletionResult {
        let chars = Array(line)
        let end = min(max(0, cursor ?? chars.count), chars.count)
        var start = end
        while start > 0 && LineCompletion.isNameCharacter(chars[start - 1]) { start -= 1 }
        let prefix = String(chars[start..<end])
        let before = Array(chars[0..<start])
        var found: [CompletionCandidate] = []
        if prefix.first?.isNumber == true || LineCompletion.insideString(before) {
            found = []
        } else if before.last == "." {
            found = members(before.dropLast())
        } else {
            found = statement(String(before))
        }
        var seen = Set<String>()
        let candidates = found.filter { $0.text.hasPrefix(prefix) && seen.insert($0.text).inserted }
        return CompletionResult(start: start, prefix: prefix, candidates: candidates)
    }

    /// True when `text` ends inside a string literal.
    static func insideString(_ text: [Character]) -> Bool {
        var inside = false, escaped = false
        for c in text {
            if escaped { escaped = false; continue }
            if inside && c == "\\" { escaped = true; continue }
            if c == "\"" { inside.toggle() }
            if c == "#" && !inside { return true }  // a comment: nothing to complete
        }
        return inside
    }

    // MARK: - Members

    /// The members of the chain of names ending just before the `.`: `model`, `history.loss`.
    private func members(_ text: ArraySlice<Character>) -> [CompletionCandidate] {
        var i = text.endIndex
        while i > text.startIndex && (LineCompletion.isNameCharacter(text[i - 1]) || text[i - 1] == ".") { i -= 1 }
        let path: [String] = text[i...].split(separator: ".", omittingEmptySubsequences: false).map { String($0) }
        guard let root = path.first, let initial = root.first, !initial.isNumber, !path.contains(where: { $0.isEmpty }) else { return [] }
        var memberNames: [String] = []
        if let name = names[root], let value = name.value {
            var v = value
            for m in path.dropFirst() {
                guard let next = member(v, m) else { return [] }
                v = next
            }
            memberNames = Members.names(of: v)
        } else if path.count == 1, let name = names[root] {
            memberNames = name.members
        } else if path.count == 1, let binding = declarations.values.compactMap({ $0.binds }).first(where: { $0.name == root }) {
            memberNames = binding.fields.map { $0.name }
        }
        return memberNames.map { CompletionCandidate($0, .member) }
    }

    // MARK: - Statements

    private func statement(_ before: String) -> [CompletionCandidate] {
        var text = Substring(before.drop { $0 == " " || $0 == "\t" })
        var afterLet = false
        // `let NAME = ` may start a command too.
        if text.hasPrefix("let "), let eq = text.firstIndex(of: "="),
           text[text.index(text.startIndex, offsetBy: 4)..<eq].trimmingCharacters(in: .whitespaces).allSatisfy(LineCompletion.isNameCharacter) {
            text = text[text.index(after: eq)...].drop { $0 == " " || $0 == "\t" }
            afterLet = true
        }
        if text.isEmpty { return statementStart(afterLet: afterLet) }
        let keyword = String(text.prefix { LineCompletion.isNameCharacter($0) })
        let next = text.dropFirst(keyword.count).first
        if let declaration = declarations[keyword], next == " " || next == "\t" {
            return command(declaration, String(text))
        }
        if commands.contains(keyword), next == " " || next == "\t" {
            return nameCandidates(types: nil)  // a host's own statement: its arguments are expressions
        }
        return expressionWords()
    }

    private func statementStart(afterLet: Bool) -> [CompletionCandidate] {
        var found = commands.sorted().map { CompletionCandidate($0, .command, declarations[$0]?.summary) }
        if !afterLet {
            found += Keywords.reserved.keys.sorted().map { CompletionCandidate($0, .keyword) }
        }
        return found + expressionWords()
    }

    /// What an expression may hold: value keywords, functions, names.
    private func expressionWords() -> [CompletionCandidate] {
        let valueWords = ["true", "false", "none", "not", "and", "or", "in"]
        return valueWords.map { CompletionCandidate($0, .keyword) } + nameCandidates(types: nil)
            + functions.map { CompletionCandidate($0, .function) }
    }

    /// The names in scope whose type is one of `types` (nil: any; a name of unknown type fits any).
    private func nameCandidates(types: Set<String>?) -> [CompletionCandidate] {
        names.values.sorted { $0.name < $1.name }.compactMap { n in
            if let types, let t = n.typeName, !types.contains(t) { return nil }
            return CompletionCandidate(n.name, .name, n.detail)
        }
    }

    /// An argument typed so far: a bare word (bound to a name or not) or another expression.
    private struct Argument {
        var word: String?
        var bound: Bool
        var typeName: String?
    }

    private func arguments(of statement: String) -> [Argument]? {
        let (program, diagnostics) = Parser.parse(statement, file: "<completion>")
        guard !diagnostics.contains(where: { $0.severity == .error }), let s = program.statements.last,
              case .command(_, let exprs) = s.kind else { return nil }
        return exprs.map { e in
            if case .variable(let name) = e.kind, e.extent == e.range {
                let known = names[name]
                return Argument(word: name, bound: known != nil || functions.contains(name), typeName: known?.typeName)
            }
            return Argument(word: nil, bound: true, typeName: nil)
        }
    }

    /// What fits after the arguments typed so far of a declared command (see the file header).
    private func command(_ declaration: CommandDeclaration, _ statement: String) -> [CompletionCandidate] {
        guard let args = arguments(of: statement) else { return nameCandidates(types: nil) }
        var rest = args[...]
        var form = declaration.form
        if !declaration.variants.isEmpty {
            guard let first = rest.first else {
                return declaration.variants.compactMap { f in f.word.map { CompletionCandidate($0, .form, f.doc) } }
            }
            guard let word = first.word, let chosen = declaration.form(for: word) else { return [] }
            form = chosen
            rest = rest.dropFirst()
        }
        let optionWords = form.optionNames
        // POSITIONALS, as the reader takes them: up to the first option word.
        var slot = 0
        while slot < form.positionals.count, let a = rest.first {
            if let w = a.word, optionWords.contains(w), !a.bound { break }
            let s = form.positionals[slot]
            if s.optional, s.type == .model, a.typeName.map({ $0 != "model" }) ?? (a.word == nil) {
                slot += 1  // not a model: the optional MODEL is left out
                continue
            }
            rest = rest.dropFirst()
            slot += 1
        }
        if slot < form.positionals.count && rest.isEmpty {
            let s = form.positionals[slot]
            let values = valueCandidates(s)
            if case .word = s.type, !s.optional { return values }  // `train <Tab>`: the optimizers
            // An optional slot may be left out: the next one's values fit too (`predict <Tab>`).
            let following = s.optional && slot + 1 < form.positionals.count ? valueCandidates(form.positionals[slot + 1]) : []
            return values + following + options(form, used: [])
        }
        // OPTIONS: which option, and which part of it, the cursor is in.
        var used = Set<String>()
        var pending: [OptionPart] = []
        for a in rest {
            var consumed = false
            while !consumed {
                guard !pending.isEmpty else {
                    if let w = a.word, let o = form.option(w) {
                        used.insert(w)
                        pending = o.parts
                    }
                    consumed = true
                    continue
                }
                switch pending.removeFirst() {
                case .value, .keyword:
                    consumed = true
                case .flag(let w):
                    consumed = a.word == w
                case .optionalChoice(let choices):
                    if let c = choices.first(where: { $0.word == a.word }) {
                        pending = c.then + pending
                        consumed = true
                    }
                case .choice(_, let choices):
                    consumed = true
                    if let c = choices.first(where: { $0.word == a.word }) { pending = c.then + pending }
                }
            }
        }
        return expected(pending[...], form, used)
    }

    private func expected(_ pending: ArraySlice<OptionPart>, _ form: StatementForm, _ used: Set<String>) -> [CompletionCandidate] {
        guard let part = pending.first else { return options(form, used: used) }
        switch part {
        case .value(let slot):
            return valueCandidates(slot)
        case .keyword(let w, _, _):
            return [CompletionCandidate(w, .word)]
        case .flag(let w):
            return [CompletionCandidate(w, .word)] + expected(pending.dropFirst(), form, used)
        case .optionalChoice(let choices):
            return choices.map { CompletionCandidate($0.word, .word) } + expected(pending.dropFirst(), form, used)
        case .choice(_, let choices):
            return choices.map { CompletionCandidate($0.word, .word) }
        }
    }

    private func options(_ form: StatementForm, used: Set<String>) -> [CompletionCandidate] {
        form.options.filter { !used.contains($0.name) }.map { CompletionCandidate($0.name, .option, "\($0.usage) — \($0.doc)") }
    }

    private func valueCandidates(_ slot: ValueSlot) -> [CompletionCandidate] {
        switch slot.type {
        case .word(let words): return words.map { CompletionCandidate($0, .word, slot.what) }
        case .name, .path, .string: return []
        // A count is offered as an int (the reader also takes a whole number).
        case .positiveInt, .wholeNumber, .sizes: return nameCandidates(types: ["int"])
        default: return nameCandidates(types: slot.type.typeNames)
        }
    }
}

extension LineCompletion.Name {
    /// A session value.
    init(_ name: String, value: Value) {
        self.init(name: name, typeName: value.typeName, members: Members.names(of: value), detail: value.typeName, value: value)
    }

    /// A name the checker found.
    init(_ info: NameInfo) {
        self.init(name: info.name, typeName: info.typeName, members: info.members, detail: info.type, value: nil)
    }
}
