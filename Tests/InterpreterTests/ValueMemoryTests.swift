// ValueMemoryTests.swift — `memoryLimit` covers the values a script builds, through the
// embedding API: a list or string grown in a loop, tensor arithmetic, `range`, `tensor`,
// `list`, `split` of text and of data, `shuffle`, `sequences`, `encode`, `join` and
// `read_csv`'s table are each refused before they are allocated, with a located `.limit`
// diagnostic naming the amount and the limit, and the interpreter runs on. The same scripts
// on small inputs run under the limit (and the examples under the default limits:
// ExamplesQuickTests).

import Foundation
import XCTest
import SeqLang
@testable import Interpreter

final class ValueMemoryTests: XCTestCase {
    static let limit = 10_000_000

    func limited(_ globals: [String: Value] = [:]) -> Captured {
        let c = Captured { $0.memoryLimit = ValueMemoryTests.limit }
        for (name, value) in globals { c.interpreter[global: name] = value }
        return c
    }

    /// Asserts one `.limit` error at `place` whose message starts with `start` and ends with the
    /// limit, and that the interpreter runs on.
    func assertRefused(_ c: Captured, _ source: String, at place: String, _ start: String, limit: String = "10 MB",
                       file: StaticString = #filePath, line: UInt = #line) {
        let outcome = c.run(source)
        XCTAssertEqual(outcome.result.errors.map(\.kind), [.limit], "\(outcome.errors)", file: file, line: line)
        let message = outcome.errors.first ?? ""
        XCTAssertTrue(message.hasPrefix("\(place): \(start)"), "\(message)", file: file, line: line)
        XCTAssertTrue(message.hasSuffix("past the memory limit of \(limit)"), "\(message)", file: file, line: line)
        XCTAssertTrue(message.contains(" would need "), "names the amount: \(message)", file: file, line: line)
        XCTAssertLessThanOrEqual(c.interpreter.memory.peak, ValueMemoryTests.limit, file: file, line: line)
        XCTAssertEqual(c.run("print(1)").output, "1\n", "the interpreter runs on", file: file, line: line)
    }

    func testAListOrStringGrownInALoopIsRefusedAtTheStepThatWouldPassTheLimit() {
        let c = limited()
        // 2^21 values of 8 bytes pass 10 MB: the 21st doubling is refused, after 20 that fit.
        assertRefused(c, "let x = [1]\nlet n = 0\nfor i in range(40) {\n    x = x + x\n    n = n + 1\n}",
                      at: "4:11", "the joined list of 2097152 values would need 16.8 MB")
        XCTAssertEqual(c.run("print(n, len(x))").output, "20 1048576\n")
        // A string's bytes pass 4 MB before its length passes the 10,000,000 a string may hold.
        let small = Captured { $0.memoryLimit = 4_000_000 }
        assertRefused(small, "let s = \"abcdefgh\"\nwhile true {\n    s = s + s\n}",
                      at: "3:11", "the joined string of 4194304 bytes would need 4.19 MB", limit: "4 MB")
        assertRefused(c, "let y = [1, 2]\nwhile true { y += y }", at: "2:16", "the joined list of 2097152 values would need 16.8 MB")
        XCTAssertEqual(c.run("let z = [1]\nfor i in range(10) { z = z + z }\nprint(len(z))").output, "1024\n")
    }

    func testTensorArithmeticIsRefusedBeforeItsResultIsAllocated() throws {
        let big = try TensorValue(sizes: [3000, 1000], scalars: [Float](repeating: 1, count: 3_000_000))
        let c = limited(["t": .tensor(big), "row": .tensor(TensorValue([Float](repeating: 2, count: 1000)))])
        assertRefused(c, "let y = t * 2", at: "1:11", "the result of '*', a tensor [row 3000, column 1000], would need 12 MB")
        assertRefused(c, "let y = row + t", at: "1:13", "the result of '+', a tensor [row 3000, column 1000], would need 12 MB")
        assertRefused(c, "let y = -t", at: "1:9", "the negated tensor [row 3000, column 1000] would need 12 MB")
        assertRefused(c, "let y = rows(t, 0, 3000)", at: "1:9", "rows 0 to 3000 of a tensor [row 3000, column 1000] would need 12 MB")
        assertRefused(c, "let y = list(t)", at: "1:9", "the list of a tensor of 3000000 values would need 24 MB")
        XCTAssertEqual(c.run("let y = rows(t, 0, 10) * 2 + rows(t, 5, 15)\nprint(sum(y) == 30000, y.shape)").output, "true [10, 1000]\n")
    }

    func testBuiltinsThatBuildListsAreRefusedBeforeTheyBuildThem() {
        let ints = Value.list((0..<2_000_000).map { .int($0 % 50) })
        let c = limited(["ids": ints, "text": .string(String(repeating: "ab ", count: 1_000_000))])
        assertRefused(c, "let r = range(5000000)", at: "1:9", "range's list of 5000000 ints would need 40 MB")
        assertRefused(c, "let u = tensor([ids, ids])", at: "1:9", "a tensor of shape [2, 2000000] would need 16 MB")
        assertRefused(c, "let p = split(text)", at: "1:9", "the 1000000 pieces of a string of 3000000 bytes would need")
        assertRefused(c, "let p = split(text, \"b\")", at: "1:9", "the 1000001 pieces of a string of 3000000 bytes would need")
        assertRefused(c, "let s = shuffle(ids, 3)", at: "1:9", "shuffle's copy of 2000000 samples would need 32 MB")
        assertRefused(c, "let s = split(ids, [0.5, 0.5], 3)", at: "1:9", "split's copy of 2000000 samples would need 32 MB")
        // A string's bytes pass 4 MB before its length passes the 10,000,000 a string may hold.
        let small = Captured { $0.memoryLimit = 4_000_000 }
        small.interpreter[global: "pieces"] = .list([Value](repeating: .string("abcdefghijkl"), count: 500_000))
        assertRefused(small, "let j = join(pieces)", at: "1:9", "the joined string of 6000000 bytes would need 6 MB", limit: "4 MB")
        XCTAssertEqual(c.run("print(len(split(\"a b c\")), len(shuffle(range(10), 1)), join([\"a\", \"b\"], \"-\"))").output, "3 10 a-b\n")
    }

    func testDataBuiltinsOverBigInputsAreRefused() throws {
        let samples = Value.list((0..<400_000).map { i in .list((0..<10).map { .int(($0 + i) % 50) }) })
        let labels = Value.list((0..<400_000).map { .int($0 % 2) })
        let symbols = Value.list((0..<2_000_000).map { .string(["the", "fox", "dog"][$0 % 3]) })
        let c = limited(["samples": samples, "labels": labels, "symbols": symbols])
        assertRefused(c, "let d = sequences(samples, labels, 10)", at: "1:9", "the samples would need ")
        XCTAssertEqual(c.run("let v = vocabulary([\"the\", \"fox\", \"dog\"])").errors, [])
        assertRefused(c, "let e = encode(v, symbols)", at: "1:9", "the ids would need 16 MB")
        XCTAssertEqual(c.run("print(encode(v, [\"the\", \"dog\"]))").output, "[2, 4]\n")

        // A table of 300,000 lines: a 3.9 MB file whose lines and fields pass 10 MB.
        let csv = temporaryPath("value-memory.csv")
        var table = "a,b,c\n"
        for i in 0..<300_000 { table += "\(i % 97).5,\(i % 13),\(i % 7).25\n" }
        try table.write(toFile: csv, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: csv) }
        assertRefused(c, "let r = read_csv(\"\(csv)\")", at: "1:9", "the table of '\(csv)' would need ")
        let roomy = Captured { $0.memoryLimit = 200_000_000 }
        XCTAssertEqual(roomy.run("let r = read_csv(\"\(csv)\")\nprint(r.shape)").output, "[300000, 3]\n")
    }
}
