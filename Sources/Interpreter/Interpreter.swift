// Interpreter.swift — the tree-walking evaluator: runs statements and evaluates expressions.
//
// `Interpreter` walks the AST over a chain of `Scope`s. Statements report how control leaves
// them (`Flow`); errors are `Diagnostic`s thrown at the node that caused them. Command
// statements evaluate their arguments to `CommandArg`s and call the handler registered for
// the keyword, passing the interpreter as the `CommandContext`. Before every statement and
// loop iteration the interpreter checks for cancellation and the time limit; nested calls
// are counted so runaway recursion is a `.limit` diagnostic, not a stack overflow. The host
// talks to it only through `SeqInterpreter` (Embedding.swift).

import Foundation
import SeqLang
import Tensor

/// How control leaves a statement.
enum Flow {
    case normal
    case breakLoop
    case continueLoop
    case returned(Value)
}

final class Interpreter: CommandContext {
    /// Most nested function calls a script may make.
    let maxCallDepth: Int
    /// Most notes a diagnostic collects on its way out of nested calls.
    private static let maxCallNotes = 6

    let globals = Scope(parent: nil)
    var natives: [String: NativeFunction] = [:]
    var commands: [String: CommandHandler] = [:]
    /// The commands that print their result themselves (`train`, `evaluate`, `generate`, …):
    /// their value is not echoed again.
    var printingCommands: Set<String> = []

    var outputSink: (String) -> Void
    var warningSink: (Diagnostic) -> Void
    var echo: ((Value) -> Void)?
    /// Every file a script touches goes through it (FileSandbox.swift).
    let files: FileSandbox
    let checkOnly: Bool

    /// The host's cancel and the time limit, polled here and by all long work a run starts
    /// (the recurrent layers' time loops, prediction, evaluation, data built-ins).
    let stop = StopSignal()
    /// The bytes of tensors and buffers this interpreter may hold (`Configuration.memoryLimit`).
    let memory: MemoryBudget
    var timeLimit: Double?
    let cancelledWording: String
    private var callDepth = 0
    /// How far down the script thread's stack evaluation may go (set by each run's thread).
    var stackLimit = StackLimit.unbounded
    /// The scope the running statement sees (what handlers' `lookup` reads).
    private var currentScope: Scope

    init(configuration: SeqInterpreter.Configuration) {
        outputSink = configuration.output
        warningSink = { _ in }
        echo = configuration.echo
        files = FileSandbox(access: configuration.fileAccess, workingDirectory: configuration.workingDirectory)
        checkOnly = configuration.checkOnly
        timeLimit = configuration.timeLimit
        memory = MemoryBudget(limit: configuration.memoryLimit)
        cancelledWording = configuration.cancelledWording
        maxCallDepth = configuration.maxCallDepth
        currentScope = globals
        Builtins.install(into: self)
    }

    // MARK: - Running a program

    /// Runs a parsed program in the global scope; returns the value of the last expression
    /// or command statement (none if there was none).
    func run(_ program: Program) throws -> Value {
        callDepth = 0
        currentScope = globals
        stop.arm(timeLimit: timeLimit)
        var last = Value.none
        for statement in program.statements {
            switch statement.kind {
            case .expression(let e):
                try checkInterrupt(at: statement.range)
                last = try eval(e, globals)
                if case .none = last {} else { echo?(last.withPlainLists) }
            case .command:
                try checkInterrupt(at: statement.range)
                last = try command(statement, globals)
                if case .command(let keyword, _) = statement.kind, printingCommands.contains(keyword) { break }
                if case .none = last {} else { echo?(last.withPlainLists) }
            default:
                _ = try exec(statement, globals)
            }
        }
        return last
    }

    /// Throws `.cancelled` if the host cancelled, `.limit` if the time limit passed.
    @inline(__always)
    func checkInterrupt(at range: SourceRange) throws {
        if let reason = stop.reason { throw interruption(reason, at: range) }
    }

    /// The diagnostic of a run stopped for `reason` at `range`.
    private func interruption(_ reason: StopSignal.Reason, at range: SourceRange) -> Diagnostic {
        switch reason {
        case .cancelled:
            return .error(.cancelled, at: range, "the script was \(cancelledWording)")
        case .timeLimit:
            return .error(.limit, at: range, "the script ran longer than its time limit of \(seconds(timeLimit ?? 0))",
                          hint: "make loops end sooner, or work on less data")
        }
    }

    /// What a handler's or built-in's error other than a diagnostic becomes at `range`: the
    /// stop it saw (long work throws `StopSignal.Stopped`), a memory request past the limit,
    /// or a runtime error naming `what` failed.
    private func failure(_ error: Error, of what: String, at range: SourceRange) -> Diagnostic {
        if error is StopSignal.Stopped, let reason = stop.reason { return interruption(reason, at: range) }
        if let e = error as? MemoryLimitExceeded { return ValueMemory.diagnostic(e, at: range) }
        return .error(.runtime, at: range, "\(what) failed: \(error)")
    }

    // MARK: - Statements

    private func execBlock(_ statements: [Stmt], _ scope: Scope) throws -> Flow {
        let saved = currentScope
        currentScope = scope
        defer { currentScope = saved }
        for s in statements {
            let flow = try exec(s, scope)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    private func exec(_ s: Stmt, _ scope: Scope) throws -> Flow {
        try checkInterrupt(at: s.range)
        switch s.kind {
        case .let(let name, let e):
            scope.define(name, try eval(e, scope))
        case .assign(let target, let op, let valueExpr):
            try assign(target, op: op, valueExpr, at: s.range, scope)
        case .expression(let e):
            _ = try eval(e, scope)
        case .command:
            _ = try command(s, scope)
        case .letCommand(let name, let statement):
            scope.define(name, try command(statement, scope))
        case .if(let condition, let then, let orElse):
            if try truth(condition, scope, what: "'if'") {
                return try execBlock(then, Scope(parent: scope))
            } else if let orElse {
                return try execBlock(orElse, Scope(parent: scope))
            }
        case .while(let condition, let body):
            while try truth(condition, scope, what: "'while'") {
                try checkInterrupt(at: s.range)  // an empty body runs no statement that would check
                let flow = try execBlock(body, Scope(parent: scope))
                switch flow {
                case .breakLoop: return .normal
                case .returned: return flow
                case .normal, .continueLoop: continue
                }
            }
        case .for(let name, let sequenceExpr, let body):
            let items = try iterate(try eval(sequenceExpr, scope), at: sequenceExpr.extent)
            for item in items {
                try checkInterrupt(at: s.range)
                let inner = Scope(parent: scope)
                inner.define(name, item)
                let flow = try execBlock(body, inner)
                switch flow {
                case .breakLoop: return .normal
                case .returned: return flow
                case .normal, .continueLoop: continue
                }
            }
        case .break:
            return .breakLoop
        case .continue:
            return .continueLoop
        case .return(let e):
            return .returned(try e.map { try eval($0, scope) } ?? .none)
        case .function(let decl):
            scope.define(decl.name, .function(UserFunction(decl, closure: scope)))
        }
        return .normal
    }

    /// The items a `for` loop walks: a list's elements, a string's characters, a record's keys.
    private func iterate(_ v: Value, at range: SourceRange) throws -> [Value] {
        switch v.plainList {
        case .list(let items): return items
        case .string(let s): return s.map { .string(String($0)) }
        case .record(let fields): return fields.map { .string($0.key) }
        case .int:
            throw Diagnostic.error(.type, at: range, "'for' expects a list, string or record to walk but found int",
                                   hint: "write 'range(n)' for the numbers 0 to n-1")
        default:
            throw Diagnostic.error(.type, at: range, "'for' expects a list, string or record to walk but found \(v.typeName)")
        }
    }

    private func truth(_ e: Expr, _ scope: Scope, what: String) throws -> Bool {
        try truth(try eval(e, scope), of: e, what: what)
    }

    /// `v`, the value of `e`, as a condition: it must be a bool.
    private func truth(_ v: Value, of e: Expr, what: String) throws -> Bool {
        guard case .bool(let b) = v else {
            throw Diagnostic.error(.type, at: e.extent, "\(what) expects a bool condition but found \(v.typeName)",
                                   hint: v.typeName == "int" || v.typeName == "number" ? "compare explicitly, e.g. 'x != 0'" : nil)
        }
        return b
    }

    // MARK: - Assignment

    private func assign(_ target: Expr, op: BinaryOp?, _ valueExpr: Expr, at range: SourceRange, _ scope: Scope) throws {
        switch target.kind {
        case .variable(let name):
            var value = try eval(valueExpr, scope)
            if let op {
                guard let old = scope.lookup(name) else { throw unknownName(name, at: target.range, scope) }
                value = try Operators.binary(op, old, value, at: range, in: memory)
            }
            if !scope.assign(name, value) {
                if natives[name] != nil {
                    throw Diagnostic.error(.name, at: target.range, "cannot assign to the built-in function '\(name)'",
                                           hint: "declare your own with 'let \(name) = …' to shadow it")
                }
                throw Diagnostic.error(.name, at: target.range, "cannot assign to '\(name)': it was never declared",
                                       hint: didYouMean(name, among: scope.visibleNames) ?? "declare it first with 'let \(name) = …'")
            }
        case .index:
            var path: [(Value, SourceRange)] = []
            var base = target
            while case .index(let inner, let indexExpr) = base.kind {
                path.append((try eval(indexExpr, scope), base.range))
                base = inner
            }
            path.reverse()
            guard case .variable(let name) = base.kind else {
                preconditionFailure("the parser only accepts names and indexed names as targets")
            }
            let value = try eval(valueExpr, scope)
            let done: Void? = try scope.modify(name) { slot in
                try store(value, into: &slot, path[...], op: op, at: range)
            }
            if done == nil { throw unknownName(name, at: base.range, scope) }
        default:
            preconditionFailure("the parser only accepts names and indexed names as targets")
        }
    }

    /// Writes `value` at `path` inside `container`, in place (the container is restored on error).
    private func store(_ value: Value, into container: inout Value, _ path: ArraySlice<(Value, SourceRange)>,
                       op: BinaryOp?, at range: SourceRange) throws {
        let (key, keyRange) = path.first!
        switch container {
        case .list(var items):
            let i = try listIndex(key, count: items.count, at: keyRange)
            container = .none
            defer { container = .list(items) }
            if path.count == 1 {
                items[i] = try op.map { try Operators.binary($0, items[i], value, at: range, in: memory) } ?? value
            } else {
                try store(value, into: &items[i], path.dropFirst(), op: op, at: range)
            }
        case .record(var fields):
            guard case .string(let name) = key else {
                throw Diagnostic.error(.type, at: keyRange, "a record is indexed by a field name string but found \(key.typeName)")
            }
            container = .none
            defer { container = .record(fields) }
            if let i = fields.firstIndex(where: { $0.key == name }) {
                if path.count == 1 {
                    fields[i].value = try op.map { try Operators.binary($0, fields[i].value, value, at: range, in: memory) } ?? value
                } else {
                    try store(value, into: &fields[i].value, path.dropFirst(), op: op, at: range)
                }
            } else if path.count == 1 && op == nil {
                fields.append((key: name, value: value))
            } else {
                throw Diagnostic.error(.name, at: keyRange, "the record has no field '\(name)'",
                                       hint: didYouMean(name, among: fields.map(\.key)))
            }
        default:
            throw Diagnostic.error(.type, at: keyRange, "cannot assign into \(container.typeName): only list elements and record fields can be assigned")
        }
    }

    // MARK: - Commands

    private func command(_ s: Stmt, _ scope: Scope) throws -> Value {
        guard case .command(let keyword, let argExprs) = s.kind else { preconditionFailure("not a command") }
        guard let handler = commands[keyword] else {
            throw Diagnostic.error(.runtime, at: s.range, "the '\(keyword)' statement is not available: no handler is registered for it",
                                   hint: commands.isEmpty ? "this interpreter has no command statements installed"
                                       : "available: " + commands.keys.sorted().joined(separator: ", "))
        }
        let saved = currentScope
        currentScope = scope
        defer { currentScope = saved }
        var args: [CommandArg] = []
        for e in argExprs {
            if case .variable(let name) = e.kind, e.extent == e.range {
                args.append(CommandArg(word: name, value: scope.lookup(name) ?? natives[name].map { .function($0) }, at: e.range))
            } else {
                args.append(CommandArg(value: try eval(e, scope), at: e.extent))
            }
        }
        var whole = s.range
        if let last = args.last?.range, last.start.line == whole.start.line {
            whole.length = last.start.column + last.length - whole.start.column
        }
        let request = CommandRequest(keyword: keyword, keywordRange: s.range, args: args, range: whole)
        do {
            return try handler(request, self)
        } catch let d as Diagnostic {
            throw d
        } catch let list as DiagnosticList {
            throw list
        } catch {
            throw failure(error, of: "'\(keyword)'", at: s.range)
        }
    }

    // MARK: - Expressions

    /// Evaluates `e`. A left-leaning chain (`1 + 1 + … + 1`, `a.b.c`, `f()()`) is folded along
    /// its left spine in a loop, so its length never deepens the native stack.
    func eval(_ e: Expr, _ scope: Scope) throws -> Value {
        if stackLimit.exceeded { throw stackExhausted(at: e.range, in: nil) }
        return try e.foldLeftSpine(leaf: { try evalLeaf($0, scope) }, link: { try evalLink($1, left: $0, scope) })
    }

    /// Evaluates an expression that does not continue a chain.
    private func evalLeaf(_ e: Expr, _ scope: Scope) throws -> Value {
        switch e.kind {
        case .int(let v): return .int(v)
        case .number(let v): return .number(v)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .none: return .none
        case .interpolated(let parts):
            var text = ""
            for part in parts {
                switch part {
                case .text(let s): text += s
                case .expr(let inner): text += try eval(inner, scope).text(at: inner.extent)
                }
                try ValueMemory.check(count: text.utf8.count, bytes: ValueMemory.string(bytes: text.utf8.count),
                                      "the interpolated string", in: memory, at: e.range)
            }
            return .string(text)
        case .variable(let name):
            if let v = scope.lookup(name) { return v }
            if let f = natives[name] { return .function(f) }
            throw unknownName(name, at: e.range, scope)
        case .list(let elements):
            return .list(try elements.map { try eval($0, scope) })
        case .unary(let op, let operand):
            return try Operators.unary(op, try eval(operand, scope), at: e.range, in: memory)
        case .function(let decl):
            return .function(UserFunction(decl, closure: scope))
        case .binary, .call, .index, .member:
            return try evalLink(e, left: try eval(e.chainBase!, scope), scope)
        }
    }

    /// Evaluates a chain node whose `chainBase` has the value `left`.
    private func evalLink(_ e: Expr, left: Value, _ scope: Scope) throws -> Value {
        switch e.kind {
        case .binary(.and, let l, let r):
            guard try truth(left, of: l, what: "'and'") else { return .bool(false) }
            return .bool(try truth(try eval(r, scope), of: r, what: "'and'"))
        case .binary(.or, let l, let r):
            if try truth(left, of: l, what: "'or'") { return .bool(true) }
            return .bool(try truth(try eval(r, scope), of: r, what: "'or'"))
        case .binary(let op, _, let r):
            return try Operators.binary(op, left, try eval(r, scope), at: e.range, in: memory)
        case .call(let calleeExpr, let argExprs):
            let args = try argExprs.map { try eval($0, scope) }
            guard case .function(let f) = left else {
                throw Diagnostic.error(.type, at: calleeExpr.extent, "only functions can be called, but this is \(left.typeName)")
            }
            return try call(f, args, at: e.range)
        case .index(_, let indexExpr):
            return try index(left, try eval(indexExpr, scope), at: e.range)
        case .member(_, let name):
            return try member(left, name, at: e.range)
        default:
            preconditionFailure("only binary, call, index and member expressions continue a chain")
        }
    }

    /// Calls a script or native function with evaluated arguments.
    func call(_ f: any ScriptFunction, _ args: [Value], at range: SourceRange) throws -> Value {
        if let native = f as? NativeFunction {
            do {
                // Built-ins see a figure list as the list it is; `print` and `str` show it rounded.
                let shown = native.name == "print" || native.name == "str"
                return try native.handler(shown ? args : args.map(\.plainList), self, range)
            } catch let d as Diagnostic {
                throw d
            } catch let list as DiagnosticList {
                throw list
            } catch {
                throw failure(error, of: "'\(native.name)'", at: range)
            }
        }
        guard let user = f as? UserFunction else {
            throw Diagnostic.error(.type, at: range, "'\(f.name)' cannot be called here")
        }
        let decl = user.declaration
        guard args.count == decl.params.count else {
            throw Diagnostic.error(.type, at: range,
                                   "'\(decl.name)' expects \(decl.params.count) argument\(decl.params.count == 1 ? "" : "s") but was given \(args.count)",
                                   notes: ["'\(decl.name)' is declared at \(decl.range)"])
        }
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > maxCallDepth {
            throw Diagnostic.error(.limit, at: range, "too much recursion: more than \(maxCallDepth) nested calls",
                                   hint: "check that '\(decl.name)' stops calling itself")
        }
        if stackLimit.exceeded { throw stackExhausted(at: range, in: decl.name) }
        let scope = Scope(parent: user.closure)
        for (name, value) in zip(decl.params, args) { scope.define(name, value) }
        do {
            if case .returned(let v) = try execBlock(decl.body, scope) { return v }
            return .none
        } catch var d as Diagnostic {
            if d.notes.count < Interpreter.maxCallNotes {
                d.notes.append("in '\(decl.name)' called at \(range)")
            }
            throw d
        } catch var list as DiagnosticList {
            // Several bad options of one command statement: each says where it was called.
            for i in list.diagnostics.indices where list.diagnostics[i].notes.count < Interpreter.maxCallNotes {
                list.diagnostics[i].notes.append("in '\(decl.name)' called at \(range)")
            }
            throw list
        }
    }

    /// The `.limit` diagnostic for a script about to nest past the script thread's stack
    /// (StackLimit): calls, or (outside any call) one expression nested too deeply.
    private func stackExhausted(at range: SourceRange, in function: String?) -> Diagnostic {
        if callDepth == 0 {
            return .error(.limit, at: range, "this expression nests too deeply: evaluating it would overflow the interpreter's stack",
                          hint: "split it into smaller steps with 'let'")
        }
        return .error(.limit, at: range, "too much recursion: \(callDepth) nested calls would overflow the interpreter's stack",
                      hint: function.map { "check that '\($0)' stops calling itself" } ?? "check that the recursion stops")
    }

    func index(_ base: Value, _ key: Value, at range: SourceRange) throws -> Value {
        switch base.plainList {
        case .list(let items):
            return items[try listIndex(key, count: items.count, at: range)]
        case .string(let s):
            let chars = Array(s)
            return .string(String(chars[try listIndex(key, count: chars.count, at: range)]))
        case .record(let fields):
            guard case .string(let name) = key else {
                throw Diagnostic.error(.type, at: range, "a record is indexed by a field name string but found \(key.typeName)")
            }
            guard let field = fields.first(where: { $0.key == name }) else {
                throw Diagnostic.error(.name, at: range, "the record has no field '\(name)'",
                                       hint: didYouMean(name, among: fields.map(\.key)))
            }
            return field.value
        case .tensor(let t):
            return try TensorMath.row(t.tensor, key, at: range)
        default:
            throw Diagnostic.error(.type, at: range, "cannot index \(base.typeName): only lists, strings, records and tensors can be indexed")
        }
    }

    /// A position in a collection of `count` items; negative indices count from the end.
    private func listIndex(_ key: Value, count: Int, at range: SourceRange) throws -> Int {
        guard case .int(let i) = key else {
            throw Diagnostic.error(.type, at: range, "an index must be an int but found \(key.typeName)",
                                   hint: key.typeName == "number" ? "convert with int(x)" : nil)
        }
        let resolved = i < 0 ? count + i : i
        guard resolved >= 0 && resolved < count else {
            throw Diagnostic.error(.runtime, at: range,
                                   count == 0 ? "index \(i) is out of range: the collection is empty"
                                       : "index \(i) is out of range: expected -\(count) to \(count - 1)")
        }
        return resolved
    }

    func member(_ base: Value, _ name: String, at range: SourceRange) throws -> Value {
        var names: [String] = []
        switch base {
        case .list(let items):
            if name == "count" { return .int(items.count) }
            names = Members.sequence
        case .string(let s):
            if name == "count" { return .int(s.count) }
            names = Members.sequence
        case .record(let fields):
            if let f = fields.first(where: { $0.key == name }) { return f.value }
            names = fields.map(\.key)
        case .tensor(let t):
            switch name {
            case "shape": return .list(t.sizes.map { .int($0) })
            case "count": return .int(t.count)
            case "rank": return .int(t.rank)
            case "axes": return .list(TensorMath.axisNames(of: t.tensor).map { .string($0) })
            default: names = Members.tensor
            }
        case .shape(let s):
            switch name {
            case "rank": return .int(s.axes.count)
            case "sizes": return .list(s.axes.map { $0.size.map { .int($0) } ?? .none })
            case "names": return .list(s.axes.map { .string($0.name) })
            default: names = Members.shape
            }
        case .function(let f):
            if name == "name" { return .string(f.name) }
            names = Members.function
        case .object(let o):
            if let v = o.member(name) { return v }
            names = o.memberNames
        default:
            throw Diagnostic.error(.type, at: range, "\(base.typeName) has no members (looking up '\(name)')")
        }
        throw Diagnostic.error(.name, at: range, "\(base.typeName) has no member '\(name)'",
                               hint: didYouMean(name, among: names) ?? (names.isEmpty ? nil : "members: " + names.joined(separator: ", ")))
    }

    private func unknownName(_ name: String, at range: SourceRange, _ scope: Scope) -> Diagnostic {
        var hint = nameHint(name, scope)
        if hint == nil, Keywords.commands.contains(name) {
            hint = "'\(name)' starts a command statement only at the beginning of a line"
        }
        return .error(.name, at: range, "unknown name '\(name)'", hint: hint)
    }

    /// "did you mean" for an unknown name: the near names visible in `scope` and the functions.
    /// A command statement's arguments get the same (`StatementReader`'s `nameHint`).
    private func nameHint(_ name: String, _ scope: Scope) -> String? {
        didYouMean(name, among: scope.visibleNames + Array(natives.keys))
    }

    /// `nameHint` in the scope the running command statement sees.
    func nameHintForStatement(_ name: String) -> String? { nameHint(name, currentScope) }

    // MARK: - CommandContext

    func output(_ text: String) { outputSink(text) }

    func warn(_ diagnostic: Diagnostic) { warningSink(diagnostic) }

    func define(_ name: String, _ value: Value) { globals.define(name, value) }

    func lookup(_ name: String) -> Value? { currentScope.lookup(name) ?? natives[name].map { .function($0) } }

    func checkCancelled(at range: SourceRange) throws { try checkInterrupt(at: range) }

    func checkMemory(_ bytes: Int, for what: String, at range: SourceRange) throws {
        try ValueMemory.check(bytes: bytes, what, in: memory, at: range)
    }

    func authorize(path: String, writing: Bool, at range: SourceRange) throws -> String {
        try files.authorize(path, writing: writing, at: range)
    }

    func readFile(_ path: String, at range: SourceRange) throws -> [UInt8] {
        // The file's bytes are held while it is decoded: they must fit before they are read.
        try files.read(path, at: range, fits: { try checkMemory($0, for: "the file '\(path)'", at: range) },
                       poll: { try checkInterrupt(at: range) })
    }

    func writeFile(_ path: String, contents: [UInt8], at range: SourceRange) throws {
        try files.write(contents, to: path, at: range)
    }

    func fileExists(_ path: String) -> Bool { files.isReadableFile(path) }

    var canUseFiles: Bool { files.canUseFiles }
}
