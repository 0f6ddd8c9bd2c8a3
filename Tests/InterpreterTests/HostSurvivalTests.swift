// HostSurvivalTests.swift — no script crashes the process that embeds the interpreter: the
// deep-recursion reproducers and a seeded set of deep programs run in embedded interpreters,
// and each ends in a value or a located diagnostic while this test process (the host) lives on.

import XCTest
import SeqLang
import Interpreter

final class HostSurvivalTests: XCTestCase {
    /// `return f(n - 1) + 1 + … + 1` with `terms` ones.
    private func recursion(terms: Int, calls: Int) -> String {
        "fn f(n) {\n  if n == 0 { return 0 }\n  return f(n - 1)" + String(repeating: " + 1", count: terms)
            + "\n}\nprint(f(\(calls)))\n"
    }

    /// An interpreter whose call-count limit is out of the way, so only the stack measure stops
    /// a script.
    private func unlimited() -> Captured {
        Captured { $0.maxCallDepth = 100_000_000 }
    }

    func testTheFortyTermRecursionOfNineHundredCallsRunsWithinTheDefaultLimits() {
        let o = Captured().run(recursion(terms: 40, calls: 900))
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, "36000\n")
    }

    func testRecursionDeeperThanTheStackIsALimitDiagnosticAtTheCall() {
        let o = unlimited().run(recursion(terms: 40, calls: 10_000_000))
        XCTAssertEqual(o.result.errors.count, 1)
        let d = o.result.errors[0]
        XCTAssertEqual(d.kind, .limit)
        XCTAssertTrue(d.message.contains("would overflow the interpreter's stack"), d.message)
        XCTAssertTrue((2...3).contains(d.range.start.line), "placed inside the recursive function, at line \(d.range.start.line)")
    }

    func testTheInterpreterStillRunsAfterItsStackRanOut() {
        let c = unlimited()
        XCTAssertEqual(c.run(recursion(terms: 10, calls: 10_000_000)).result.errors.first?.kind, .limit)
        XCTAssertEqual(c.run("print(f(3))").output, "30\n")
    }

    func testALongOperatorChainEndsInAValueOrALimitNeverACrash() {
        // 160 KB of `1 + 1 + …`: evaluated, or refused with a located `.limit`.
        let terms = 40_000
        let o = Captured().run("print(1" + String(repeating: " + 1", count: terms) + ")")
        if o.result.succeeded {
            XCTAssertEqual(o.output, "\(terms + 1)\n")
        } else {
            XCTAssertEqual(o.result.errors.map(\.kind), [.limit], "\(o.errors)")
        }
    }

    /// Seeded deep programs: recursion through every kind of expression that can hold a call,
    /// mutual recursion, recursion under loops and branches, and deep literal nesting. Each
    /// must end in success or diagnostics of the kinds a too-deep program gets, placed inside
    /// its text; at least some must reach the stack measure (or the test would prove nothing).
    func testSeededDeepProgramsEndInDiagnosticsAndTheHostSurvives() {
        var rng = SplitMix(seed: 0x5EED_DEE9)
        var stoppedByTheStack = 0
        let wraps: [(String) -> String] = [
            { "[\($0)][0]" }, { "-(\($0))" }, { "\"{\($0)}\".count" }, { "id(\($0))" },
            { "(\($0)) * 1" }, { "[1, \($0), 2].count" },
        ]
        for round in 0..<12 {
            let terms = rng.next(below: 60)
            var call = "f(n - 1)"
            for _ in 0..<rng.next(below: 4) { call = wraps[rng.next(below: wraps.count)](call) }
            let tail = String(repeating: " + 0", count: terms)
            let body: String
            switch rng.next(below: 4) {
            case 0: body = "  if n == 0 { return 0 }\n  return \(call)\(tail)"
            case 1: body = "  if n == 0 { return 0 }\n  for i in [1] { if i == 1 { return \(call)\(tail) } }\n  return 0"
            case 2: body = "  if n == 0 { return 0 }\n  while true { return g(n)\(tail) }"
            default: body = "  if n <= 0 { return 0 }\n  let x = \(call)\(tail)\n  return x"
            }
            let program = "fn id(x) { return x }\nfn g(n) { return f(n - 1) }\nfn f(n) {\n\(body)\n}\nf(\(round % 3 == 0 ? 1 + rng.next(below: 300) : 10_000_000))\n"
            let o = unlimited().run(program, file: "deep\(round).seq")
            for d in o.result.errors {
                XCTAssertTrue([.limit, .type].contains(d.kind), "round \(round): \(d.message)\n\(program)")
                XCTAssertTrue(d.range.start.line >= 1 && d.range.start.line <= 7, "round \(round): placed outside the program")
                if d.message.contains("interpreter's stack") { stoppedByTheStack += 1 }
            }
        }
        XCTAssertGreaterThanOrEqual(stoppedByTheStack, 8)
        // Deep literal nesting stops in the parser's nesting limit.
        let nested = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        let o = Captured().run("print(\(nested))")
        XCTAssertEqual(Set(o.result.errors.map(\.kind)), [.limit])
    }
}

/// A small seeded generator (SplitMix64) for the test's programs.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(below n: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(n))
    }
}
