// Terminal.swift — what seqsh knows about its standard streams: writing, terminals, colour.
//
// Output goes straight to the file descriptors (no stdio buffers to forget to flush between
// the script's output, diagnostics and readline). Colour is used only on a terminal and
// never when NO_COLOR is set (https://no-color.org).

import Foundation

/// The process exit statuses of seqsh.
enum ExitStatus: Int32 {
    case success = 0
    /// A script or `--check` reported an error.
    case scriptError = 1
    /// The command line was wrong (an unknown option, a missing argument).
    case usage = 2
}

enum Terminal {
    /// Writes all of `text` to file descriptor `fd`, retrying short writes and interruptions.
    static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
        bytes.removeAll()
    }

    static func writeOut(_ text: String) { write(text, to: STDOUT_FILENO) }
    static func writeErr(_ text: String) { write(text, to: STDERR_FILENO) }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// True when text written to `fd` may carry ANSI colours.
    static func colorAllowed(on fd: Int32) -> Bool {
        guard isatty(fd) == 1 else { return false }
        let env = ProcessInfo.processInfo.environment
        if let noColor = env["NO_COLOR"], !noColor.isEmpty { return false }
        return env["TERM"] != "dumb"
    }
}
