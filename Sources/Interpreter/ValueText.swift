// ValueText.swift — the text of a value for `print`, `str`, `join` and interpolation, with a
// size limit. It reads exactly like `Value.description`, but a value that shares one list
// many times over (`xs = [xs, xs]` in a loop) would print as more text than fits in memory;
// past the limit this is a `.limit` diagnostic instead of a hang.

import SeqLang

extension Value {
    /// The longest text `print`, `str`, `join` and interpolation produce for one value.
    static let maxTextLength = 1_000_000

    /// `description`, or a `.limit` diagnostic at `range` once the text passes `limit` characters.
    func text(at range: SourceRange, limit: Int = Value.maxTextLength) throws -> String {
        var out = ""
        try write(to: &out, quoted: false, limit: limit, at: range)
        return out
    }

    private func write(to out: inout String, quoted: Bool, limit: Int, at range: SourceRange) throws {
        switch self {
        case .string(let s):
            out += quoted ? "\"\(s)\"" : s
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                try item.write(to: &out, quoted: true, limit: limit, at: range)
            }
            out += "]"
        case .record(let fields):
            out += "{"
            for (i, field) in fields.enumerated() {
                if i > 0 { out += ", " }
                out += field.key + ": "
                try field.value.write(to: &out, quoted: true, limit: limit, at: range)
            }
            out += "}"
        default:
            out += description
        }
        if out.utf8.count > limit {
            throw Diagnostic.error(.limit, at: range, "the text of this value is longer than \(limit) characters",
                                   hint: "print a part of it, e.g. its count")
        }
    }
}
