// FuzzTests.swift — a deterministic, seeded fuzz loop: mutated versions of the project's own
// scripts and documentation examples (byte flips, token deletions and duplications,
// truncations, stray punctuation) and random bytes go through the lexer, parser and
// interpreter with a small time limit and no file access. Every run must end in success or
// in diagnostics whose positions lie inside the input — never a crash or a hang.

import XCTest
import Foundation
import SeqLang
import Interpreter

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
        let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
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
