// Completion.swift — tab completion at the seqsh prompt.
//
// Readline asks a C function for matches; it reads the candidate source from a global set
// once by the REPL. Candidates are the interpreter's `completions(prefix:)` (keywords,
// statements, built-ins, bound names) plus the model statements' layer kinds and option
// names, and the `:` commands. After `:load ` readline completes file names instead.

@preconcurrency import CReadline
import Foundation

enum Completion {
    /// The candidates for a prefix; set by `install`.
    nonisolated(unsafe) static var candidates: (String) -> [String] = { _ in [] }
    /// The matches of the current completion, handed out one by one.
    nonisolated(unsafe) static var pending: [String] = []

    static func install(_ source: @escaping (String) -> [String]) {
        candidates = source
        rl_attempted_completion_function = attempt
    }

    /// Completes words from `candidates`; file names after `:load `.
    private static let attempt: @convention(c) (UnsafePointer<CChar>?, Int32, Int32)
        -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, start, _ in
        let line = rl_line_buffer.map { String(cString: $0) } ?? ""
        if line.hasPrefix(":load ") { return nil }  // readline's file-name completion
        rl_attempted_completion_over = 1
        return rl_completion_matches(text, generator)
    }

    /// Readline calls this with state 0 for a new word, then 1, 2, … until it returns nil.
    private static let generator: @convention(c) (UnsafePointer<CChar>?, Int32)
        -> UnsafeMutablePointer<CChar>? = { text, state in
        if state == 0 {
            let prefix = text.map { String(cString: $0) } ?? ""
            pending = Array(candidates(prefix).reversed())
        }
        guard let next = pending.popLast() else { return nil }
        return strdup(next)
    }
}
