// GradientExchange.swift — what data-parallel training needs from its workers: sums.
//
// Each worker of a data-parallel run holds the same weights and trains on its own share of
// every batch. After the backward pass the workers add up their gradients (an allreduce) and
// every one applies the same update, so the weights stay identical everywhere. The exchange
// itself (MPI, in the interpreter's SeqMPI plug-in) is behind this protocol; the core only
// calls it from `Network.trainStep`.
//
// Reduction. A worker's loss is reduced over its own share: divided by its `denominator`
// (the counted rows for a mean, its batch rows for a sum over steps). The global loss is
// Σ_w lossSum_w / Σ_w denominator_w, so its gradient is
//   g = Σ_w (denominator_w · g_w) / Σ_w denominator_w
// which is what `trainStep` forms: scale by the own denominator, sum, divide by the sum.
//
// Overlap. An exchange that `overlapsBackward` sums the gradient buffer in a few contiguous
// buckets, each started (`startSum`) as soon as the backward pass has finished its layers'
// gradients, moved on (`progress`) while the layers below still run, and waited for
// (`waitSums`) before the update (GradientOverlap.swift). Each element goes through the same
// scaling and the same sum either way.

/// A group of workers that add up buffers, in place, with the same result on every worker.
package protocol GradientExchange: AnyObject {
    /// This worker's index, 0 ..< workers.
    var rank: Int { get }
    /// How many workers there are.
    var workers: Int { get }
    /// values[i] = Σ_workers values[i].
    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws
    /// values[i] = Σ_workers values[i].
    func sum(_ values: UnsafeMutableBufferPointer<Double>) throws
    /// True when `trainStep` sums the gradients in buckets during the backward pass
    /// (`startSum`, `progress`, `waitSums`); false: in one `sum` after it.
    var overlapsBackward: Bool { get }
    /// Starts values[i] = Σ_workers values[i] without waiting for it; `values` must stay
    /// where it is, untouched, until `waitSums`. Every worker starts the same sums in the same order.
    func startSum(_ values: UnsafeMutableBufferPointer<Float>) throws
    /// Lets the started sums move on; returns at once.
    func progress() throws
    /// Waits until every started sum is complete.
    func waitSums() throws
}

extension GradientExchange {
    /// An exchange that does not overlap: `startSum` is the blocking `sum`.
    package var overlapsBackward: Bool { false }
    package func startSum(_ values: UnsafeMutableBufferPointer<Float>) throws { try sum(values) }
    package func progress() throws {}
    package func waitSums() throws {}

    /// The part of `0 ..< count` this worker takes: contiguous, sizes differing by at most one.
    package func share(of count: Int) -> Range<Int> {
        (rank * count / workers)..<((rank + 1) * count / workers)
    }
}
