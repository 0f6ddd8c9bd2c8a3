// TensorBuiltins.swift — the built-in functions over tensors: `tensor(list)`, `list(tensor)`,
// `rows(t, start, end)` and the reductions `sum`, `mean`, `std` (and `min`, `max`, which
// Builtins.swift hands a tensor). What they compute is in TensorMath.swift.

import SeqLang
import Tensor

enum TensorBuiltins {
    static var table: [(String, NativeHandler)] { [
        ("tensor", { args, ctx, range in
            guard args.count == 1 else {
                throw Diagnostic.error(.type, at: range, "'tensor' expects 1 argument (a list of numbers, or of lists) but was given \(args.count)")
            }
            if case .tensor = args[0] { return args[0] }
            return .tensor(TensorValue(try TensorMath.tensor(from: args[0], in: ctx, at: range)))
        }),
        ("list", { args, ctx, range in
            guard args.count == 1 else {
                throw Diagnostic.error(.type, at: range, "'list' expects 1 argument (a tensor) but was given \(args.count)")
            }
            switch args[0] {
            case .tensor(let t):
                try ValueMemory.check(count: t.count, bytes: ValueMemory.list(t.count), "the list of a tensor of \(t.count) values", in: ctx, at: range)
                return TensorMath.list(t.tensor)
            case .list: return args[0]
            default:
                throw Diagnostic.error(.type, at: range, "argument 1 of 'list' must be a tensor but is \(args[0].typeName)")
            }
        }),
        ("rows", { args, ctx, range in
            guard args.count == 3 else {
                throw Diagnostic.error(.type, at: range, "'rows' expects 3 arguments (a tensor, the first row and the end) but was given \(args.count)",
                                       hint: "rows(t, 0, 10) gives rows 0 to 9")
            }
            guard case .tensor(let t) = args[0] else {
                throw Diagnostic.error(.type, at: range, "argument 1 of 'rows' must be a tensor but is \(args[0].typeName)")
            }
            guard case .int(let start) = args[1], case .int(let end) = args[2] else {
                throw Diagnostic.error(.type, at: range, "the first row and the end of 'rows' must be ints but are \(args[1].typeName) and \(args[2].typeName)")
            }
            return .tensor(TensorValue(try TensorMath.rows(t.tensor, start, end, in: ctx, at: range)))
        }),
        ("sum", { args, _, range in try reduce(.sum, args, range) }),
        ("mean", { args, _, range in try reduce(.mean, args, range) }),
        ("std", { args, _, range in try reduce(.std, args, range) }),
    ] }

    /// A reduction of a tensor (over everything or one axis), or of a list of numbers.
    static func reduce(_ r: TensorMath.Reduction, _ args: [Value], _ range: SourceRange) throws -> Value {
        guard args.count == 1 || args.count == 2 else {
            throw Diagnostic.error(.type, at: range, "'\(r.rawValue)' expects 1 or 2 arguments (a tensor or list, and an optional axis) but was given \(args.count)")
        }
        switch args[0] {
        case .tensor(let t):
            return try TensorMath.reduce(r, t.tensor, axis: args.count == 2 ? args[1] : nil, at: range)
        case .list(let items) where args.count == 1:
            var values: [Double] = []
            for (k, item) in items.enumerated() {
                guard let x = item.asDouble else {
                    throw Diagnostic.error(.type, at: range, "'\(r.rawValue)' expects a list of numbers but item \(k) is \(item.typeName)")
                }
                values.append(x)
            }
            guard !values.isEmpty else {
                if r == .sum { return .int(0) }
                throw Diagnostic.error(.runtime, at: range, "'\(r.rawValue)' needs at least one value but the list is empty")
            }
            if r == .sum, items.allSatisfy({ if case .int = $0 { return true } else { return false } }) {
                var total = 0
                for case .int(let i) in items {
                    let (s, o) = total.addingReportingOverflow(i)
                    if o { throw Diagnostic.error(.runtime, at: range, "integer overflow: the sum does not fit in an int") }
                    total = s
                }
                return .int(total)
            }
            return .number(r.apply(values))
        case .list:
            throw Diagnostic.error(.type, at: range, "'\(r.rawValue)' of a list takes no axis; make a tensor first: \(r.rawValue)(tensor(xs), \"row\")")
        default:
            throw Diagnostic.error(.type, at: range, "argument 1 of '\(r.rawValue)' must be a tensor or a list of numbers but is \(args[0].typeName)")
        }
    }
}
