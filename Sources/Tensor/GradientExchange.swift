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
}

extension GradientExchange {
    /// The part of `0 ..< count` this worker takes: contiguous, sizes differing by at most one.
    package func share(of count: Int) -> Range<Int> {
        (rank * count / workers)..<((rank + 1) * count / workers)
    }
}
