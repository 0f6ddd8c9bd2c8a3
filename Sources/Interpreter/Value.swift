// Value.swift — a script value: what scripts compute, what built-ins and command handlers take
// and return, and what crosses the embedding boundary.
//
// Values, not handles, cross the boundary; objects a script can hold but not build from
// literals (models, layers, datasets, functions) are reference types behind two small
// protocols, so the interpreter and the statement handlers share one value type.

import Foundation
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
    /// A tensor: its shape with named axes and its numbers (`TensorValue`).
    case tensor(TensorValue)
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
        case .tensor(let t):
            // `tensor [row 2, column 3] [1, 2, 3, 4, 5, 6]`: the named axes, then the first values.
            let shown = t.scalars.prefix(8).map { formatNumber(Double($0)) }.joined(separator: ", ")
            return "tensor \(t.shape) [\(shown)\(t.count > 8 ? ", …" : "")]"
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
