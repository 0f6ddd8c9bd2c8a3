// StopSignal.swift — how long work learns it must stop: a host's cancel or a time limit that
// passed, polled by the time loops of the recurrent layers, the chunks of prediction and
// evaluation, the gradient check and the interpreter's statements alike.
//
// The signal is a flag another thread may raise (`cancel()`) and a deadline (`arm(timeLimit:)`)
// read against the kernel's coarse monotonic clock (a vDSO read, no system call, 1–4 ms steps).
// `reason` — what a poll asks — is one relaxed atomic load while neither is set, and a second
// one plus the clock read while a deadline is armed; nothing is allocated and nothing locked,
// so a layer may ask at every time step of every thread of a batch. The first reason to be
// seen sticks until `clear()`: a poll that saw it and a check after the loop agree.
//
// Work that sees the signal leaves its loop and throws `StopSignal.Stopped` before it changes
// anything that outlives the call (a layer's final state, the weights): the caller — the
// interpreter — turns it into the `.cancelled` or `.limit` diagnostic of the statement that ran.

import Foundation
import Synchronization

/// A cancel flag and a deadline, shared by one interpreter's run and all the work it starts.
package final class StopSignal: @unchecked Sendable {
    /// Why work must stop.
    package enum Reason: UInt8, Sendable {
        /// The host called `cancel()` (Ctrl-C in seqsh).
        case cancelled = 1
        /// The deadline set by `arm(timeLimit:)` passed.
        case timeLimit = 2
    }

    /// What long work throws when it saw the signal: nothing it would have changed is changed.
    package struct Stopped: Error, CustomStringConvertible, Sendable {
        package init() {}
        package var description: String { "stopped (cancelled or past the time limit)" }
    }

    /// 0 while running, else a `Reason`'s raw value.
    private let state = Atomic<UInt8>(0)
    /// The deadline in nanoseconds of CLOCK_MONOTONIC_COARSE; Int64.max when none is armed.
    private let deadline = Atomic<Int64>(Int64.max)

    package init() {}

    /// Lowers the flag and disarms the deadline (a new run starts).
    package func clear() {
        deadline.store(Int64.max, ordering: .relaxed)
        state.store(0, ordering: .relaxed)
    }

    /// Arms the deadline `timeLimit` seconds from now (nil: none).
    package func arm(timeLimit: Double?) {
        guard let timeLimit else { return deadline.store(Int64.max, ordering: .relaxed) }
        let span = Int64(min(max(0, timeLimit), 1e9) * 1e9)
        deadline.store(Self.now() &+ span, ordering: .relaxed)
    }

    /// Raises the flag: every poll from now on sees `.cancelled` (unless the time limit was
    /// seen first). Safe from any thread.
    package func cancel() { raise(.cancelled) }

    /// Why work must stop, or nil while it may go on.
    @inline(__always)
    package var reason: Reason? {
        let s = state.load(ordering: .relaxed)
        if s != 0 { return Reason(rawValue: s) }
        let d = deadline.load(ordering: .relaxed)
        if d == Int64.max || Self.now() < d { return nil }
        raise(.timeLimit)
        return Reason(rawValue: state.load(ordering: .relaxed))
    }

    /// True once work must stop.
    @inline(__always)
    package var isRaised: Bool { reason != nil }

    /// Throws `Stopped` when work must stop.
    @inline(__always)
    package func check() throws {
        if isRaised { throw Stopped() }
    }

    private func raise(_ r: Reason) {
        _ = state.compareExchange(expected: 0, desired: r.rawValue, ordering: .relaxed)
    }

    /// CLOCK_MONOTONIC_COARSE in nanoseconds.
    @inline(__always)
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }
}

extension Optional where Wrapped == StopSignal {
    /// True when there is a signal and it is raised (no signal: never).
    @inline(__always)
    var isRaised: Bool {
        if let s = self { return s.isRaised }
        return false
    }

    /// Throws `StopSignal.Stopped` when there is a signal and it is raised.
    @inline(__always)
    func check() throws {
        if let s = self { try s.check() }
    }
}
