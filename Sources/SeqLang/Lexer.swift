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

package struct Lexer {
    private let chars: [Character]
    private let file: String
    private var index = 0
    private var line: Int
    private var column: Int
    /// Open brackets and the lines they were opened on: `(`, `[` suppress newlines, `{` makes
    /// them count again.
    private var brackets: [(char: Character, line: Int)] = []
    private var tokens: [Token] = []
    /// Problems found so far, in source order.
    package private(set) var diagnostics: [Diagnostic] = []

    /// A lexer for `source`, whose first character sits at `line`:`column` of `file`
    /// (an interpolated expression starts in the middle of a line).
    package init(_ source: String, file: String, line: Int = 1, column: Int = 1) {
        self.chars = Array(source)
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
            if c == " " || c == "\t" || c == "\r" || c == "\u{FEFF}" {
                advance()
            } else if c.isLineBreak {
                advance()
                if brackets.isEmpty || brackets.last?.char == "{" {
                    add(.newline, startIndex, startLine, startColumn)
                }
            } else if c == "#" {
                while let d = peek(), !d.isLineBreak { advance() }
            } else if c == "\"" {
                lexString()
            } else if c.isASCII && c.isNumber {
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

    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < chars.count ? chars[index + offset] : nil
    }

    @discardableResult
    private mutating func advance() -> Character {
        let c = chars[index]
        index += 1
        if c.isLineBreak {
            line += 1
            column = 1
        } else {
            column += 1
        }
        return c
    }

    private mutating func match(_ expected: Character) -> Bool {
        guard peek() == expected else { return false }
        advance()
        return true
    }

    private func range(_ startLine: Int, _ startColumn: Int) -> SourceRange {
        let length = line == startLine ? column - startColumn : 1
        return SourceRange(file: file, line: startLine, column: startColumn, length: length)
    }

    private mutating func add(_ kind: TokenKind, _ startIndex: Int, _ startLine: Int, _ startColumn: Int) {
        // Built before the append so no copy of `self` is alive while `tokens` grows.
        let token = Token(kind, String(chars[startIndex..<index]), range(startLine, startColumn))
        tokens.append(token)
    }

    private mutating func error(_ message: String, at range: SourceRange, hint: String? = nil, startIndex: Int) {
        diagnostics.append(.error(.lexical, at: range, message, hint: hint))
        let token = Token(.error, String(chars[startIndex..<index]), range)
        tokens.append(token)
    }

    // MARK: - Token kinds

    /// number -> DIGITS ("." DIGITS)? (("e" | "E") ("+" | "-")? DIGITS)?   (DIGITS may hold "_")
    private mutating func lexNumber() {
        let startLine = line, startColumn = column, startIndex = index
        var isFloat = false
        func digits(_ lexer: inout Lexer) {
            while let d = lexer.peek(), (d.isASCII && d.isNumber) || d == "_" { lexer.advance() }
        }
        digits(&self)
        if peek() == ".", let next = peek(1), next.isASCII, next.isNumber {
            isFloat = true
            advance()
            digits(&self)
        }
        if peek() == "e" || peek() == "E" {
            let signed = peek(1) == "+" || peek(1) == "-"
            if let d = peek(signed ? 2 : 1), d.isASCII, d.isNumber {
                isFloat = true
                advance()
                if signed { advance() }
                digits(&self)
            }
        }
        let text = String(chars[startIndex..<index])
        let clean = text.filter { $0 != "_" }
        if isFloat {
            if let v = Double(clean) {
                add(.number(v), startIndex, startLine, startColumn)
            } else {
                error("malformed number '\(text)'", at: range(startLine, startColumn), startIndex: startIndex)
            }
        } else if let v = Int(clean) {
            add(.int(v), startIndex, startLine, startColumn)
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
        let text = String(chars[startIndex..<index])
        add(Keywords.reserved[text] ?? .identifier(text), startIndex, startLine, startColumn)
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
                switch e {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "0": text.append("\0")
                case "\"": text.append("\"")
                case "\\": text.append("\\")
                case "{": text.append("{")
                case "}": text.append("}")
                case "u":
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
                                              "unknown escape '\\\(e)' in string",
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
                let code = String(chars[codeStart..<index])
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
            text.append(advance())
        }
        if !text.isEmpty || parts.isEmpty { parts.append(.text(text)) }
        if bad {
            tokens.append(Token(.error, String(chars[startIndex..<index]), range(startLine, startColumn)))
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
        tokens.append(Token(.error, String(chars[startIndex..<index]), quote))
        while let open = brackets.last, open.line == startLine, open.char != "{" { brackets.removeLast() }
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
        while let c = peek(), c.isHexDigit, hex.count < 8 { hex.append(advance()) }
        guard match("}"), !hex.isEmpty, let v = UInt32(hex, radix: 16) else { return nil }
        return Unicode.Scalar(v)
    }

    private mutating func lexOperator(_ c: Character) {
        let startLine = line, startColumn = column, startIndex = index
        advance()
        let kind: TokenKind
        switch c {
        case "(": kind = .leftParen; brackets.append(("(", startLine))
        case "[": kind = .leftBracket; brackets.append(("[", startLine))
        case "{": kind = .leftBrace; brackets.append(("{", startLine))
        case ")": kind = .rightParen; close("(")
        case "]": kind = .rightBracket; close("[")
        case "}": kind = .rightBrace; close("{")
        case ",": kind = .comma
        case ".": kind = .dot
        case ":": kind = .colon
        case "+": kind = match("=") ? .plusEqual : .plus
        case "-": kind = match("=") ? .minusEqual : .minus
        case "*": kind = match("*") ? .starStar : (match("=") ? .starEqual : .star)
        case "/": kind = match("=") ? .slashEqual : .slash
        case "%": kind = .percent
        case "=": kind = match("=") ? .equalEqual : .equal
        case "<": kind = match("=") ? .lessEqual : .less
        case ">": kind = match("=") ? .greaterEqual : .greater
        case "!":
            if match("=") {
                kind = .bangEqual
            } else {
                error("unexpected character '!'", at: range(startLine, startColumn),
                      hint: "write 'not' for logical negation", startIndex: startIndex)
                return
            }
        case "&" where peek() == "&", "|" where peek() == "|":
            advance()
            error("unexpected '\(c)\(c)'", at: range(startLine, startColumn),
                  hint: "write '\(c == "&" ? "and" : "or")'", startIndex: startIndex)
            return
        default:
            let shown = c.unicodeScalars.first.map { $0.isASCII && $0.value < 32 ? "\\u{\(String($0.value, radix: 16))}" : String(c) } ?? String(c)
            error("unexpected character '\(shown)'", at: range(startLine, startColumn), startIndex: startIndex)
            return
        }
        add(kind, startIndex, startLine, startColumn)
    }

    /// Pops the bracket stack up to the matching opener (a stray closer is left to the parser).
    private mutating func close(_ opener: Character) {
        if let i = brackets.lastIndex(where: { $0.char == opener }) {
            brackets.removeSubrange(i...)
        }
    }
}

extension Character {
    /// A line break as every tool counts lines (the renderer, SourceText, editors): `\n` or
    /// `\r\n`. Other characters Unicode calls newlines (vertical tab, form feed, U+2028) are
    /// not line breaks in SeqLang source.
    fileprivate var isLineBreak: Bool { self == "\n" || self == "\r\n" }
}
