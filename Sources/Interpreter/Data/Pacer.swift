// Pacer.swift — the running check of a long data built-in: every few thousand items it asks
// the interpreter whether the run must stop (the host's cancel, the time limit) and whether
// what it has built so far still fits the memory limit.
//
//     var pace = Pacer(context, at: range, building: "the tokens of the text")
//     for ch in text.unicodeScalars { try pace.tick(); … try pace.add(bytes: …) }
//
// A tick is an increment and a test; the questions go to the interpreter once per `every`
// ticks, so a built-in that walks millions of characters or ids stops within milliseconds
// of its limit at no measurable cost.

import Dispatch
import SeqLang
import Tensor

struct Pacer {
    /// Ticks between two questions to the interpreter (a power of two).
    static let every = 4096

    private let context: CommandContext?
    private let range: SourceRange
    private let what: String
    private var ticks = 0
    /// The bytes built so far (the estimate the built-in adds up).
    private(set) var bytes = 0

    /// A pacer of work done for the call at `range`, building `what` (for the memory message).
    init(_ context: CommandContext, at range: SourceRange, building what: String) {
        self.context = context
        self.range = range
        self.what = what
    }

    /// A pacer that never asks (work done outside a run).
    init() {
        context = nil
        range = .none(file: "")
        what = ""
    }

    /// Counts one item; every `every` items asks whether to stop and whether the bytes fit.
    @inline(__always)
    mutating func tick() throws {
        ticks &+= 1
        if ticks & (Pacer.every - 1) == 0 { try ask() }
    }

    /// Adds `count` bytes to what has been built.
    @inline(__always)
    mutating func add(bytes count: Int) {
        bytes &+= count
    }

    /// Adds `count` bytes about to be allocated; asks at once when they are many (64 KiB or
    /// more), so one large piece is refused before it is made.
    @inline(__always)
    mutating func reserve(bytes count: Int) throws {
        bytes = MemorySize.add(bytes, count)
        if count >= 1 << 16 { try ask() }
    }

    /// Frees `value` on another thread: a half-built list of millions of values that a stop
    /// throws away is released there, so the script thread returns at once.
    static func discard<T>(_ value: inout T, leaving empty: T) {
        let box = DiscardedValue(value)
        value = empty
        DispatchQueue.global(qos: .utility).async { box.value = nil }
    }

    /// Asks now: throws the interpreter's `.cancelled` or `.limit` diagnostic.
    func ask() throws {
        guard let context else { return }
        try context.checkCancelled(at: range)
        try context.checkMemory(bytes, for: what, at: range)
    }
}

/// What `Pacer.discard` hands to another thread to free.
private final class DiscardedValue<T>: @unchecked Sendable {
    var value: T?
    init(_ value: T) { self.value = value }
}
