// GradientOverlap.swift — summing the gradient buffer over the workers while the backward pass
// still runs: the buckets, when each may start, and the one hook the layers call.
//
// The backward pass finishes the parameters' gradients from the top of the flat buffer down:
// the stages registered their parameters in order and run backward in reverse, so once a
// layer's backward is done every gradient at or above its first offset is final (for B1 the
// 10,000-class dense layer's 2 M first, then each LSTM layer, the embedding last). The plan
// cuts the buffer at those layer boundaries into contiguous buckets of at least
// `minimumBucket` floats (smaller layers join the bucket above), top first.
//
// During the step the layers call the hook: `final(from:)` when their gradients are done —
// each bucket lying wholly at or above that offset is scaled by this worker's loss denominator
// and its sum started — and `poll()` at the layer boundaries, every `stepsPerPoll` time steps
// of a recurrent backward loop and between the blocks of a dense layer's input-gradient
// product, so the pending sums move on (MPI progresses them only inside its calls). Before the
// update `startRemaining` starts what is left (all of it on a worker whose share failed, so
// that every worker starts the same sums in the same order) and `wait` waits for them.
//
// Polls come from inside loops that cannot throw and from at most one thread at a time
// (the first part of a split loop): the first error is kept and thrown by `wait`.

/// The buckets of one network's gradient buffer and the state of their sums in one step.
package final class GradientOverlap {
    /// The fewest floats a bucket holds (1 MiB): each sum has a fixed cost on the network.
    package static let minimumBucket = 1 << 18
    /// A recurrent backward loop polls every this many time steps.
    package static let stepsPerPoll = 2

    /// The buckets, top of the buffer first: contiguous, covering `0 ..< count` once.
    package let buckets: [Range<Int>]
    /// The workers the sums run over.
    package let exchange: GradientExchange
    private let store: ParameterStore
    /// Where the started buckets' values live: the buffer must not move during the step.
    private var base: UnsafeMutablePointer<Float>?
    /// This worker's loss denominator, applied to each bucket before its sum starts.
    private var scale: Float = 1
    private var started = 0
    private var failure: Error?
    /// True once `begin` was called in this step.
    package private(set) var hasBegun = false

    /// The plan for `store`'s buffer cut at `boundaries` (each layer's first offset, any order).
    package init(store: ParameterStore, boundaries: [Int], exchange: GradientExchange,
                 minimumBucket: Int = GradientOverlap.minimumBucket) {
        self.store = store
        self.exchange = exchange
        buckets = GradientOverlap.plan(count: store.count, boundaries: boundaries, minimum: minimumBucket)
    }

    /// Contiguous ranges of `0 ..< count`, top first, cut at those `boundaries` that leave at
    /// least `minimum` floats in the bucket above the cut (the lowest holds whatever is left).
    package static func plan(count: Int, boundaries: [Int], minimum: Int = minimumBucket) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var upper = count
        for cut in Set(boundaries).sorted(by: >) where cut > 0 && cut < upper && upper - cut >= minimum {
            ranges.append(cut..<upper)
            upper = cut
        }
        if upper > 0 { ranges.append(0..<upper) }
        return ranges
    }

    /// A new step: nothing started yet.
    package func reset() {
        started = 0
        failure = nil
        hasBegun = false
        base = nil
    }

    /// The gradients are about to be made (before the backward pass, or before `startRemaining`
    /// on a worker that made none); `scale` is this worker's loss denominator.
    package func begin(scale: Float) {
        self.scale = scale
        hasBegun = true
        base = store.grads.withUnsafeMutableBufferPointer { $0.baseAddress }
    }

    /// Every gradient at an offset of `offset` or more is final for this step: starts the sums
    /// of the buckets that lie there, in order, then lets the pending ones move on.
    package func final(from offset: Int) {
        guard hasBegun else { return }
        while started < buckets.count, buckets[started].lowerBound >= offset {
            start(buckets[started])
            started += 1
        }
        poll()
    }

    /// Lets the started sums move on (a no-op once an error was seen).
    package func poll() {
        guard failure == nil, started > 0 else { return }
        do { try exchange.progress() } catch { failure = error }
    }

    /// Starts every bucket not started yet, in order (after the backward pass, or instead of it).
    package func startRemaining() {
        precondition(hasBegun, "startRemaining before begin")
        while started < buckets.count {
            start(buckets[started])
            started += 1
        }
    }

    /// Waits for every started sum; throws the first error of the step.
    package func wait() throws {
        if let failure { throw failure }
        try exchange.waitSums()
        precondition(store.grads.withUnsafeMutableBufferPointer { $0.baseAddress } == base,
                     "the gradient buffer moved while its sums were pending")
        hasBegun = false
    }

    private func start(_ range: Range<Int>) {
        guard failure == nil, let base else { return }
        let values = UnsafeMutableBufferPointer(start: base + range.lowerBound, count: range.count)
        if scale != 1 { for i in values.indices { values[i] *= scale } }
        do { try exchange.startSum(values) } catch { failure = error }
    }
}
