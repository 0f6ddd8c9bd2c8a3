// ReplCommands.swift — the REPL's own `:` commands, which inspect and manage the session.
//
//     :help [TOPIC]   help, or the help of one statement or command
//     :shape EXPR     the shape of a tensor, layer, model or shape value
//     :summary        the current model's table of layers
//     :names          the bound names and what they hold
//     :undo           take back the last layer of the current model
//     :load FILE      run a script file into the session
//     :reset          forget every name and model
//     :quit           leave (as Ctrl-D does)
//
// A command's problems are diagnostics like a script's, with the caret under the typed line.

import Foundation
import Interpreter
import SeqLang

enum ReplCommand: String, CaseIterable {
    case help, shape, summary, names, undo, load, reset, quit

    /// Other spellings accepted for a command.
    static let aliases: [String: ReplCommand] = ["q": .quit, "exit": .quit, "h": .help, "?": .help]

    /// What the command needs after its name, for messages and `:help`.
    var usage: String {
        switch self {
        case .help: return ":help [TOPIC]"
        case .shape: return ":shape EXPR"
        case .load: return ":load FILE"
        default: return ":" + rawValue
        }
    }
}

enum CommandOutcome { case proceed, quit }

extension REPL {
    /// Performs the `:` command typed as `line`.
    func perform(command line: String) -> CommandOutcome {
        let (name, nameColumn, argument, argumentColumn) = REPL.split(command: line)
        let typed = SourceRange(file: REPL.entryFile, line: 1, column: nameColumn, length: name.count + 1)
        guard let command = ReplCommand(rawValue: name) ?? ReplCommand.aliases[name] else {
            let names = ReplCommand.allCases.map(\.rawValue)
            fail(.error(.name, at: typed, SeqInterpreter.suggesting("unknown command ':\(name)'", for: name, among: names, prefix: ":"),
                        hint: "commands: " + names.map { ":" + $0 }.joined(separator: ", ")), line)
            return .proceed
        }
        let argumentRange = SourceRange(file: REPL.entryFile, line: 1, column: argumentColumn,
                                        length: max(1, argument.count))
        let needsArgument: Set<ReplCommand> = [.shape, .load]
        let takesArgument: Set<ReplCommand> = [.help, .shape, .load]
        if needsArgument.contains(command) && argument.isEmpty {
            fail(.error(.syntax, at: typed, "`:\(command.rawValue)` needs an argument: \(command.usage)"), line)
            return .proceed
        }
        if !takesArgument.contains(command) && !argument.isEmpty {
            fail(.error(.syntax, at: argumentRange, "`:\(command.rawValue)` takes no argument"), line)
            return .proceed
        }
        switch command {
        case .help:
            if argument.isEmpty {
                Terminal.writeOut(Help.overview)
            } else if let text = Help.topic(argument, statements: interpreter.registeredCommands) {
                Terminal.writeOut(text)
            } else {
                fail(.error(.name, at: argumentRange, SeqInterpreter.suggesting("no help on '\(argument)'", for: argument, among: Help.topics),
                            hint: "topics: " + Help.topics.joined(separator: ", ")), line)
            }
        case .shape:
            let result = running(echoing: false) { $0.run(source: argument, file: REPL.entryFile) }
            if reporter.report(result, from: interpreter) { break }
            let value = result.value ?? .none
            if let shape = ValueDisplay.shape(of: value) {
                Terminal.writeOut(shape + "\n")
            } else {
                fail(.error(.type, at: argumentRange, "\(Help.article(value.typeName)) \(value.typeName) has no shape",
                            hint: "`:shape` takes a tensor, a layer, a model or a shape"), line)
            }
        case .summary:
            let result = running(echoing: false) { $0.run(source: "summary", file: REPL.entryFile) }
            reporter.report(result, from: interpreter)
        case .names:
            let seq = interpreter
            let names = seq.globalNames
            if names.isEmpty { Terminal.writeOut("no names are bound yet\n") }
            for name in names {
                let value = seq[global: name] ?? .none
                Terminal.writeOut("\(name): \(value.typeName) = \(ValueDisplay.echo(value))\n")
            }
        case .undo:
            undoLayer(typed, line)
        case .load:
            let result = running(echoing: false) { $0.run(file: argument) }
            if !reporter.report(result, from: interpreter) { Terminal.writeOut("loaded \(argument)\n") }
        case .reset:
            reset()
            Terminal.writeOut("session reset: every name and model is gone\n")
        case .quit:
            return .quit
        }
        return .proceed
    }

    private func undoLayer(_ typed: SourceRange, _ line: String) {
        do {
            let undone = try interpreter.removeLastLayer(at: typed)
            Terminal.writeOut("removed layer \(undone.layer); model \(undone.model) now gives \(undone.shape)\n")
        } catch let d as Diagnostic {
            fail(d, line)
        } catch {
            fail(.error(.runtime, at: typed, "\(error)"), line)
        }
    }

    /// Prints a command's diagnostic with `line` as its source.
    private func fail(_ diagnostic: Diagnostic, _ line: String) {
        Terminal.writeErr(diagnostic.render(source: line, color: reporter.color))
    }

    /// `:name argument` → the name, its column, the argument and its column (columns from 1).
    static func split(command line: String) -> (String, Int, String, Int) {
        let chars = Array(line)
        var i = 0
        while i < chars.count, chars[i].isWhitespace { i += 1 }
        i += 1  // the colon
        let nameStart = i
        while i < chars.count, !chars[i].isWhitespace { i += 1 }
        let name = String(chars[nameStart..<i])
        while i < chars.count, chars[i].isWhitespace { i += 1 }
        let argument = String(chars[i...]).trimmingCharacters(in: .whitespaces)
        return (name, nameStart, argument, i + 1)
    }
}
