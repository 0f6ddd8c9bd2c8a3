// OwnershipTests.swift — each interpreter owns what its scripts change and frees it when dropped:
// no process-wide mutable state in Interpreter or Tensor, two interpreters with their own data
// folders and models side by side, 2,000 interpreters that train and go away without the process
// growing, and several interpreters on several threads training bit for bit like one alone.

import Foundation
import XCTest
import SeqLang
import Interpreter

final class OwnershipTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let fixtures = root + "/Tests/InterpreterTests/Fixtures"

    /// The sentiment model of examples/sentiment.seq (embedding, two stacked LSTMs with
    /// dropout, the last step, a sigmoid; full size 128/[128, 64], `quick` size 16/[16, 8]) on
    /// the fixture reviews, trained for `steps` steps.
    static func sentimentScript(steps: Int, quick: Bool = false) -> String {
        """
        let r = read_labelled([data_path("reviews.pos"), data_path("reviews.neg")], ["pos", "neg"])
        let syms = tokens(r.text)
        let vocab = vocabulary(syms, 1000)
        let data = sequences(encode(vocab, syms), r.label, 48, "first", vocab)
        seed 7
        model sentiment
        input tokens vocab vocab.size
        layer embedding \(quick ? 16 : 128) dropout 0.3
        layer lstm \(quick ? "[16, 8]" : "[128, 64]") dropout 0.5 last
        layer dense 1 sigmoid
        train adam lr 0.01 steps \(steps) batch 4 on data quiet
        """
    }

    // MARK: - No process-wide mutable state

    /// Every `static var` in Interpreter and Tensor is computed (`static var x: T {`), and none
    /// is `nonisolated(unsafe)`, `static let shared` or a top-level `var`: state a script can
    /// change has to live in an interpreter.
    func testNoProcessWideMutableStateInInterpreterOrTensor() throws {
        var offenders: [String] = []
        for folder in ["Sources/Interpreter", "Sources/Tensor"] {
            let base = OwnershipTests.root + "/" + folder
            let files = FileManager.default.enumerator(atPath: base)!.compactMap { $0 as? String }
                .filter { $0.hasSuffix(".swift") }
            XCTAssertFalse(files.isEmpty, folder)
            for file in files {
                let text = try String(contentsOfFile: base + "/" + file, encoding: .utf8)
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first
                        .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                    let place = "\(folder)/\(file):\(n + 1): \(code)"
                    if code.contains("nonisolated(unsafe)") || code.contains("static let shared") { offenders.append(place) }
                    if line.hasPrefix("var ") || line.hasPrefix("public var ") { offenders.append(place) }
                    if code.range(of: #"\bstatic var\b"#, options: .regularExpression) != nil {
                        // `static var x: T {` (a getter), not `static var x = …` or `: T = …`.
                        let computed = code.range(of: #"\bstatic var \w+\s*:[^={]*\{"#, options: .regularExpression) != nil
                        if !computed { offenders.append(place) }
                    }
                }
            }
        }
        XCTAssertEqual(offenders, [], "process-wide mutable state")
    }

    // MARK: - Side by side

    func testTwoInterpretersKeepTheirOwnDataFolderAndModels() throws {
        let a = FileManager.default.temporaryDirectory.appendingPathComponent("seq-own-a-\(getpid())").path
        let b = FileManager.default.temporaryDirectory.appendingPathComponent("seq-own-b-\(getpid())").path
        for (folder, text) in [(a, "one\n"), (b, "two\nlines\n")] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try text.write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        }
        defer { for f in [a, b] { try? FileManager.default.removeItem(atPath: f) } }
        let first = Captured { $0.dataFolder = a }
        let second = Captured { $0.dataFolder = b }

        XCTAssertEqual(first.run("model m\ninput sequence 5 features 3\nlayer lstm 4").errors, [])
        XCTAssertEqual(second.run("model m\ninput tokens 7 vocab 20\nlayer embedding 6").errors, [])
        // Each data_path finds its own folder's file, interleaved.
        XCTAssertEqual(first.run("print(data_path(\"notes.txt\"))").output, a + "/notes.txt\n")
        XCTAssertEqual(second.run("print(data_path(\"notes.txt\"))").output, b + "/notes.txt\n")
        XCTAssertEqual(first.run("print(len(read_lines(data_path(\"notes.txt\"))))").output, "1\n")
        XCTAssertEqual(second.run("print(len(read_lines(data_path(\"notes.txt\"))))").output, "2\n")
        // A `layer` in one acts on its own current model only.
        XCTAssertEqual(second.run("layer lstm 2 last").errors, [])
        XCTAssertEqual(first.run("print(m.output)\nprint(m.params)").output, "[batch, time 5, feature 4]\n144\n")
        XCTAssertEqual(second.run("print(m.output)\nprint(m.params)").output, "[batch, feature 2]\n200\n")
        // The REPL's :undo goes through the interpreter it is given.
        let undone = try first.interpreter.removeLastLayer(at: .none(file: "<repl>"))
        XCTAssertEqual(undone.model, "m")
        XCTAssertEqual(undone.layer, "lstm 4")
        XCTAssertEqual(second.run("print(len(m.layers))").output, "2\n")
        XCTAssertEqual(first.run("print(len(m.layers))").output, "0\n")
        XCTAssertEqual(try second.interpreter.removeLastLayer(at: .none(file: "<repl>")).shape, "[batch, time 7, feature 6]")
    }

    // MARK: - Dropping frees

    /// Resident pages × page size, from /proc/self/statm.
    static func residentBytes() -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// 2,000 interpreters, one after another, each defining the sentiment model (its quick size,
    /// so the test takes about a minute in a debug build) and training one step, then dropped: resident memory at the end is within 8 MiB of where it was after the
    /// first 100 (it grew by about 0.8 MB per interpreter when sessions were never freed).
    func testTwoThousandInterpretersComeAndGoWithoutGrowing() throws {
        let script = OwnershipTests.sentimentScript(steps: 1, quick: true)
        var afterHundred = 0
        for i in 1...2000 {
            let o = Captured { $0.dataFolder = OwnershipTests.fixtures }.run(script)
            if !o.errors.isEmpty { return XCTFail("interpreter \(i): \(o.errors)") }
            if i == 100 { afterHundred = OwnershipTests.residentBytes() }
        }
        let atEnd = OwnershipTests.residentBytes()
        let mib = { (b: Int) in String(format: "%.1f MiB", Double(b) / 1_048_576) }
        print("resident after 100 interpreters: \(mib(afterHundred)); after 2,000: \(mib(atEnd)); growth \(mib(atEnd - afterHundred))")
        XCTAssertLessThan(atEnd - afterHundred, 8 << 20, "grew from \(mib(afterHundred)) to \(mib(atEnd))")
    }

    /// A dropped interpreter's model and session are gone (not kept by any table), also when a
    /// script bound a function, which closes over the globals.
    func testADroppedInterpreterFreesItsModel() {
        final class Weak: @unchecked Sendable { weak var value: AnyObject? }
        let probe = Weak()
        do {
            let seq = Captured()
            XCTAssertEqual(seq.run("fn f(x) { return x }\nmodel m\ninput sequence 2 features 1\nlayer lstm 1").errors, [])
            if case .object(let model)? = seq.interpreter[global: "m"] { probe.value = model }
            XCTAssertNotNil(probe.value)
        }
        XCTAssertNil(probe.value, "the model outlived its interpreter")
    }

    // MARK: - Many at once

    /// What one run of the sentiment script gives: the loss of every step and the weights of the
    /// dense layer, printed with every digit.
    static let fingerprintScript = sentimentScript(steps: 3) + """

        print(history.loss)
        print(list(sentiment.layers[3].weights.weight))
        """

    func testInterpretersOnSeveralThreadsTrainLikeOneAlone() {
        let alone = Captured { $0.dataFolder = OwnershipTests.fixtures }.run(OwnershipTests.fingerprintScript)
        XCTAssertEqual(alone.errors, [])
        XCTAssertFalse(alone.output.isEmpty)
        let count = 4
        let results = ResultsBox(count)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let o = Captured { $0.dataFolder = OwnershipTests.fixtures }.run(OwnershipTests.fingerprintScript)
            results.set(i, o.errors.isEmpty ? o.output : "errors: \(o.errors)")
        }
        for i in 0..<count { XCTAssertEqual(results.get(i), alone.output, "thread \(i)") }
    }
}

private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String]
    init(_ n: Int) { values = Array(repeating: "", count: n) }
    func set(_ i: Int, _ v: String) { lock.withLock { values[i] = v } }
    func get(_ i: Int) -> String { lock.withLock { values[i] } }
}
