// ScriptThread.swift — the thread a script runs on, with a stack whose size the interpreter
// chooses, and the measure of how much of that stack is left.
//
// A tree-walker nests native frames as deep as the script nests calls and expressions, and a
// frame's size depends on the build (a debug build's are several times a release build's).
// Counting calls alone cannot keep that inside a stack, so the interpreter also measures: the
// thread knows the lowest address of its stack, and `StackLimit.exceeded` compares the
// current frame's address against that bound plus a reserve kept for whatever runs below the
// deepest script frame (built-ins, command handlers, training, the Swift runtime). A script
// that would pass it gets a `.limit` diagnostic instead of a SIGSEGV that kills the host.

import CSystem
import Foundation
import SeqLang
#if canImport(Glibc)
import Glibc
#endif

/// The stack of the thread a script runs on.
struct StackLimit {
    /// Bytes of stack each script thread gets (virtual; pages are touched only as used).
    static let threadStackSize = 512 << 20
    /// Bytes kept free below the deepest script frame for built-ins, command handlers,
    /// training and host functions.
    static let reserve = 16 << 20

    /// The lowest frame address the evaluator may reach (0: no bound known, nothing checked).
    let floor: UInt

    /// No bound: used before a script thread has started.
    static let unbounded = StackLimit(floor: 0)

    /// The bound of the calling thread's stack, from pthread_getattr_np.
    static func ofCurrentThread() -> StackLimit {
        var low: UInt = 0
        var size = 0
        guard seq_thread_stack(&low, &size) == 0, size > 2 * reserve else { return .unbounded }
        return StackLimit(floor: low + UInt(reserve))
    }

    /// True when the caller's frame is below the floor: nesting further could overflow.
    @inline(__always) var exceeded: Bool { seq_stack_address() < floor }

    /// Stack bytes still usable above the floor (for messages and tests).
    var remaining: Int { floor == 0 ? Int.max : Int(seq_stack_address()) - Int(floor) }
}

package enum ScriptThread {
    /// Runs `body` on a new thread with a `StackLimit.threadStackSize` stack and waits for it
    /// to finish (DeepStack: the parser then runs in place on it). Falls back to the calling
    /// thread if no thread can be created. On a script thread already (a `worker()`'s), runs
    /// in place.
    package static func run(_ body: () -> Void) {
        DeepStack.run(bytes: StackLimit.threadStackSize, body)
    }

    /// A script thread that stays, for a host in the package that checks over and over (the
    /// fuzz target): `run`, `check` and the parser run in place on it,
    /// so no input starts a thread of its own.
    package static func worker() -> DeepStack.Worker {
        DeepStack.Worker(bytes: StackLimit.threadStackSize)
    }
}
