// LexerTests.swift — every token kind, token positions, newline handling inside brackets,
// string escapes and interpolation, and lexical errors (reported once, with their place).

import XCTest
@testable import SeqLang

final class LexerTests: XCTestCase {
    private func kinds(_ source: String) -> [TokenKind] {
        Lexer.tokenize(source, file: "t.seq").tokens.map(\.kind)
    }

    func testEveryTokenKind() {
        XCTAssertEqual(kinds("let fn return if else for in while break continue true false none and or not"),
                       [.kwLet, .kwFn, .kwReturn, .kwIf, .kwElse, .kwFor, .kwIn, .kwWhile, .kwBreak, .kwContinue,
                        .kwTrue, .kwFalse, .kwNone, .kwAnd, .kwOr, .kwNot, .eof])
        XCTAssertEqual(kinds("( ) [ ] { } , . : = += -= *= /= + - * / % ** == != < <= > >="),
                       [.leftParen, .rightParen, .leftBracket, .rightBracket, .leftBrace, .rightBrace,
                        .comma, .dot, .colon, .equal, .plusEqual, .minusEqual, .starEqual, .slashEqual,
                        .plus, .minus, .star, .slash, .percent, .starStar,
                        .equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual, .eof])
        XCTAssertEqual(kinds("42 1_000 0.5 1e-3 2.5E+2 layer _x2"),
                       [.int(42), .int(1000), .number(0.5), .number(0.001), .number(250), .identifier("layer"),
                        .identifier("_x2"), .eof])
        XCTAssertEqual(kinds("\"hi\""), [.string([.text("hi")]), .eof])
    }

    func testPositionsAndSpellings() {
        let tokens = Lexer.tokenize("let x = 10\n  layer lstm 128 # note\n", file: "t.seq").tokens
        let described = tokens.map { "\($0.range.start.line):\($0.range.start.column)+\($0.range.length) \($0.text.debugDescription)" }
        XCTAssertEqual(described, ["1:1+3 \"let\"", "1:5+1 \"x\"", "1:7+1 \"=\"", "1:9+2 \"10\"", "1:11+1 \"\\n\"",
                                   "2:3+5 \"layer\"", "2:9+4 \"lstm\"", "2:14+3 \"128\"", "2:24+1 \"\\n\"", "3:1+1 \"\""])
    }

    func testNewlinesInsideParenthesesAndBracketsAreIgnored() {
        XCTAssertEqual(kinds("f(1,\n2)\n[3,\n4]"),
                       [.identifier("f"), .leftParen, .int(1), .comma, .int(2), .rightParen, .newline,
                        .leftBracket, .int(3), .comma, .int(4), .rightBracket, .eof])
        // A block inside parentheses makes newlines count again.
        XCTAssertEqual(kinds("g(fn () {\nx\n})"),
                       [.identifier("g"), .leftParen, .kwFn, .leftParen, .rightParen, .leftBrace, .newline,
                        .identifier("x"), .newline, .rightBrace, .rightParen, .eof])
    }

    func testStringEscapesAndInterpolation() {
        XCTAssertEqual(kinds(#""a\n\t\"\\\{\}\u{1F600}""#), [.string([.text("a\n\t\"\\{}😀")]), .eof])
        let tokens = Lexer.tokenize(#"  "loss {x + 1}!""#, file: "t.seq").tokens
        XCTAssertEqual(tokens[0].kind, .string([.text("loss "), .code("x + 1", SourceRange(file: "t.seq", line: 1, column: 10, length: 5)), .text("!")]))
    }

    func testLexicalErrorsAreReportedOnceWithTheirPlace() {
        let (tokens, diagnostics) = Lexer.tokenize("let a = 3 $ 4\nlet b = \"x\\q\"\nc = 99999999999999999999", file: "t.seq")
        XCTAssertEqual(diagnostics.map { "\($0.range.start) \($0.kind) \($0.message)" }, [
            "1:11 lexical unexpected character '$'",
            "2:11 lexical unknown escape '\\q' in string",
            "3:5 lexical integer literal '99999999999999999999' is too large (the largest int is 9223372036854775807)",
        ])
        XCTAssertEqual(tokens.filter { $0.kind == .error }.count, 3)
        let (_, bang) = Lexer.tokenize("if !x { }", file: "t.seq")
        XCTAssertEqual(bang.first?.hint, "write 'not' for logical negation")
    }

    func testAStringEndsOnItsLine() {
        let (_, atEnd) = Lexer.tokenize("print(\"abc", file: "t.seq")
        XCTAssertEqual(atEnd.map { "\($0.range.start) \($0.kind) \($0.message)" },
                       ["1:7 lexical unterminated string: expected a closing '\"' before the end of the line"])
        // The brackets opened on the string's line close with it: the next line is a new statement.
        let (tokens, diagnostics) = Lexer.tokenize("print(\"hello world\nprint(\"next\")\n", file: "t.seq")
        XCTAssertEqual(diagnostics.map { "\($0.range.start) \($0.kind)" }, ["1:7 lexical"])
        XCTAssertEqual(tokens.map(\.kind), [.identifier("print"), .leftParen, .error, .newline,
                                            .identifier("print"), .leftParen, .string([.text("next")]), .rightParen, .newline, .eof])
        // An open interpolation, an escape at the line end, a nested string: the same error.
        for source in ["f(\"{x\ny", "f(\"ab\\\ny", "f(\"{g(\"a)}\ny"] {
            let (_, d) = Lexer.tokenize(source, file: "t.seq")
            XCTAssertEqual(d.map { "\($0.range.start) \($0.kind)" }, ["1:3 lexical"], source)
            XCTAssertTrue(d[0].message.hasPrefix("unterminated string"), source)
        }
        // A bracket opened on an earlier line stays open: the list goes on after the bad line.
        let (listTokens, _) = Lexer.tokenize("let xs = [\n  \"a,\n  \"b\"\n]\n", file: "t.seq")
        XCTAssertEqual(listTokens.filter { $0.kind == .newline }.count, 1)
    }

    func testOnlyLineFeedsBreakLines() {
        // A vertical tab, form feed or U+2028 is not a line break: lines are counted as the
        // renderer and editors count them (found by the libFuzzer target).
        for odd in ["\u{0B}", "\u{0C}", "\u{2028}"] {
            let (_, d) = Lexer.tokenize("let x = 1\(odd)y\nz $", file: "t.seq")
            XCTAssertEqual(d.map { "\($0.range.start)" }, ["1:10", "2:3"], odd.debugDescription)
        }
        let (tokens, crlf) = Lexer.tokenize("a\r\nb\r\n", file: "t.seq")
        XCTAssertEqual(crlf.count, 0)
        XCTAssertEqual(tokens.map(\.range.start.line), [1, 1, 2, 2, 3])
    }

    func testCharactersBeyondASCIIKeepTheirKindsAndColumns() {
        func described(_ source: String) -> [String] {
            let (tokens, diagnostics) = Lexer.tokenize(source, file: "t.seq")
            return tokens.map { "\($0.range.start.line):\($0.range.start.column)+\($0.range.length) \($0.text.debugDescription)" }
                + diagnostics.map { "\($0.range.start) \($0.message)" }
        }
        // Letters of any script name things; a combining mark joins the character before it.
        XCTAssertEqual(described("let café = f(é, \"😀\")"),
                       ["1:1+3 \"let\"", "1:5+4 \"café\"", "1:10+1 \"=\"", "1:12+1 \"f\"", "1:13+1 \"(\"", "1:14+1 \"é\"",
                        "1:15+1 \",\"", "1:17+3 \"\\\"😀\\\"\"", "1:20+1 \")\"", "1:21+1 \"\""])
        XCTAssertEqual(described("e\u{301}x = 1\n"),
                       ["1:1+2 \"e\u{301}x\"", "1:4+1 \"=\"", "1:6+1 \"1\"", "1:7+1 \"\\n\"", "2:1+1 \"\""])
        // A digit or `_` with a mark on it is neither a number nor part of a name.
        XCTAssertEqual(described("1\u{301} _\u{301}"),
                       ["1:1+1 \"1\u{301}\"", "1:3+1 \"_\u{301}\"", "1:4+1 \"\"",
                        "1:1 unexpected character '1\u{301}'", "1:3 unexpected character '_\u{301}'"])
        // A byte-order mark is blank; `\r\n` is one line break; a mark after a line feed is a
        // character of the next line.
        XCTAssertEqual(described("\u{FEFF}a\r\n\u{301}b"),
                       ["1:2+1 \"a\"", "1:3+1 \"\\r\\n\"", "2:1+1 \"\\u{0301}\"", "2:2+1 \"b\"", "2:3+1 \"\"",
                        "2:1 unexpected character '\u{301}'"])
        // Strings keep every character; `\u{…}` takes ASCII hex digits only.
        XCTAssertEqual(Lexer.tokenize("\"ñ\u{301}\u{e9}\" x", file: "t.seq").tokens.map(\.kind),
                       [.string([.text("ñ\u{301}é")]), .identifier("x"), .eof])
        XCTAssertEqual(Lexer.tokenize("\"\\u{１}\"", file: "t.seq").diagnostics.map(\.message),
                       ["malformed unicode escape: expected '\\u{' hex digits '}' naming a character"])
    }

    func testNonUTF8BytesNameTheirOffset() {
        let bytes: [UInt8] = Array("ok\nab".utf8) + [0xFF] + Array("c".utf8)
        XCTAssertThrowsError(try SourceText.decode(bytes, file: "bad.seq")) { error in
            let d = error as! Diagnostic
            XCTAssertEqual(d.kind, .lexical)
            XCTAssertEqual(d.range.start, SourceLocation(line: 2, column: 3))
            XCTAssertEqual(d.message, "the file is not valid UTF-8: byte 0xFF at byte offset 5 does not form a character")
        }
        XCTAssertEqual(try SourceText.decode(Array("é\n".utf8), file: "ok.seq"), "é\n")
    }

    func testEditDistanceSuggestions() {
        XCTAssertEqual(editDistance("lstn", "lstm"), 1)
        XCTAssertEqual(didYouMean("cout", among: ["count", "print", "x"]), "did you mean 'count'?")
        XCTAssertNil(didYouMean("zebra", among: ["count"]))
        XCTAssertNil(didYouMean(nil, among: ["count"]))
        XCTAssertEqual(didYouMean("hlep", among: ["help"], prefix: ":"), "did you mean ':help'?")
        XCTAssertEqual(Suggestion.message("unknown loss 'mse2'", for: "mse2", among: ["mse", "ce"]),
                       "unknown loss 'mse2'; did you mean 'mse'?")
        XCTAssertEqual(Suggestion.message("unknown loss 7", for: nil, among: ["mse"]), "unknown loss 7")
        XCTAssertEqual(Suggestion.list(["a", "b", "c"]), "a, b or c")
    }
}
