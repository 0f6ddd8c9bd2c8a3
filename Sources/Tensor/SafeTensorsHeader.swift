// SafeTensorsHeader.swift — the small JSON reader and writer behind the safetensors header.
//
// The header is one JSON object. This reader keeps the byte offset of every value so a corrupt
// header is reported at the byte where it went wrong, keeps keys in file order, and rejects
// duplicate keys; numbers stay as their source text (shapes and offsets must be integers).
// It knows JSON only; what the keys mean is checked in SafeTensors.swift.

/// One JSON value of a header and the byte offset (from the start of the JSON) where it begins.
struct HeaderJSON {
    indirect enum Kind {
        case object([(key: String, value: HeaderJSON)])
        case array([HeaderJSON])
        case string(String)
        case number(String)
        case bool(Bool)
        case null
    }
    var offset: Int
    var kind: Kind

    var typeName: String {
        switch kind {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// A JSON syntax error: what was wrong and the byte offset inside the JSON text.
    struct SyntaxError: Error {
        var offset: Int
        var message: String
    }

    /// value -> object | array | string | number | true | false | null, surrounded by spaces.
    static func parse(_ bytes: [UInt8]) throws -> HeaderJSON {
        var p = Parser(bytes: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        if p.pos < bytes.count {
            throw SyntaxError(offset: p.pos, message: "unexpected '\(p.show(bytes[p.pos]))' after the end of the header object")
        }
        return v
    }

    private struct Parser {
        let bytes: [UInt8]
        var pos = 0
        static let maxDepth = 64

        func show(_ b: UInt8) -> String {
            b >= 0x20 && b < 0x7f ? String(UnicodeScalar(b)) : String(format: "\\x%02x", b)
        }

        mutating func skipSpace() {
            while pos < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[pos]) { pos += 1 }
        }

        func fail(_ message: String) -> SyntaxError { SyntaxError(offset: pos, message: message) }

        mutating func value(depth: Int) throws -> HeaderJSON {
            guard depth < Parser.maxDepth else { throw fail("JSON nested deeper than \(Parser.maxDepth) levels") }
            guard pos < bytes.count else { throw fail("the header JSON ends where a value was expected") }
            let start = pos
            switch bytes[pos] {
            case UInt8(ascii: "{"):
                // object -> "{" [string ":" value {"," string ":" value}] "}"
                pos += 1
                var fields: [(key: String, value: HeaderJSON)] = []
                var seen = Set<String>()
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return HeaderJSON(offset: start, kind: .object(fields)) }
                while true {
                    skipSpace()
                    let keyStart = pos
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
                        throw fail("expected a quoted key in the JSON object but found \(pos < bytes.count ? "'\(show(bytes[pos]))'" : "the end of the header")")
                    }
                    let key = try string()
                    guard seen.insert(key).inserted else {
                        throw SyntaxError(offset: keyStart, message: "duplicate key \"\(key)\" in the JSON object")
                    }
                    skipSpace()
                    try expect(":")
                    skipSpace()
                    fields.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    if try commaOrClose("}") { return HeaderJSON(offset: start, kind: .object(fields)) }
                }
            case UInt8(ascii: "["):
                // array -> "[" [value {"," value}] "]"
                pos += 1
                var items: [HeaderJSON] = []
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return HeaderJSON(offset: start, kind: .array(items)) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    if try commaOrClose("]") { return HeaderJSON(offset: start, kind: .array(items)) }
                }
            case UInt8(ascii: "\""):
                return HeaderJSON(offset: start, kind: .string(try string()))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                // number -> ["-"] digits ["." digits] [("e"|"E") ["+"|"-"] digits]
                let numberBytes = Set("+-.eE0123456789".utf8)
                while pos < bytes.count, numberBytes.contains(bytes[pos]) { pos += 1 }
                let text = String(decoding: bytes[start..<pos], as: UTF8.self)
                guard Double(text) != nil else { throw SyntaxError(offset: start, message: "malformed number '\(text)'") }
                return HeaderJSON(offset: start, kind: .number(text))
            default:
                for (word, kind) in [("true", Kind.bool(true)), ("false", .bool(false)), ("null", .null)] {
                    let w = Array(word.utf8)
                    if pos + w.count <= bytes.count, Array(bytes[pos..<(pos + w.count)]) == w {
                        pos += w.count
                        return HeaderJSON(offset: start, kind: kind)
                    }
                }
                throw fail("expected a JSON value but found '\(show(bytes[pos]))'")
            }
        }

        /// After an item: "," continues (false), `close` ends (true), anything else is an error.
        mutating func commaOrClose(_ close: Character) throws -> Bool {
            guard pos < bytes.count else { throw fail("the header JSON ends inside an unclosed '\(close == "}" ? "{" : "[")'") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; return false }
            if bytes[pos] == close.asciiValue! { pos += 1; return true }
            throw fail("expected ',' or '\(close)' but found '\(show(bytes[pos]))'")
        }

        mutating func expect(_ c: Character) throws {
            guard pos < bytes.count, bytes[pos] == c.asciiValue! else {
                throw fail("expected '\(c)' but found \(pos < bytes.count ? "'\(show(bytes[pos]))'" : "the end of the header")")
            }
            pos += 1
        }

        /// string -> '"' {char | escape} '"'
        mutating func string() throws -> String {
            pos += 1  // opening quote
            var out: [UInt8] = []
            while true {
                guard pos < bytes.count else { throw fail("the header JSON ends inside a string") }
                let b = bytes[pos]
                if b == UInt8(ascii: "\"") { pos += 1; break }
                if b < 0x20 { throw fail("control byte \(show(b)) inside a JSON string") }
                if b != UInt8(ascii: "\\") { out.append(b); pos += 1; continue }
                pos += 1
                guard pos < bytes.count else { throw fail("the header JSON ends inside a string escape") }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5c)
                case UInt8(ascii: "/"): out.append(0x2f)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        // A surrogate pair: \uD83D\uDE00.
                        guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                            throw fail("unpaired surrogate in a JSON string escape")
                        }
                        pos += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in a JSON string escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid unicode escape") }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw SyntaxError(offset: pos - 1, message: "unknown string escape '\\\(show(e))'")
                }
            }
            guard let s = String(validating: out, as: UTF8.self) else {
                throw fail("a JSON string is not valid UTF-8")
            }
            return s
        }

        mutating func hex4() throws -> UInt32 {
            guard pos + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[pos..<(pos + 4)], as: UTF8.self), radix: 16) else {
                throw fail("expected four hex digits after \\u")
            }
            pos += 4
            return v
        }
    }

    /// JSON text for a string, with the escapes JSON requires.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

import Foundation
