// SourceText.swift — turns the bytes of a script file into source text, or a lexical
// diagnostic naming the first byte that is not UTF-8.

package enum SourceText {
    /// Decodes `bytes` as UTF-8. Invalid input throws a `.lexical` diagnostic at the line and
    /// column of the first bad byte, naming its byte offset.
    package static func decode(_ bytes: [UInt8], file: String) throws(Diagnostic) -> String {
        var i = 0
        var line = 1, column = 1
        while i < bytes.count {
            let length = sequenceLength(bytes, at: i)
            guard length > 0 else {
                let hex = String(bytes[i], radix: 16, uppercase: true)
                throw Diagnostic.error(
                    .lexical, at: SourceRange(file: file, line: line, column: column),
                    "the file is not valid UTF-8: byte 0x\(hex.count == 1 ? "0" + hex : hex) at byte offset \(i) does not form a character",
                    hint: "save the script as UTF-8")
            }
            if bytes[i] == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += length
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The length of the well-formed UTF-8 sequence starting at `i`, or 0 if there is none.
    private static func sequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let lead = b[i]
        func cont(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            i + k < b.count && b[i + k] >= low && b[i + k] <= high
        }
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
