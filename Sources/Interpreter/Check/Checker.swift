// Checker.swift — the static checker: one pass over a whole program, inferring every
// expression's type (and value where it is fixed) without running anything.
//
// Statements are checked in order over a chain of `CheckScope`s. An error is recorded where it
// happened and the statement's result becomes `unknown`, so later lines are checked against
// what is known and the error is not repeated. Control flow:
//   - `if`: a known condition checks its branch; otherwise both branches, and every variable
//     either may assign holds what both agree on afterwards (the model too: layers added in
//     one branch only leave the model's shape unknown);
//   - loops: the body once, with an abstract element and every variable the body assigns
//     widened (its value forgotten) first;
//   - functions: the body at the definition (parameters unknown) and at every call (arity,
//     then the body with the arguments' types; a call already being checked — recursion —
//     gives `unknown`).
// Command statements go through their declaration (CheckCommands.swift). Nothing is run:
// no command, no data file read, no weight allocated.

import Foundation
import SeqLang

/// What the checker needs from the interpreter it checks for.
struct CheckHost {
    var globals: [String: Value]
    var natives: Set<String>
    var declarations: [String: CommandDeclaration]
    /// Every command keyword with a handler (declared or the host's own).
    var commands: Set<String>
    /// Runs a pure built-in on known values (`len`, `range`, `round`, …).
    var callNative: (String, [Value], SourceRange) throws -> Value
    var authorize: (String, Bool, SourceRange) throws -> String
    var dataFolder: DataFolder
    /// False when the interpreter may touch no file at all (`.none`).
    var canUseFiles: Bool
    /// The session's current model (the one `layer`, `train` act on), when it has one.
    var currentModel: Model? = nil
}

final class Checker {
    let host: CheckHost
    private(set) var diagnostics: [Diagnostic] = []
    private var seen = Set<String>()
    var facts: [StatementFact] = []
    var names: [NameInfo] = []
    var symbols: [Symbol] = []
    let globals = CheckScope(parent: nil)

    /// The checker's own models: built by the real `model`/`input`/`layer` code, never trained.
    let models = ModelSession()
    /// Models whose shape the checker cannot follow (a layer in one branch only, in a loop,
    /// or with an argument it cannot know): later layer lines on them are not shape-checked.
    var unknownShape = Set<ObjectIdentifier>()
    /// Models trained on data made without a vocabulary (`generate` cannot use them).
    var withoutVocabulary = Set<ObjectIdentifier>()
    /// Models trained (or loaded) somewhere before in the program.
    var trainedModels = Set<ObjectIdentifier>()
    /// The command statement being checked (where the names it binds are defined).
    var currentRange = SourceRange.none(file: "")
    /// Sizes known only by name (`vocab.size`) and unknown sizes stand in as these integers
    /// while the model statements run, and are shown by name again.
    var standIns: [Int: String] = [:]
    var standInBySymbol: [String: Int] = [:]
    static let standInBase = 100_000_000

    /// Checks of calls under way (recursion stops here) and results already known.
    private var calls: [ObjectIdentifier] = []
    private var callResults: [String: CheckType] = [:]
    static let maxCallNesting = 6
    /// True while a function body is checked at its definition: its command statements are
    /// read for grammar only (they run when it is called).
    private var atDefinition = 0
    /// The return types seen in the function body being checked.
    private var returns: [[CheckType]] = []
    /// The function nesting of the statement being checked (0: the top level).
    private var depth = 0

    /// The stack the check may use (set on the thread it runs on).
    var stackLimit = StackLimit.unbounded
    /// The program's lines (split at line feeds, as the lexer counts lines), to place the
    /// names it defines; a line is read as characters only when a name is looked for in it.
    private let lines: [Substring]

    init(host: CheckHost, source: String = "") {
        self.host = host
        lines = source.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
        // The session's models are known by their architecture: copies the checker's own model
        // statements may add layers to, trained (with a vocabulary or not) as the originals are.
        var copies: [ObjectIdentifier: Model] = [:]
        func copy(_ model: Model) -> Model {
            if let known = copies[ObjectIdentifier(model)] { return known }
            let c = model.architectureCopy()
            copies[ObjectIdentifier(model)] = c
            if let trained = model.trained {
                trainedModels.insert(ObjectIdentifier(c))
                if trained.vocabulary == nil { withoutVocabulary.insert(ObjectIdentifier(c)) }
            }
            return c
        }
        if let current = host.currentModel { models.current = copy(current) }
        for (name, value) in host.globals {
            if case .object(let o) = value, let model = o as? Model {
                globals.define(name, .model(copy(model)), at: .none(file: "<globals>"))
            } else {
                globals.define(name, CheckType.of(value), at: .none(file: "<globals>"))
            }
        }
    }

    // MARK: - Results

    func report(_ d: Diagnostic) {
        let key = "\(d.range.file):\(d.range.start):\(d.severity):\(d.message)"
        guard seen.insert(key).inserted else { return }
        diagnostics.append(d)
    }

    func report() -> CheckReport {
        CheckReport(diagnostics: Checker.ordered(diagnostics), facts: facts, names: names, symbols: symbols)
    }

    /// Diagnostics in source order (file, line, column), the order found kept for ties.
    static func ordered(_ list: [Diagnostic]) -> [Diagnostic] {
        list.enumerated().sorted { a, b in
            let x = a.element.range, y = b.element.range
            if x.file != y.file { return a.offset < b.offset }
            if x.start.line != y.start.line { return x.start.line < y.start.line }
            if x.start.column != y.start.column { return x.start.column < y.start.column }
            return a.offset < b.offset
        }.map(\.element)
    }

    private func record(_ error: Error) {
        if let d = error as? Diagnostic { report(d) }
        else if let list = error as? DiagnosticList { list.diagnostics.forEach(report) }
    }

    func bind(_ name: String, _ type: CheckType, at range: SourceRange, in scope: CheckScope) {
        scope.define(name, type, at: range)
        if atDefinition == 0 || depth > 0 {
            names.append(NameInfo(name: name, type: type.text, range: range, isGlobal: scope === globals,
                                  typeName: type.typeName, members: type.memberNames))
        }
    }

    // MARK: - Statements

    func check(_ program: Program) {
        for s in program.statements {
            switch s.kind {
            case .let(let name, _), .letCommand(let name, _): laterGlobals.insert(name)
            case .function(let decl): laterGlobals.insert(decl.name)
            default: break
            }
        }
        for declaration in host.declarations.values {
            if let name = declaration.binds?.name { laterGlobals.insert(name) }
        }
        for s in program.statements {
            if case .command("model", let args) = s.kind, case .variable(let name)? = args.first?.kind { laterGlobals.insert(name) }
        }
        checkBlock(program.statements, globals)
    }

    /// Globals the program defines somewhere: a function body checked at its definition may
    /// use them (it runs later); at each call they are looked up for real.
    private var laterGlobals = Set<String>()

    private func checkBlock(_ statements: [Stmt], _ scope: CheckScope) {
        for s in statements {
            do {
                try checkStatement(s, scope)
            } catch {
                record(error)
            }
        }
    }

    private func checkStatement(_ s: Stmt, _ scope: CheckScope) throws {
        switch s.kind {
        case .let(let name, let e):
            var type = CheckType.unknown
            defer { bind(name, type, at: nameRange(s.range, name), in: scope) }
            type = try value(e, scope)
            if case .vocabulary(nil) = type { type = .vocabulary(size: "\(name).size") }
        case .assign(let target, let op, let valueExpr):
            try assign(target, op, valueExpr, at: s.range, scope)
        case .expression(let e):
            _ = try value(e, scope)
        case .command:
            _ = try command(s, scope)
        case .letCommand(let name, let statement):
            var type = CheckType.unknown
            defer { bind(name, type, at: nameRange(s.range, name), in: scope) }
            type = try command(statement, scope)
        case .if(let condition, let then, let orElse):
            let c = try self.condition(condition, scope, what: "'if'")
            if let known = c {
                if known { checkBlock(then, CheckScope(parent: scope)) }
                else if let orElse { checkBlock(orElse, CheckScope(parent: scope)) }
                return
            }
            branches(then, orElse ?? [], scope)
        case .while(let condition, let body):
            widenAssigned(in: body, scope)
            _ = try self.condition(condition, scope, what: "'while'")
            loopBody(body, CheckScope(parent: scope))
        case .for(let name, let sequenceExpr, let body):
            widenAssigned(in: body, scope)
            let sequence = try value(sequenceExpr, scope)
            let element: CheckType
            switch sequence {
            case .list(let e, let items): element = CheckType.widen(items.map(CheckType.joinAll) ?? e)
            case .string: element = .string
            case .record: element = .string
            case .unknown: element = .unknown
            case .int:
                throw Diagnostic.error(.type, at: sequenceExpr.extent, "'for' expects a list, string or record to walk but found int",
                                       hint: "write 'range(n)' for the numbers 0 to n-1")
            default:
                throw Diagnostic.error(.type, at: sequenceExpr.extent,
                                       "'for' expects a list, string or record to walk but found \(sequence.typeName ?? "?")")
            }
            let inner = CheckScope(parent: scope)
            bind(name, element, at: nameRange(s.range, name), in: inner)
            loopBody(body, inner)
        case .break, .continue:
            return
        case .return(let e):
            let t = try e.map { try value($0, scope) } ?? CheckType.none
            if !returns.isEmpty { returns[returns.count - 1].append(t) }
        case .function(let decl):
            let f = CheckFunction(decl, closure: scope)
            bind(decl.name, .function(f), at: nameRange(s.range, decl.name), in: scope)
            symbols.append(Symbol(kind: .function, name: decl.name, range: decl.range,
                                  detail: "fn (\(decl.params.joined(separator: ", ")))", parent: nil))
            checkDefinition(decl, scope)
        }
    }

    /// The range of `name` after the keyword of the statement starting at `range` (the
    /// statement's range when the text is not there).
    private func nameRange(_ range: SourceRange, _ name: String) -> SourceRange {
        let i = range.start.line - 1
        guard i >= 0, i < lines.count else { return range }
        let line = Array(lines[i]), target = Array(name)
        var c = max(0, range.start.column - 1)
        while c + target.count <= line.count {
            if Array(line[c..<(c + target.count)]) == target {
                let before = c == 0 ? " " : line[c - 1]
                let after = c + target.count < line.count ? line[c + target.count] : " "
                if !(before.isLetter || before.isNumber || before == "_") && !(after.isLetter || after.isNumber || after == "_") {
                    return SourceRange(file: range.file, line: range.start.line, column: c + 1, length: target.count)
                }
            }
            c += 1
        }
        return range
    }

    /// Both branches of an `if` whose condition is not known; what either assigns is joined.
    private func branches(_ then: [Stmt], _ orElse: [Stmt], _ scope: CheckScope) {
        let assigned = Checker.assignedNames(then + orElse)
        let before = assigned.compactMap { name in scope.lookup(name).map { (name, $0) } }
        let modelBefore = modelState()
        checkBlock(then, CheckScope(parent: scope))
        let afterThen = before.map { (name, _) in scope.lookup(name) ?? .unknown }
        let modelThen = modelState()
        for (name, type) in before { scope.owner(of: name)?.set(name, type) }
        restore(modelBefore)
        checkBlock(orElse, CheckScope(parent: scope))
        let modelElse = modelState()
        for ((name, _), thenType) in zip(before, afterThen) {
            scope.owner(of: name)?.set(name, CheckType.join(thenType, scope.lookup(name) ?? .unknown))
        }
        if !sameModelState(modelThen, modelElse) {
            // The branches built the model differently: its shape is not known after the `if`.
            if modelThen.current !== modelElse.current { models.current = modelElse.current ?? modelThen.current }
            if let m = modelThen.current { unknownShape.insert(ObjectIdentifier(m)) }
            if let m = modelElse.current { unknownShape.insert(ObjectIdentifier(m)) }
        }
    }

    /// A loop body, once; a model it changes has an unknown shape afterwards.
    private func loopBody(_ body: [Stmt], _ scope: CheckScope) {
        let before = modelState()
        checkBlock(body, scope)
        let after = modelState()
        if !sameModelState(before, after), let m = after.current {
            unknownShape.insert(ObjectIdentifier(m))
        }
    }

    private func widenAssigned(in body: [Stmt], _ scope: CheckScope) {
        for name in Checker.assignedNames(body) {
            if let owner = scope.owner(of: name), let t = owner.lookup(name) { owner.set(name, CheckType.widen(t)) }
        }
    }

    /// The names `statements` assign (not inside nested functions).
    static func assignedNames(_ statements: [Stmt]) -> [String] {
        var names: [String] = []
        func walk(_ list: [Stmt]) {
            for s in list {
                switch s.kind {
                case .assign(let target, _, _):
                    var base = target
                    while case .index(let inner, _) = base.kind { base = inner }
                    if case .variable(let name) = base.kind, !names.contains(name) { names.append(name) }
                case .if(_, let a, let b): walk(a); walk(b ?? [])
                case .while(_, let body), .for(_, _, let body): walk(body)
                default: break
                }
            }
        }
        walk(statements)
        return names
    }

    private struct ModelState {
        var current: Model?
        var layers: [ModelLayer]
        var input: InputSpec?
    }

    private func modelState() -> ModelState {
        ModelState(current: models.current, layers: models.current?.layers ?? [], input: models.current?.input)
    }

    private func restore(_ state: ModelState) {
        models.current = state.current
        if let m = state.current {
            m.layers = state.layers
            m.input = state.input
        }
    }

    private func sameModelState(_ a: ModelState, _ b: ModelState) -> Bool {
        a.current === b.current && a.layers.count == b.layers.count && a.input == b.input
    }

    private func condition(_ e: Expr, _ scope: CheckScope, what: String) throws -> Bool? {
        try condition(try value(e, scope), of: e, what: what)
    }

    /// `t`, the type of `e`, as a condition: a bool (its value when known) or unknown.
    private func condition(_ t: CheckType, of e: Expr, what: String) throws -> Bool? {
        switch t {
        case .bool(let b): return b
        case .unknown: return nil
        default:
            let name = t.typeName ?? "?"
            throw Diagnostic.error(.type, at: e.extent, "\(what) expects a bool condition but found \(name)",
                                   hint: name == "int" || name == "number" ? "compare explicitly, e.g. 'x != 0'" : nil)
        }
    }

    // MARK: - Assignment

    private func assign(_ target: Expr, _ op: BinaryOp?, _ valueExpr: Expr, at range: SourceRange, _ scope: CheckScope) throws {
        switch target.kind {
        case .variable(let name):
            var type = try value(valueExpr, scope)
            guard let owner = scope.owner(of: name) else {
                if host.natives.contains(name) {
                    throw Diagnostic.error(.name, at: target.range, "cannot assign to the built-in function '\(name)'",
                                           hint: "declare your own with 'let \(name) = …' to shadow it")
                }
                if op != nil { throw unknownName(name, at: target.range, scope) }
                throw Diagnostic.error(.name, at: target.range, "cannot assign to '\(name)': it was never declared",
                                       hint: didYouMean(name, among: scope.visibleNames) ?? "declare it first with 'let \(name) = …'")
            }
            if let op {
                type = try binary(op, scope.lookup(name) ?? .unknown, type, at: range)
            }
            owner.set(name, type)
        case .index:
            var base = target
            var keys: [Expr] = []
            while case .index(let inner, let key) = base.kind {
                keys.append(key)
                base = inner
            }
            for k in keys { _ = try value(k, scope) }
            _ = try value(valueExpr, scope)
            guard case .variable(let name) = base.kind else { return }
            guard let owner = scope.owner(of: name) else { throw unknownName(name, at: base.range, scope) }
            if let t = owner.lookup(name) {
                switch t {
                case .list, .record, .unknown: owner.set(name, CheckType.widen(t))
                default:
                    throw Diagnostic.error(.type, at: keys.last.map { _ in target.range } ?? target.range,
                        "cannot assign into \(t.typeName ?? "?"): only list elements and record fields can be assigned")
                }
            }
        default:
            return
        }
    }

    // MARK: - Expressions

    /// The type of `e`. A left-leaning chain (`1 + 1 + … + 1`, `a.b.c`) is folded along its left
    /// spine in a loop, as the interpreter evaluates it, so its length never deepens the stack.
    func value(_ e: Expr, _ scope: CheckScope) throws -> CheckType {
        if stackLimit.exceeded {
            throw Diagnostic.error(.limit, at: e.range, "this expression nests too deeply: evaluating it would overflow the interpreter's stack",
                                   hint: "split it into smaller steps with 'let'")
        }
        return try e.foldLeftSpine(leaf: { try leafValue($0, scope) }, link: { try linkValue($1, left: $0, scope) })
    }

    /// The type of an expression that does not continue a chain.
    private func leafValue(_ e: Expr, _ scope: CheckScope) throws -> CheckType {
        switch e.kind {
        case .int(let v): return .int(v, symbol: nil)
        case .number(let v): return .number(v)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .none: return .none
        case .interpolated(let parts):
            var text: String? = ""
            for part in parts {
                switch part {
                case .text(let s): text? += s
                case .expr(let inner):
                    let t = try value(inner, scope)
                    if let c = t.constant, let s = try? c.text(at: inner.extent) { text? += s } else { text = nil }
                }
            }
            return .string(text)
        case .variable(let name):
            if let t = scope.lookup(name) { return t }
            if host.natives.contains(name) { return .function(CheckFunction(native: name)) }
            if atDefinition > 0, laterGlobals.contains(name) { return .unknown }
            throw unknownName(name, at: e.range, scope)
        case .list(let elements):
            let items = try elements.map { try value($0, scope) }
            return .list(CheckType.joinAll(items), items: items)
        case .unary(let op, let operand):
            let t = try value(operand, scope)
            guard let sample = t.sample else { return .unknown }
            do {
                let r = try Operators.unary(op, sample, at: e.range, in: nil)
                return t.constant != nil ? CheckType.of(r) : CheckType.widen(CheckType.of(r))
            } catch let d as Diagnostic {
                if t.constant != nil || d.kind == .type { throw d }
                return .unknown
            }
        case .function(let decl):
            checkDefinition(decl, scope)
            return .function(CheckFunction(decl, closure: scope))
        case .binary, .call, .index, .member:
            return try linkValue(e, left: try value(e.chainBase!, scope), scope)
        }
    }

    /// The type of a chain node whose `chainBase` has the type `left`.
    private func linkValue(_ e: Expr, left: CheckType, _ scope: CheckScope) throws -> CheckType {
        switch e.kind {
        case .binary(.and, let l, let r), .binary(.or, let l, let r):
            let what = { if case .binary(.and, _, _) = e.kind { return "'and'" } else { return "'or'" } }()
            let a = try condition(left, of: l, what: what)
            let isAnd = what == "'and'"
            if let a, a != isAnd { return .bool(a) }
            let b = try condition(r, scope, what: what)
            return .bool(a != nil ? b : (b == !isAnd ? !isAnd : nil))
        case .binary(let op, _, let r):
            let b = try value(r, scope)
            return try binary(op, left, b, at: e.range)
        case .call(let calleeExpr, let argExprs):
            let callee = left
            let args = try argExprs.map { try value($0, scope) }
            switch callee {
            case .function(let f):
                if let decl = f.declaration { return try call(decl, f.closure ?? globals, args, at: e.range) }
                return try CheckBuiltins.call(f.name, args, argExprs, at: e.range, self)
            case .unknown:
                return .unknown
            default:
                throw Diagnostic.error(.type, at: calleeExpr.extent, "only functions can be called, but this is \(callee.typeName ?? "?")")
            }
        case .index(_, let indexExpr):
            let key = try value(indexExpr, scope)
            return try index(left, key, at: e.range)
        case .member(let baseExpr, let name):
            return try member(left, name, baseExpr, at: e.range)
        default:
            preconditionFailure("only binary, call, index and member expressions continue a chain")
        }
    }

    /// An operator on two types: the interpreter's own rule, tried on the values when known
    /// and on values of the types otherwise (then only type errors count).
    func binary(_ op: BinaryOp, _ a: CheckType, _ b: CheckType, at range: SourceRange) throws -> CheckType {
        guard let x = a.sample, let y = b.sample else { return .unknown }
        let exact = a.constant != nil && b.constant != nil
        do {
            let r = try Operators.binary(op, x, y, at: range, in: nil)
            if exact { return CheckType.of(r) }
            if case .list = r { return .list(.unknown, items: nil) }
            return CheckType.widen(CheckType.of(r))
        } catch let d as Diagnostic {
            if exact || d.kind == .type { throw d }
            return .unknown
        }
    }

    private func index(_ base: CheckType, _ key: CheckType, at range: SourceRange) throws -> CheckType {
        switch base {
        case .unknown: return .unknown
        case .list(let e, let items):
            if let k = key.typeName, k != "int" {
                throw Diagnostic.error(.type, at: range, "an index must be an int but found \(k)",
                                       hint: k == "number" ? "convert with int(x)" : nil)
            }
            if let items, case .int(let i?, nil) = key {
                let j = i < 0 ? items.count + i : i
                if j >= 0 && j < items.count { return items[j] }
                throw Diagnostic.error(.runtime, at: range,
                    items.isEmpty ? "index \(i) is out of range: the collection is empty"
                                  : "index \(i) is out of range: expected -\(items.count) to \(items.count - 1)")
            }
            return CheckType.widen(items.map(CheckType.joinAll) ?? e)
        case .string:
            if let k = key.typeName, k != "int" {
                throw Diagnostic.error(.type, at: range, "an index must be an int but found \(k)",
                                       hint: k == "number" ? "convert with int(x)" : nil)
            }
            return .string
        case .tensor:
            if let k = key.typeName, k != "int" {
                throw Diagnostic.error(.type, at: range, "a tensor is indexed by an int (its row) but found \(k)")
            }
            return .unknown   // a row: a tensor of one rank less, or a number
        case .record(let fields, let open):
            if let k = key.typeName, k != "string" {
                throw Diagnostic.error(.type, at: range, "a record is indexed by a field name string but found \(k)")
            }
            guard case .string(let name?) = key else { return .unknown }
            if let f = fields.first(where: { $0.key == name }) { return f.type }
            if open { return .unknown }
            throw Diagnostic.error(.name, at: range, "the record has no field '\(name)'",
                                   hint: didYouMean(name, among: fields.map(\.key)))
        default:
            throw Diagnostic.error(.type, at: range,
                "cannot index \(base.typeName ?? "?"): only lists, strings, records and tensors can be indexed")
        }
    }

    private func member(_ base: CheckType, _ name: String, _ baseExpr: Expr, at range: SourceRange) throws -> CheckType {
        var names: [String]
        switch base {
        case .unknown: return .unknown
        case .list(_, let items):
            if name == "count" { return .int(items?.count, symbol: nil) }
            names = ["count"]
        case .string(let s):
            if name == "count" { return .int(s?.count, symbol: nil) }
            names = ["count"]
        case .record(let fields, let open):
            if let f = fields.first(where: { $0.key == name }) { return f.type }
            if open { return .unknown }
            names = fields.map(\.key)
        case .tensor:
            switch name {
            case "shape": return .list(.int, items: nil)
            case "count", "rank": return .int
            case "axes": return .list(.string, items: nil)
            default: names = Members.tensor
            }
        case .shape:
            switch name {
            case "rank": return .int
            case "sizes": return .list(.unknown, items: nil)
            case "names": return .list(.string, items: nil)
            default: names = Members.shape
            }
        case .function:
            if name == "name" { return .string }
            names = Members.function
        case .vocabulary(let size):
            switch name {
            case "size": return .int(nil, symbol: size ?? Checker.spelled(baseExpr).map { "\($0).size" })
            case "symbols": return .list(.string, items: nil)
            case "unk", "pad": return .unknown
            case "lower": return .bool(nil)
            case "unit": return .string(nil)
            default: names = Members.vocabulary
            }
        case .dataset(let d):
            switch name {
            case "count", "streams", "steps", "batches": return name == "count" ? .int : .unknown
            case "shape", "target_shape": return name == "shape" ? .shape : .unknown
            case "vocab": return d.vocabulary.map { .vocabulary(size: $0) } ?? .unknown
            case "classes", "lengths": return .unknown
            case "contiguous": return .bool
            default: names = Members.dataset
            }
        case .model(let m):
            let model = m ?? Model(name: "?")
            if model.memberNames.contains(name) {
                switch name {
                case "name": return m.map { .string($0.name) } ?? .string
                case "layers": return .list(.layer, items: nil)
                case "params": return .int
                case "input", "output": return .unknown
                default: return .unknown
                }
            }
            names = model.memberNames
        case .layer:
            return .unknown
        case .object:
            return .unknown
        default:
            throw Diagnostic.error(.type, at: range, "\(base.typeName ?? "?") has no members (looking up '\(name)')")
        }
        throw Diagnostic.error(.name, at: range, "\(base.typeName ?? "?") has no member '\(name)'",
                               hint: didYouMean(name, among: names) ?? (names.isEmpty ? nil : "members: " + names.joined(separator: ", ")))
    }

    /// `vocab` for the expression `vocab`, `data.vocab` for `data.vocab`.
    static func spelled(_ e: Expr) -> String? {
        var members: [String] = []
        var e = e
        while case .member(let base, let name) = e.kind {
            members.append(name)
            e = base
        }
        guard case .variable(let root) = e.kind else { return nil }
        return ([root] + members.reversed()).joined(separator: ".")
    }

    func unknownName(_ name: String, at range: SourceRange, _ scope: CheckScope) -> Diagnostic {
        var hint = nameHint(name, scope)
        if hint == nil, Keywords.commands.contains(name) {
            hint = "'\(name)' starts a command statement only at the beginning of a line"
        }
        return .error(.name, at: range, "unknown name '\(name)'", hint: hint)
    }

    /// "did you mean" for an unknown name, as execution gives it (Interpreter.swift): the near
    /// names visible in `scope` and the functions; command arguments get the same.
    func nameHint(_ name: String, _ scope: CheckScope) -> String? {
        didYouMean(name, among: scope.visibleNames + Array(host.natives))
    }

    // MARK: - Functions

    /// A function body at its definition: parameters of unknown type, commands read only.
    private func checkDefinition(_ decl: FunctionDecl, _ scope: CheckScope) {
        let inner = CheckScope(parent: scope, isFunction: true)
        for (name, range) in zip(decl.params, decl.paramRanges) { bind(name, .unknown, at: range, in: inner) }
        atDefinition += 1
        depth += 1
        returns.append([])
        checkBlock(decl.body, inner)
        returns.removeLast()
        depth -= 1
        atDefinition -= 1
    }

    /// A call of a user function: arity, then the body with the arguments' types.
    private func call(_ decl: FunctionDecl, _ closure: CheckScope, _ args: [CheckType], at range: SourceRange) throws -> CheckType {
        guard args.count == decl.params.count else {
            throw Diagnostic.error(.type, at: range,
                "'\(decl.name)' expects \(decl.params.count) argument\(decl.params.count == 1 ? "" : "s") but was given \(args.count)",
                notes: ["'\(decl.name)' is declared at \(decl.range)"])
        }
        let id = ObjectIdentifier(decl)
        if calls.contains(id) || calls.count >= Checker.maxCallNesting { return .unknown }
        let key = "\(id.hashValue):" + args.map(\.text).joined(separator: "|")
        if atDefinition > 0, let known = callResults[key] { return known }
        calls.append(id)
        defer { calls.removeLast() }
        let inner = CheckScope(parent: closure, isFunction: true)
        for (name, (t, r)) in zip(decl.params, zip(args, decl.paramRanges)) { inner.define(name, t, at: r) }
        returns.append([])
        let saved = atDefinition
        atDefinition = 0
        depth += 1
        checkBlock(decl.body, inner)
        depth -= 1
        atDefinition = saved
        let results = returns.removeLast()
        var result: CheckType = results.isEmpty ? .none : CheckType.joinAll(results)
        if !results.isEmpty, !(decl.body.last.map { if case .return = $0.kind { return true } else { return false } } ?? false) {
            result = CheckType.join(result, .none)
        }
        callResults[key] = result
        return result
    }

    var readsCommandsOnly: Bool { atDefinition > 0 }
}
