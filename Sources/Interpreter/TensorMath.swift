// TensorMath.swift — what data preparation does to tensors in a script: arithmetic with
// numbers and tensors, reductions over all values or one axis, rows, and lists both ways.
//
// A tensor's axes are named by its rank, so shapes and errors read as everywhere else:
//   rank 1 [value N]   rank 2 [row R, column C]   rank 3 [sample S, time T, feature F]
//   higher ranks [axis0 …, axis1 …, …]
// Arithmetic (+ - * /) pairs a tensor with a number, or two tensors of the same shape, or a
// tensor with one whose shape is its trailing axes (a [row 4, column 2] minus the [value 2]
// of `mean(t, "row")`: each row minus the column means, as numpy broadcasts). Reductions
// (`sum`, `mean`, `std` — the population deviation, numpy's default — `min`, `max`) give a
// number over all values, or a tensor without the axis named (or numbered from 0). Values
// are float32 inside; results that are numbers are computed in Double.

import SeqLang
import Tensor

enum TensorMath {
    // MARK: - Axis names

    static func axisNames(rank: Int) -> [String] {
        switch rank {
        case 1: return ["value"]
        case 2: return ["row", "column"]
        case 3: return ["sample", "time", "feature"]
        default: return (0..<rank).map { "axis\($0)" }
        }
    }

    /// The names of `t`'s axes: its own (a prediction's `[batch, class]`), else by its rank.
    static func axisNames(of t: Tensor) -> [String] {
        if let names = t.axisNames, names.count == t.rank { return names }
        return axisNames(rank: t.rank)
    }

    static func shape(_ t: Tensor) -> NamedShape {
        NamedShape(zip(axisNames(of: t), t.shape).map { NamedShape.Axis($0, $1) })
    }

    /// The axis `selector` names (a name, or an int from 0) in `t`.
    static func axis(_ selector: Value, of t: Tensor, function: String, at range: SourceRange) throws -> Int {
        let names = axisNames(of: t)
        switch selector {
        case .int(let i):
            guard i >= 0 && i < t.rank else {
                throw Diagnostic.error(.shape, at: range, "\(function): a tensor \(shape(t)) has axes 0 to \(t.rank - 1), not \(i)")
            }
            return i
        case .string(let name):
            if let i = names.firstIndex(of: name) { return i }
            throw Diagnostic.error(.shape, at: range, "\(function): a tensor \(shape(t)) has no axis '\(name)'",
                                   hint: didYouMean(name, among: names) ?? "its axes: " + names.map { "\"\($0)\"" }.joined(separator: ", "))
        default:
            throw Diagnostic.error(.type, at: range, "\(function) expects an axis name (string) or number (int) but got \(selector.typeName)")
        }
    }

    // MARK: - Arithmetic

    /// `a op b` where at least one side is a tensor; the result is checked against `memory`
    /// before it is allocated (ValueMemory.swift).
    static func binary(_ op: BinaryOp, _ a: Value, _ b: Value, at range: SourceRange, in memory: MemoryBudget?) throws -> Value {
        let f: (Float, Float) -> Float
        switch op {
        case .add: f = (+)
        case .subtract: f = (-)
        case .multiply: f = (*)
        case .divide: f = (/)
        default:
            throw Diagnostic.error(.type, at: range, "'\(op.rawValue)' does not apply to tensors; tensors take + - * /")
        }
        // The result, of the shape of `t`, must fit before it is computed.
        func room(_ t: Tensor) throws {
            try ValueMemory.check(bytes: ValueMemory.tensor(t.count), "the result of '\(op.rawValue)', a tensor \(shape(t)),", in: memory, at: range)
        }
        // The result keeps the axis names of the operand whose shape it has.
        func named(_ t: Tensor, like source: Tensor) -> Value {
            var t = t
            if let names = source.axisNames, names.count == t.rank { t.axisNames = names }
            return .tensor(TensorValue(t))
        }
        switch (a, b) {
        case (.tensor(let xv), .tensor(let yv)):
            let x = xv.tensor, y = yv.tensor
            try room(x.rank >= y.rank ? x : y)
            if x.shape == y.shape { return named(Tensor(unchecked: x.shape, zip(x.scalars, y.scalars).map(f)), like: x.axisNames != nil ? x : y) }
            if y.rank < x.rank, Array(x.shape.suffix(y.rank)) == y.shape, y.count > 0 {
                return named(Tensor(unchecked: x.shape, x.scalars.enumerated().map { f($1, y.scalars[$0 % y.count]) }), like: x)
            }
            if x.rank < y.rank, Array(y.shape.suffix(x.rank)) == x.shape, x.count > 0 {
                return named(Tensor(unchecked: y.shape, y.scalars.enumerated().map { f(x.scalars[$0 % x.count], $1) }), like: y)
            }
            throw Diagnostic.error(.shape, at: range,
                "'\(op.rawValue)' needs tensors of the same shape, or one whose shape is the other's last axes, but found \(shape(x)) and \(shape(y))",
                hint: "reduce first, e.g. mean(t, \"\(axisNames(rank: x.rank).first ?? "row")\") gives one value per \(axisNames(rank: x.rank).last ?? "column")")
        case (.tensor(let xv), _):
            let x = xv.tensor
            guard let s = b.asDouble else { throw operandError(op, a, b, at: range) }
            try room(x)
            let y = Float(s)
            return named(Tensor(unchecked: x.shape, x.scalars.map { f($0, y) }), like: x)
        case (_, .tensor(let yv)):
            let y = yv.tensor
            guard let s = a.asDouble else { throw operandError(op, a, b, at: range) }
            try room(y)
            let x = Float(s)
            return named(Tensor(unchecked: y.shape, y.scalars.map { f(x, $0) }), like: y)
        default:
            preconditionFailure("a tensor operand is expected")
        }
    }

    private static func operandError(_ op: BinaryOp, _ a: Value, _ b: Value, at range: SourceRange) -> Diagnostic {
        .error(.type, at: range, "'\(op.rawValue)' pairs a tensor with a number or a tensor but found \(a.typeName) and \(b.typeName)")
    }

    // MARK: - Reductions

    enum Reduction: String {
        case sum, mean, std, min, max

        func apply(_ values: [Double]) -> Double {
            switch self {
            case .sum: return values.reduce(0, +)
            case .mean: return values.reduce(0, +) / Double(values.count)
            case .std:
                let m = values.reduce(0, +) / Double(values.count)
                return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)).squareRoot()
            case .min: return values.min()!
            case .max: return values.max()!
            }
        }
    }

    /// `sum(t)`, `mean(t, "row")`, …: a number over all values, or a tensor without `axis`.
    static func reduce(_ r: Reduction, _ t: Tensor, axis selector: Value?, at range: SourceRange) throws -> Value {
        guard t.count > 0 else {
            throw Diagnostic.error(.shape, at: range, "\(r.rawValue): the tensor \(shape(t)) holds no values")
        }
        guard let selector else { return .number(r.apply(t.scalars.map(Double.init))) }
        let k = try axis(selector, of: t, function: r.rawValue, at: range)
        let outer = t.shape[..<k].reduce(1, *), n = t.shape[k], inner = t.shape[(k + 1)...].reduce(1, *)
        var out = [Float](repeating: 0, count: outer * inner)
        var column = [Double](repeating: 0, count: n)
        for o in 0..<outer {
            for i in 0..<inner {
                for j in 0..<n { column[j] = Double(t.scalars[(o * n + j) * inner + i]) }
                out[o * inner + i] = Float(r.apply(column))
            }
        }
        var kept = t.shape
        kept.remove(at: k)
        if kept.isEmpty { return .number(Double(out[0])) }
        var result = Tensor(unchecked: kept, out)
        if let names = t.axisNames, names.count == t.rank {
            var rest = names
            rest.remove(at: k)
            result.axisNames = rest
        }
        return .tensor(TensorValue(result))
    }

    // MARK: - Rows

    /// `t[i]`: row `i` (negative counts from the end) — a tensor of one rank less, or a number.
    static func row(_ t: Tensor, _ key: Value, at range: SourceRange) throws -> Value {
        guard case .int(let i) = key else {
            throw Diagnostic.error(.type, at: range, "a tensor is indexed by an int (its row) but found \(key.typeName)")
        }
        guard t.rank >= 1 else { throw Diagnostic.error(.shape, at: range, "a tensor of rank 0 has no rows") }
        let r = try resolve(i, count: t.shape[0], t, at: range)
        let width = t.count / max(t.shape[0], 1)
        let slice = Array(t.scalars[(r * width)..<((r + 1) * width)])
        if t.rank == 1 { return .number(Double(slice[0])) }
        return .tensor(TensorValue(Tensor(unchecked: Array(t.shape.dropFirst()), slice)))
    }

    /// `rows(t, start, end)`: rows start ..< end (negative counts from the end).
    static func rows(_ t: Tensor, _ start: Int, _ end: Int, in context: CommandContext, at range: SourceRange) throws -> Tensor {
        guard t.rank >= 1 else { throw Diagnostic.error(.shape, at: range, "rows: a tensor of rank 0 has no rows") }
        let n = t.shape[0]
        let s = start < 0 ? n + start : start, e = end < 0 ? n + end : end
        guard s >= 0, e <= n, s <= e else {
            throw Diagnostic.error(.shape, at: range, "rows(\(start), \(end)) is outside the \(n) \(axisNames(of: t)[0])s of a tensor \(shape(t))",
                                   hint: "rows run from 0 to \(n); negative numbers count from the end")
        }
        let width = t.count / max(n, 1)
        try ValueMemory.check(bytes: ValueMemory.tensor((e - s) * width), "rows \(s) to \(e) of a tensor \(shape(t))", in: context, at: range)
        var kept = t.shape
        kept[0] = e - s
        return Tensor(unchecked: kept, Array(t.scalars[(s * width)..<(e * width)]))
    }

    private static func resolve(_ i: Int, count: Int, _ t: Tensor, at range: SourceRange) throws -> Int {
        let r = i < 0 ? count + i : i
        guard r >= 0 && r < count else {
            throw Diagnostic.error(.shape, at: range, "row \(i) is outside a tensor \(shape(t)): expected -\(count) to \(count - 1)")
        }
        return r
    }

    // MARK: - Lists

    /// `tensor([[1, 2], [3, 4]])`: nested lists of numbers, every row the same length; the
    /// values the shape of the first rows promises must fit in `context`'s memory first.
    static func tensor(from value: Value, in context: CommandContext, at range: SourceRange) throws -> Tensor {
        var shape: [Int] = []
        var probe = value
        while case .list(let items) = probe {
            shape.append(items.count)
            guard let first = items.first else { break }
            probe = first
        }
        guard !shape.isEmpty else {
            throw Diagnostic.error(.type, at: range, "tensor expects a list of numbers (or of lists of numbers) but got \(value.typeName)")
        }
        let count = shape.reduce(1, MemorySize.mul)
        try ValueMemory.check(count: count, bytes: ValueMemory.tensor(count), "a tensor of shape \(shape)", in: context, at: range)
        var scalars: [Float] = []
        scalars.reserveCapacity(count)
        func walk(_ v: Value, depth: Int, path: [Int]) throws {
            let place = path.isEmpty ? "the list" : "item " + path.map { "[\($0)]" }.joined()
            if depth == shape.count {
                guard let x = v.asDouble else {
                    throw Diagnostic.error(.type, at: range, "tensor: \(place) is \(v.typeName), expected a number")
                }
                scalars.append(Float(x))
                return
            }
            guard case .list(let items) = v else {
                throw Diagnostic.error(.shape, at: range, "tensor: \(place) is \(v.typeName) but the first has \(shape.count - depth) more level\(shape.count - depth == 1 ? "" : "s") of lists")
            }
            guard items.count == shape[depth] else {
                throw Diagnostic.error(.shape, at: range, "tensor: \(place) has \(items.count) items but the first at its level has \(shape[depth]); every row needs the same length")
            }
            for (k, item) in items.enumerated() { try walk(item, depth: depth + 1, path: path + [k]) }
        }
        try walk(value, depth: 0, path: [])
        return Tensor(unchecked: shape, scalars)
    }

    /// `list(t)`: nested lists of numbers, one level per axis.
    static func list(_ t: Tensor) -> Value {
        func build(_ axis: Int, _ offset: Int) -> Value {
            if axis == t.rank { return .number(Double(t.scalars[offset])) }
            let stride = t.shape[(axis + 1)...].reduce(1, *)
            return .list((0..<t.shape[axis]).map { build(axis + 1, offset + $0 * stride) })
        }
        return t.rank == 0 ? .number(Double(t.scalars.first ?? 0)) : build(0, 0)
    }
}
