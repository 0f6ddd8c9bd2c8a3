// ExamplesQuickTests.swift — runs the built `seqsh` on every example script in quick mode
// (`seqsh examples/NAME.seq quick`), on the real data sets, and checks each one completes
// with exit status 0 and prints finite losses that fall from the first to the last.
//
// The data folder is SEQ_DATA, or `../shared/data` beside the repository. `seqsh` is the
// debug build at `<repository>/.build/debug/seqsh` (`swift build` makes it).

import Foundation
import XCTest

final class ExamplesQuickTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// A quick run takes seconds; a run past this is a hang, stopped and reported.
    static let timeLimit: TimeInterval = 300

    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    static func dataFolder() throws -> String {
        if let folder = ProcessInfo.processInfo.environment["SEQ_DATA"], !folder.isEmpty { return folder }
        let beside = Self.repository.deletingLastPathComponent().appendingPathComponent("shared/data").path
        guard FileManager.default.fileExists(atPath: beside) else {
            XCTFail("no data folder: set SEQ_DATA to the folder holding ptb/, mnist/, rt-polarity/ and tinyshakespeare/ (\(beside) does not exist)")
            throw CocoaError(.fileNoSuchFile)
        }
        return beside
    }

    func seqsh(_ arguments: [String]) throws -> Run {
        let binary = Self.repository.appendingPathComponent(".build/debug/seqsh").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            XCTFail("\(binary) is missing: run `swift build` first")
            throw CocoaError(.fileNoSuchFile)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = Self.repository
        var environment = ProcessInfo.processInfo.environment
        environment["SEQ_DATA"] = try Self.dataFolder()
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        // Read both pipes while the process runs, so a full pipe never blocks it.
        let outBox = DataBox(), errBox = DataBox()
        let readers = DispatchGroup()
        for (pipe, box) in [(out, outBox), (err, errBox)] {
            DispatchQueue.global().async(group: readers) { box.data = pipe.fileHandleForReading.readDataToEndOfFile() }
        }
        if finished.wait(timeout: .now() + Self.timeLimit) == .timedOut {
            process.terminate()
            _ = finished.wait(timeout: .now() + 10)
            readers.wait()
            XCTFail("seqsh \(arguments.joined(separator: " ")) did not finish within \(Int(Self.timeLimit))s; it printed:\n"
                    + String(decoding: outBox.data, as: UTF8.self))
            throw CocoaError(.executableLoad)
        }
        readers.wait()
        return Run(status: process.terminationStatus, output: String(decoding: outBox.data, as: UTF8.self),
                   errors: String(decoding: errBox.data, as: UTF8.self))
    }

    /// Every training loss the run printed, in order: `loss 2.301` in epoch and step lines,
    /// `Average Loss= 4.61` in the Aesop report (an evaluation's line is not training). A value
    /// that is not a finite number fails.
    static func losses(in output: String, file: StaticString = #filePath, line: UInt = #line) -> [Double] {
        var found: [Double] = []
        let pattern = try! NSRegularExpression(pattern: #"(?:(?<![\w])loss|Average Loss=) ([^\s,]+)"#)
        let training = output.split(separator: "\n").filter {
            $0.hasPrefix("epoch ") || $0.hasPrefix("step ") || $0.hasPrefix("Iter= ")
        }.joined(separator: "\n")
        let text = training as NSString
        for match in pattern.matches(in: training, range: NSRange(location: 0, length: text.length)) {
            let word = text.substring(with: match.range(at: 1))
            guard let value = Double(word), value.isFinite else {
                XCTFail("a loss that is not a finite number: '\(word)'", file: file, line: line)
                continue
            }
            found.append(value)
        }
        return found
    }

    /// Runs `examples/NAME.seq quick` and checks the exit status, the losses and `expected` text.
    func checkQuick(_ name: String, printsAtLeast count: Int = 2, expecting expected: [String] = [],
                    file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try seqsh(["examples/\(name).seq", "quick"])
        XCTAssertEqual(run.status, 0, "seqsh examples/\(name).seq quick failed:\n\(run.errors)\n\(run.output)", file: file, line: line)
        let losses = Self.losses(in: run.output, file: file, line: line)
        XCTAssertGreaterThanOrEqual(losses.count, count, "too few losses printed:\n\(run.output)", file: file, line: line)
        if let first = losses.first, let last = losses.last {
            XCTAssertLessThan(last, first, "the loss did not fall: \(losses)\n\(run.output)", file: file, line: line)
        }
        for text in expected {
            XCTAssertTrue(run.output.contains(text), "missing '\(text)' in:\n\(run.output)", file: file, line: line)
        }
    }

    func testLossParsingFindsEveryKindOfLossLine() {
        let output = """
            step 10  epoch 1/2  loss 2.301  accuracy 0.120  lr 0.001
            epoch 1/2  loss 1.5  accuracy 0.4  val_loss 1.7  val_accuracy 0.3  samples/s 900  1.0s
            Iter= 1000, Average Loss= 4.61, Average Accuracy= 5.3%
            loss 0.2  acc 0.9
            """
        XCTAssertEqual(Self.losses(in: output), [2.301, 1.5, 4.61])
    }

    func testAesopQuick() throws {
        try checkQuick("aesop", expecting: ["204 symbols, 112 distinct", "Iter= 300, Average Loss=", "] vs [", "had a general"])
    }

    func testMNISTRowsQuick() throws {
        try checkQuick("mnist_rows", expecting: ["Testing Accuracy: "])
    }

    func testPTBQuick() throws {
        try checkQuick("ptb", expecting: ["vocabulary", "Test Perplexity: "])
    }

    func testSentimentQuick() throws {
        try checkQuick("sentiment", expecting: ["Test Accuracy: ", "a gorgeous , witty"])
    }

    func testSentimentBidirectionalQuick() throws {
        try checkQuick("sentiment_bidirectional", expecting: ["gru 8 bidirectional last   [batch, feature 16]", "Test Accuracy: "])
    }

    func testSentimentMinimalQuick() throws {
        try checkQuick("sentiment_minimal", expecting: ["held-out sentences"])
    }

    func testCharsQuick() throws {
        try checkQuick("chars", expecting: ["ROMEO:", "65 distinct"])
    }
}

private final class DataBox: @unchecked Sendable { var data = Data() }
