// FigureList.swift — a list of measured figures (a history's `loss`, `val_accuracy`, …): the
// exact numbers as values, shown rounded.
//
// `print(history.val_loss)` and `"{history.loss}"` show each figure with the significant
// digits of every loss line (`[0.6931, 0.5123]`, `Figures.short`), while `history.loss[0]`,
// a `for` loop, `min(history.val_loss)` and arithmetic get the exact numbers: the list is a
// plain list of numbers everywhere but in its display. It reads as a list (`type` says
// "list"); built-ins and operators receive it as one (`Value.plainList`), and it leaves the
// interpreter as one (`RunResult.value`, globals read by the host).

/// Measured figures: exact in the value, rounded in the display.
final class FigureList: ScriptObject {
    /// The exact figures, in order.
    let values: [Double]

    init(_ values: [Double]) { self.values = values }

    /// The same numbers as a plain list.
    var list: Value { .list(values.map { .number($0) }) }

    var typeName: String { "list" }
    var displayDescription: String { "[" + values.map(Figures.short).joined(separator: ", ") + "]" }
    var memberNames: [String] { ["count"] }
    func member(_ name: String) -> Value? { name == "count" ? .int(values.count) : nil }
}

extension Value {
    /// The value with a figure list as the plain list of its numbers (only at the top).
    var plainList: Value {
        if case .object(let o) = self, let figures = o as? FigureList { return figures.list }
        return self
    }

    /// The value with every figure list inside it (in lists and records) as a plain list: what
    /// crosses the embedding boundary.
    var withPlainLists: Value {
        switch self {
        case .object(let o as FigureList): return o.list
        case .list(let items): return .list(items.map(\.withPlainLists))
        case .record(let fields): return .record(fields.map { (key: $0.key, value: $0.value.withPlainLists) })
        default: return self
        }
    }
}
