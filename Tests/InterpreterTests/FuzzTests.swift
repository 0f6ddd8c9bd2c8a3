// FuzzTests.swift — a deterministic, seeded fuzz loop: mutated versions of the project's own
// scripts and documentation examples (byte flips, token deletions and duplications,
// truncations, stray punctuation), random bytes, deep expressions (long sums and chains of
// `.`, calls and indexes, nesting past the parser's limit) and strings left open at a line's
// end go through the lexer, parser and interpreter with a small time limit and no file
// access. Every run must end in success or in diagnostics whose positions lie inside the
// input — never a crash or a hang.

import XCTest
import Foundation
import SeqLang
import Interpreter

/// Text gathered on another thread.
final class OutcomeBox: @unchecked Sendable { var lines: [String] = [] }

/// SplitMix64: a tiny seeded generator so every run of the test sees the same inputs.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

final class FuzzTests: XCTestCase {
    private static let mutationsPerSeed = 64
    private static let randomInputs = 600

    /// No file access, a small time limit and a shallow call limit keep each run short.
    private static var configuration: SeqInterpreter.Configuration {
        var config = SeqInterpreter.Configuration()
        config.fileAccess = .none
        config.timeLimit = 0.02
        config.maxCallDepth = 100
        return config
    }

    private func corpus() throws -> [String] {
        let root = ScriptExpectations.root
        var texts: [String] = []
        let scripts = root.appendingPathComponent("Tests/Scripts")
        for name in try FileManager.default.contentsOfDirectory(atPath: scripts.path).sorted() where name.hasSuffix(".seq") {
            texts.append(try String(contentsOf: scripts.appendingPathComponent(name), encoding: .utf8))
        }
        let docs = try String(contentsOf: root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        texts += seqBlocks(in: docs).map(\.code)
        return texts
    }

    private func mutate(_ text: String, _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = Array(text.utf8)
        let punctuation = Array("{}()[]\"\\#.,=+-*/<>%\n ".utf8) + [0xC3, 0xFF]
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            guard !bytes.isEmpty else { break }
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes[i] = punctuation.randomElement(using: &rng)!
            case 2: bytes.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...8, using: &rng)))
            case 3:
                let end = min(bytes.count, i + Int.random(in: 1...12, using: &rng))
                bytes.insert(contentsOf: bytes[i..<end], at: i)
            case 4: bytes.removeSubrange(i...)
            default:
                // Delete or duplicate a whole token (a run of non-space bytes).
                var start = i, end = i
                while start > 0 && bytes[start - 1] != 0x20 && bytes[start - 1] != 0x0A { start -= 1 }
                while end < bytes.count && bytes[end] != 0x20 && bytes[end] != 0x0A { end += 1 }
                if Bool.random(using: &rng) {
                    bytes.removeSubrange(start..<end)
                } else {
                    bytes.insert(contentsOf: bytes[start..<end] + [0x20], at: start)
                }
            }
        }
        return bytes
    }

    private func runOne(_ bytes: [UInt8], file: String, in shared: SeqInterpreter? = nil) {
        let text: String
        do {
            text = try SourceText.decode(bytes, file: file)
        } catch {
            XCTAssertEqual(error.kind, .lexical)
            return
        }
        let config = FuzzTests.configuration
        let result = (shared ?? SeqInterpreter(config)).run(source: text, file: file)
        let lineCount = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).count
        for d in result.diagnostics where d.range.hasPosition && d.range.file == file {
            XCTAssertTrue((1...lineCount + 1).contains(d.range.start.line) && d.range.start.column >= 1,
                          "\(d) lies outside the input:\n\(text)")
        }
        if !result.succeeded { XCTAssertFalse(result.errors.isEmpty) }
    }

    func testMutatedScriptsNeverCrashOrHang() throws {
        let texts = try corpus()
        XCTAssertGreaterThan(texts.count, 15)
        var rng = SeededGenerator(state: 0x5EC1A46)
        var runs = 0
        for (n, text) in texts.enumerated() {
            let shared = SeqInterpreter(FuzzTests.configuration)
            for m in 0..<FuzzTests.mutationsPerSeed {
                runOne(mutate(text, &rng), file: "fuzz-\(n)-\(m).seq", in: shared)
                runs += 1
            }
        }
        XCTAssertGreaterThanOrEqual(runs, 1400)
    }

    /// A random deep expression: a long left-leaning chain of operators and postfix links,
    /// sometimes wrapped in more parentheses than the parser accepts.
    private func deepExpression(_ rng: inout SeededGenerator) -> String {
        let links = [" + 1", " - x", " * 2", " and true", " or false", " == 1", ".count", ".b", "()", "[0]", "(1, 2)", " + [1]", " + \"s\""]
        var text = ["1", "x", "xs", "f", "\"a\"", "[1, 2]", "(1 + 2)"].randomElement(using: &rng)!
        let length = Int.random(in: 1_000...20_000, using: &rng)
        let few = Array(links.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)))
        for _ in 0..<length { text += few.randomElement(using: &rng)! }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            let depth = Int.random(in: 150...400, using: &rng)
            text = String(repeating: "(", count: depth) + text + String(repeating: ")", count: depth)
        }
        return text
    }

    func testDeepExpressionsNeverCrashOrHang() {
        var rng = SeededGenerator(state: 0xDEE9)
        for i in 0..<24 {
            let e = deepExpression(&rng)
            let prefix = "let x = 1\nlet xs = [1]\nfn f(a, b) { return a }\n"
            let text = [prefix + "print(\(e))\n", prefix + "let y = \(e)\n", prefix + "layer dense (\(e))\n",
                        prefix + "if \(e) { print(1) }\n"][i % 4]
            runOne(Array(text.utf8), file: "deep-\(i).seq")
        }
    }

    func testUnterminatedStringsAreReportedAtTheirQuote() throws {
        var rng = SeededGenerator(state: 0x57A1)
        let openers = ["\"abc", "\"a {x", "\"{g(\"b", "\"tail\\", "\"{", "\"x\\\""]
        let shapes = ["print(%)", "let s = %", "f(1, [%, 2])", "layer dense 1 name %", "x = \"ok\" + %", "g([1, %])"]
        for i in 0..<60 {
            let shape = shapes.randomElement(using: &rng)!
            let opener = openers.randomElement(using: &rng)!
            let bad = String(shape.prefix { $0 != "%" }) + opener
            let lineNumber = Int.random(in: 1...3, using: &rng)
            var lines = ["let x = 1", "fn g(a) { return a }", "print(x)"]
            lines.insert(bad, at: lineNumber - 1)
            let text = lines.joined(separator: "\n") + (i % 2 == 0 ? "\n" : "")
            let (_, diagnostics) = Parser.parse(text, file: "open.seq")
            let column = bad.count - opener.count + 1
            XCTAssertEqual(diagnostics.first.map { "\($0.range.start) \($0.kind)" }, "\(lineNumber):\(column) lexical", text)
            XCTAssertTrue(diagnostics.first?.message.hasPrefix("unterminated string") ?? false, text)
            XCTAssertFalse(diagnostics.contains { $0.kind == .incompleteInput }, text)
            runOne(Array(text.utf8), file: "open-\(i).seq")
        }
    }

    /// The deepest nesting the parser accepts is checked and run, and one level more is a
    /// located `.limit` from the check and the run alike, all from a host thread with a
    /// 512 KiB stack (parse, check and run each use a deep thread of their own).
    func testDeepestNestingIsCheckedAndRunFromASmallThread() {
        let n = Parser.maxDepth
        let r = { (s: String, k: Int) in String(repeating: s, count: k) }
        let programs: [(source: String, output: String)] = [
            ("print(" + r("(", n - 1) + "1" + r(")", n - 1) + ")", "1\n"),
            ("let xs = " + r("[", n) + "7" + r("]", n) + "\nprint(xs" + r("[0]", n) + ")", "7\n"),
            ("print(" + r("- ", n - 1) + "1)", "-1\n"),
            ("let t = " + r("not ", n) + "true\nprint(t)", "true\n"),
            ("fn f(a) { return a }\nprint(" + r("f(", n - 1) + "3" + r(")", n - 1) + ")", "3\n"),
            (r("if true {\n", n - 1) + "print(5)\n" + r("}\n", n - 1), "5\n"),
            ("let s = " + r("\"{", n) + "4" + r("}\"", n) + "\nprint(s)", "4\n"),
        ]
        let tooDeep = "let y = 1\nprint(" + r("(", n) + "1" + r(")", n) + ")\n"
        let box = OutcomeBox()
        onSmallThread {
            for (source, _) in programs {
                let run = Captured().run(source)
                let checked = SeqInterpreter().check(source: source, file: "<test>")
                box.lines.append("\(run.output)|\(run.errors)|\(checked.errors.map(\.message))")
            }
            let run = Captured().run(tooDeep).result.diagnostics
            let checked = SeqInterpreter().check(source: tooDeep, file: "<test>").diagnostics
            for d in [run, checked] {
                box.lines.append(d.map { "\($0.range.start) \($0.kind) \($0.message)" }.joined(separator: "; "))
            }
        }
        XCTAssertEqual(box.lines, programs.map { "\($0.output)|[]|[]" } + Array(repeating:
            "2:\(6 + n) limit expressions nested more than \(n) deep", count: 2))
    }

    /// Every input the libFuzzer target (scripts/fuzz.sh) found a crash with, kept as a regression.
    func testLibFuzzerReproducers() throws {
        let folder = ScriptExpectations.root.appendingPathComponent("Tests/Fuzz/Regressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            runOne([UInt8](try Data(contentsOf: folder.appendingPathComponent(name))), file: name)
        }
    }

    func testRandomBytesNeverCrashOrHang() {
        var rng = SeededGenerator(state: 42)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 {}()[]\"\\#.,=+-*/<>%\n\tletfnifwhilefor".utf8)
        for i in 0..<FuzzTests.randomInputs {
            let count = Int.random(in: 0...200, using: &rng)
            let bytes = (0..<count).map { _ in
                i % 3 == 0 ? UInt8.random(in: 0...255, using: &rng) : alphabet.randomElement(using: &rng)!
            }
            runOne(bytes, file: "random-\(i).seq")
        }
    }
}
