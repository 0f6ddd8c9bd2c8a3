// Arguments.swift — reading a data built-in's positional arguments, with typed errors.
//
// Script calls are positional (`split(data, [0.8, 0.2], 42)`); each accessor names the
// function, the argument's position and meaning, what type was expected and what came.

import SeqLang
import Tensor

struct Arguments {
    let function: String
    let values: [Value]
    let range: SourceRange
    let context: CommandContext

    /// Checks the argument count against `names` (the last `optional` of them may be left out).
    init(_ function: String, _ values: [Value], _ context: CommandContext, _ range: SourceRange,
         names: [String], optional: Int = 0) throws {
        self.function = function
        self.values = values
        self.range = range
        self.context = context
        let least = names.count - optional
        guard values.count >= least && values.count <= names.count else {
            let expected = optional == 0 ? "\(names.count)" : "\(least) to \(names.count)"
            let noun = names.count == 1 && optional == 0 ? "argument" : "arguments"
            throw Diagnostic.error(
                .type, at: range,
                "\(function) takes \(expected) \(noun) but got \(values.count)",
                hint: "call it as \(function)(\(names.enumerated().map { $0.offset >= least ? "[\($0.element)]" : $0.element }.joined(separator: ", ")))")
        }
    }

    /// A `Pacer` for building `what`, after checking that its `bytes` fit the memory limit.
    func pacer(building what: String, bytes: Int) throws -> Pacer {
        try context.checkMemory(bytes, for: what, at: range)
        return Pacer(context, at: range, building: what)
    }

    var count: Int { values.count }
    func has(_ i: Int) -> Bool { i < values.count }
    /// Whether argument `i` is there and not `none` (how a script skips an optional argument).
    func given(_ i: Int) -> Bool {
        guard has(i) else { return false }
        if case .none = values[i] { return false }
        return true
    }

    func typeError(_ i: Int, _ what: String, expected: String, hint: String? = nil) -> Diagnostic {
        .error(.type, at: range,
               "\(function) expects \(what) (\(expected)) as argument \(i + 1) but got \(values[i].typeName)",
               hint: hint)
    }

    func valueError(_ message: String, hint: String? = nil) -> Diagnostic {
        .error(.runtime, at: range, "\(function): \(message)", hint: hint)
    }

    func string(_ i: Int, _ what: String) throws -> String {
        if case .string(let s) = values[i] { return s }
        throw typeError(i, what, expected: "a string")
    }

    func int(_ i: Int, _ what: String) throws -> Int {
        switch values[i] {
        case .int(let v): return v
        case .number(let v) where v.rounded() == v && abs(v) < 1e15: return Int(v)
        default: throw typeError(i, what, expected: "an int")
        }
    }

    func positiveInt(_ i: Int, _ what: String) throws -> Int {
        let v = try int(i, what)
        guard v >= 1 else { throw valueError("\(what) must be at least 1 but is \(v)") }
        return v
    }

    func number(_ i: Int, _ what: String) throws -> Double {
        switch values[i] {
        case .int(let v): return Double(v)
        case .number(let v): return v
        default: throw typeError(i, what, expected: "a number")
        }
    }

    func object<T: ScriptObject>(_ i: Int, _ what: String, as type: T.Type, typeName: String, hint: String? = nil) throws -> T {
        if case .object(let o) = values[i], let t = o as? T { return t }
        throw typeError(i, what, expected: "a \(typeName)", hint: hint)
    }

    func list(_ i: Int, _ what: String) throws -> [Value] {
        if case .list(let l) = values[i] { return l }
        throw typeError(i, what, expected: "a list")
    }

    func strings(_ i: Int, _ what: String) throws -> [String] {
        let items = try list(i, what)
        return try items.enumerated().map { k, v in
            if case .string(let s) = v { return s }
            throw Diagnostic.error(.type, at: range,
                                   "\(function) expects \(what) (a list of strings) as argument \(i + 1) but item \(k + 1) is \(v.typeName)")
        }
    }

    /// A flat list of ids: a list of ints, or a rank-1 tensor of whole numbers.
    func ids(_ i: Int, _ what: String) throws -> [Int] {
        switch values[i] {
        case .list(let items):
            var pace = try pacer(building: what, bytes: MemorySize.bytes(items.count, 1, of: Int.self))
            return try items.enumerated().map { k, v in
                try pace.tick()
                return try idValue(v, item: k, arg: i, what: what)
            }
        case .tensor(let t) where t.rank == 1:
            var pace = try pacer(building: what, bytes: MemorySize.bytes(t.count, 1, of: Int.self))
            return try t.scalars.enumerated().map { k, x in
                try pace.tick()
                guard x.rounded() == x, x >= 0 else {
                    throw Diagnostic.error(.type, at: range, "\(function) expects \(what) (token ids) as argument \(i + 1) but item \(k + 1) is \(formatNumber(Double(x)))")
                }
                return Int(x)
            }
        default: throw typeError(i, what, expected: "a list of ints")
        }
    }

    func idValue(_ v: Value, item k: Int, arg i: Int, what: String) throws -> Int {
        switch v {
        case .int(let x) where x >= 0: return x
        default:
            throw Diagnostic.error(.type, at: range,
                                   "\(function) expects \(what) (non-negative int ids) as argument \(i + 1) but item \(k + 1) is \(v.typeName == "int" ? v.description : v.typeName)")
        }
    }

    /// A list of id lists (one per sample).
    func idLists(_ i: Int, _ what: String) throws -> [[Int]] {
        let items = try list(i, what)
        var pace = try pacer(building: what, bytes: MemorySize.bytes(items.count, 1, of: [Int].self))
        return try items.enumerated().map { k, v in
            try pace.tick()
            guard case .list(let inner) = v else {
                throw Diagnostic.error(.type, at: range,
                                       "\(function) expects \(what) (a list of id lists) as argument \(i + 1) but item \(k + 1) is \(v.typeName)",
                                       hint: "encode each sample: encode(vocab, words(lines)) gives one id list per line")
            }
            try pace.reserve(bytes: MemorySize.add(32, MemorySize.bytes(inner.count, 1, of: Int.self)))
            return try inner.enumerated().map { j, x in
                try pace.tick()
                guard case .int(let id) = x, id >= 0 else {
                    throw Diagnostic.error(.type, at: range,
                                           "\(function) expects \(what) (non-negative int ids) as argument \(i + 1) but item \(j + 1) of sample \(k + 1) is \(x.typeName == "int" ? x.description : x.typeName)")
                }
                return id
            }
        }
    }
}

extension FunctionChoices {
    /// The words a call's arguments from `first` on give its function's choices, keyed by the
    /// choice's name, or the error saying which words they allow.
    static func words(_ args: Arguments, from first: Int) throws -> [String: String] {
        let given = args.values.map { value -> Given in
            if case .string(let s) = value { return .word(s) }
            return .other(typeName: value.typeName)
        }
        return try words(args.function, given, from: first, at: args.range)
    }
}
