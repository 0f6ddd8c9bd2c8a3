// Arguments.swift — seqsh's command line, read by swift-argument-parser.
//
//     seqsh                          the REPL (on a terminal), or run what stdin brings
//     seqsh FILE.seq [ARGS...]       run a script; ARGS are the list global `args`
//     seqsh -e CODE [ARGS...]        run a snippet
//     seqsh - [ARGS...]              run what comes in on stdin
//     seqsh --check FILE.seq         parse and check a script without training; list every problem
//     seqsh fetch NAME...            download known data sets into the cache (or --data DIR)
//     seqsh lsp                      a Language Server Protocol server on stdin/stdout, for editors
//
// Everything after the script (or `-`) belongs to the script, options included.

import ArgumentParser
import Foundation
import Interpreter
import SeqLang

struct Seqsh: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seqsh",
        abstract: "The SeqLang REPL and script runner.",
        discussion: """
            With no script and stdin on a terminal, seqsh starts the REPL (type :help there). \
            `seqsh lsp` serves editors over the Language Server Protocol on stdin/stdout. \
            `seqsh fetch NAME` downloads a known data set (ptb, mnist, rt-polarity, aesop, \
            tinyshakespeare) into ~/.cache/seqlang/datasets, verifying its sha256. \
            A script's diagnostics go to stderr as file:line:column with the source line and a caret. \
            Exit status: 0 on success, 1 on a script error, 2 on a bad command line. \
            See docs/seqsh.md for the keys, commands and environment variables.
            """,
        version: "seqsh \(SeqInterpreter.version)")

    @Option(name: .customShort("e"), help: ArgumentHelp("Run CODE instead of a script file.", valueName: "code"))
    var code: String?

    @Flag(name: .long, help: "Parse and check the script (names, options, shapes) without reading data or training; print every problem.")
    var check = false

    @Option(name: .long, help: ArgumentHelp("The folder data-set names are looked up in first.", valueName: "dir"))
    var data: String?

    @Flag(name: [.customShort("i"), .long], help: "Start the REPL even when stdin is not a terminal (reads plain lines, no prompts).")
    var interactive = false

    @Flag(name: .customLong("no-color"), help: "Never colour the output (as when NO_COLOR is set).")
    var noColor = false

    @Argument(parsing: .captureForPassthrough,
              help: ArgumentHelp("A script file (or - for stdin), then the arguments it sees as `args`.",
                                 valueName: "script-and-args"))
    var scriptAndArguments: [String] = []

    func validate() throws {
        // Passthrough capture takes every word from the first unknown one on, so the built-in
        // flags are recognised here when they come first.
        if let first = scriptAndArguments.first, code == nil {
            if first == "--version" { throw CleanExit.message(Seqsh.configuration.version) }
            if first == "--help" || first == "-h" { throw CleanExit.helpRequest(self) }
        }
        if check && code == nil && scriptAndArguments.isEmpty && Terminal.stdinIsTerminal {
            throw ValidationError("--check needs a script: seqsh --check FILE.seq")
        }
        if interactive && (check || code != nil || !scriptAndArguments.isEmpty) {
            throw ValidationError("-i starts the REPL; it takes no script, -e or --check")
        }
        if scriptAndArguments.first == "fetch" && (check || code != nil || interactive) {
            throw ValidationError("fetch takes only data-set names (and --data DIR)")
        }
        if let first = scriptAndArguments.first, first.hasPrefix("-"), first != "-", code == nil {
            throw ValidationError("unknown option '\(first)'")
        }
    }

    /// Runs what the command line asks for and returns the exit status.
    func start() -> ExitStatus {
        let color = !noColor
        if scriptAndArguments == ["lsp"] && code == nil && !check {
            return ExitStatus(rawValue: LanguageServer().run()) ?? .scriptError
        }
        if scriptAndArguments.first == "fetch" && code == nil {
            return FetchCommand.run(Array(scriptAndArguments.dropFirst()), into: data, color: color)
        }
        if let code {
            return ScriptRunner(arguments: scriptAndArguments, checkOnly: check, color: color, dataFolder: data)
                .run(source: code, file: "<string>")
        }
        if let script = scriptAndArguments.first {
            let runner = ScriptRunner(arguments: Array(scriptAndArguments.dropFirst()), checkOnly: check, color: color, dataFolder: data)
            return script == "-" ? runner.runStandardInput() : runner.run(path: script)
        }
        if interactive || Terminal.stdinIsTerminal {
            return REPL(color: color, lineEditing: Terminal.stdinIsTerminal && !interactive, dataFolder: data).run()
        }
        return ScriptRunner(arguments: [], checkOnly: check, color: color, dataFolder: data).runStandardInput()
    }
}
