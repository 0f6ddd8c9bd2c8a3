// TmuxSession.swift — drives the seqsh REPL under a real pseudo-terminal with tmux.
//
// Each session has its own tmux socket (`tmux -L`), a fixed window size and its own HOME and
// SEQSH_HISTORY, so tests never share a server or a history file. Keys are typed with
// `send-keys`; the screen is read with `capture-pane -p` and polled until what a test waits
// for appears or a timeout passes (then the test fails and shows the screen).

import Foundation
import XCTest

final class TmuxSession {
    static let width = 100, height = 40
    /// How long to wait for the screen to show something before failing.
    static let timeout: TimeInterval = 15
    static let pollInterval: useconds_t = 50_000

    let socket: String
    let home: URL
    var historyFile: String { home.appendingPathComponent("history").path }

    /// A session whose HOME (and history file) is `home`.
    init(home: URL) {
        socket = "seqsh-test-\(UUID().uuidString.prefix(8))"
        self.home = home
    }

    /// Whether tmux can be run here at all.
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")
            || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/tmux")
    }

    /// Starts seqsh in a detached session and waits for its first prompt. With `arguments`
    /// (a script to run), seqsh runs them and the session stays open afterwards, so the test
    /// can read the screen; nothing is waited for.
    func start(arguments: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        let binary = try Seqsh.binary(file: file, line: line)
        var command = "env HOME='\(home.path)' SEQSH_HISTORY='\(historyFile)' NO_COLOR=1 TERM=xterm '\(binary)'"
        command += arguments.map { " '\($0)'" }.joined()
        if !arguments.isEmpty { command += "; echo \"[exit $?]\"; sleep 600" }
        try tmux(["-f", "/dev/null", "new-session", "-d", "-s", "main",
                  "-x", "\(TmuxSession.width)", "-y", "\(TmuxSession.height)", command])
        if arguments.isEmpty { waitFor("seq> ", file: file, line: line) }
    }

    /// Types `text` literally (no key names).
    func type(_ text: String) {
        _ = try? tmux(["send-keys", "-t", "main", "-l", text])
    }

    /// Presses keys by tmux name: "Enter", "Tab", "Up", "C-c", "C-d".
    func press(_ keys: String...) {
        _ = try? tmux(["send-keys", "-t", "main"] + keys)
    }

    /// Types `text` and presses Enter.
    func enter(_ text: String) {
        type(text)
        press("Enter")
    }

    /// The visible screen, lines without trailing blanks.
    var screen: String {
        (try? tmux(["capture-pane", "-p", "-t", "main"])) ?? ""
    }

    /// True while the session (and so seqsh) is running.
    var isRunning: Bool {
        ((try? tmux(["list-sessions", "-F", "#{session_name}"])) ?? "").contains("main")
    }

    /// Polls until `condition(screen)` holds; fails the test with the screen after the timeout.
    @discardableResult
    func waitUntil(_ what: String, file: StaticString = #filePath, line: UInt = #line,
                   _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(TmuxSession.timeout)
        while Date() < deadline {
            if condition(screen) { return true }
            usleep(TmuxSession.pollInterval)
        }
        XCTFail("timed out waiting for \(what); the screen shows:\n\(screen)", file: file, line: line)
        return false
    }

    /// Presses Ctrl-C every 200 ms until the screen contains `text`: a statement may not have
    /// started when the first one arrives.
    @discardableResult
    func interruptUntil(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        waitUntil("Ctrl-C to show '\(text)'", file: file, line: line) { screen in
            if screen.contains(text) { return true }
            press("C-c")
            usleep(200_000)
            return false
        }
    }

    /// Polls until the screen contains `text`. `capture-pane` drops the blanks at the end of a
    /// line, so trailing blanks of `text` (the prompt's `seq> `) are dropped too.
    @discardableResult
    func waitFor(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let text = TmuxSession.trimmed(text)
        return waitUntil("'\(text)'", file: file, line: line) { $0.contains(text) }
    }

    static func trimmed(_ text: String) -> String {
        var t = Substring(text)
        while t.last == " " { t = t.dropLast() }
        return String(t)
    }

    /// Polls until the screen contains `text` `count` times.
    @discardableResult
    func waitFor(_ text: String, count: Int, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let text = TmuxSession.trimmed(text)
        return waitUntil("\(count) × '\(text)'", file: file, line: line) { $0.components(separatedBy: text).count - 1 >= count }
    }

    /// Polls until seqsh has exited (its tmux session is gone).
    @discardableResult
    func waitForExit(file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let deadline = Date().addingTimeInterval(TmuxSession.timeout)
        while Date() < deadline {
            if !isRunning { return true }
            usleep(TmuxSession.pollInterval)
        }
        XCTFail("seqsh did not exit; the screen shows:\n\(screen)", file: file, line: line)
        return false
    }

    /// Stops the session's tmux server.
    func kill() {
        _ = try? tmux(["kill-server"])
    }

    /// Runs `tmux -L socket args…`; throws when tmux fails. Returns its stdout.
    ///
    /// tmux is started with posix_spawn and waited for with waitpid: the first command forks
    /// the tmux server, which keeps every descriptor it inherits, and Foundation's `Process`
    /// waits for those to close, so it would wait for the server to end. Output goes to a file.
    @discardableResult
    private func tmux(_ args: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(socket)-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ["tmux", "-L", socket] + args
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "tmux", &actions, nil, &cArgs, environ)
        guard spawned == 0 else { throw TmuxFailure(arguments: args, status: -1) }
        var status: Int32 = 0
        var result = waitpid(pid, &status, 0)
        while result < 0 && errno == EINTR { result = waitpid(pid, &status, 0) }
        if result < 0 {
            // Foundation may reap children itself; then wait until the process is gone.
            while Glibc.kill(pid, 0) == 0 { usleep(5_000) }
            status = 0
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else { throw TmuxFailure(arguments: args, status: code) }
        return output
    }
}

struct TmuxFailure: Error {
    var arguments: [String]
    var status: Int32
}
