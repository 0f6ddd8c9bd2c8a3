// DeepExpressionTests.swift — left-leaning trees of any length (a 200,000-term sum, long chains
// of `.`, calls and indexes) are parsed, walked and freed without native recursion per term,
// on the test runner's ordinary thread stack; and the chain helpers visit them in order.

import XCTest
import SeqLang

final class DeepExpressionTests: XCTestCase {
    static let terms = 200_000

    /// The single expression statement of `source`, parsed without errors.
    private func onlyExpression(_ source: String) -> Expr? {
        let (program, diagnostics) = Parser.parse(source, file: "deep.seq")
        XCTAssertEqual(diagnostics.map(\.description), [])
        guard case .expression(let e)? = program.statements.first?.kind else { return nil }
        return e
    }

    func testALongSumParsesFoldsAndFreesWithoutRecursion() throws {
        let source = Array(repeating: "1", count: Self.terms).joined(separator: " + ")
        XCTAssertGreaterThan(source.utf8.count, 790_000)
        let sum = try XCTUnwrap(onlyExpression(source))
        let total = sum.foldLeftSpine(leaf: { e -> Int in
            guard case .int(let v) = e.kind else { XCTFail("leaf \(e.kind)"); return 0 }
            return v
        }, link: { left, node in
            guard case .binary(.add, _, let r) = node.kind, case .int(let v) = r.kind else { XCTFail("link"); return left }
            return left + v
        })
        XCTAssertEqual(total, Self.terms)
        XCTAssertEqual(sum.leftSpine.links.count, Self.terms - 1)
        var visited = 0
        sum.forEachNode { _ in visited += 1; return true }
        XCTAssertEqual(visited, 2 * Self.terms - 1)
        // Leaving this scope frees the tree; a recursive teardown would crash here.
    }

    func testLongChainsOfMembersCallsAndIndexes() throws {
        let n = 20_000
        for (source, links) in [("a" + String(repeating: ".b", count: n), n),
                                ("f" + String(repeating: "()", count: n), n),
                                ("xs" + String(repeating: "[0]", count: n), n),
                                ("a" + String(repeating: ".b(1)[2]", count: n), 3 * n)] {
            let e = try XCTUnwrap(onlyExpression(source))
            let (base, chain) = e.leftSpine
            guard case .variable = base.kind else { XCTFail("the base of \(source.prefix(8)) is a name"); continue }
            XCTAssertEqual(chain.count, links)
        }
        // The same chains as command arguments and as assignment targets.
        XCTAssertEqual(Parser.parse("print(xs" + String(repeating: "[0]", count: n) + ")\n", file: "t.seq").diagnostics.count, 0)
        XCTAssertEqual(Parser.parse("xs" + String(repeating: "[0]", count: n) + " = 1\n", file: "t.seq").diagnostics.count, 0)
    }

    func testForEachNodeVisitsInSourceOrderAndCanSkip() throws {
        let e = try XCTUnwrap(onlyExpression("f(a, b + c)[d].e"))
        var names: [String] = []
        e.forEachNode { node in
            if case .variable(let name) = node.kind { names.append(name) }
            return true
        }
        XCTAssertEqual(names, ["f", "a", "b", "c", "d"])
        var skipped: [String] = []
        e.forEachNode { node in
            if case .variable(let name) = node.kind { skipped.append(name) }
            if case .binary = node.kind { return false }
            return true
        }
        XCTAssertEqual(skipped, ["f", "a", "d"])
    }

    func testChangingAKindLeavesOtherCopiesAlone() throws {
        let original = try XCTUnwrap(onlyExpression("1 + 2"))
        var copy = original
        copy.kind = .int(7)
        guard case .binary = original.kind, case .int(7) = copy.kind else { return XCTFail("copies share their node") }
    }

    func testAnUnterminatedStringIsReportedAtItsQuoteAndTheNextLineParses() {
        let (program, diagnostics) = Parser.parse("print(\"hello world\nprint(\"next\")\nlet = 3\n", file: "t.seq")
        XCTAssertEqual(diagnostics.map { "\($0.range.start) \($0.kind) \($0.message)" }, [
            "1:7 lexical unterminated string: expected a closing '\"' before the end of the line",
            "3:5 syntax expected a name after 'let' but found '='",
        ])
        XCTAssertEqual(program.statements.count, 1, "the second line parsed")
        XCTAssertEqual(program.statements.first?.range.start, SourceLocation(line: 2, column: 1))
    }
}
