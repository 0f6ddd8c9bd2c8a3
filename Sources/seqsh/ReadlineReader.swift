// ReadlineReader.swift — line editing with GNU readline, history kept across sessions.
//
// Readline's callback interface is used so the reader can wait on stdin and on the Ctrl-C
// pipe (Interrupts.swift) at once: Ctrl-C clears the line and returns `.interrupted`
// instead of killing the process. Readline's own signal handlers stay off; it edits, searches
// (Ctrl-R), completes (Completion.swift) and remembers.
//
// History: `$SEQSH_HISTORY`, or `~/.seqsh_history`; each line is appended as it is entered,
// and the file is trimmed to `historyLimit` lines.

@preconcurrency import CReadline
import Foundation

/// The line the readline callback delivered (readline calls back a plain C function).
nonisolated(unsafe) private var deliveredLine: LineEvent?

private let lineHandler: @convention(c) (UnsafeMutablePointer<CChar>?) -> Void = { text in
    if let text {
        deliveredLine = .line(String(cString: text))
        free(text)
    } else {
        deliveredLine = .endOfInput
    }
    rl_callback_handler_remove()
}

final class ReadlineReader: LineReader {
    /// Lines kept in the history file.
    static let historyLimit: Int32 = 1000

    private let interrupts: Interrupts
    private let historyPath: String?
    private var lastRemembered: String?

    init(interrupts: Interrupts, completion: @escaping (String, Int) -> [String]) {
        self.interrupts = interrupts
        historyPath = ReadlineReader.historyFile()
        rl_readline_name = UnsafePointer(strdup("seqsh"))
        rl_catch_signals = 0
        Completion.install(completion)
        using_history()
        stifle_history(ReadlineReader.historyLimit)
        if let historyPath {
            _ = read_history(historyPath)
            lastRemembered = ReadlineReader.lastHistoryLine()
        }
    }

    /// `$SEQSH_HISTORY`, else `~/.seqsh_history`; nil when neither can be named.
    static func historyFile() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let path = env["SEQSH_HISTORY"], !path.isEmpty { return path }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        guard !home.isEmpty else { return nil }
        return (home as NSString).appendingPathComponent(".seqsh_history")
    }

    private static func lastHistoryLine() -> String? {
        guard history_length > 0, let entry = history_get(history_base + history_length - 1),
              let line = entry.pointee.line else { return nil }
        return String(cString: line)
    }

    func read(prompt: String) -> LineEvent {
        interrupts.drain()
        deliveredLine = nil
        rl_callback_handler_install(prompt, lineHandler)
        while deliveredLine == nil {
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: interrupts.readFD, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                rl_callback_handler_remove()
                return .endOfInput
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                interrupts.drain()
                // Leave a search (Ctrl-R) first, then the abandoned text on screen, marked, and
                // start the next prompt below it.
                rl_callback_sigcleanup()
                rl_point = rl_end
                rl_redisplay()
                Terminal.writeOut("^C\n")
                rl_replace_line("", 0)
                rl_on_new_line()
                rl_callback_handler_remove()
                return .interrupted
            }
            if fds[0].revents != 0 { rl_callback_read_char() }
        }
        if deliveredLine == .endOfInput { Terminal.writeOut("\n") }
        return deliveredLine!
    }

    func remember(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty, line != lastRemembered else { return }
        lastRemembered = line
        add_history(line)
        guard let historyPath else { return }
        if !FileManager.default.fileExists(atPath: historyPath) {
            _ = FileManager.default.createFile(atPath: historyPath, contents: nil,
                                           attributes: [.posixPermissions: 0o600])
        }
        _ = append_history(1, historyPath)
        _ = history_truncate_file(historyPath, ReadlineReader.historyLimit)
    }
}
