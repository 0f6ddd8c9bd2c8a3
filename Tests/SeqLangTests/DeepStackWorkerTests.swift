// DeepStackWorkerTests.swift — the long-lived DeepStack thread the fuzz target checks on: every body runs on the one thread, with the worker's stack, one at a
// time whoever hands it over, and work already on it runs in place.

import Foundation
import XCTest
@testable import SeqLang

final class DeepStackWorkerTests: XCTestCase {
    func testBodiesRunOnOneThreadWithTheWorkersStack() {
        let worker = DeepStack.Worker(bytes: DeepStack.parserStack)
        var threads: Set<String> = [], stacks: [Int] = []
        for _ in 0..<20 {
            worker.run {
                threads.insert("\(pthread_self())")
                stacks.append(DeepStack.currentStack)
            }
        }
        XCTAssertEqual(threads.count, 1)
        XCTAssertNotEqual(threads.first, "\(pthread_self())", "bodies run on the worker's thread, not the caller's")
        XCTAssertEqual(stacks, Array(repeating: DeepStack.parserStack, count: 20))
    }

    func testWorkOnTheWorkerRunsInPlace() {
        let worker = DeepStack.Worker(bytes: DeepStack.parserStack)
        var outer = "", inner = "", innerParse = ""
        worker.run {
            outer = "\(pthread_self())"
            // A nested run (the parser's own DeepStack.run, or the worker again) starts no thread.
            worker.run { inner = "\(pthread_self())" }
            DeepStack.run(bytes: DeepStack.parserStack) { innerParse = "\(pthread_self())" }
        }
        XCTAssertEqual(inner, outer)
        XCTAssertEqual(innerParse, outer)
    }

    /// How many bodies run at once, at most, and how many ran (guarded by a lock).
    private final class Tally: @unchecked Sendable {
        let lock = NSLock()
        var running = 0, most = 0, done = 0
        func enter() { lock.lock(); running += 1; most = max(most, running); lock.unlock() }
        func leave() { lock.lock(); running -= 1; done += 1; lock.unlock() }
    }

    func testCallersOnSeveralThreadsTakeTurns() {
        let worker = DeepStack.Worker(bytes: 1 << 20)
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<25 {
                worker.run {
                    tally.enter()
                    usleep(100)
                    tally.leave()
                }
            }
        }
        XCTAssertEqual(tally.done, 200, "every body ran, and each caller returned after its own")
        XCTAssertEqual(tally.most, 1, "one body at a time")
    }

    func testFreeingTheWorkerEndsItsThread() throws {
        func threads() throws -> Int {
            let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") }
            return Int(line?.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces) ?? "") ?? -1
        }
        let before = try threads()
        for _ in 0..<100 {
            var ran = false
            DeepStack.Worker(bytes: 1 << 20).run { ran = true }
            XCTAssertTrue(ran)
        }
        // Each deinit joined its thread: 100 leaked ones would show here.
        XCTAssertLessThanOrEqual(try threads(), before + 2)
    }
}
