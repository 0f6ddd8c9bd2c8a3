// ValueMemory.swift — what a script value takes in memory, and the one check every builder of
// a list, string or tensor makes before it allocates one.
//
// A built-in or operator that builds a value works out the value's size first (from its
// inputs' counts, so the check costs nothing per element) and asks `ValueMemory.check`: a
// list or string of more than `maxCount` items is a `.limit` diagnostic, and so are bytes that
// would not fit the interpreter's memory limit beside what it holds (`MemoryBudget.check`,
// `Configuration.memoryLimit`). `x = x + [i]` in a loop asks at each step for the whole new
// list, so a list grown past the limit stops at the step that would pass it. The check is of
// each allocation as it is made: values a script keeps are not summed.

import SeqLang
import Tensor

enum ValueMemory {
    /// The most items a list or string an operator or built-in builds may hold.
    static let maxCount = 10_000_000

    /// The bytes a list of `count` values takes, beside what its values point to.
    @inline(__always)
    static func list(_ count: Int) -> Int { MemorySize.mul(count, MemoryLayout<Value>.stride) }

    /// The bytes a string of `utf8Count` bytes takes beyond its slot (none for the short
    /// strings Swift keeps inline).
    @inline(__always)
    static func string(bytes utf8Count: Int) -> Int { utf8Count > 15 ? MemorySize.add(utf8Count, 32) : 0 }

    /// The bytes the string value `text` takes beyond its slot.
    @inline(__always)
    static func string(_ text: String) -> Int { string(bytes: text.utf8.count) }

    /// The bytes one symbol of a symbol list takes while it is made: its string, its value in
    /// the list, and its text when Swift does not keep it inline.
    static func symbol(_ text: String) -> Int {
        MemoryLayout<String>.stride + MemoryLayout<Value>.stride + string(text)
    }

    /// The bytes a tensor of `count` values takes.
    @inline(__always)
    static func tensor(_ count: Int) -> Int { MemorySize.mul(count, MemoryLayout<Float>.stride) }

    /// Throws a `.limit` diagnostic at `range` when a value of `count` items and `bytes` bytes
    /// (named by `what`) may not be built: more items than `maxCount`, or bytes past the
    /// memory limit of `memory` beside what it holds (nil: only the count is checked).
    @inline(__always)
    static func check(count: Int = 0, bytes: Int, _ what: @autoclosure () -> String,
                      in memory: MemoryBudget?, at range: SourceRange) throws {
        try check(count: count, at: range)
        guard let memory else { return }
        do {
            try memory.check(bytes, for: what())
        } catch let e as MemoryLimitExceeded {
            throw diagnostic(e, at: range)
        }
    }

    /// The same check for a built-in, through its context (`CommandContext.checkMemory`, which
    /// the interpreter answers with `check(count:bytes:_:in:at:)` on its budget).
    static func check(count: Int = 0, bytes: Int, _ what: @autoclosure () -> String,
                      in context: CommandContext, at range: SourceRange) throws {
        try check(count: count, at: range)
        try context.checkMemory(bytes, for: what(), at: range)
    }

    /// Throws a `.limit` diagnostic at `range` when a value of `count` items passes `maxCount`.
    @inline(__always)
    static func check(count: Int, at range: SourceRange) throws {
        if count > maxCount {
            throw Diagnostic.error(.limit, at: range, "the result would hold \(count) elements; the limit is \(maxCount)")
        }
    }

    /// The `.limit` diagnostic of a memory request past `Configuration.memoryLimit`.
    static func diagnostic(_ e: MemoryLimitExceeded, at range: SourceRange) -> Diagnostic {
        .error(.limit, at: range, e.description,
               hint: "work on less at a time (a smaller `batch`, shorter sequences, a smaller model or data set), or give the interpreter more memory (Configuration.memoryLimit)")
    }
}
