// RowSplit.swift — runs a loop over rows in contiguous parts, one per thread: SeqLang's one
// way of using several cores.
//
// A recurrent layer's time loop is a long chain of small steps; splitting each step's matrix
// product between threads costs a wake-up and a wait per step. The sequences of a batch are
// independent of each other, though, so the LSTM instead gives each thread its own rows for
// the whole time loop (see LSTM.swift): two threads meet once per pass, not once per step.
// There, results do not depend on the split, because every row is computed the same way in
// any part. Large GEMMs are split the same way, by rows or columns (BLAS.swift).

import Dispatch

enum RowSplit {
    /// The fewest rows a part gets: below this the wake-up costs more than the part saves.
    static let minimumRowsPerPart = 4

    /// How many parts `rows` rows are split into: one per BLAS thread, fewer for small batches.
    static func parts(rows: Int) -> Int {
        max(1, min(BLAS.threads, rows / minimumRowsPerPart))
    }

    /// Calls `body` once per part with that part's rows, `0..<rows` covered in order; with one
    /// part it runs on the calling thread. Parts run at the same time, so `body` may only write
    /// memory that belongs to its own rows.
    static func run(rows: Int, _ body: (Range<Int>) -> Void) {
        run(rows: rows, parts: parts(rows: rows), body)
    }

    /// Calls `body` once per part, `parts` parts (at least 1) covering `0..<rows` in order.
    static func run(rows: Int, parts n: Int, _ body: (Range<Int>) -> Void) {
        guard n > 1 else { return body(0..<rows) }
        DispatchQueue.concurrentPerform(iterations: n) { part in
            body(part * rows / n ..< (part + 1) * rows / n)
        }
    }
}
