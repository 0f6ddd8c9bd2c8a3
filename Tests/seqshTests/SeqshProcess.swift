// SeqshProcess.swift — runs the built `seqsh` binary as a user would, for the seqsh tests.
//
// The binary is found from this file's path (`<repo>/.build/debug/seqsh`); a test fails with
// a clear message when it is missing. Every run has a timeout, so a hang fails instead of
// blocking the suite.

import Foundation
import XCTest

enum Seqsh {
    /// The repository root: three levels above this file (Tests/seqshTests/SeqshProcess.swift).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `<repo>/.build/debug/seqsh`, or a test failure saying how to build it.
    static func binary(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = repository.appendingPathComponent(".build/debug/seqsh").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail("the seqsh binary is missing at \(path); run `swift build` first", file: file, line: line)
            throw XCTSkip("seqsh binary missing")
        }
        return path
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// How long one run may take before it counts as a hang.
    static let timeout: TimeInterval = 60

    /// Runs seqsh with `arguments`, feeding it `input` on stdin (empty by default, so it is a pipe
    /// and never a terminal), with `environment` added to this process's environment.
    /// `executable` runs instead of seqsh when given (`mpirun`, which starts seqsh itself).
    static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:],
                    executable: String? = nil,
                    file: StaticString = #filePath, line: UInt = #line) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable ?? binary(file: file, line: line))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()

        let collected = Collected()
        let group = DispatchGroup()
        for (pipe, isOut) in [(stdout, true), (stderr, false)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isOut: isOut)
                group.leave()
            }
        }
        stdin.fileHandleForWriting.write(input.data(using: .utf8)!)
        try? stdin.fileHandleForWriting.close()
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            XCTFail("seqsh \(arguments) did not finish within \(timeout) s", file: file, line: line)
        }
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       stdout: String(decoding: collected.out, as: UTF8.self),
                       stderr: String(decoding: collected.err, as: UTF8.self))
    }

    /// A fresh temporary folder, removed when the test ends.
    static func temporaryFolder(for test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("seqsh-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes `text` to `name` in `folder` and returns its path.
    static func write(_ text: String, to name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var out = Data()
    private(set) var err = Data()
    func set(_ data: Data, isOut: Bool) {
        lock.withLock { if isOut { out = data } else { err = data } }
    }
}
