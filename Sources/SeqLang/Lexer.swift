// Lexer.swift — turns SeqLang source text into tokens, each with its source range.
//
// The lexer knows numbers, strings (escapes and `{expr}` interpolation), identifiers,
// reserved words, operators and comments. Newlines end statements, except inside `()` and
// `[]` (a `{` inside them makes newlines count again until its `}`), so lists and calls can
// span lines. Malformed input becomes an `.error` token plus one diagnostic; the parser skips
// such tokens without reporting them again. A string ends on the line it starts (as in Lua and
// Python): one that reaches the end of its line is "unterminated string" at its opening quote,
// the brackets opened on that line are dropped, and lexing goes on with the next line.
// Deciding what a sequence of tokens means is left to the parser.
//
// Columns count characters (Swift's `Character`s, as editors show them), but the lexer walks
// the UTF-8 bytes: a character that is one ASCII byte (nearly all of a script) is read, tested
// and sliced as that byte, and only the others are looked up as `Character`s; a token's text
// is made once from its bytes.

package struct Lexer {
    private let source: String
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line: Int
    private var column: Int
    /// Open brackets and the lines they were opened on: `(`, `[` suppress newlines, `{` makes
    /// them count again.
    private var brackets: [(char: UInt8, line: Int)] = []
    private var tokens: [Token] = []
    /// Problems found so far, in source order.
    package private(set) var diagnostics: [Diagnostic] = []

    /// A lexer for `source`, whose first character sits at `line`:`column` of `file`
    /// (an interpolated expression starts in the middle of a line).
    package init(_ source: String, file: String, line: Int = 1, column: Int = 1) {
        self.source = source
        self.bytes = Array(source.utf8)
        self.file = file
        self.line = line
        self.column = column
    }

    /// Every token of the source, ending with `.eof`, and the diagnostics found.
    package static func tokenize(_ source: String, file: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source, file: file)
        let tokens = lexer.tokenize()
        return (tokens, lexer.diagnostics)
    }

    /// Lexes the whole input; the last token is always `.eof`.
    package mutating func tokenize() -> [Token] {
        while let c = peek() {
            let startLine = line, startColumn = column, startIndex = index
            if c == " " || c == "\t" || c == "\r" || c.isByteOrderMark {
                advance()
            } else if c.isLineBreak {
                advance()
                if brackets.isEmpty || brackets.last?.char == UInt8(ascii: "{") {
                    add(.newline, startIndex, startLine, startColumn)
                }
            } else if c == "#" {
                while let d = peek(), !d.isLineBreak { advance() }
            } else if c == "\"" {
                lexString()
            } else if c.isASCIIDigit {
                lexNumber()
            } else if c.isLetter || c == "_" {
                lexIdentifier()
            } else {
                lexOperator(c)
            }
        }
        let eofRange = SourceRange(file: file, line: line, column: column)
        tokens.append(Token(.eof, "", eofRange))
        return tokens
    }

    // MARK: - Characters

    /// The character starting at byte `i` (a character boundary), or nil at the end.
    private func character(at i: Int) -> Char? {
        guard i < bytes.count else { return nil }
        let b = bytes[i]
        if b < 0x80 {
            let next = i + 1 < bytes.count ? bytes[i + 1] : 0
            // `\r\n` is one character, a line break.
            if b == 0x0D && next == 0x0A { return Char(byte: 0x0A, length: 2) }
            // A control character stands alone, and so does an ASCII byte before another:
            // only a non-ASCII scalar (a combining mark) can join it.
            if b < 0x20 || b == 0x7F || next < 0x80 { return Char(byte: b, length: 1) }
        }
        let start = source.utf8.index(source.utf8.startIndex, offsetBy: i)
        let length = source.utf8.distance(from: start, to: source.index(after: start))
        return length == 1 ? Char(byte: b, length: 1) : Char(source[start], length: length)
    }

    private func peek(_ offset: Int = 0) -> Char? {
        var i = index
        for _ in 0..<offset {
            guard let c = character(at: i) else { return nil }
            i += c.length
        }
        return character(at: i)
    }

    @discardableResult
    private mutating func advance() -> Char {
        let c = character(at: index)!
        index += c.length
        if c.isLineBreak {
            line += 1
            column = 1
        } else {
            column += 1
        }
        return c
    }

    private mutating func match(_ expected: Unicode.Scalar) -> Bool {
        guard peek() == expected else { return false }
        advance()
        return true
    }

    /// The source text of bytes `start..<end` (both character boundaries).
    private func slice(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private func range(_ startLine: Int, _ startColumn: Int) -> SourceRange {
        let length = line == startLine ? column - startColumn : 1
        return SourceRange(file: file, line: startLine, column: startColumn, length: length)
    }

    private mutating func add(_ kind: TokenKind, _ startIndex: Int, _ startLine: Int, _ startColumn: Int,
                              spelled spelling: String? = nil) {
        // Built before the append so no copy of `self` is alive while `tokens` grows.
        let token = Token(kind, spelling ?? slice(startIndex, index), range(startLine, startColumn))
        tokens.append(token)
    }

    private mutating func error(_ message: String, at range: SourceRange, hint: String? = nil, startIndex: Int) {
        diagnostics.append(.error(.lexical, at: range, message, hint: hint))
        let token = Token(.error, slice(startIndex, index), range)
        tokens.append(token)
    }

    // MARK: - Token kinds

    /// number -> DIGITS ("." DIGITS)? (("e" | "E") ("+" | "-")? DIGITS)?   (DIGITS may hold "_")
    private mutating func lexNumber() {
        let startLine = line, startColumn = column, startIndex = index
        var isFloat = false
        func digits(_ lexer: inout Lexer) {
            while let d = lexer.peek(), d.isASCIIDigit || d == "_" { lexer.advance() }
        }
        digits(&self)
        if peek() == ".", let next = peek(1), next.isASCIIDigit {
            isFloat = true
            advance()
            digits(&self)
        }
        if peek() == "e" || peek() == "E" {
            let signed = peek(1) == "+" || peek(1) == "-"
            if let d = peek(signed ? 2 : 1), d.isASCIIDigit {
                isFloat = true
                advance()
                if signed { advance() }
                digits(&self)
            }
        }
        let text = slice(startIndex, index)
        let clean = text.filter { $0 != "_" }
        if isFloat {
            if let v = Double(clean) {
                add(.number(v), startIndex, startLine, startColumn, spelled: text)
            } else {
                error("malformed number '\(text)'", at: range(startLine, startColumn), startIndex: startIndex)
            }
        } else if let v = Int(clean) {
            add(.int(v), startIndex, startLine, startColumn, spelled: text)
        } else {
            error("integer literal '\(text)' is too large (the largest int is \(Int.max))",
                  at: range(startLine, startColumn), hint: "write it as a number, e.g. '\(clean).0'",
                  startIndex: startIndex)
        }
    }

    /// identifier -> (LETTER | "_") (LETTER | DIGIT | "_")*
    private mutating func lexIdentifier() {
        let startLine = line, startColumn = column, startIndex = index
        while let c = peek(), c.isLetter || c.isNumber || c == "_" { advance() }
        let text = slice(startIndex, index)
        add(Keywords.reserved[text] ?? .identifier(text), startIndex, startLine, startColumn, spelled: text)
    }

    /// string -> '"' (CHAR | ESCAPE | "{" expr "}")* '"'
    private mutating func lexString() {
        let startLine = line, startColumn = column, startIndex = index
        advance()  // opening quote
        var parts: [StringPart] = []
        var text = ""
        var bad = false
        while true {
            guard let c = peek(), !c.isLineBreak else {
                unterminatedString(startIndex, startLine, startColumn)
                return
            }
            if c == "\"" {
                advance()
                break
            }
            if c == "\\" {
                let escLine = line, escColumn = column
                advance()
                guard let e = peek(), !e.isLineBreak else { continue }
                advance()
                switch e.byte {
                case UInt8(ascii: "n"): text.append("\n")
                case UInt8(ascii: "t"): text.append("\t")
                case UInt8(ascii: "r"): text.append("\r")
                case UInt8(ascii: "0"): text.append("\0")
                case UInt8(ascii: "\""): text.append("\"")
                case UInt8(ascii: "\\"): text.append("\\")
                case UInt8(ascii: "{"): text.append("{")
                case UInt8(ascii: "}"): text.append("}")
                case UInt8(ascii: "u"):
                    if let scalar = lexUnicodeEscape() {
                        text.unicodeScalars.append(scalar)
                    } else {
                        bad = true
                        diagnostics.append(.error(.lexical, at: range(escLine, escColumn),
                                                  "malformed unicode escape: expected '\\u{' hex digits '}' naming a character",
                                                  hint: "write e.g. '\\u{e9}' for 'é'"))
                    }
                default:
                    bad = true
                    diagnostics.append(.error(.lexical, at: range(escLine, escColumn),
                                              "unknown escape '\\\(e.character)' in string",
                                              hint: "the escapes are \\n \\t \\r \\0 \\\" \\\\ \\{ \\} \\u{…}"))
                }
                continue
            }
            if c == "{" {
                let braceLine = line, braceColumn = column
                advance()
                let codeLine = line, codeColumn = column, codeStart = index
                var depth = 0
                var closed = false
                while let d = peek(), !d.isLineBreak {
                    if d == "\"" {
                        skipNestedString()
                        continue
                    }
                    if d == "{" { depth += 1 }
                    if d == "}" {
                        if depth == 0 { closed = true; break }
                        depth -= 1
                    }
                    advance()
                }
                let code = slice(codeStart, index)
                if !closed {
                    unterminatedString(startIndex, startLine, startColumn, openBrace: SourceLocation(line: braceLine, column: braceColumn))
                    return
                }
                advance()  // closing brace
                if code.allSatisfy({ $0 == " " || $0 == "\t" }) {
                    bad = true
                    diagnostics.append(.error(.lexical, at: range(braceLine, braceColumn),
                                              "empty interpolation '{}': expected an expression between the braces",
                                              hint: "write '\\{' for a literal brace"))
                    continue
                }
                if !text.isEmpty { parts.append(.text(text)) }
                text = ""
                parts.append(.code(code, SourceRange(file: file, line: codeLine, column: codeColumn, length: code.count)))
                continue
            }
            text.append(advance().character)
        }
        if !text.isEmpty || parts.isEmpty { parts.append(.text(text)) }
        if bad {
            tokens.append(Token(.error, slice(startIndex, index), range(startLine, startColumn)))
        } else {
            add(.string(parts), startIndex, startLine, startColumn)
        }
    }

    /// A string that reaches the end of its line: reported at its opening quote; the brackets
    /// opened on its line are closed with it, so the next line starts a new statement.
    private mutating func unterminatedString(_ startIndex: Int, _ startLine: Int, _ startColumn: Int,
                                             openBrace: SourceLocation? = nil) {
        let quote = SourceRange(file: file, line: startLine, column: startColumn)
        let message = openBrace.map { "unterminated string: the interpolation opened at \($0) needs a '}' and the string a closing '\"' before the end of the line" }
            ?? "unterminated string: expected a closing '\"' before the end of the line"
        diagnostics.append(.error(.lexical, at: quote, message,
                                  hint: "a string ends on the line it starts; write '\\n' for a line break inside it"))
        tokens.append(Token(.error, slice(startIndex, index), quote))
        while let open = brackets.last, open.line == startLine, open.char != UInt8(ascii: "{") { brackets.removeLast() }
    }

    /// Skips a string literal nested inside an interpolation (`"{join(xs, ", ")}"`).
    private mutating func skipNestedString() {
        advance()
        while let c = peek(), !c.isLineBreak {
            if c == "\\" {
                advance()
                if let e = peek(), !e.isLineBreak { advance() }
                continue
            }
            advance()
            if c == "\"" { return }
        }
    }

    /// After `\u`: `{` 1–8 hex digits `}` naming a Unicode scalar.
    private mutating func lexUnicodeEscape() -> Unicode.Scalar? {
        guard match("{") else { return nil }
        var hex = ""
        while let c = peek(), c.isHexDigit, hex.count < 8 { hex.append(advance().character) }
        guard match("}"), !hex.isEmpty, let v = UInt32(hex, radix: 16) else { return nil }
        return Unicode.Scalar(v)
    }

    private mutating func lexOperator(_ c: Char) {
        let startLine = line, startColumn = column, startIndex = index
        advance()
        let kind: TokenKind
        switch c.byte {
        case UInt8(ascii: "("): kind = .leftParen; brackets.append((c.byte, startLine))
        case UInt8(ascii: "["): kind = .leftBracket; brackets.append((c.byte, startLine))
        case UInt8(ascii: "{"): kind = .leftBrace; brackets.append((c.byte, startLine))
        case UInt8(ascii: ")"): kind = .rightParen; close(UInt8(ascii: "("))
        case UInt8(ascii: "]"): kind = .rightBracket; close(UInt8(ascii: "["))
        case UInt8(ascii: "}"): kind = .rightBrace; close(UInt8(ascii: "{"))
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: "."): kind = .dot
        case UInt8(ascii: ":"): kind = .colon
        case UInt8(ascii: "+"): kind = match("=") ? .plusEqual : .plus
        case UInt8(ascii: "-"): kind = match("=") ? .minusEqual : .minus
        case UInt8(ascii: "*"): kind = match("*") ? .starStar : (match("=") ? .starEqual : .star)
        case UInt8(ascii: "/"): kind = match("=") ? .slashEqual : .slash
        case UInt8(ascii: "%"): kind = .percent
        case UInt8(ascii: "="): kind = match("=") ? .equalEqual : .equal
        case UInt8(ascii: "<"): kind = match("=") ? .lessEqual : .less
        case UInt8(ascii: ">"): kind = match("=") ? .greaterEqual : .greater
        case UInt8(ascii: "!"):
            if match("=") {
                kind = .bangEqual
            } else {
                error("unexpected character '!'", at: range(startLine, startColumn),
                      hint: "write 'not' for logical negation", startIndex: startIndex)
                return
            }
        case UInt8(ascii: "&") where peek() == "&", UInt8(ascii: "|") where peek() == "|":
            advance()
            let twice = c.byte == UInt8(ascii: "&") ? "&&" : "||"
            error("unexpected '\(twice)'", at: range(startLine, startColumn),
                  hint: "write '\(c.byte == UInt8(ascii: "&") ? "and" : "or")'", startIndex: startIndex)
            return
        default:
            let char = c.character
            let shown = char.unicodeScalars.first.map { $0.isASCII && $0.value < 32 ? "\\u{\(String($0.value, radix: 16))}" : String(char) } ?? String(char)
            error("unexpected character '\(shown)'", at: range(startLine, startColumn), startIndex: startIndex)
            return
        }
        add(kind, startIndex, startLine, startColumn)
    }

    /// Pops the bracket stack up to the matching opener (a stray closer is left to the parser).
    private mutating func close(_ opener: UInt8) {
        if let i = brackets.lastIndex(where: { $0.char == opener }) {
            brackets.removeSubrange(i...)
        }
    }
}

/// One character of the source (a `Character`: a grapheme cluster) as the lexer reads it: a
/// character that is one ASCII byte is that byte, any other carries the `Character` itself.
private struct Char {
    /// The byte of a one-byte ASCII character (`\n` for `\r\n`); `Char.notASCII` for the rest.
    let byte: UInt8
    private let other: Character?
    /// Its length in UTF-8 bytes.
    let length: Int

    static let notASCII: UInt8 = 0xFF

    init(byte: UInt8, length: Int) {
        (self.byte, self.other, self.length) = (byte, nil, length)
    }

    init(_ character: Character, length: Int) {
        (self.byte, self.other, self.length) = (Char.notASCII, character, length)
    }

    /// The character itself.
    var character: Character {
        if let other { return other }
        return length == 2 ? "\r\n" : Character(Unicode.Scalar(byte))
    }

    /// A line break as every tool counts lines (the renderer, SourceText, editors): `\n` or
    /// `\r\n`. Other characters Unicode calls newlines (vertical tab, form feed, U+2028) are
    /// not line breaks in SeqLang source.
    var isLineBreak: Bool { byte == 0x0A }
    var isASCIIDigit: Bool { byte >= 0x30 && byte <= 0x39 }
    var isByteOrderMark: Bool { other == "\u{FEFF}" }
    /// A letter: an ASCII one, or any character Unicode calls alphabetic.
    var isLetter: Bool {
        byte < 0x80 ? (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A : other!.isLetter
    }
    /// A digit: an ASCII one, or any character Unicode gives a numeric value.
    var isNumber: Bool { byte < 0x80 ? isASCIIDigit : other!.isNumber }
    var isHexDigit: Bool {
        byte < 0x80 ? isASCIIDigit || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66) : other!.isHexDigit
    }
}

/// A character (or the end of input) against an ASCII character.
private func == (c: Char?, ascii: Unicode.Scalar) -> Bool { c?.byte == UInt8(ascii: ascii) }
private func != (c: Char?, ascii: Unicode.Scalar) -> Bool { !(c == ascii) }
