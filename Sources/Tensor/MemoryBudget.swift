// MemoryBudget.swift — how many bytes of tensors and buffers one interpreter may hold, and
// the accounting that keeps it there.
//
// What lives as long as a network — its parameters and gradients, the largest working
// buffers its layers grew to, an optimizer's state while it trains — is *claimed* and stays
// counted in `held` until released (a `Network` releases its claims when it is freed). What
// one operation builds and hands back — a prediction, a dataset a data built-in makes — is
// *checked*: it must fit beside what is held. Either way the question is asked before the
// memory is allocated, from a size worked out in advance, so a request past the limit is an
// error naming the amount and the limit, never an allocation the system cannot honour.
// `peak` is the most held plus asked for at once (what the tests read).

import Synchronization

/// A request that would take an interpreter past its memory limit.
package struct MemoryLimitExceeded: Error, CustomStringConvertible, Sendable {
    /// What needed the memory ("the activations of a training batch of 5000 samples × 100 steps").
    package var what: String
    /// The bytes asked for.
    package var bytes: Int
    /// The bytes already held when it was asked.
    package var held: Int
    /// The limit.
    package var limit: Int

    package var description: String {
        var text = "\(what) would need \(MemoryBudget.describe(bytes))"
        if held > 0 { text += " beside the \(MemoryBudget.describe(held)) already held" }
        return text + ", past the memory limit of \(MemoryBudget.describe(limit))"
    }
}

/// The memory limit of one interpreter and what is counted against it. Thread-safe.
package final class MemoryBudget: @unchecked Sendable {
    /// The most bytes that may be held at once; nil: no limit (claims are still counted).
    package let limit: Int?
    private let heldBytes = Atomic<Int>(0)
    private let peakBytes = Atomic<Int>(0)

    package init(limit: Int?) {
        self.limit = limit.map { max(0, $0) }
    }

    /// The bytes claimed and not yet released.
    package var held: Int { heldBytes.load(ordering: .relaxed) }

    /// The most bytes held plus asked for at one time.
    package var peak: Int { peakBytes.load(ordering: .relaxed) }

    /// Throws when `bytes` more beside what is held would pass the limit; claims nothing.
    package func check(_ bytes: Int, for what: @autoclosure () -> String) throws {
        let held = self.held
        let total = held.addingReportingOverflow(max(0, bytes))
        if let limit, total.overflow || total.partialValue > limit {
            throw MemoryLimitExceeded(what: what(), bytes: bytes, held: held, limit: limit)
        }
        notePeak(total.partialValue)
    }

    /// Counts `bytes` as held from now on, or throws (claiming nothing) when they would pass
    /// the limit.
    package func claim(_ bytes: Int, for what: @autoclosure () -> String) throws {
        guard bytes > 0 else { return }
        while true {
            let held = self.held
            let total = held.addingReportingOverflow(bytes)
            if let limit, total.overflow || total.partialValue > limit {
                throw MemoryLimitExceeded(what: what(), bytes: bytes, held: held, limit: limit)
            }
            if heldBytes.compareExchange(expected: held, desired: total.partialValue, ordering: .relaxed).exchanged {
                notePeak(total.partialValue)
                return
            }
        }
    }

    /// Counts `bytes` as held without asking (putting back a claim released a moment before).
    func hold(_ bytes: Int) {
        guard bytes > 0 else { return }
        heldBytes.add(bytes, ordering: .relaxed)
    }

    /// Stops counting `bytes` claimed before.
    package func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        heldBytes.subtract(bytes, ordering: .relaxed)
    }

    private func notePeak(_ value: Int) {
        var seen = peakBytes.load(ordering: .relaxed)
        while value > seen {
            let (exchanged, now) = peakBytes.compareExchange(expected: seen, desired: value, ordering: .relaxed)
            if exchanged { return }
            seen = now
        }
    }

    /// Bytes as people read them: "3.26 GB", "200 MB", "512 KB", "12 bytes" (powers of 1000).
    package static func describe(_ bytes: Int) -> String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")]
        let b = Double(bytes)
        for (size, name) in units where b >= size {
            let v = b / size
            let text = v >= 100 ? String(Int(v.rounded())) : v >= 10 ? trimmed(v, 1) : trimmed(v, 2)
            return "\(text) \(name)"
        }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }

    private static func trimmed(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        var text = String((v * scale).rounded() / scale)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}

/// Saturating arithmetic for sizes a script may make absurdly large: a size too large to
/// count comes out as Int.max, which no limit admits.
package enum MemorySize {
    @inline(__always)
    package static func mul(_ a: Int, _ b: Int) -> Int {
        let (v, o) = max(0, a).multipliedReportingOverflow(by: max(0, b))
        return o ? Int.max : v
    }

    @inline(__always)
    package static func add(_ a: Int, _ b: Int) -> Int {
        let (v, o) = max(0, a).addingReportingOverflow(max(0, b))
        return o ? Int.max : v
    }

    /// The bytes of `count` × `each` values of type `T`.
    package static func bytes<T>(_ count: Int, _ each: Int, of type: T.Type) -> Int {
        mul(mul(count, each), MemoryLayout<T>.stride)
    }
}
