// Members.swift — the members each kind of value has (`xs.count`, `t.shape`, `model.params`),
// named once: the objects list theirs from here, and the interpreter's and the checker's
// "has no member … did you mean" and completion after `.` read the same lists.

enum Members {
    /// A list's and a string's.
    static let sequence = ["count"]
    static let tensor = ["shape", "count", "rank", "axes"]
    static let shape = ["rank", "sizes", "names"]
    static let function = ["name"]
    static let model = ["name", "input", "output", "layers", "params", "vocab", "classes"]
    static let layer = ["kind", "name", "units", "shape", "output_shape", "params", "dropout", "weights"]
    static let vocabulary = ["size", "symbols", "unk", "pad", "lower", "unit"]
    static let dataset = ["count", "shape", "target_shape", "vocab", "classes", "lengths", "contiguous", "streams", "steps", "batches"]

    /// The members of `value` (a record's fields, an object's members); empty when it has none.
    static func names(of value: Value) -> [String] {
        switch value {
        case .list, .string: return sequence
        case .record(let fields): return fields.map(\.key)
        case .tensor: return tensor
        case .shape: return shape
        case .function: return function
        case .object(let o): return o.memberNames
        default: return []
        }
    }
}
