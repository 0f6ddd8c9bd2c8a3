// ParserTests.swift — each construct parses to the expected tree; syntax errors are all
// reported in one pass with exact positions; incomplete input and nesting limits.

import XCTest
import Foundation
@testable import SeqLang

final class ParserTests: XCTestCase {
    private func parse(_ source: String) -> (Program, [String]) {
        let (program, diagnostics) = Parser.parse(source, file: "t.seq")
        return (program, diagnostics.map { "\($0.range.start) \($0.message)" })
    }

    /// A compact rendering of a tree: enough to see structure and precedence.
    private func show(_ e: Expr) -> String {
        switch e.kind {
        case .int(let v): return "\(v)"
        case .number(let v): return "\(v)"
        case .string(let s): return s.debugDescription
        case .interpolated(let parts):
            return "interp(" + parts.map { if case .expr(let x) = $0 { return show(x) } else if case .text(let t) = $0 { return t.debugDescription } else { return "" } }.joined(separator: ",") + ")"
        case .bool(let b): return "\(b)"
        case .none: return "none"
        case .variable(let n): return n
        case .list(let xs): return "[" + xs.map(show).joined(separator: ",") + "]"
        case .unary(let op, let x): return "(\(op.rawValue) \(show(x)))"
        case .binary(let op, let a, let b): return "(\(show(a)) \(op.rawValue) \(show(b)))"
        case .call(let f, let args): return show(f) + "(" + args.map(show).joined(separator: ",") + ")"
        case .index(let a, let i): return show(a) + "[" + show(i) + "]"
        case .member(let a, let n): return show(a) + "." + n
        case .function(let d): return "fn(" + d.params.joined(separator: ",") + ")"
        }
    }

    private func expr(_ source: String) -> String {
        let (program, errors) = parse(source)
        XCTAssertEqual(errors, [])
        guard case .expression(let e)? = program.statements.first?.kind else { return "not an expression" }
        return show(e)
    }

    func testPrecedenceAndAssociativity() {
        XCTAssertEqual(expr("1 + 2 * 3 - 4"), "((1 + (2 * 3)) - 4)")
        XCTAssertEqual(expr("not a == b and c or d"), "(((not (a == b)) and c) or d)")
        XCTAssertEqual(expr("2 ** 3 ** 2"), "(2 ** (3 ** 2))")
        XCTAssertEqual(expr("-2 ** 2"), "(- (2 ** 2))")
        XCTAssertEqual(expr("-x.count"), "(- x.count)")
        XCTAssertEqual(expr("f(a, [1, 2,])[0].b"), "f(a,[1,2])[0].b")
        XCTAssertEqual(expr("\"a{x + 1}b\""), "interp(\"a\",(x + 1),\"b\")")
        XCTAssertEqual(expr("fn (a, b) { return a }"), "fn(a,b)")
    }

    func testStatements() {
        let (program, errors) = parse("""
        let x = 1
        x += 2
        xs[0][1] = 3
        fn f(a, b) { return a }
        if x { } else if y { } else { }
        for i in xs { break }
        while true { continue }
        layer lstm 128 dropout 0.2
        """)
        XCTAssertEqual(errors, [])
        let shapes = program.statements.map { s -> String in
            switch s.kind {
            case .let(let n, _): return "let \(n)"
            case .assign(let t, let op, _): return "assign \(show(t)) \(op?.rawValue ?? "=")"
            case .function(let d): return "fn \(d.name)/\(d.params.count)"
            case .if(_, _, let orElse): return "if else:\(orElse.map { "\($0.count)" } ?? "-")"
            case .for(let n, _, let body): return "for \(n) \(body.count)"
            case .while(_, let body): return "while \(body.count)"
            case .command(let k, let args): return "\(k) " + args.map(show).joined(separator: " ")
            default: return "other"
            }
        }
        XCTAssertEqual(shapes, ["let x", "assign x +", "assign xs[0][1] =", "fn f/2", "if else:1", "for i 1", "while 1",
                                "layer lstm 128 dropout 0.2"])
    }

    func testCommandArgumentsAreUnaryExpressions() {
        let (program, errors) = parse("layer dense -1 (a + b) sizes[0] f(2) -x\nmodel.params\nlet input = 3")
        XCTAssertEqual(errors, [])
        guard case .command(let keyword, let args) = program.statements[0].kind else { return XCTFail("not a command") }
        XCTAssertEqual(keyword, "layer")
        XCTAssertEqual(args.map(show), ["dense", "-1", "(a + b)", "sizes[0]", "f(2)", "(- x)"])
        XCTAssertEqual(args[1].extent, SourceRange(file: "t.seq", line: 1, column: 13, length: 2))
        XCTAssertEqual(args[2].extent, SourceRange(file: "t.seq", line: 1, column: 16, length: 7))
        guard case .expression = program.statements[1].kind else { return XCTFail("model.params is an expression") }
        guard case .let = program.statements[2].kind else { return XCTFail("input can be a name") }
    }

    func testLetBindsTheValueOfACommand() {
        let (program, errors) = parse("let h = train adam epochs 2\nlet m = model.params")
        XCTAssertEqual(errors, [])
        guard case .letCommand(let name, let inner) = program.statements[0].kind,
              case .command(let keyword, let args) = inner.kind else { return XCTFail("not a let of a command") }
        XCTAssertEqual(name, "h")
        XCTAssertEqual(keyword, "train")
        XCTAssertEqual(args.map(show), ["adam", "epochs", "2"])
        guard case .let = program.statements[1].kind else { return XCTFail("model.params is an expression") }
    }

    func testASpacedBracketAfterACommandKeywordIsAnArgument() {
        let (program, errors) = parse("predict [1, 2]\npredict[0]\nlet p = predict [3]")
        XCTAssertEqual(errors, [])
        guard case .command("predict", let args) = program.statements[0].kind else { return XCTFail("not a command") }
        XCTAssertEqual(args.map(show), ["[1,2]"])
        guard case .expression = program.statements[1].kind else { return XCTFail("predict[0] indexes a name") }
        guard case .letCommand = program.statements[2].kind else { return XCTFail("not a let of a command") }
    }

    func testElseMayStartTheNextLine() {
        let (program, errors) = parse("if a {\n} \nelse {\n}")
        XCTAssertEqual(errors, [])
        guard case .if(_, _, let orElse)? = program.statements.first?.kind else { return XCTFail() }
        XCTAssertNotNil(orElse)
    }

    func testAllSyntaxErrorsAreReportedWithPositions() {
        let (program, errors) = parse("""
        let = 3
        print(1 +)
        let ok = 1
        if x {
            y = = 2
            let fine = 2
        }
        1 + 2 = 3
        a < b < c
        let z = 4 5
        """)
        XCTAssertEqual(errors, [
            "1:5 expected a name after 'let' but found '='",
            "2:10 expected an expression but found ')'",
            "5:9 expected an expression but found '='",
            "8:1 cannot assign to this expression: expected a name or an indexed name (x or x[i]) before '='",
            "9:7 comparisons do not chain: found '<' after '<'",
            "10:11 expected a new line after the statement but found the number '5'",
        ])
        // The good statements survive recovery.
        XCTAssertEqual(program.statements.count, 2)
    }

    func testLexerErrorsAreNotReportedAgain() {
        let (_, errors) = parse("let a = $\nlet b = 2 @ 3\nlet c = 1")
        XCTAssertEqual(errors, ["1:9 unexpected character '$'", "2:11 unexpected character '@'"])
    }

    func testBreakAndReturnNeedTheirContext() {
        let (_, errors) = parse("break\nfn f() { for x in y { return 1 } }\nwhile true { fn g() { continue } }\nreturn 2")
        XCTAssertEqual(errors, [
            "1:1 'break' outside a loop: expected it inside a 'for' or 'while' body",
            "3:23 'continue' outside a loop: expected it inside a 'for' or 'while' body",
            "4:1 'return' outside a function: expected it inside a 'fn' body",
        ])
    }

    func testIncompleteInput() {
        for source in ["if x {\n  print(1)\n", "let xs = [1,\n2,", "fn f(a,", "f(\n"] {
            let (_, diagnostics) = Parser.parse(source, file: "t.seq")
            XCTAssertEqual(diagnostics.map(\.kind), [.incompleteInput], source)
        }
        // A string never continues on the next line, so an open one is not incomplete input.
        for source in ["print(\"abc", "f(\"{x\n"] {
            XCTAssertEqual(Parser.parse(source, file: "t.seq").diagnostics.map(\.kind), [.lexical], source)
        }
        let (_, complete) = Parser.parse("let x =\n", file: "t.seq")
        XCTAssertEqual(complete.map(\.kind), [.syntax])
        let (_, stray) = Parser.parse("}\n", file: "t.seq")
        XCTAssertEqual(stray.map(\.message), ["unexpected '}': there is no open block to close"])
    }

    func testDeepNestingIsALimitDiagnostic() {
        let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        let (_, diagnostics) = Parser.parse("let x = " + deep, file: "t.seq")
        XCTAssertEqual(diagnostics.map(\.kind), [.limit])
        let blocks = String(repeating: "if true {\n", count: 300) + String(repeating: "}\n", count: 300)
        XCTAssertEqual(Parser.parse(blocks, file: "t.seq").diagnostics.map(\.kind), [.limit])
        let fine = String(repeating: "(", count: 15) + "1" + String(repeating: ")", count: 15)
        XCTAssertEqual(Parser.parse(fine, file: "t.seq").diagnostics.count, 0)
    }

    /// Each way to nest, reaching `n` levels at its deepest, and where its level past
    /// `Parser.maxDepth` opens (line:column) when `n` is `Parser.maxDepth + 1`.
    static func nestedShapes(_ n: Int) -> [(name: String, source: String, opener: String)] {
        let r = { (s: String, k: Int) in String(repeating: s, count: k) }
        let last = n - 1
        var interpolated = "1"
        for _ in 0..<n { interpolated = "\"{" + interpolated + "}\"" }
        let lambdas = (n + 1) / 2  // a call's bracket and a block each
        return [
            ("calls", r("f(", n) + "1" + r(")", n), "1:\(2 * n)"),
            ("parens", r("(", n) + "1" + r(")", n), "1:\(n)"),
            ("lists", r("[", n) + "1" + r("]", n), "1:\(n)"),
            ("indexes", "x" + r("[x", n) + r("]", n), "1:\(2 * last + 2)"),
            ("minus", r("- ", n) + "x", "1:\(2 * last + 1)"),
            ("not", r("not ", n) + "x", "1:\(4 * last + 1)"),
            ("power", r("2 ** ", n) + "2", "1:\(5 * last + 3)"),
            ("blocks", r("if x {\n", n) + r("}\n", last) + "}", "\(n):6"),
            ("else if", "if x { 1 }" + r(" else if x { 1 }", last), "1:\(16 * last + 6)"),
            ("lambdas", r("f(fn() {\n", lambdas) + "1" + r("})\n", lambdas - 1) + "})", "\(lambdas):2"),
            ("strings", "s = " + interpolated, "1:\(5 + 2 * last)"),
            ("command argument", "layer dense " + r("- ", n) + "1", "1:\(13 + 2 * last)"),
        ]
    }

    /// Runs `body` on a thread with a 512 KiB stack, as a host's secondary thread may be.
    static func onSmallThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { body(); done.signal() }
        thread.stackSize = 512 << 10
        thread.start()
        done.wait()
    }

    func testNestingUpToTheLimitParsesAndPastItIsLocatedOnASmallThread() {
        let n = Parser.maxDepth
        let accepted = Self.nestedShapes(n)
        let rejected = Self.nestedShapes(n + 1)
        let results = Results()
        Self.onSmallThread {
            for shape in accepted {
                let (program, diagnostics) = Parser.parse(shape.source + "\n", file: "t.seq")
                results.add("\(shape.name): \(program.statements.count) \(diagnostics.map(\.message))")
            }
            for shape in rejected {
                // The statement after the too-deep one still parses.
                let (program, diagnostics) = Parser.parse(shape.source + "\nlet after = 1\n", file: "t.seq")
                let last = program.statements.last.map { "\($0.range.start)" } ?? "none"
                results.add("\(shape.name): \(diagnostics.map { "\($0.range.start) \($0.kind) \($0.message)" }) then \(last)")
            }
        }
        let lines = results.lines
        XCTAssertEqual(Array(lines.prefix(accepted.count)), accepted.map { "\($0.name): 1 []" })
        let limit = { (what: String) in "limit \(what) nested more than \(Parser.maxDepth) deep" }
        XCTAssertEqual(Array(lines.dropFirst(accepted.count)), rejected.map { shape in
            let what = ["blocks", "else if"].contains(shape.name) ? "blocks" : "expressions"
            let afterLine = shape.source.split(separator: "\n", omittingEmptySubsequences: false).count + 1
            return "\(shape.name): [\"\(shape.opener) \(limit(what))\"] then \(afterLine):1"
        })
    }

    /// Lines gathered on another thread.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        func add(_ line: String) { lock.withLock { stored.append(line) } }
        var lines: [String] { lock.withLock { stored } }
    }

    func testCodeAfterReturnIsAWarning() {
        let (_, diagnostics) = Parser.parse("fn f() {\n  return 1\n  print(2)\n  print(3)\n}", file: "t.seq")
        XCTAssertEqual(diagnostics.map(\.severity), [.warning, .warning])
        XCTAssertEqual(diagnostics.map { "\($0.range.start) \($0.message)" }, [
            "3:3 this statement never runs: it follows the 'return' at 2:3",
            "4:3 this statement never runs: it follows the 'return' at 2:3",
        ])
    }
}
