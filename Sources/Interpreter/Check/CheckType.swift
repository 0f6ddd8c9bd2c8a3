// CheckType.swift — what the checker knows about a value: its type, and its value or its
// size's name when those are known.
//
// `unknown` is what an error leaves behind (and what the checker cannot infer): every use of
// it is accepted silently, so one mistake is reported once, not at every later line. Joins
// (after an `if`, around a loop) keep what both sides agree on.

import SeqLang

/// A function the checker can call: a user function with the scope it closes over, or a native.
final class CheckFunction {
    let declaration: FunctionDecl?
    let closure: CheckScope?
    let nativeName: String?
    init(_ declaration: FunctionDecl, closure: CheckScope) {
        self.declaration = declaration
        self.closure = closure
        nativeName = nil
    }
    init(native: String) {
        declaration = nil
        closure = nil
        nativeName = native
    }
    var name: String { declaration?.name ?? nativeName ?? "?" }
}

/// What the checker knows about a dataset.
struct DataFact {
    /// The vocabulary it was made with: its size's name, or nil when it has none or it is unknown.
    var vocabulary: String?
    /// True when it is known to have been made without a vocabulary.
    var noVocabulary = false
    /// What each sample is, when known: token ids of a length, or vectors.
    var input: DataInput?

    enum DataInput: Equatable {
        case tokens(length: Int?)
        case features(length: Int?, features: Int?)

        /// The shape with the sample count left open: `[sample, time 3]`.
        var shape: NamedShape {
            switch self {
            case .tokens(let t): return NamedShape([.init("sample"), .init("time", t)])
            case .features(let t, let f): return NamedShape([.init("sample"), .init("time", t), .init("feature", f)])
            }
        }
    }
}

indirect enum CheckType {
    case unknown
    case none
    case bool(Bool?)
    /// An int; `symbol` names a size known only from data (`vocab.size`).
    case int(Int?, symbol: String?)
    case number(Double?)
    case string(String?)
    /// A list: its element type, its count and items when known.
    case list(CheckType, items: [CheckType]?)
    /// A record: its known fields; `open` when it may hold others (a training history).
    case record([(key: String, type: CheckType)], open: Bool)
    case shape
    case tensor
    case function(CheckFunction)
    /// A model: the checker's own copy of it (no weights), nil when it comes from a file.
    case model(Model?)
    case layer
    case dataset(DataFact)
    /// A vocabulary; `size` names its size (`vocab.size`).
    case vocabulary(size: String?)
    /// Another object, by type name.
    case object(String)

    static var int: CheckType { .int(nil, symbol: nil) }
    static var number: CheckType { .number(nil) }
    static var string: CheckType { .string(nil) }
    static var bool: CheckType { .bool(nil) }

    var isUnknown: Bool { if case .unknown = self { return true } else { return false } }

    /// The type name as `Value.typeName` spells it, nil when unknown.
    var typeName: String? {
        switch self {
        case .unknown: return nil
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
        case .model: return "model"
        case .layer: return "layer"
        case .dataset: return "dataset"
        case .vocabulary: return "vocabulary"
        case .object(let name): return name
        }
    }

    /// The value, when the checker knows it exactly.
    var constant: Value? {
        switch self {
        case .none: return Value.none
        case .bool(let b?): return .bool(b)
        case .int(let i?, nil): return .int(i)
        case .number(let d?): return .number(d)
        case .string(let s?): return .string(s)
        case .list(_, let items?):
            var values: [Value] = []
            for item in items {
                guard let v = item.constant else { return nil }
                values.append(v)
            }
            return .list(values)
        case .record(let fields, false):
            var values: [(key: String, value: Value)] = []
            for f in fields {
                guard let v = f.type.constant else { return nil }
                values.append((f.key, v))
            }
            return .record(values)
        default: return nil
        }
    }

    /// The type of a value (globals of a REPL session, constants).
    static func of(_ value: Value) -> CheckType {
        switch value {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i, symbol: nil)
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        case .list(let items):
            let types = items.count <= 64 ? items.map(CheckType.of) : nil
            return .list(types.map(joinAll) ?? items.first.map(CheckType.of).map(widen) ?? .unknown, items: types)
        case .record(let fields): return .record(fields.map { ($0.key, CheckType.of($0.value)) }, open: false)
        case .shape: return .shape
        case .tensor: return .tensor
        case .function(let f):
            if let u = f as? UserFunction { return .function(CheckFunction(u.declaration, closure: CheckScope(parent: nil))) }
            return .function(CheckFunction(native: f.name))
        case .object(let o):
            if o is Model { return .model(nil) }
            if o is Dataset { return .dataset(DataFact()) }
            if o is Vocabulary { return .vocabulary(size: nil) }
            if o is ModelLayer { return .layer }
            return .object(o.typeName)
        }
    }

    /// The same type with its value forgotten (what a variable may hold on a later pass).
    static func widen(_ t: CheckType) -> CheckType {
        switch t {
        case .bool: return .bool
        case .int(_, let symbol): return .int(nil, symbol: symbol)
        case .number: return .number
        case .string: return .string
        case .list(let e, let items): return .list(widen(items.map(joinAll) ?? e), items: nil)
        case .record(let fields, let open): return .record(fields.map { ($0.key, widen($0.type)) }, open: open)
        default: return t
        }
    }

    /// What both may be.
    static func join(_ a: CheckType, _ b: CheckType) -> CheckType {
        switch (a, b) {
        case (.unknown, _), (_, .unknown): return .unknown
        case (.none, .none): return .none
        case (.bool(let x), .bool(let y)): return .bool(x == y ? x : nil)
        case (.int(let x, let s), .int(let y, let t)):
            return .int(x == y && s == t ? x : nil, symbol: s == t ? s : nil)
        case (.number(let x), .number(let y)): return .number(x == y ? x : nil)
        case (.int, .number), (.number, .int): return .unknown  // int and number print differently
        case (.string(let x), .string(let y)): return .string(x == y ? x : nil)
        case (.list(let e, let xs), .list(let f, let ys)):
            var items: [CheckType]?
            if let xs, let ys, xs.count == ys.count { items = zip(xs, ys).map { join($0, $1) } }
            let ea = xs.map(joinAll) ?? e, eb = ys.map(joinAll) ?? f
            if xs?.isEmpty == true { return .list(eb, items: items) }
            if ys?.isEmpty == true { return .list(ea, items: items) }
            return .list(join(ea, eb), items: items)
        case (.record(let x, let o), .record(let y, let p)):
            var fields: [(key: String, type: CheckType)] = []
            for f in x {
                if let g = y.first(where: { $0.key == f.key }) { fields.append((f.key, join(f.type, g.type))) }
            }
            let same = fields.count == x.count && fields.count == y.count
            return .record(fields, open: o || p || !same)
        case (.shape, .shape): return .shape
        case (.tensor, .tensor): return .tensor
        case (.function(let f), .function(let g)): return f === g ? a : .unknown
        case (.model(let m), .model(let n)): return .model(m === n ? m : nil)
        case (.layer, .layer): return .layer
        case (.dataset(let d), .dataset(let e)):
            return .dataset(DataFact(vocabulary: d.vocabulary == e.vocabulary ? d.vocabulary : nil,
                                     noVocabulary: d.noVocabulary && e.noVocabulary, input: d.input == e.input ? d.input : nil))
        case (.vocabulary(let s), .vocabulary(let t)): return .vocabulary(size: s == t ? s : nil)
        case (.object(let x), .object(let y)): return x == y ? a : .unknown
        default: return .unknown
        }
    }

    static func joinAll(_ types: [CheckType]) -> CheckType {
        guard var t = types.first else { return .unknown }
        for u in types.dropFirst() { t = join(t, u) }
        return t
    }

    /// How a user reads it: `int`, `list of string`, `int (vocab.size)`.
    var text: String {
        switch self {
        case .unknown: return "unknown"
        case .int(let v, let s):
            if let s { return "int (\(s))" }
            return v.map { "int \($0)" } ?? "int"
        case .number(let v): return v.map { "number \(formatNumber($0))" } ?? "number"
        case .string(let s): return s.map { "string \"\($0.count > 40 ? String($0.prefix(40)) + "…" : $0)\"" } ?? "string"
        case .bool(let b): return b.map { "bool \($0)" } ?? "bool"
        case .list(let e, _): return e.isUnknown ? "list" : "list of \(e.text)"
        case .record(let fields, let open):
            return "record {" + fields.map(\.key).joined(separator: ", ") + (open ? ", …" : "") + "}"
        case .function(let f):
            if let d = f.declaration { return "fn (\(d.params.joined(separator: ", ")))" }
            return "built-in function"
        case .model(let m): return m.map { "model \($0.name)" } ?? "model"
        case .dataset(let d): return d.vocabulary.map { "dataset (vocabulary \($0))" } ?? "dataset"
        case .vocabulary(let s): return s.map { "vocabulary (\($0) symbols)" } ?? "vocabulary"
        default: return typeName ?? "unknown"
        }
    }

    /// The members a value of this type has (for completion after `.`); empty when unknown.
    var memberNames: [String] {
        switch self {
        case .list, .string: return Members.sequence
        case .record(let fields, _): return fields.map(\.key)
        case .tensor: return Members.tensor
        case .shape: return Members.shape
        case .function: return Members.function
        case .model: return Members.model
        case .layer: return Members.layer
        case .dataset: return Members.dataset
        case .vocabulary: return Members.vocabulary
        default: return []
        }
    }

    /// A value of this type to try an operator on (nil when there is none to make).
    var sample: Value? {
        if let c = constant { return c }
        switch self {
        case .bool: return .bool(true)
        case .int: return .int(1)
        case .number: return .number(1.5)
        case .string: return .string("s")
        case .list: return .list([])
        case .none: return Value.none
        default: return nil
        }
    }
}

/// A scope of the checker: names with their types and where they were defined.
final class CheckScope {
    struct Entry {
        var type: CheckType
        var range: SourceRange
    }
    private(set) var entries: [String: Entry] = [:]
    let parent: CheckScope?
    /// A function body: names found beyond it may have changed by the time it runs.
    let isFunction: Bool

    init(parent: CheckScope?, isFunction: Bool = false) {
        self.parent = parent
        self.isFunction = isFunction
    }

    func define(_ name: String, _ type: CheckType, at range: SourceRange) {
        entries[name] = Entry(type: type, range: range)
    }

    /// The type of `name`, widened when it is found outside the function being checked.
    func lookup(_ name: String) -> CheckType? {
        var scope: CheckScope? = self
        var crossed = false
        while let s = scope {
            if let e = s.entries[name] { return crossed ? CheckType.widen(e.type) : e.type }
            if s.isFunction { crossed = true }
            scope = s.parent
        }
        return nil
    }

    /// The scope that binds `name`.
    func owner(of name: String) -> CheckScope? {
        var scope: CheckScope? = self
        while let s = scope {
            if s.entries[name] != nil { return s }
            scope = s.parent
        }
        return nil
    }

    func set(_ name: String, _ type: CheckType) {
        entries[name]?.type = type
    }

    var visibleNames: [String] {
        var names: [String] = []
        var scope: CheckScope? = self
        while let s = scope {
            names += s.entries.keys
            scope = s.parent
        }
        return names
    }
}
