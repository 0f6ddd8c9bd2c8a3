// TrainingDocsTests.swift — every ```seq example of docs/training.md runs without errors.

import XCTest
import SeqLang
import Interpreter

final class TrainingDocsTests: XCTestCase {
    func testEveryDocumentedExampleRuns() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/training.md").standardized
        let blocks = seqBlocks(in: try String(contentsOf: docs, encoding: .utf8)).map(\.code)
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
