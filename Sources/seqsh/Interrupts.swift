// Interrupts.swift — Ctrl-C in the REPL: cancel the running statement, or clear the prompt.
//
// SIGINT is taken from its default action and delivered by a dispatch signal source, so
// nothing runs inside a signal handler. While a statement runs, the source calls the
// interpreter's `cancel()` (training stops after the current batch, its weights kept) and the
// REPL returns to the prompt when `run` comes back. At the prompt, it writes a byte to a pipe
// that the line reader watches beside stdin, and the reader clears the line.

import Dispatch
import Foundation
import Interpreter

final class Interrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var running: SeqInterpreter?
    private var source: DispatchSourceSignal?
    private let pipeFDs: [Int32]

    /// The end of the pipe that becomes readable when Ctrl-C is pressed at the prompt.
    var readFD: Int32 { pipeFDs[0] }

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        }
        pipeFDs = fds
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.interrupted() }
        source.resume()
        self.source = source
    }

    /// Runs `body` (a statement of `interpreter`) so that Ctrl-C cancels it.
    func whileRunning<T>(_ interpreter: SeqInterpreter, _ body: () -> T) -> T {
        lock.withLock { running = interpreter }
        defer { lock.withLock { running = nil } }
        return body()
    }

    /// Forgets any Ctrl-C pressed before now (for instance just as a statement finished).
    func drain() {
        var byte: UInt8 = 0
        while read(pipeFDs[0], &byte, 1) > 0 {}
    }

    private func interrupted() {
        if let interpreter = lock.withLock({ running }) {
            interpreter.cancel()
        } else {
            var byte: UInt8 = 1
            _ = write(pipeFDs[1], &byte, 1)
        }
    }
}
