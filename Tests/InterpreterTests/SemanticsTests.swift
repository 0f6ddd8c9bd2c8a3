// SemanticsTests.swift — what SeqLang programs compute: values, operators, scopes, closures,
// control flow, built-ins, and the exact errors (message and position) of bad programs.

import XCTest
import SeqLang
@testable import Interpreter

final class SemanticsTests: XCTestCase {
    private func expectOutput(_ source: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        let o = runSeq(source)
        XCTAssertEqual(o.errors, [], file: file, line: line)
        XCTAssertEqual(o.output, expected, file: file, line: line)
    }

    private func expectError(_ source: String, _ expected: String, kind: Diagnostic.Kind? = nil,
                             file: StaticString = #filePath, line: UInt = #line) {
        let o = runSeq(source)
        XCTAssertEqual(o.errors.first, expected, file: file, line: line)
        if let kind { XCTAssertEqual(o.result.errors.first?.kind, kind, file: file, line: line) }
    }

    func testArithmeticAndPromotion() {
        expectOutput("print(1 + 2 * 3, (1 + 2) * 3, 7 % 3, -7 % 3, 2 ** 10, 2 ** 3 ** 2)", "7 9 1 2 1024 512\n")
        expectOutput("print(7 / 2, 1 + 0.5, 10 / 5, 2 ** -1, -2 ** 2)", "3.5 1.5 2.0 0.5 -4\n")
        expectOutput("print(1e-3, 1_000, 0.1 + 0.2 == 0.3, 3 == 3.0)", "0.001 1000 false true\n")
    }

    func testDivisionByZeroPointsAtOperator() {
        expectError("let a = 1\nprint(a / 0)", "2:9: division by zero", kind: .runtime)
        expectError("print(5 % 0)", "1:9: remainder by zero", kind: .runtime)
    }

    func testIntegerOverflowIsAnError() {
        expectError("print(9223372036854775807 + 1)", "1:27: integer overflow: 9223372036854775807 + 1 does not fit in an int")
    }

    func testStrings() {
        expectOutput(#"let x = 3\#nprint("loss {x * 2} \{ok\} " + "a\tb" + str(1.5))"#, "loss 6 {ok} a\tb1.5\n")
        expectOutput(#"print("caf\u{e9}", len("héllo"), "abc"[-1], join(split("a,b,c", ","), "-"))"#, "café 5 c a-b-c\n")
        expectOutput(#"print("{join(["x", "y"], ", ")}")"#, "x, y\n")
        expectError(#"print("a" + 1)"#, "1:11: '+' expects two numbers, two strings or two lists but found string and int", kind: .type)
    }

    func testListsHaveValueSemantics() {
        expectOutput("""
        let xs = [1, 2, 3]
        let ys = xs
        ys[0] = 10
        let zs = append(xs, 4)
        print(xs, ys, zs, xs.count, xs[-1])
        let grid = [[0, 0], [0, 0]]
        grid[1][0] += 5
        print(grid, [1] + [2], [1, [2]] == [1, [2]])
        """, "[1, 2, 3] [10, 2, 3] [1, 2, 3, 4] 3 3\n[[0, 0], [5, 0]] [1, 2] true\n")
        expectError("let xs = [1, 2]\nprint(xs[2])", "2:9: index 2 is out of range: expected -2 to 1", kind: .runtime)
        expectError("let xs = [1, 2]\nxs[0.5] = 1", "2:3: an index must be an int but found number", kind: .type)
    }

    func testScopesAndShadowing() {
        expectOutput("""
        let x = 1
        if true {
            let x = 2
            x = 3
            print(x)
        }
        print(x)
        x = 4
        print(x)
        """, "3\n1\n4\n")
        expectError("if true { let y = 1 }\nprint(y)", "2:7: unknown name 'y'", kind: .name)
        expectError("z = 1", "1:1: cannot assign to 'z': it was never declared", kind: .name)
    }

    func testDidYouMeanForUnknownNames() {
        let o = runSeq("let count = 1\nprint(cout)")
        XCTAssertEqual(o.errors, ["2:7: unknown name 'cout'"])
        XCTAssertEqual(o.result.errors.first?.hint, "did you mean 'count'?")
        let p = runSeq("pritn(1)")
        XCTAssertEqual(p.result.errors.first?.hint, "did you mean 'print'?")
        let m = runSeq("let xs = [1]\nprint(xs.cont)")
        XCTAssertEqual(m.errors, ["2:10: list has no member 'cont'"])
        XCTAssertEqual(m.result.errors.first?.hint, "did you mean 'count'?")
    }

    func testClosuresAndRecursion() {
        expectOutput("""
        fn counter() {
            let n = 0
            fn next() {
                n += 1
                return n
            }
            return next
        }
        let a = counter()
        let b = counter()
        a()
        a()
        print(a(), b())
        fn fib(n) {
            if n < 2 { return n }
            return fib(n - 1) + fib(n - 2)
        }
        print(fib(15))
        let square = fn (x) { return x * x }
        print(square(9), type(square))
        """, "3 1\n610\n81 function\n")
    }

    func testRecursionLimitIsADiagnostic() {
        let o = runSeq("fn down(n) {\n  return down(n + 1)\n}\ndown(0)")
        XCTAssertEqual(o.result.errors.first?.kind, .limit)
        XCTAssertEqual(o.errors.first, "2:10: too much recursion: more than 1000 nested calls")
        // Well below the limit, deep recursion works.
        expectOutput("fn depth(n) {\n  if n == 0 { return 0 }\n  return 1 + depth(n - 1)\n}\nprint(depth(900))", "900\n")
    }

    func testLongLeftLeaningChainsEvaluateInALoop() {
        let n = 100_000
        expectOutput("print(" + Array(repeating: "1", count: n).joined(separator: " + ") + ")", "\(n)\n")
        expectOutput("print(" + Array(repeating: "true", count: n).joined(separator: " and ") + ", "
                     + Array(repeating: "false", count: n).joined(separator: " or ") + ")", "true false\n")
        expectOutput("fn me() { return me }\nprint(me" + String(repeating: "()", count: n) + ".name)", "me\n")
        expectOutput("let r = [[1]]\nprint(r" + String(repeating: "[0]", count: 2) + ", \"ab\"" + String(repeating: ".count", count: 1) + ")", "1 2\n")
        // An error deep in a chain is reported at its own operator.
        expectError("let x = " + Array(repeating: "1", count: 1000).joined(separator: " + ") + " + \"a\"",
                    "1:\(8 + 4 * 1000 - 1): '+' expects two numbers, two strings or two lists but found int and string", kind: .type)
        // `and` still short-circuits along a chain.
        expectOutput("print(false and missing and missing)", "false\n")
    }

    func testControlFlow() {
        expectOutput("""
        let total = 0
        for i in range(10) {
            if i == 2 { continue }
            if i == 6 { break }
            total += i
        }
        let n = 0
        while n < 5 {
            n += 2
        }
        if total > 100 {
            print("big")
        } else if total > 10 {
            print("medium", total, n)
        } else {
            print("small")
        }
        for c in "ab" { print(c) }
        print(range(2, 8, 3), range(3, 0, -1))
        """, "medium 13 6\na\nb\n[2, 5] [3, 2, 1]\n")
        expectError("if 1 { }", "1:4: 'if' expects a bool condition but found int", kind: .type)
        expectError("for x in 3 { }", "1:10: 'for' expects a list, string or record to walk but found int", kind: .type)
    }

    func testBuiltins() {
        expectOutput("""
        print(len([1, 2]), int("42"), int(3.9), float(2), type(none), type(1.0))
        print(min(3, 1, 2), max([4, 9, 2]), abs(-3), sqrt(16), round(2.5), round(3.14159, 2))
        print(exp(0), log(1), str([1, "a"]), split("a b  c"))
        """, "2 42 3 2.0 none number\n1 9 3 4.0 3 3.14\n1.0 0.0 [1, \"a\"] [\"a\", \"b\", \"c\"]\n")
        expectError("assert(1 == 2, \"math broke\")", "1:1: assertion failed: math broke", kind: .runtime)
        expectError("print(len(3))", "1:7: argument 1 of 'len' must be a list, string, record or tensor but is int", kind: .type)
        expectError("log(0)", "1:1: log(0.0): expected a number > 0", kind: .runtime)
    }

    func testCallErrorsNoteTheCallSite() {
        let o = runSeq("fn f(x) {\n  return x / 0\n}\nf(1)")
        XCTAssertEqual(o.errors, ["2:12: division by zero"])
        XCTAssertEqual(o.result.errors.first?.notes, ["in 'f' called at <test>:4:1"])
        expectError("fn f(a, b) { }\nf(1)", "2:1: 'f' expects 2 arguments but was given 1", kind: .type)
        expectError("let x = 3\nx(1)", "2:1: only functions can be called, but this is int", kind: .type)
    }

    func testRuntimeErrorStopsTheRunAfterEarlierOutput() {
        let o = runSeq("print(1)\nprint(nope)\nprint(3)")
        XCTAssertEqual(o.output, "1\n")
        XCTAssertEqual(o.errors, ["2:7: unknown name 'nope'"])
    }

    func testHugeSharedValuesHitALimitInsteadOfHanging() {
        let o = runSeq("let xs = [1]\nfor i in range(80) {\n  xs = [xs, xs]\n}\nprint(len(xs))\nprint(xs)")
        XCTAssertEqual(o.output, "2\n")
        XCTAssertEqual(o.result.errors.map(\.kind), [.limit])
        XCTAssertEqual(o.errors, ["6:1: the text of this value is longer than 1000000 characters"])
    }

    func testWarningsNeverStopAScript() {
        let o = runSeq("for i in range(3) {\n  break\n  print(i)\n}\nprint(\"end\")")
        XCTAssertTrue(o.result.succeeded)
        XCTAssertEqual(o.output, "end\n")
        XCTAssertEqual(o.result.warnings.map { "\($0.range.start): \($0.message)" },
                       ["3:3: this statement never runs: it follows the 'break' at 2:3"])
    }

    func testCommandKeywordsAreNamesWhenUsedAsNames() {
        expectOutput("let input = 3\ninput = input + 1\nprint(input)", "4\n")
        expectOutput("let plot = [1, 2]\nplot[0] = 5\nprint(plot)", "[5, 2]\n")
    }

    func testUnregisteredCommandIsARuntimeErrorAtTheKeyword() throws {
        // The bare evaluator, without the model and training statements a SeqInterpreter installs.
        let engine = Interpreter(configuration: SeqInterpreter.Configuration())
        let (program, parsed) = Parser.parse("print(0)\n  plot loss", file: "<test>")
        XCTAssertEqual(parsed.count, 0)
        XCTAssertThrowsError(try engine.run(program)) { error in
            let d = error as! Diagnostic
            XCTAssertEqual("\(d.range.start): \(d.message)",
                           "2:3: the 'plot' statement is not available: no handler is registered for it")
            XCTAssertEqual(d.range.length, 4)
            XCTAssertEqual(d.kind, .runtime)
        }
    }
}
