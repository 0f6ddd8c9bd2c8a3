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
import Tensor

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

/// A script value. Values, not handles, cross the embedding boundary; objects a script can
/// hold but not build from literals (models, layers, datasets, functions) are reference types
/// behind small protocols, so the interpreter and the statement handlers share one value type.
public indirect enum Value: CustomStringConvertible {
    case none
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case list([Value])
    /// Named fields in order (`reviews.train`, a training history).
    case record([(key: String, value: Value)])
    case shape(NamedShape)
    case tensor(Tensor)
    case function(any ScriptFunction)
    case object(any ScriptObject)

    /// The type name used in messages: "int", "number", "string", "list", "model", …
    public var typeName: String {
        switch self {
        case .none: return "none"
        case .bool: return "bool"
        case .int: return "int"
        case .number: return "number"
        case .string: return "string"
        case .list: return "list"
        case .record: return "record"
        case .shape: return "shape"
        case .tensor: return "tensor"
        case .function: return "function"
        case .object(let o): return o.typeName
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .bool(let b): return String(b)
        case .int(let v): return String(v)
        case .number(let v): return formatNumber(v)
        case .string(let s): return s
        case .list(let l): return "[" + l.map(\.debugText).joined(separator: ", ") + "]"
        case .record(let fields): return "{" + fields.map { "\($0.key): \($0.value.debugText)" }.joined(separator: ", ") + "}"
        case .shape(let s): return s.description
        case .tensor(let t): return "tensor " + t.description
        case .function(let f): return "<function \(f.name)>"
        case .object(let o): return o.displayDescription
        }
    }

    /// Like `description`, but strings are quoted (how values show inside lists).
    public var debugText: String {
        if case .string(let s) = self { return "\"\(s)\"" }
        return description
    }
}

/// Numbers print as the shortest text that reads back the same (`0.1`, `1e-05`, `3.0`).
public func formatNumber(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    return "\(v)"
}

/// A duration for messages: `10 s`, `2.5 s`.
func seconds(_ v: Double) -> String {
    (v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : formatNumber(v)) + " s"
}

/// A function a script can call: a user function or a native one (built-in or host-defined).
public protocol ScriptFunction: AnyObject {
    var name: String { get }
}

/// An object a script can hold: a model, a layer, a vocabulary, a dataset…
public protocol ScriptObject: AnyObject {
    /// "model", "layer", "vocabulary", …
    var typeName: String { get }
    /// How the REPL shows it (one or a few lines).
    var displayDescription: String { get }
    /// `obj.name` — nil when there is no such member (the interpreter reports it, listing `memberNames`).
    func member(_ name: String) -> Value?
    var memberNames: [String] { get }
}

/// One evaluated argument of a command statement, with where it was written. A bare identifier
/// keeps its spelling in `word` and its bound value (if any) in `value`; any other expression
/// has `word == nil` and its value.
public struct CommandArg {
    public var word: String?
    public var value: Value?
    public var range: SourceRange
    public init(word: String? = nil, value: Value?, at range: SourceRange) {
        self.word = word
        self.value = value
        self.range = range
    }
}

/// A command statement after its arguments were evaluated.
public struct CommandRequest {
    public var keyword: String
    public var keywordRange: SourceRange
    public var args: [CommandArg]
    /// The whole statement's range (from the keyword to the end of its last argument).
    public var range: SourceRange
    public init(keyword: String, keywordRange: SourceRange, args: [CommandArg], range: SourceRange) {
        self.keyword = keyword
        self.keywordRange = keywordRange
        self.args = args
        self.range = range
    }
}

/// What a command handler may ask of the interpreter running it.
public protocol CommandContext: AnyObject {
    /// Writes text to the host's output sink (never stdout directly).
    func output(_ text: String)
    /// Reports a warning; warnings never stop a script.
    func warn(_ diagnostic: Diagnostic)
    /// Binds (or rebinds) a global name.
    func define(_ name: String, _ value: Value)
    /// The value of a name visible where the statement runs, if bound.
    func lookup(_ name: String) -> Value?
    /// Checks the host's file-access policy; throws an `.io` diagnostic at `range` if denied.
    func authorize(path: String, writing: Bool, at range: SourceRange) throws -> String
    /// Throws a `.cancelled` or `.limit` diagnostic if the host cancelled the run or its time
    /// limit passed. Long work (training) calls this between batches.
    func checkCancelled(at range: SourceRange) throws
    /// True under `seqsh --check`: validate everything (names, options, shapes) but read no
    /// data and train nothing.
    var checkOnly: Bool { get }
}

/// A handler for one command keyword; throws `Diagnostic` or `DiagnosticList` on bad input.
public typealias CommandHandler = (CommandRequest, CommandContext) throws -> Value

/// Where handlers are installed (the interpreter conforms).
public protocol CommandRegistry: AnyObject {
    func register(command keyword: String, handler: @escaping CommandHandler)
    /// Installs the handler of a command declared in `CommandTable`: its arguments are read
    /// against the declaration before the handler runs.
    func register(_ declaration: CommandDeclaration, handler: @escaping CommandHandler)
    /// A native function callable as `name(args…)` from scripts.
    func register(function name: String, handler: @escaping ([Value], CommandContext, SourceRange) throws -> Value)
}

extension CommandRegistry {
    /// A registry that does not read declarations installs the handler alone.
    public func register(_ declaration: CommandDeclaration, handler: @escaping CommandHandler) {
        register(command: declaration.keyword, handler: handler)
    }
}
