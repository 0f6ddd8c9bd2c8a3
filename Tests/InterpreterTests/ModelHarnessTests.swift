// ModelHarnessTests.swift — a small stand-in for the interpreter that runs model statements
// from one-line strings, so the model builder's tests read like scripts and check exact
// positions. Words are split on spaces; numbers become ints or numbers, "quoted" text a
// string, and any other word a bare word bound to `variables[word]` if set.

import XCTest
import SeqLang
@testable import Interpreter

final class FakeInterpreter: CommandRegistry, CommandContext {
    var handlers: [String: CommandHandler] = [:]
    var functions: [String] = []
    var variables: [String: Value] = [:]
    var printed = ""
    var warnings: [Diagnostic] = []
    var line = 0
    var checkOnly = false

    let session = ModelSession()

    init() {
        ModelCommands.install(into: self, session: session)
    }

    func register(command keyword: String, handler: @escaping CommandHandler) { handlers[keyword] = handler }
    func register(function name: String, handler: @escaping ([Value], CommandContext, SourceRange) throws -> Value) {
        functions.append(name)
    }
    func output(_ text: String) { printed += text }
    func warn(_ diagnostic: Diagnostic) { warnings.append(diagnostic) }
    func define(_ name: String, _ value: Value) { variables[name] = value }
    func lookup(_ name: String) -> Value? { variables[name] }
    func authorize(path: String, writing: Bool, at range: SourceRange) throws -> String { path }
    func checkCancelled(at range: SourceRange) throws {}

    /// Runs one statement written on the next line of the file `<test>`.
    @discardableResult
    func run(_ text: String) throws -> Value {
        line += 1
        var pieces: [(String, Int)] = []
        var current = "", start = 0, inString = false
        for (i, ch) in text.enumerated() {
            if ch == "\"" { inString.toggle() }
            if ch == " " && !inString {
                if !current.isEmpty { pieces.append((current, start)) }
                current = ""
            } else {
                if current.isEmpty { start = i + 1 }
                current.append(ch)
            }
        }
        if !current.isEmpty { pieces.append((current, start)) }
        let range = { (p: (String, Int)) in SourceRange(file: "<test>", line: self.line, column: p.1, length: p.0.count) }
        let args = pieces.dropFirst().map { p -> CommandArg in
            if let i = Int(p.0) { return CommandArg(value: .int(i), at: range(p)) }
            if let d = Double(p.0) { return CommandArg(value: .number(d), at: range(p)) }
            if p.0.hasPrefix("\"") { return CommandArg(value: .string(String(p.0.dropFirst().dropLast())), at: range(p)) }
            return CommandArg(word: p.0, value: variables[p.0], at: range(p))
        }
        let keyword = pieces[0].0
        guard let handler = handlers[keyword] else { fatalError("no handler for \(keyword)") }
        return try handler(CommandRequest(keyword: keyword, keywordRange: range(pieces[0]), args: Array(args),
                                          range: SourceRange(file: "<test>", line: line, column: 1, length: text.count)),
                           self)
    }

    /// Runs several statements, one per line.
    func runAll(_ script: String) throws {
        for l in script.split(separator: "\n") where !l.trimmingCharacters(in: .whitespaces).isEmpty {
            try run(l.trimmingCharacters(in: .whitespaces))
        }
    }

    var model: Model? { session.current }
}

/// Asserts that `statement` (the last line of `script`) fails with exactly this diagnostic.
func assertModelError(_ script: String, kind: Diagnostic.Kind, column: Int, length: Int? = nil,
                      _ message: String, hint: String? = nil,
                      file: StaticString = #filePath, line: UInt = #line) {
    let fake = FakeInterpreter()
    let lines = script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    do {
        for l in lines.dropLast() { try fake.run(l) }
    } catch {
        XCTFail("setup line failed: \(error)", file: file, line: line)
        return
    }
    do {
        let value = try fake.run(lines.last!)
        XCTFail("expected an error, got \(value)", file: file, line: line)
    } catch let d as Diagnostic {
        XCTAssertEqual(d.message, message, file: file, line: line)
        XCTAssertEqual(d.kind, kind, file: file, line: line)
        XCTAssertEqual(d.range.start.line, lines.count, "line", file: file, line: line)
        XCTAssertEqual(d.range.start.column, column, "column", file: file, line: line)
        if let length { XCTAssertEqual(d.range.length, length, "length", file: file, line: line) }
        if let hint { XCTAssertEqual(d.hint, hint, file: file, line: line) }
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

final class ModelHarnessTests: XCTestCase {
    func testInstallRegistersTheFourStatementsAndOneSessionPerInterpreter() throws {
        let fake = FakeInterpreter()
        XCTAssertEqual(Set(fake.handlers.keys), ["model", "input", "layer", "summary"])
        try fake.run("model m")
        XCTAssertTrue(fake.session.current === fake.model)
        XCTAssertEqual(fake.model?.name, "m")
        let other = FakeInterpreter()
        XCTAssertNil(other.session.current)
    }
}
