// LayerLimitsTests.swift — the stop signal and the memory budget in the numeric core: every
// recurrent layer (LSTM, GRU, RNN, bidirectional, stacks) stops inside its time loop, forward
// and backward, and a stopped training step leaves the weights, the optimizer's state and the
// carried state as they were; parameters and batches past a budget are refused before they
// are allocated, and a freed network gives its claims back.
//
// Timing: the workloads are sized so that one step runs for seconds in a debug build; the
// bounds on how soon a stop returns are generous (scheduling on a shared machine) but far
// below what the unstopped work takes.

import Foundation
import XCTest
@testable import Tensor

final class LayerLimitsTests: XCTestCase {
    // MARK: - The signal

    func testStopSignalReasonsStickUntilCleared() {
        let signal = StopSignal()
        XCTAssertNil(signal.reason)
        signal.cancel()
        XCTAssertEqual(signal.reason, .cancelled)
        signal.arm(timeLimit: 0)
        XCTAssertEqual(signal.reason, .cancelled, "the first reason seen sticks")
        signal.clear()
        XCTAssertNil(signal.reason)
        signal.arm(timeLimit: 0)
        XCTAssertEqual(signal.reason, .timeLimit)
        signal.cancel()
        XCTAssertEqual(signal.reason, .timeLimit)
        signal.clear()
        signal.arm(timeLimit: 60)
        XCTAssertNil(signal.reason)
        XCTAssertThrowsError(try { signal.cancel(); try signal.check() }()) { XCTAssertTrue($0 is StopSignal.Stopped) }
    }

    // MARK: - Stopping inside the time loop

    /// A network of `layer` over float features: long sequences, so one step takes seconds.
    private func longNetwork(_ layer: NetworkLayer, signal: StopSignal) throws -> (Network, NetworkBatch) {
        let B = 32, T = 3000, F = 8
        let spec = NetworkSpec(input: .features(F), layers: [layer, .dense(2, activation: .softmax)])
        let network = try Network(spec: spec, seed: 7)
        network.stopSignal = signal
        var rng = SeededRandom(seed: 3)
        let xs = (0..<(B * T * F)).map { _ in rng.uniform(in: -1, 1) }
        let batch = NetworkBatch(inputs: .features(xs, batch: B, steps: T, features: F),
                                 targets: .classes((0..<B).map { Int32($0 % 2) }))
        return (network, batch)
    }

    func testEveryRecurrentLayerStopsInsideItsTimeLoop() throws {
        let layers: [(String, NetworkLayer)] = [
            ("lstm", .lstm(48, returnSequences: false)),
            ("gru", .gru(48, returnSequences: false)),
            ("rnn", .rnn(64, returnSequences: false)),
            ("bidirectional lstm", .lstm(32, returnSequences: false, bidirectional: true)),
            ("stack of 2 gru", .gru(32, layers: 2, returnSequences: false)),
        ]
        for (name, layer) in layers {
            let signal = StopSignal()
            let (network, batch) = try longNetwork(layer, signal: signal)
            // What a tenth of the sequence takes unstopped, for the size of the whole step.
            let short = NetworkBatch(inputs: shortened(batch.inputs, steps: 300), targets: batch.targets)
            let optimizer = Adam(learningRate: 0.01)
            let state = optimizer.exportState().map(\.tensor)
            let t0 = Date()
            _ = try network.evaluate(short)
            let tenth = Date().timeIntervalSince(t0)
            let before = network.store.values

            // Inference (evaluate) and training, each stopped 0.1 s in by the deadline.
            for training in [false, true] {
                signal.clear()
                signal.arm(timeLimit: 0.1)
                let start = Date()
                XCTAssertThrowsError(training ? try network.trainStep(batch, optimizer: optimizer).loss
                                              : try network.evaluate(batch).loss, name) {
                    XCTAssertTrue($0 is StopSignal.Stopped, "\(name): \($0)")
                }
                let elapsed = Date().timeIntervalSince(start)
                print("LayerLimitsTests: \(name) \(training ? "training" : "evaluation") stopped \(String(format: "%.3f", elapsed - 0.1)) s after its limit; the whole forward pass takes about \(String(format: "%.1f", tenth * 10)) s")
                XCTAssertLessThan(elapsed, 0.1 + 0.25, "\(name) stops within its time loop")
            }
            XCTAssertEqual(network.store.values, before, "\(name): a stopped step changes no weight")
            XCTAssertEqual(optimizer.exportState().map(\.tensor), state, "\(name): the optimizer never stepped")
        }
    }

    func testBackwardStopsInsideItsTimeLoop() throws {
        let signal = StopSignal()
        let (network, batch) = try longNetwork(.lstm(48, returnSequences: false), signal: signal)
        let forward = try network.runForward(batch.inputs, lengths: nil, training: true, stateful: false)
        _ = try network.computeLoss(forward, batch.targets!, lengths: nil, batch: 32, steps: 3000, gradient: true)
        signal.arm(timeLimit: 0.05)
        let start = Date()
        XCTAssertThrowsError(try network.runBackward(network.lossGradient)) { XCTAssertTrue($0 is StopSignal.Stopped) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.05 + 0.25)
    }

    func testCancelFromAnotherThreadStopsATrainingStepAndKeepsEverything() throws {
        let signal = StopSignal()
        let B = 16, T = 4000
        let spec = NetworkSpec(input: .tokens(vocabulary: 50),
                               layers: [.embedding(16), .lstm(48), .dense(50, activation: .softmax, perStep: true)],
                               stateful: true)
        let network = try Network(spec: spec, seed: 11)
        network.stopSignal = signal
        var rng = SeededRandom(seed: 5)
        let ids = (0..<(B * T)).map { _ in Int32(rng.int(below: 50)) }
        let small = NetworkBatch(tokens: Array(ids.prefix(B * 10)), batch: B, steps: 10, classes: Array(ids.prefix(B * 10)))
        let optimizer = Adam(learningRate: 0.01)
        _ = try network.trainStep(small, optimizer: optimizer)   // a real state, optimizer and carried state
        let weights = network.store.values, state = optimizer.exportState().map(\.tensor), carried = network.carried
        let big = NetworkBatch(tokens: ids, batch: B, steps: T, classes: ids)
        let cancelled = Moment()
        let canceller = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            cancelled.mark()
            signal.cancel()
        }
        canceller.start()
        XCTAssertThrowsError(try network.trainStep(big, optimizer: optimizer)) { XCTAssertTrue($0 is StopSignal.Stopped) }
        let latency = Date().timeIntervalSince(cancelled.date)
        print("LayerLimitsTests: a training step cancelled from another thread returned \(String(format: "%.3f", latency)) s after cancel()")
        XCTAssertLessThan(latency, 0.25)
        XCTAssertEqual(network.store.values, weights)
        XCTAssertEqual(optimizer.exportState().map(\.tensor), state)
        XCTAssertEqual(network.carried.keys.sorted(), carried.keys.sorted())
        for (k, v) in carried { XCTAssertEqual(network.carried[k], v) }
        // Cleared, the same network trains on.
        signal.clear()
        XCTAssertNoThrow(try network.trainStep(small, optimizer: optimizer))
    }

    private func shortened(_ inputs: NetworkInputs, steps: Int) -> NetworkInputs {
        guard case .features(let xs, let B, let T, let F) = inputs else { return inputs }
        var out: [Float] = []
        for b in 0..<B { out += xs[(b * T * F)..<((b * T + steps) * F)] }
        return .features(out, batch: B, steps: steps, features: F)
    }

    // MARK: - Memory

    func testBudgetClaimsChecksAndReleases() throws {
        let budget = MemoryBudget(limit: 1000)
        try budget.claim(600, for: "a")
        XCTAssertThrowsError(try budget.claim(500, for: "the weights")) { error in
            let e = error as! MemoryLimitExceeded
            XCTAssertEqual(e.description, "the weights would need 500 bytes beside the 600 bytes already held, past the memory limit of 1 KB")
        }
        XCTAssertEqual(budget.held, 600)
        XCTAssertNoThrow(try budget.check(400, for: "b"))
        XCTAssertThrowsError(try budget.check(401, for: "b"))
        XCTAssertThrowsError(try budget.check(Int.max, for: "b"))
        budget.release(600)
        XCTAssertEqual(budget.held, 0)
        XCTAssertEqual(budget.peak, 1000)
        XCTAssertEqual(MemoryBudget.describe(3_264_000_000), "3.26 GB")
        XCTAssertEqual(MemoryBudget.describe(200_000_000), "200 MB")
        XCTAssertEqual(MemorySize.mul(Int.max, 2), Int.max)
    }

    func testParametersPastTheLimitAreRefusedBeforeTheyAreAllocated() throws {
        let budget = MemoryBudget(limit: 200_000_000)
        let spec = NetworkSpec(input: .tokens(vocabulary: 100_000_000), layers: [.embedding(64), .lstm(8), .dense(2)])
        XCTAssertEqual(spec.parameterCount, 100_000_000 * 64 + 4 * 8 * (64 + 8 + 2) + 2 * 9)
        let start = Date()
        XCTAssertThrowsError(try Network(spec: spec, seed: 1, budget: budget)) { error in
            XCTAssertTrue("\(error)".hasPrefix("the 6400002386 parameters of the network and their gradients would need 51.2 GB, past the memory limit of 200 MB"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1, "refused before anything is allocated")
        XCTAssertEqual(budget.held, 0)
    }

    func testABatchPastTheLimitIsRefusedBeforeItRunsAndAFreedNetworkReleasesItsClaims() throws {
        let budget = MemoryBudget(limit: 50_000_000)
        let spec = NetworkSpec(input: .tokens(vocabulary: 100), layers: [.embedding(16), .lstm(64, returnSequences: false), .dense(2, activation: .softmax)])
        var network: Network? = try Network(spec: spec, seed: 1, budget: budget)
        let parameters = network!.store.count * 8
        XCTAssertEqual(budget.held, parameters)
        let small = NetworkBatch(tokens: [Int32](repeating: 1, count: 4 * 10), batch: 4, steps: 10, classes: [0, 1, 0, 1])
        _ = try network!.trainStep(small, optimizer: SGD(learningRate: 0.1))
        let afterSmall = budget.held
        XCTAssertEqual(afterSmall, parameters + network!.workingBytes(batch: 4, steps: 10, training: true))
        let weights = network!.store.values
        // 2,000 sequences of 500 steps: gates alone are 2000 × 500 × 256 × 4 bytes ≈ 1 GB.
        let B = 2000, T = 500
        let big = NetworkBatch(tokens: [Int32](repeating: 1, count: B * T), batch: B, steps: T,
                               classes: [Int32](repeating: 0, count: B))
        XCTAssertGreaterThan(network!.workingBytes(batch: B, steps: T, training: true), 2_000_000_000)
        XCTAssertThrowsError(try network!.trainStep(big, optimizer: SGD(learningRate: 0.1))) { error in
            XCTAssertTrue(error is MemoryLimitExceeded)
            XCTAssertTrue("\(error)".hasPrefix("a training batch of 2000 sequences × 500 steps would need "), "\(error)")
        }
        XCTAssertEqual(network!.store.values, weights)
        XCTAssertEqual(budget.held, afterSmall, "a refused batch claims nothing")
        network = nil
        XCTAssertEqual(budget.held, 0)
    }
}

/// A moment one thread marks and another reads.
final class Moment: @unchecked Sendable {
    private let lock = NSLock()
    private var marked = Date.distantFuture
    func mark() { lock.withLock { marked = Date() } }
    var date: Date { lock.withLock { marked } }
}
