// CheckerTests.swift — the static checker through its public API, `SeqInterpreter.check`:
// every independent error once, shapes with sizes named by the data they come from, both
// branches, loops, functions at definition and call, recursion, and that every error it
// reports in the test corpus is an error at run time at the same place.

import XCTest
import SeqLang
import Interpreter

final class CheckerTests: XCTestCase {
    func check(_ source: String) -> CheckReport {
        let seq = SeqInterpreter()
        seq[global: "args"] = .list([.string("quick")])
        return seq.check(source: source, file: "<check>")
    }

    func errors(_ source: String) -> [String] {
        check(source).errors.map { "\($0.range.start): \($0.message)" }
    }

    let prelude = """
        let syms = tokens("the cat sat on the mat the cat ate the rat")
        let vocab = vocabulary(syms)
        let data = windows(encode(vocab, syms), 3, vocab)

        """

    func testEveryIndependentErrorOnceAndNoCascade() {
        XCTAssertEqual(errors(prelude + """
            let x = nosuch + 1
            print(x * 2)
            model m
            input tokens 3 vocab vocab.size
            layer embedding 8
            layer lstm 16 dropuot 0.2 last
            layer dense vocab.size softmax
            train adam epocs 2 on data
            print(history.loss[0] + 1)
            """), [
            "4:9: unknown name 'nosuch'",
            "9:15: unknown option 'dropuot' for an lstm layer; did you mean 'dropout'?",
            "11:12: unknown option 'epocs' for `train`; did you mean 'epochs'?",
        ])
    }

    func testShapesCarrySizesNamedByTheirData() {
        let report = check(prelude + """
            model next
            input tokens 3 vocab vocab.size
            layer embedding 16
            layer lstm 32 last
            layer dense vocab.size softmax
            """)
        XCTAssertEqual(report.errors.map(\.message), [])
        XCTAssertEqual(report.facts.filter { $0.keyword == "layer" }.map(\.shape),
                       ["[batch, time 3, feature 16]", "[batch, feature 32]", "[batch, class vocab.size]"])
        XCTAssertEqual(report.facts.first { $0.range.start.line == 7 }?.parameters, 32 * 4 * (16 + 32 + 2))
        XCTAssertNil(report.fact(onLine: 6)?.parameters, "the embedding's parameters depend on vocab.size")
        XCTAssertEqual(report.fact(onLine: 8)?.text, "layer dense vocab.size softmax -> [batch, class vocab.size]")
        XCTAssertEqual(report.symbols.map(\.kind), [.model, .layer, .layer, .layer])
        XCTAssertEqual(report.symbols.last?.parent, "next")
        XCTAssertEqual(report.name("vocab", at: SourceLocation(line: 9, column: 1))?.type, "vocabulary (vocab.size symbols)")
        XCTAssertEqual(report.name("vocab", at: SourceLocation(line: 9, column: 1))?.range,
                       SourceRange(file: "<check>", line: 2, column: 5, length: 5), "a name is defined at its spelling")
    }

    func testADeepExpressionIsALimitNotACrash() {
        let sum = "let x = " + Array(repeating: "1", count: 100_000).joined(separator: " + ") + "\nprint(x)\n"
        let report = check(sum)
        XCTAssertTrue(report.diagnostics.allSatisfy { $0.kind == .limit || $0.kind == .syntax }, "\(report.diagnostics.prefix(2))")
    }

    func testShapeErrorsAreProvedWithoutData() {
        // An LSTM after token ids needs an embedding; `per step` after `last`; both found, the
        // second although the first left the model's shape unknown… in another model.
        XCTAssertEqual(errors(prelude + """
            model a
            input tokens 3 vocab vocab.size
            layer lstm 8
            model b
            input tokens 3 vocab vocab.size
            layer embedding 4
            layer lstm 8 last
            layer dense vocab.size softmax per step
            """).map { String($0.prefix(40)) }, [
            "6:7: an lstm layer needs a sequence of v",
            "11:32: `per step` needs a sequence [batc",
        ])
    }

    func testDataOfTheWrongShapeIsFoundWithoutTheData() {
        XCTAssertEqual(errors(prelude + "model m\ninput tokens 5 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\ntrain adam on data"),
                       ["9:15: expected [batch, time 5] but the data gives [sample, time 3]: 3 time steps where the model reads 5"])
        XCTAssertEqual(errors(prelude + "model m\ninput sequence 28 features 28\nlayer lstm 8 last\nlayer dense 10 softmax\ntrain adam on data"),
                       ["8:15: expected [batch, time 28, feature 28] but the data gives [sample, time 3]: the model reads vectors of numbers, the data has token ids"])
    }

    func testASizeFromDataIsNotAssumedToDifferFromAConstant() {
        // vocab.size may be 10000 when the script runs (vocabulary(syms, 10000) caps it so).
        XCTAssertEqual(errors(prelude + "model m\ninput tokens 3 vocab 10000\nlayer embedding vocab.size 8"), [])
        XCTAssertEqual(errors(prelude + "model m\ninput tokens 3 vocab 10000\nlayer embedding 500 8").map { String($0.prefix(45)) },
                       ["6:17: the embedding's vocabulary 500 does not"])
    }

    func testBothBranchesOfAnUnknownConditionAndLoopsOnce() {
        XCTAssertEqual(errors("""
            let quick = false
            for a in args { if a == "quick" { quick = true } }
            if quick { print(undefinedA) } else { print(undefinedB) }
            let n = 0
            while n < 3 { n += 1
                print(undefinedC) }
            """), ["3:18: unknown name 'undefinedA'", "3:45: unknown name 'undefinedB'", "6:11: unknown name 'undefinedC'"])
        // A known condition checks only its branch.
        XCTAssertEqual(errors("if false { print(1 + \"a\") }"), [])
        // A variable assigned in a branch holds what both sides agree on.
        XCTAssertEqual(errors("let u = 64\nfor a in args { if a == \"x\" { u = 128 } }\nprint(u + \"x\")").count, 1)
        XCTAssertEqual(errors("let u = 64\nfor a in args { if a == \"x\" { u = \"big\" } }\nprint(u + 1)"), [])
    }

    func testFunctionsAtDefinitionAndAtEveryCall() {
        XCTAssertEqual(errors("""
            fn never() { return missing }
            fn add(a, b) { return a + b }
            print(add(1))
            print(add(1, "x"))
            fn fact(n) {
                if n <= 1 { return 1 }
                return n * fact(n - 1)
            }
            print(fact(5) + 1)
            """), [
            "1:21: unknown name 'missing'",
            "2:25: '+' expects two numbers, two strings or two lists but found int and string",
            "3:7: 'add' expects 2 arguments but was given 1",
        ])
    }

    func testAFunctionMayUseGlobalsDefinedAfterIt() {
        XCTAssertEqual(errors("fn show() { print(later + 1) }\nlet later = 2\nshow()"), [])
        XCTAssertEqual(errors("fn show() { print(later + 1) }\nshow()\nlet later = 2"), ["1:19: unknown name 'later'"])
    }

    func testCommandsBindWhatTheirDeclarationSays() {
        let report = check(prelude + """
            model m
            input tokens 3 vocab vocab.size
            layer embedding 8
            layer lstm 8 last
            layer dense vocab.size softmax
            train adam epochs 1 on data
            print(history.loss, history.steps)
            evaluate on data
            print(evaluation.loss)
            generate from "the cat sat" length 3
            print(generated)
            """)
        XCTAssertEqual(report.errors.map(\.message), [])
        XCTAssertTrue(report.names.contains { $0.name == "history" && $0.type.hasPrefix("record {loss") })
        // A model never trained has no vocabulary to generate with.
        XCTAssertEqual(errors(prelude + "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\ngenerate from \"the cat sat\" length 3"),
                       ["9:1: this model has no vocabulary, so it cannot turn ids back into text"])
    }

    func testNothingRunsAndNoDataIsRead() {
        let seen = TextBox()
        var config = SeqInterpreter.Configuration(output: { seen.text += $0 })
        config.fileAccess = .all
        let seq = SeqInterpreter(config)
        let report = seq.check(source: "print(\"hello\")\nlet t = read_text(\"/nonexistent/file.txt\")\nprint(len(t))\nlet x = 1\n", file: "a.seq")
        XCTAssertEqual(report.errors.map(\.message), [])
        XCTAssertEqual(seen.text, "", "the check prints nothing")
        XCTAssertNil(seq[global: "x"], "the check binds nothing in the interpreter")
    }

    /// Every error the checker reports in the corpus is an error at run time at the same place
    /// (and, here, with the same message): each snippet fails when run at one place.
    func testEveryErrorTheCheckerReportsIsARuntimeErrorAtTheSamePlace() throws {
        var corpus = Self.snippets.map { (prelude + $0, "snippet") }
        let scripts = ScriptExpectations.root.appendingPathComponent("Tests/Scripts")
        for name in try FileManager.default.contentsOfDirectory(atPath: scripts.path).sorted() where name.hasSuffix(".seq") {
            corpus.append((try String(contentsOf: scripts.appendingPathComponent(name), encoding: .utf8), name))
        }
        var compared = 0
        for (source, name) in corpus {
            let checked = SeqInterpreter().check(source: source, file: "<corpus>").errors
            let ran = SeqInterpreter().run(source: source, file: "<corpus>").errors
            // The same place and kind; the message the same up to what was found (the run shows
            // the value and the data's sample count, the check the type and the shape).
            func said(_ d: Diagnostic) -> String {
                d.message.components(separatedBy: ", got ")[0].components(separatedBy: " but the data gives ")[0]
            }
            for error in checked {
                compared += 1
                XCTAssertTrue(ran.contains { $0.range.start == error.range.start && $0.kind == error.kind && said($0) == said(error) },
                              "\(name): the checker reports \(error.range.start): \(error.message), the run \(ran.map { "\($0.range.start): \($0.message)" })\n\(source)")
            }
        }
        XCTAssertGreaterThan(compared, Self.snippets.count, "the corpus has errors to compare")
    }

    /// One mistake each, after the prelude: names, options, types, shapes, needs.
    static let snippets = [
        "print(vocabb.size)",
        "model m\ninput tokenz 3",
        "model m\ninput tokens 3 vocab vocab.size\nlayer lstn 8",
        "model m\ninput tokens 3 vocab vocab.size\nlayer lstm 8",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8 dropout 1.5",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8 dropout 0.1 keep 0.5",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense 4 per step",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8\nlayer dense vocab.size softmax",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm \"big\"",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 init unifrom 0.1",
        "model m\ninput sequence 3",
        "layer lstm 8",
        "train adam on data",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\ntrain adan on data",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\ntrain adam lr 0 on data",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\ntrain adam epochs 2 steps 3 on data",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\ntrain adam on vocab",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\ntrain adam epochs 1",
        "model m\ntrain adam on data",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\nevaluate on data batch 0",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\ngenerate from \"the cat sat\" length 3",
        "model m\ninput sequence 28 features 28\nlayer lstm 8 last\nlayer dense 10 softmax\ntrain adam on data",
        "model m\ninput tokens 5 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\ntrain adam on data",
        "model m\ninput tokens 3 vocab vocab.size\nlayer embedding 8\nlayer lstm 8 last\nlayer dense vocab.size softmax\ntrain adam epochs 1 on data\nevaluate on mnist_like",
        "seed -1",
        "save 3",
        "plot 3",
        "check",
        "let x = 1 + \"a\"",
        "fn f(a) { return a }\nprint(f(1, 2))",
        "for i in 3 { print(i) }",
        "if 1 { print(1) }",
        "let xs = [1, 2]\nprint(xs[5])",
        "print(10 / 0)",
        "nosuch = 3",
        "let s = \"abc\"\nprint(s.size)",
        "let closed = vocabulary(syms, \"clsoed\")",
        "let capped = vocabulary(syms, 4, \"opne\")",
        "let padded = sequences(encode(vocab, [syms]), [\"a\"], 4, \"lats\", vocab)",
    ]
}
