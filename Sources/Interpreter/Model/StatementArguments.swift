// StatementArguments.swift — reading the arguments of a model statement one at a time.
//
// A cursor over `CommandRequest.args` with typed reads that report problems at the argument
// that caused them: "expected a positive integer for the number of units, got "abc"" at the
// `"abc"`, "unknown name 'unitz'" at the `unitz`. A bare word is read as a word where the
// statement expects one (a kind, an option, an activation) and as the value it is bound to
// where it expects a value, so `layer lstm units` works when `units` is a variable.

import SeqLang

struct StatementArguments {
    let request: CommandRequest
    let context: CommandContext
    private(set) var index = 0

    init(_ request: CommandRequest, _ context: CommandContext) {
        self.request = request
        self.context = context
    }

    var atEnd: Bool { index >= request.args.count }
    var peek: CommandArg? { atEnd ? nil : request.args[index] }
    /// The bare word at the cursor, bound or not.
    var peekWord: String? { peek?.word }

    mutating func next() -> CommandArg? {
        guard let arg = peek else { return nil }
        index += 1
        return arg
    }

    /// The range just past the statement, for "expected more" errors at its end.
    var endRange: SourceRange {
        let last = request.args.last?.range ?? request.keywordRange
        return SourceRange(file: last.file, line: last.start.line,
                           column: last.start.column + last.length, length: 1)
    }

    /// The value of an argument: a bound word's value, or the expression's. An unbound word
    /// is a name error; `optionWords` name words that are options here, for a better message.
    func value(of arg: CommandArg, for what: String, optionWords: [String] = []) throws -> Value {
        if let value = arg.value { return value }
        let word = arg.word ?? "?"
        if optionWords.contains(word) {
            throw Diagnostic.error(.syntax, at: arg.range,
                "expected \(what), got the option '\(word)'",
                hint: "write \(what) before the options")
        }
        throw Diagnostic.error(.name, at: arg.range, "unknown name '\(word)'",
            hint: "\(what) is needed here: write a number, or a variable bound to one")
    }

    /// A positive integer (`128`, or a variable bound to one).
    func positiveInt(_ arg: CommandArg, for what: String, optionWords: [String] = []) throws -> Int {
        let value = try value(of: arg, for: what, optionWords: optionWords)
        let n: Int?
        switch value {
        case .int(let v): n = v
        case .number(let v) where v.rounded() == v && abs(v) < 1e15: n = Int(v)
        default: n = nil
        }
        guard let n, n > 0 else {
            throw Diagnostic.error(.type, at: arg.range,
                "expected a positive integer for \(what), got \(shown(value, arg))")
        }
        return n
    }

    /// A number (`0.2`, `1`, or a variable bound to one).
    func number(_ arg: CommandArg, for what: String, optionWords: [String] = []) throws -> Double {
        let value = try value(of: arg, for: what, optionWords: optionWords)
        switch value {
        case .int(let v): return Double(v)
        case .number(let v) where v.isFinite: return v
        default:
            throw Diagnostic.error(.type, at: arg.range, "expected a number for \(what), got \(shown(value, arg))")
        }
    }

    /// The text naming a value in a message: strings quoted, words by their spelling.
    func shown(_ value: Value, _ arg: CommandArg) -> String {
        if let word = arg.word { return "\(word) (\(value.typeName) \(value.debugText))" }
        if case .string = value { return value.debugText }
        return "\(value.debugText)"
    }

    /// The value of the option `option` (its argument follows it), or a diagnostic at the
    /// option name saying that `what` is missing.
    mutating func optionValue(after option: CommandArg, what: String, options: [String]) throws -> CommandArg {
        guard let arg = peek, !(arg.value == nil && arg.word.map(options.contains) == true) else {
            throw Diagnostic.error(.syntax, at: option.range,
                "option '\(option.word ?? "?")' needs a value: \(what)")
        }
        index += 1
        return arg
    }
}
