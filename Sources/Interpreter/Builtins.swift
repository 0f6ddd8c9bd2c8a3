// Builtins.swift — the functions every script can call: output, conversions, math, lists
// and strings (those over tensors are in TensorBuiltins.swift). Lists are values:
// `append(xs, v)` returns a new list and leaves `xs` alone. Each built-in checks its arguments
// and says which one is wrong and why.

import Foundation
import SeqLang
import Tensor

enum Builtins {
    /// The names of all built-in functions (for completion and "did you mean").
    static var names: [String] { (table + TensorBuiltins.table).map(\.0) }

    static func install(into interpreter: Interpreter) {
        for (name, handler) in table + TensorBuiltins.table {
            interpreter.natives[name] = NativeFunction(name, handler)
        }
    }

    private static var table: [(String, NativeHandler)] { [
        ("print", { args, ctx, range in
            ctx.output(try args.map { try $0.text(at: range) }.joined(separator: " ") + "\n")
            return .none
        }),
        ("len", { args, _, range in
            try arity("len", args, 1, range)
            switch args[0] {
            case .list(let l): return .int(l.count)
            case .string(let s): return .int(s.count)
            case .record(let r): return .int(r.count)
            case .tensor(let t): return .int(t.count)
            default: throw argumentError("len", 1, "a list, string, record or tensor", args[0], range)
            }
        }),
        ("str", { args, _, range in
            try arity("str", args, 1, range)
            return .string(try args[0].text(at: range))
        }),
        ("type", { args, _, range in
            try arity("type", args, 1, range)
            return .string(args[0].typeName)
        }),
        ("int", { args, _, range in
            try arity("int", args, 1, range)
            switch args[0] {
            case .int: return args[0]
            case .bool(let b): return .int(b ? 1 : 0)
            case .number(let d):
                guard let i = Int(exactly: d.rounded(.towardZero)) else {
                    throw Diagnostic.error(.runtime, at: range, "int(\(formatNumber(d))): the number has no int value")
                }
                return .int(i)
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces)
                if let i = Int(t) { return .int(i) }
                throw Diagnostic.error(.runtime, at: range, "int(\"\(s)\"): expected the text of an int",
                                       hint: Double(t) != nil ? "write int(float(x)) to truncate a number" : nil)
            default: throw argumentError("int", 1, "a number, string or bool", args[0], range)
            }
        }),
        ("float", { args, _, range in
            try arity("float", args, 1, range)
            switch args[0] {
            case .int(let i): return .number(Double(i))
            case .number: return args[0]
            case .string(let s):
                if let d = Double(s.trimmingCharacters(in: .whitespaces)) { return .number(d) }
                throw Diagnostic.error(.runtime, at: range, "float(\"\(s)\"): expected the text of a number")
            default: throw argumentError("float", 1, "an int, number or string", args[0], range)
            }
        }),
        ("range", { args, ctx, range in
            guard (1...3).contains(args.count) else {
                throw Diagnostic.error(.type, at: range, "'range' expects 1 to 3 arguments (end, start and end, or start, end and step) but was given \(args.count)")
            }
            var ints: [Int] = []
            for (i, a) in args.enumerated() {
                guard case .int(let v) = a else { throw argumentError("range", i + 1, "an int", a, range) }
                ints.append(v)
            }
            let (start, end, step) = ints.count == 1 ? (0, ints[0], 1) : (ints[0], ints[1], ints.count == 3 ? ints[2] : 1)
            guard step != 0 else { throw Diagnostic.error(.runtime, at: range, "'range' step must not be 0") }
            let count = step > 0 ? (end > start ? (end - start + step - 1) / step : 0)
                                 : (start > end ? (start - end - step - 1) / (-step) : 0)
            try ValueMemory.check(count: count, bytes: ValueMemory.list(count), "range's list of \(count) ints", in: ctx, at: range)
            return .list(stride(from: start, to: end, by: step).map { .int($0) })
        }),
        ("min", { args, _, range in try extreme("min", args, range, pickFirst: { $0 < 0 }) }),
        ("max", { args, _, range in try extreme("max", args, range, pickFirst: { $0 > 0 }) }),
        ("abs", { args, _, range in
            try arity("abs", args, 1, range)
            switch args[0] {
            case .int(let i):
                guard i != Int.min else { throw Diagnostic.error(.runtime, at: range, "integer overflow: abs(\(i)) does not fit in an int") }
                return .int(Swift.abs(i))
            case .number(let d): return .number(Swift.abs(d))
            default: throw argumentError("abs", 1, "an int or number", args[0], range)
            }
        }),
        ("sqrt", { args, _, range in
            let x = try number("sqrt", args, range)
            guard x >= 0 else { throw Diagnostic.error(.runtime, at: range, "sqrt(\(formatNumber(x))): expected a number ≥ 0") }
            return .number(x.squareRoot())
        }),
        ("exp", { args, _, range in .number(Foundation.exp(try number("exp", args, range))) }),
        ("log", { args, _, range in
            let x = try number("log", args, range)
            guard x > 0 else { throw Diagnostic.error(.runtime, at: range, "log(\(formatNumber(x))): expected a number > 0") }
            return .number(Foundation.log(x))
        }),
        ("round", { args, _, range in
            guard args.count == 1 || args.count == 2 else {
                throw Diagnostic.error(.type, at: range, "'round' expects 1 or 2 arguments (a number and optional digits) but was given \(args.count)")
            }
            guard let x = args[0].asDouble else { throw argumentError("round", 1, "an int or number", args[0], range) }
            if args.count == 2 {
                guard case .int(let digits) = args[1], (0...15).contains(digits) else {
                    throw argumentError("round", 2, "an int from 0 to 15", args[1], range)
                }
                let scale = Foundation.pow(10.0, Double(digits))
                return .number((x * scale).rounded() / scale)
            }
            guard let i = Int(exactly: x.rounded()) else {
                throw Diagnostic.error(.runtime, at: range, "round(\(formatNumber(x))): the number has no int value")
            }
            return .int(i)
        }),
        ("append", { args, ctx, range in
            try arity("append", args, 2, range)
            guard case .list(var items) = args[0] else { throw argumentError("append", 1, "a list", args[0], range) }
            try ValueMemory.check(count: items.count + 1, bytes: ValueMemory.list(items.count + 1),
                                  "the list of \(items.count + 1) values append makes", in: ctx, at: range)
            items.append(args[1])
            return .list(items)
        }),
        ("join", { args, ctx, range in
            guard args.count == 1 || args.count == 2 else {
                throw Diagnostic.error(.type, at: range, "'join' expects 1 or 2 arguments (a list and an optional separator) but was given \(args.count)")
            }
            guard case .list(let items) = args[0] else { throw argumentError("join", 1, "a list", args[0], range) }
            var separator = ""
            if args.count == 2 {
                guard case .string(let s) = args[1] else { throw argumentError("join", 2, "a string", args[1], range) }
                separator = s
            }
            let texts = try items.map { try $0.text(at: range) }
            let n = texts.reduce(separator.utf8.count * max(0, texts.count - 1)) { MemorySize.add($0, $1.utf8.count) }
            try ValueMemory.check(count: n, bytes: ValueMemory.string(bytes: n), "the joined string of \(n) bytes", in: ctx, at: range)
            return .string(texts.joined(separator: separator))
        }),
        ("split", { args, ctx, range in try splitText(args, ctx, range) }),
        ("assert", { args, _, range in
            guard args.count == 1 || args.count == 2 else {
                throw Diagnostic.error(.type, at: range, "'assert' expects 1 or 2 arguments (a condition and an optional message) but was given \(args.count)")
            }
            guard case .bool(let ok) = args[0] else { throw argumentError("assert", 1, "a bool", args[0], range) }
            if !ok {
                let message = args.count == 2 ? ": " + args[1].description : ""
                throw Diagnostic.error(.runtime, at: range, "assertion failed" + message)
            }
            return .none
        }),
    ] }

    /// `split(text)` splits at whitespace, `split(text, separator)` at each separator; the
    /// pieces are counted first, so their list is checked before it is made.
    static func splitText(_ args: [Value], _ ctx: CommandContext, _ range: SourceRange) throws -> Value {
        guard args.count == 1 || args.count == 2 else {
            throw Diagnostic.error(.type, at: range, "'split' expects 1 or 2 arguments (a string and an optional separator) but was given \(args.count)")
        }
        guard case .string(let s) = args[0] else { throw argumentError("split", 1, "a string", args[0], range) }
        func room(_ pieces: Int) throws {
            try ValueMemory.check(count: pieces, bytes: MemorySize.add(ValueMemory.list(pieces), MemorySize.mul(pieces, MemoryLayout<String>.stride) + s.utf8.count),
                                  "the \(pieces) pieces of a string of \(s.utf8.count) bytes", in: ctx, at: range)
        }
        if args.count == 1 {
            var pieces = 0, inWord = false
            for c in s.unicodeScalars {
                let space = c.properties.isWhitespace
                if !space && !inWord { pieces += 1 }
                inWord = !space
            }
            try room(pieces)
            return .list(s.split(whereSeparator: { $0.isWhitespace }).map { .string(String($0)) })
        }
        guard case .string(let sep) = args[1], !sep.isEmpty else {
            throw argumentError("split", 2, "a non-empty string", args[1], range)
        }
        // The separator's occurrences, counted over the UTF-8 bytes.
        var pieces = 1
        let text = Array(s.utf8), pattern = Array(sep.utf8)
        var i = 0
        while i + pattern.count <= text.count {
            if text[i] == pattern[0] && text[i..<(i + pattern.count)].elementsEqual(pattern) {
                pieces += 1
                i += pattern.count
            } else {
                i += 1
            }
        }
        try room(pieces)
        return .list(s.components(separatedBy: sep).map { .string($0) })
    }

    // MARK: - Argument checks

    private static func arity(_ name: String, _ args: [Value], _ n: Int, _ range: SourceRange) throws {
        guard args.count == n else {
            throw Diagnostic.error(.type, at: range, "'\(name)' expects \(n) argument\(n == 1 ? "" : "s") but was given \(args.count)")
        }
    }

    private static func argumentError(_ name: String, _ position: Int, _ expected: String, _ found: Value,
                                      _ range: SourceRange) -> Diagnostic {
        .error(.type, at: range, "argument \(position) of '\(name)' must be \(expected) but is \(found.typeName)")
    }

    private static func number(_ name: String, _ args: [Value], _ range: SourceRange) throws -> Double {
        try arity(name, args, 1, range)
        guard let x = args[0].asDouble else { throw argumentError(name, 1, "an int or number", args[0], range) }
        return x
    }

    /// `min`/`max` over several arguments or over one list; of a tensor (and an optional
    /// axis), its smallest or largest values (TensorMath.swift).
    private static func extreme(_ name: String, _ args: [Value], _ range: SourceRange,
                                pickFirst: (Int) -> Bool) throws -> Value {
        if case .tensor? = args.first {
            return try TensorBuiltins.reduce(name == "min" ? .min : .max, args, range)
        }
        var items = args
        if args.count == 1, case .list(let l) = args[0] { items = l }
        guard var best = items.first else {
            throw Diagnostic.error(.runtime, at: range, "'\(name)' needs at least one value but was given none")
        }
        for item in items.dropFirst() {
            let less = try Operators.binary(.less, item, best, at: range, in: nil)
            let greater = try Operators.binary(.greater, item, best, at: range, in: nil)
            if case .bool(true) = less, pickFirst(-1) { best = item }
            if case .bool(true) = greater, pickFirst(1) { best = item }
        }
        return best
    }
}
