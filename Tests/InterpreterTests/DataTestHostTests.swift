// DataTestHostTests.swift — a minimal registry and context for calling the data built-ins directly,
// plus where the fixture files and the shared data folder are.

import Foundation
@testable import Interpreter
import SeqLang
import XCTest

final class DataTestHost: CommandRegistry, CommandContext {
    var functions: [String: ([Value], CommandContext, SourceRange) throws -> Value] = [:]
    var authorized: [String] = []
    var denied: Set<String> = []
    let range = SourceRange(file: "test.seq", line: 3, column: 7, length: 9)

    init(folder: DataFolder = DataFolder(explicitFolder: DataTestHost.fixtures)) {
        DataBuiltins.install(into: self, folder: folder)
    }

    func register(command keyword: String, handler: @escaping CommandHandler) {}
    func register(function name: String, handler: @escaping ([Value], CommandContext, SourceRange) throws -> Value) {
        functions[name] = handler
    }

    func output(_ text: String) {}
    func warn(_ diagnostic: Diagnostic) {}
    func define(_ name: String, _ value: Value) {}
    func lookup(_ name: String) -> Value? { nil }
    func authorize(path: String, writing: Bool, at range: SourceRange) throws -> String {
        if denied.contains(path) { throw Diagnostic.error(.io, at: range, "reading '\(path)' is not allowed") }
        authorized.append(path)
        return path
    }
    func checkCancelled(at range: SourceRange) throws {}
    var checkOnly: Bool { false }

    func call(_ name: String, _ args: Value...) throws -> Value {
        guard let f = functions[name] else { throw Diagnostic.error(.name, at: range, "no function \(name)") }
        return try f(args, self, range)
    }

    /// The diagnostic a call throws (failing the test if it returns).
    func error(_ name: String, _ args: Value..., file: StaticString = #filePath, line: UInt = #line) -> Diagnostic? {
        guard let f = functions[name] else { XCTFail("no function \(name)", file: file, line: line); return nil }
        do {
            let v = try f(args, self, range)
            XCTFail("\(name) returned \(v) instead of failing", file: file, line: line)
        } catch let d as Diagnostic {
            return d
        } catch {
            XCTFail("\(name) threw \(error), not a Diagnostic", file: file, line: line)
        }
        return nil
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    static func fixture(_ name: String) -> Value { .string(fixtures + "/" + name) }

    /// The shared data folder: SEQ_DATA, else `../shared/data` beside the repository root.
    /// Throws (failing the test, never skipping it) when neither exists.
    static func sharedData() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let beside = root.deletingLastPathComponent().appendingPathComponent("shared/data").path
        let env = ProcessInfo.processInfo.environment["SEQ_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        let folder = env ?? beside
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MissingData(message: "the real-data tests need the data folder: set SEQ_DATA (now "
                + (env.map { "'\($0)', which does not exist" } ?? "unset") + ") or put it at \(beside)")
        }
        return folder
    }
}

struct MissingData: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

// Value accessors for assertions.
extension Value {
    var strings: [String]? {
        guard case .list(let l) = self else { return nil }
        return l.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }
    var ints: [Int]? {
        guard case .list(let l) = self else { return nil }
        return l.compactMap { if case .int(let i) = $0 { return i } else { return nil } }
    }
    var listValue: [Value]? { if case .list(let l) = self { return l } else { return nil } }
    func field(_ key: String) -> Value? {
        guard case .record(let fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }
    var dataset: Dataset? { if case .object(let o) = self { return o as? Dataset } else { return nil } }
    var vocabulary: Vocabulary? { if case .object(let o) = self { return o as? Vocabulary } else { return nil } }
}
