// main.swift — seqsh's entry point: read the command line, then run a script or the REPL.
//
// Exit status: 0 on success, 1 when a script (or `--check`) reports an error, 2 when the
// command line itself is wrong. `--help` and `--version` print to stdout and exit 0.

import ArgumentParser
import Foundation

do {
    let command = try Seqsh.parseAsRoot() as! Seqsh
    exit(command.start().rawValue)
} catch {
    let status = Seqsh.exitCode(for: error)
    let message = Seqsh.fullMessage(for: error)
    if status == .success {
        if !message.isEmpty { Terminal.writeOut(message + "\n") }
        exit(0)
    }
    Terminal.writeErr(message + "\n")
    exit(ExitStatus.usage.rawValue)
}
