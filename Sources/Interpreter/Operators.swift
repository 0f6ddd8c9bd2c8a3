// Operators.swift — what the arithmetic, comparison and logical operators do to values.
//
// Ints stay ints under + - * % and ** with a non-negative exponent, and overflow is an error,
// never a wrap-around; mixing an int with a number gives a number; `/` always gives a number.
// `+` also joins strings and lists. Division or remainder by zero is a runtime error at the
// operator. Equality is structural; ordering works on numbers and on strings. Tensors take
// + - * / with numbers and tensors (TensorMath.swift). A string, list or tensor an operator
// builds is checked before it is allocated (ValueMemory.swift), against the interpreter's
// memory budget `memory` (nil where nothing is run: the static checker).

import Foundation
import SeqLang
import Tensor

enum Operators {
    static func binary(_ op: BinaryOp, _ a: Value, _ b: Value, at range: SourceRange, in memory: MemoryBudget?) throws -> Value {
        let a = a.plainList, b = b.plainList
        switch op {
        case .add:
            switch (a, b) {
            case (.string(let x), .string(let y)):
                let n = x.utf8.count + y.utf8.count
                try ValueMemory.check(count: n, bytes: ValueMemory.string(bytes: n), "the joined string of \(n) bytes", in: memory, at: range)
                return .string(x + y)
            case (.list(let x), .list(let y)):
                let n = x.count + y.count
                try ValueMemory.check(count: n, bytes: ValueMemory.list(n), "the joined list of \(n) values", in: memory, at: range)
                return .list(x + y)
            case (.string, _), (_, .string):
                throw typeError(op, a, b, at: range, hint: "convert with str(x), or interpolate: \"text {x}\"")
            default:
                return try arithmetic(op, a, b, at: range, in: memory)
            }
        case .subtract, .multiply, .divide, .remainder, .power:
            return try arithmetic(op, a, b, at: range, in: memory)
        case .equal: return .bool(equal(a, b))
        case .notEqual: return .bool(!equal(a, b))
        case .less, .lessEqual, .greater, .greaterEqual:
            let order: Int
            switch (a, b) {
            case (.string(let x), .string(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
            default:
                guard let x = a.asDouble, let y = b.asDouble else {
                    throw typeError(op, a, b, at: range, hint: "only numbers and strings can be ordered")
                }
                if case .int(let i) = a, case .int(let j) = b {
                    order = i < j ? -1 : (i == j ? 0 : 1)
                } else {
                    order = x < y ? -1 : (x == y ? 0 : 1)
                }
            }
            switch op {
            case .less: return .bool(order < 0)
            case .lessEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .and, .or:
            preconditionFailure("'and'/'or' short-circuit in the interpreter")
        }
    }

    private static func arithmetic(_ op: BinaryOp, _ a: Value, _ b: Value, at range: SourceRange, in memory: MemoryBudget?) throws -> Value {
        switch (a, b) {
        case (.tensor, _), (_, .tensor): return try TensorMath.binary(op, a, b, at: range, in: memory)
        default: break
        }
        if case .int(let x) = a, case .int(let y) = b {
            let result: (Int, Bool)
            switch op {
            case .add: result = x.addingReportingOverflow(y)
            case .subtract: result = x.subtractingReportingOverflow(y)
            case .multiply: result = x.multipliedReportingOverflow(by: y)
            case .divide:
                if y == 0 { throw divisionByZero(op, at: range) }
                return .number(Double(x) / Double(y))
            case .remainder:
                if y == 0 { throw divisionByZero(op, at: range) }
                if x == Int.min && y == -1 { return .int(0) }
                let r = x % y
                return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            case .power:
                if y < 0 { return .number(pow(Double(x), Double(y))) }
                var base = x, exp = y, acc = 1
                while exp > 0 {
                    if exp & 1 == 1 {
                        let (m, o) = acc.multipliedReportingOverflow(by: base)
                        if o { throw overflow(op, a, b, at: range) }
                        acc = m
                    }
                    exp >>= 1
                    if exp > 0 {
                        let (m, o) = base.multipliedReportingOverflow(by: base)
                        if o { throw overflow(op, a, b, at: range) }
                        base = m
                    }
                }
                return .int(acc)
            default: preconditionFailure("not arithmetic")
            }
            if result.1 { throw overflow(op, a, b, at: range) }
            return .int(result.0)
        }
        guard let x = a.asDouble, let y = b.asDouble else {
            throw typeError(op, a, b, at: range, hint: nil)
        }
        switch op {
        case .add: return .number(x + y)
        case .subtract: return .number(x - y)
        case .multiply: return .number(x * y)
        case .divide:
            if y == 0 { throw divisionByZero(op, at: range) }
            return .number(x / y)
        case .remainder:
            if y == 0 { throw divisionByZero(op, at: range) }
            let r = fmod(x, y)
            return .number(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        case .power: return .number(pow(x, y))
        default: preconditionFailure("not arithmetic")
        }
    }

    static func unary(_ op: UnaryOp, _ v: Value, at range: SourceRange, in memory: MemoryBudget?) throws -> Value {
        switch (op, v) {
        case (.negate, .int(let x)):
            if x == Int.min { throw Diagnostic.error(.runtime, at: range, "integer overflow: -(\(x)) does not fit in an int") }
            return .int(-x)
        case (.negate, .number(let x)): return .number(-x)
        case (.negate, .tensor(let t)):
            try ValueMemory.check(bytes: ValueMemory.tensor(t.count), "the negated tensor \(t.shape)", in: memory, at: range)
            return .tensor(TensorValue(Tensor(unchecked: t.sizes, t.scalars.map { -$0 })))
        case (.not, .bool(let b)): return .bool(!b)
        case (.negate, _):
            throw Diagnostic.error(.type, at: range, "'-' expects an int or number but found \(v.typeName)")
        case (.not, _):
            throw Diagnostic.error(.type, at: range, "'not' expects a bool but found \(v.typeName)")
        }
    }

    /// Structural equality; an int equals a number with the same value.
    static func equal(_ a: Value, _ b: Value) -> Bool {
        let a = a.plainList, b = b.plainList
        switch (a, b) {
        case (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.int, .number), (.number, .int), (.number, .number): return a.asDouble == b.asDouble
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.record(let x), .record(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && equal($0.value, $1.value) }
        case (.shape(let x), .shape(let y)): return x == y
        case (.tensor(let x), .tensor(let y)): return x == y
        case (.function(let x), .function(let y)): return x === y
        case (.object(let x), .object(let y)): return x === y
        default: return false
        }
    }

    private static func typeError(_ op: BinaryOp, _ a: Value, _ b: Value, at range: SourceRange, hint: String?) -> Diagnostic {
        let expected: String
        switch op {
        case .add: expected = "two numbers, two strings or two lists"
        case .less, .lessEqual, .greater, .greaterEqual: expected = "two numbers or two strings"
        default: expected = "numbers"
        }
        return .error(.type, at: range, "'\(op.rawValue)' expects \(expected) but found \(a.typeName) and \(b.typeName)", hint: hint)
    }

    private static func divisionByZero(_ op: BinaryOp, at range: SourceRange) -> Diagnostic {
        .error(.runtime, at: range, op == .divide ? "division by zero" : "remainder by zero",
               hint: "check the divisor before dividing")
    }

    private static func overflow(_ op: BinaryOp, _ a: Value, _ b: Value, at range: SourceRange) -> Diagnostic {
        .error(.runtime, at: range, "integer overflow: \(a) \(op.rawValue) \(b) does not fit in an int",
               hint: "use a number instead, e.g. float(x)")
    }
}

extension Value {
    /// The value as a Double if it is an int or a number.
    var asDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
}
