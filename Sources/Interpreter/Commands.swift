// Commands.swift — what the interpreter hands to statement handlers such as the model builder.
//
// Command statements (`model`, `input`, `layer`, `summary`, `train`, `evaluate`, …) read as
// `keyword arg arg name value …`. The parser keeps their arguments as an ordered list; the
// interpreter evaluates each one to a `CommandArg` and the handler of that keyword, which
// knows its own positional values and option names, makes sense of them. A bare identifier
// arrives as `.word` together with the value it is bound to, if any, so `layer dense 1 sigmoid`
// (a word) and `layer lstm units` (a variable) both work and option names never collide with
// variables.

import Foundation
import SeqLang
import Tensor

/// One evaluated argument of a command statement, with where it was written. A bare identifier
/// keeps its spelling in `word` and its bound value (if any) in `value`; any other expression
/// has `word == nil` and its value.
public struct CommandArg {
    public var word: String?
    public var value: Value?
    public var range: SourceRange
    public init(word: String? = nil, value: Value?, at range: SourceRange) {
        self.word = word
        self.value = value
        self.range = range
    }
}

/// A command statement after its arguments were evaluated.
public struct CommandRequest {
    public var keyword: String
    public var keywordRange: SourceRange
    public var args: [CommandArg]
    /// The whole statement's range (from the keyword to the end of its last argument).
    public var range: SourceRange
    public init(keyword: String, keywordRange: SourceRange, args: [CommandArg], range: SourceRange) {
        self.keyword = keyword
        self.keywordRange = keywordRange
        self.args = args
        self.range = range
    }
}

/// What a command handler may ask of the interpreter running it.
public protocol CommandContext: AnyObject {
    /// Writes text to the host's output sink (never stdout directly).
    func output(_ text: String)
    /// Reports a warning; warnings never stop a script.
    func warn(_ diagnostic: Diagnostic)
    /// Binds (or rebinds) a global name.
    func define(_ name: String, _ value: Value)
    /// The value of a name visible where the statement runs, if bound.
    func lookup(_ name: String) -> Value?
    /// Checks the host's file-access policy; throws an `.io` diagnostic at `range` if denied.
    func authorize(path: String, writing: Bool, at range: SourceRange) throws -> String
    /// The whole file at `path`, resolved beneath the allowed folders at the moment it is
    /// opened (no symlink, `..` or race leads outside); an `.io` diagnostic at `range` if
    /// refused, missing or unreadable.
    func readFile(_ path: String, at range: SourceRange) throws -> [UInt8]
    /// Writes `contents` as the file `path` (resolved like `readFile`), atomically: the old
    /// file or the new one, never a mix, and no temporary file left behind.
    func writeFile(_ path: String, contents: [UInt8], at range: SourceRange) throws
    /// True when `path` is a file the policy lets scripts read; false when it is missing,
    /// not a file or refused (so a refused path reveals nothing).
    func fileExists(_ path: String) -> Bool
    /// False when the host gave this interpreter no file access at all (`.none`).
    var canUseFiles: Bool { get }
    /// Throws a `.cancelled` or `.limit` diagnostic if the host cancelled the run or its time
    /// limit passed. Long work calls this every few thousand items (data built-ins), every
    /// chunk (prediction, evaluation) and every batch (training).
    func checkCancelled(at range: SourceRange) throws
    /// Throws a `.limit` diagnostic at `range` when building `bytes` more (named `what`) would
    /// pass the interpreter's memory limit (`Configuration.memoryLimit`). Call it before
    /// allocating a large result.
    func checkMemory(_ bytes: Int, for what: String, at range: SourceRange) throws
    /// True when the host runs a script only to validate it (`Configuration.checkOnly`; the
    /// static checker, `SeqInterpreter.check`, runs no handler at all): validate everything (names, options, shapes) but read no
    /// data and train nothing.
    var checkOnly: Bool { get }
}

/// A handler for one command keyword; throws `Diagnostic` or `DiagnosticList` on bad input.
public typealias CommandHandler = (CommandRequest, CommandContext) throws -> Value

/// Path-based file access for contexts other than the interpreter (test doubles, hosts' own
/// contexts): `authorize`, then the file at the path it returns. The interpreter replaces all
/// four with its kernel-resolved sandbox (FileSandbox.swift).
extension CommandContext {
    public func readFile(_ path: String, at range: SourceRange) throws -> [UInt8] {
        let allowed = try authorize(path: path, writing: false, at: range)
        guard let data = FileManager.default.contents(atPath: allowed) else {
            throw Diagnostic.error(.io, at: range, "cannot read '\(path)': no such file", hint: FileSandbox.missingFileHint(path))
        }
        return [UInt8](data)
    }

    public func writeFile(_ path: String, contents: [UInt8], at range: SourceRange) throws {
        let allowed = try authorize(path: path, writing: true, at: range)
        do {
            try AtomicFile.write(contents, toPath: allowed)
        } catch let e as FileWriteError {
            throw Diagnostic.error(.io, at: range, "cannot write '\(path)': \(e.message)", hint: e.hint)
        }
    }

    public func fileExists(_ path: String) -> Bool { FileSandbox.isFile(path) }

    public var canUseFiles: Bool { true }

    /// Contexts other than the interpreter have no memory limit.
    public func checkMemory(_ bytes: Int, for what: String, at range: SourceRange) throws {}
}
