// TrainQuietTests.swift — `train … quiet` prints no epoch lines but records the same history.

import XCTest
import SeqLang
import Interpreter

final class TrainQuietTests: XCTestCase {
    func testQuietPrintsNoEpochLinesAndKeepsTheHistory() {
        let loud = runSeq(nextWordPrelude + "train adam lr 0.02 epochs 3 batch 4 on data\nprint(history.loss)")
        let quiet = runSeq(nextWordPrelude + "train adam lr 0.02 epochs 3 batch 4 quiet on data\nprint(history.loss)")
        XCTAssertEqual(loud.errors, [])
        XCTAssertEqual(quiet.errors, [])
        XCTAssertEqual(loud.output.components(separatedBy: "\n").filter { $0.hasPrefix("epoch ") }.count, 3, loud.output)
        XCTAssertFalse(quiet.output.contains("epoch "), quiet.output)
        let lossLine = { (o: Outcome) in o.output.components(separatedBy: "\n").last(where: { $0.hasPrefix("[") }) }
        XCTAssertNotNil(lossLine(quiet))
        XCTAssertEqual(lossLine(quiet), lossLine(loud))
    }

    func testQuietStillPrintsEveryLines() {
        let outcome = runSeq(nextWordPrelude + "train adam lr 0.02 epochs 2 batch 4 every 2 quiet on data")
        XCTAssertEqual(outcome.errors, [])
        XCTAssertTrue(outcome.output.hasPrefix("step 2  epoch 1/2"), outcome.output)
        XCTAssertFalse(outcome.output.contains("\nepoch "), outcome.output)
    }
}
