// Command.swift — what the interpreter hands to statement handlers such as the model builder.
//
// Command statements (`model`, `input`, `layer`, `summary`, and later `train`, `evaluate`, …)
// read as `keyword arg arg name value …`. The parser keeps their arguments as an ordered list;
// the interpreter evaluates each one to a `CommandArg` and the handler of that keyword, which
// knows its own positional values and option names, makes sense of them. A bare identifier
// arrives as `.word` together with the value it is bound to, if any, so `layer dense 1 sigmoid`
// (a word) and `layer lstm units` (a variable) both work and option names never collide with
// variables.

import SeqLang

/// A shape with named axes: `[batch, time 100, feature 64]`. A `nil` size is free (batch, or
/// a time axis of variable length).
public struct NamedShape: Hashable, Sendable, CustomStringConvertible {
    public struct Axis: Hashable, Sendable, CustomStringConvertible {
        public var name: String
        public var size: Int?
        public init(_ name: String, _ size: Int? = nil) {
            self.name = name
            self.size = size
        }
        public var description: String { size.map { "\(name) \($0)" } ?? name }
    }
    public var axes: [Axis]
    public init(_ axes: [Axis]) { self.axes = axes }
    public var description: String { "[" + axes.map(\.description).joined(separator: ", ") + "]" }
}

/// A value as a command handler sees it.
public indirect enum CommandValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case number(Double)
    case string(String)
    case bool(Bool)
    case list([CommandValue])
    case shape(NamedShape)
    /// A bare identifier; `bound` is its value if a variable of that name exists.
    case word(String, bound: CommandValue?)
    /// Any other interpreter value (a function, a model, a tensor…), described for messages.
    case other(typeName: String)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .number(let v): return String(v)
        case .string(let s): return "\"\(s)\""
        case .bool(let b): return String(b)
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .shape(let s): return s.description
        case .word(let w, _): return w
        case .other(let t): return "<\(t)>"
        }
    }

    /// The value to use where a value is expected: a word stands for its bound value.
    public var resolved: CommandValue? {
        if case .word(_, let bound) = self { return bound }
        return self
    }
}

/// One evaluated argument of a command statement, with where it was written.
public struct CommandArg: Hashable, Sendable {
    public var value: CommandValue
    public var range: SourceRange
    public init(_ value: CommandValue, at range: SourceRange) {
        self.value = value
        self.range = range
    }
}

/// A command statement after its arguments were evaluated.
public struct CommandRequest: Hashable, Sendable {
    public var keyword: String
    public var keywordRange: SourceRange
    public var args: [CommandArg]
    public init(keyword: String, keywordRange: SourceRange, args: [CommandArg]) {
        self.keyword = keyword
        self.keywordRange = keywordRange
        self.args = args
    }
}
