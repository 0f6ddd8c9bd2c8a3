// TrainingDocsTests.swift — every ```seq example of docs/training.md runs without errors.

import XCTest
import SeqLang
import Interpreter

final class TrainingDocsTests: XCTestCase {
    func testEveryDocumentedExampleRuns() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/training.md").standardized
        let text = try String(contentsOf: docs, encoding: .utf8)
        var blocks: [String] = [], current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```seq" { current = [] }
            else if current != nil, line == "```" { blocks.append(current!.joined(separator: "\n")); current = nil }
            else if current != nil { current!.append(String(line)) }
        }
        XCTAssertEqual(blocks.count, 11)
        for block in blocks {
            let outcome = runSeq(block)
            XCTAssertEqual(outcome.errors, [], block)
        }
    }

    func testTheFirstExampleLearnsTheData() throws {
        let outcome = runSeq(nextWordPrelude + "train adam lr 0.02 epochs 30 batch 4 on data\nprint(history.accuracy[29])")
        XCTAssertEqual(outcome.errors, [])
        let last = outcome.output.split(separator: "\n").last.flatMap { Double($0) } ?? 0
        XCTAssertGreaterThanOrEqual(last, 0.9)
    }
}
