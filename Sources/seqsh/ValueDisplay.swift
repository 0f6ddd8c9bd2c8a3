// ValueDisplay.swift — how the REPL shows a value: the echo after each statement and `:shape`.
//
// A value prints as it would inside a list (strings quoted); a tensor as its shape and the
// first few numbers (also inside a list or a record, as a layer's `weights`); a layer as its summary line (`lstm 128 -> [batch, time 100, feature 128]
// 99,328 params`); a model as its one-line description. Long lists (a training history's
// per-epoch figures) show their first and last few items and their length.

import Foundation
import Interpreter

enum ValueDisplay {
    /// How many numbers of a tensor the echo shows.
    static let tensorPreviewCount = 6

    /// The text the REPL prints after a statement whose value is `value` (one or more lines).
    static func echo(_ value: Value) -> String {
        switch value {
        case .tensor(let t):
            return tensor(t)
        case .string:
            return value.debugText
        case .object(let object) where object.typeName == "layer":
            return "layer " + object.displayDescription
        case .list, .record:
            return brief(value)
        default:
            return value.description
        }
    }

    /// `tensor [row 2, column 3]: [1, 2, 3, 4, 5, 6]`: the shape and the first few numbers.
    static func tensor(_ t: TensorValue) -> String {
        let preview = t.scalars.prefix(tensorPreviewCount).map { String(format: "%.4g", Double($0)) }
        let more = t.count > tensorPreviewCount ? ", … (\(t.count) values)" : ""
        return "tensor \(t.shape): [\(preview.joined(separator: ", "))\(more)]"
    }

    /// How many items of a long list the echo shows at each end.
    static let listEnds = 3

    /// `value` as in a list, with lists longer than `2 * listEnds + 1` items shortened to their
    /// ends: `[1.39, 1.11, 0.254, …, 5.09e-05, 4.94e-05, 4.79e-05] (52 items)`.
    static func brief(_ value: Value) -> String {
        switch value {
        case .list(let items) where items.count > 2 * listEnds + 1:
            let head = items.prefix(listEnds).map(brief), tail = items.suffix(listEnds).map(brief)
            return "[" + (head + ["…"] + tail).joined(separator: ", ") + "] (\(items.count) items)"
        case .list(let items):
            return "[" + items.map(brief).joined(separator: ", ") + "]"
        case .record(let fields):
            return "{" + fields.map { "\($0.key): \(brief($0.value))" }.joined(separator: ", ") + "}"
        case .number(let v):
            return String(format: "%.4g", v)
        case .tensor(let t):
            // A layer's `weights`: each tensor as the echo shows one alone.
            return tensor(t)
        default:
            return value.debugText
        }
    }

    /// What `:shape` says about `value`, or nil when it has no shape: the interpreter's
    /// `shapeDescription`.
    static func shape(of value: Value) -> String? {
        SeqInterpreter.shapeDescription(of: value)
    }
}
