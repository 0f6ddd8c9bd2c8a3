// GradientOverlapTests.swift — the gradient sums that run during the backward pass
// (GradientOverlap.swift), against the one blocking sum after it, through a recording exchange
// of one worker: the bucket plan, each bucket started only once its gradients are final (its
// values at the start equal the finished gradients), the same weights bit for bit, the sums
// polled while the layers below run, and a worker whose share failed still starting every bucket.

import Foundation
import XCTest
@testable import Tensor

/// One worker that keeps what it was asked to sum: each started bucket's offset in the gradient
/// buffer and its values at that moment.
private final class RecordingExchange: GradientExchange {
    let rank = 0, workers = 1
    let overlapsBackward: Bool
    /// Where the network's gradients live, to turn a pointer into an offset.
    var base: UnsafeMutablePointer<Float>?
    var started: [(range: Range<Int>, values: [Float])] = []
    var blockingSums: [[Float]] = []
    var polls = 0, waits = 0

    init(overlapping: Bool) { overlapsBackward = overlapping }

    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws { blockingSums.append(Array(values)) }
    func sum(_ values: UnsafeMutableBufferPointer<Double>) throws {}
    func startSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        let offset = values.baseAddress! - base!
        started.append((offset..<(offset + values.count), Array(values)))
    }
    func progress() throws { polls += 1 }
    func waitSums() throws { waits += 1 }
}

final class GradientOverlapTests: XCTestCase {
    func testPlanCutsAtLayerBoundariesTopFirst() {
        // Layers start at 0, 10, 40, 45 and 90 of 100 floats; buckets of at least 20.
        XCTAssertEqual(GradientOverlap.plan(count: 100, boundaries: [45, 0, 90, 10, 40], minimum: 20),
                       [45..<100, 10..<45, 0..<10])
        XCTAssertEqual(GradientOverlap.plan(count: 100, boundaries: [0, 50], minimum: 1000), [0..<100])
        XCTAssertEqual(GradientOverlap.plan(count: 8, boundaries: [0, 2, 5], minimum: 1), [5..<8, 2..<5, 0..<2])
    }

    private func network() throws -> Network {
        let spec = NetworkSpec(input: .tokens(vocabulary: 13),
                               layers: [.embedding(6), .lstm(8, layers: 2), .dense(13, activation: .softmax, perStep: true)],
                               initialization: .uniform(scale: 0.3), reduction: .sumOverStepsMeanOverBatch, stateful: true)
        let net = try Network(spec: spec, seed: 5)
        net.gradientBucketMinimum = 1   // a bucket per layer
        return net
    }

    private func batches() -> [NetworkBatch] {
        var rng = SeededRandom(seed: 21)
        return (0..<3).map { _ in
            let ids = (0..<24).map { _ in Int32(rng.int(below: 13)) }
            return NetworkBatch(tokens: ids, batch: 4, steps: 6, classes: ids.map { ($0 + 1) % 13 })
        }
    }

    private func bind(_ exchange: RecordingExchange, to net: Network) {
        exchange.base = net.store.grads.withUnsafeMutableBufferPointer { $0.baseAddress }
    }

    func testOverlappedStepsGiveTheBlockingStepsBitForBit() throws {
        let overlapped = try network(), blocking = try network()
        let o = RecordingExchange(overlapping: true), b = RecordingExchange(overlapping: false)
        bind(o, to: overlapped)
        let sgdO = SGD(learningRate: 0.5), sgdB = SGD(learningRate: 0.5)
        // Dense, then each LSTM layer, then the embedding: top of the buffer first.
        let slot = { (name: String) in overlapped.store.slot(named: name)!.offset }
        let expected = [slot("dense0.weight")..<overlapped.store.count,
                        slot("lstm0.weight_ih_l1")..<slot("dense0.weight"),
                        slot("lstm0.weight_ih_l0")..<slot("lstm0.weight_ih_l1"),
                        0..<slot("lstm0.weight_ih_l0")]
        for (step, batch) in batches().enumerated() {
            o.started = []
            b.blockingSums = []
            let ro = try overlapped.trainStep(batch, optimizer: sgdO, clipNorm: 1, exchange: o)
            let rb = try blocking.trainStep(batch, optimizer: sgdB, clipNorm: 1, exchange: b)
            XCTAssertEqual(ro.loss.bitPattern, rb.loss.bitPattern, "step \(step)")
            XCTAssertEqual(ro.gradientNorm?.bitPattern, rb.gradientNorm?.bitPattern, "step \(step)")
            XCTAssertEqual(o.started.map(\.range), expected, "step \(step): every layer's bucket once, top first")
            XCTAssertEqual(o.blockingSums.count, 0, "the overlapped step sums no gradient in one piece")
            XCTAssertEqual(b.blockingSums.count, 1)
            // What each bucket held when its sum started is the finished (scaled) gradient.
            let finished = try XCTUnwrap(b.blockingSums.first)
            for (range, values) in o.started {
                XCTAssertEqual(values.map(\.bitPattern), finished[range].map(\.bitPattern),
                               "step \(step): bucket \(range) started before its gradients were final")
            }
            XCTAssertEqual(overlapped.store.values.map(\.bitPattern), blocking.store.values.map(\.bitPattern),
                           "step \(step): the same weights")
        }
        XCTAssertEqual(o.waits, 3, "one wait per step")
        XCTAssertGreaterThan(o.polls, 3 * 4, "the pending sums are polled while the layers below run")
        XCTAssertEqual(b.polls, 0)
    }

    func testAWorkerWhoseShareFailedStillStartsEveryBucket() throws {
        let net = try network()
        let o = RecordingExchange(overlapping: true)
        bind(o, to: net)
        let bad = NetworkBatch(tokens: [Int32](repeating: 1, count: 24), batch: 4, steps: 6,
                           classes: [Int32](repeating: 99, count: 24))   // 99 is no class
        let before = net.store.values
        XCTAssertThrowsError(try net.trainStep(bad, optimizer: SGD(learningRate: 1), exchange: o)) {
            XCTAssertTrue("\($0)".contains("not a class id"), "\($0)")
        }
        XCTAssertEqual(o.started.map(\.range), GradientOverlap.plan(count: net.store.count, boundaries: net.gradientBoundaries, minimum: 1),
                       "the same sums in the same order as the workers whose share went well")
        XCTAssertEqual(o.waits, 1)
        XCTAssertEqual(net.store.values, before, "no update")
        // The next step goes on normally.
        o.started = []
        _ = try net.trainStep(batches()[1], optimizer: SGD(learningRate: 1), exchange: o)
        XCTAssertEqual(o.started.count, 4)
    }
}
