// Embedding.swift — the whole public API for running SeqLang inside a Swift program.
//
//     var config = SeqInterpreter.Configuration(output: { print($0, terminator: "") })
//     config.fileAccess = .folders(["data"])
//     let seq = SeqInterpreter(config)
//     seq.register(function: "double") { args, _, _ in
//         if case .int(let n) = args.first { return .int(2 * n) } else { return .none }
//     }
//     let result = seq.run(source: "print(double(21))", file: "main.seq")
//     for d in result.diagnostics { FileHandle.standardError.write(seq.render(d).data(using: .utf8)!) }
//
// The host owns I/O: the interpreter never prints, it calls `Configuration.output`, and
// problems come back as `Diagnostic` values. Values, not handles, cross the boundary.
// Interpreters are independent; one interpreter runs one script at a time (calls from
// several threads are serialised) and `cancel()` may be called from any thread.
//
// The public API is this file plus the value types it hands out: `Value` and `NamedShape`
// (Value.swift), `TensorValue`, what a host's statement handler receives (Commands.swift),
// `CheckReport` (Check/CheckReport.swift), `TrainingProgress`, and `Diagnostic` with its
// source positions (SeqLang/Diagnostic.swift, re-exported here, so `import Interpreter` is the
// one import a host needs). Nothing else is public: the rest of Interpreter is internal, and the
// modules below it (SeqLang's lexer and parser, the numeric core Tensor) share their
// declarations as `package`. seqsh is a client of this API like any app; only seqbench, which
// benchmarks the numeric core itself, uses Tensor directly. docs/embedding.md lists every
// public declaration, and EmbeddingSurfaceTests fails when one appears elsewhere.

import Foundation
@_exported import SeqLang
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// A SeqLang interpreter: global state that persists across `run` calls (as in a REPL),
/// the built-in functions, the host's functions and the command statements.
public final class SeqInterpreter: CommandRegistry, @unchecked Sendable {

    /// Which files scripts may read and write (checked by `CommandContext.authorize`).
    public enum FileAccess: Sendable {
        /// Any path.
        case all
        /// Only paths inside these folders (relative folders are taken from the working directory).
        case folders([String])
        /// No file access at all.
        case none
    }

    /// How the host connects to an interpreter.
    public struct Configuration {
        /// Receives everything a script prints (`print` adds the newline).
        public var output: (String) -> Void
        /// Receives warnings as they happen. When nil, warnings are returned in `RunResult.diagnostics`.
        public var onWarning: ((Diagnostic) -> Void)?
        /// REPL echo: called with the value of each top-level expression or command statement
        /// that is not `none`, but a statement that prints its result itself (`train`, `resume`,
        /// `evaluate`, `generate`: the value is bound to `history`, `evaluation`, `generated`).
        /// Scripts usually leave it nil.
        public var echo: ((Value) -> Void)?
        /// Which files scripts may touch. Default: `.all`.
        public var fileAccess: FileAccess = .all
        /// The folder relative paths are resolved against (default: the process's current directory).
        public var workingDirectory: String?
        /// Where `data_path("ptb/ptb.train.txt")` looks first, before `SEQ_DATA` and
        /// `~/.cache/seqlang/datasets` (seqsh's `--data DIR`). Each interpreter has its own.
        public var dataFolder: String?
        /// Stop a run after this many seconds with a `.limit` diagnostic (nil: no limit). It is
        /// checked inside long work too — every time step of a recurrent layer, every chunk of
        /// `predict`/`evaluate`, every few thousand items of a data built-in — so a run stops
        /// within a small fraction of a second of it (docs/embedding.md).
        public var timeLimit: Double?
        /// The most bytes of tensors and buffers a run may hold (weights, optimizer state, a
        /// batch's activations, predictions, the data built-ins' results); a step that would
        /// need more is refused before it allocates, with a `.limit` diagnostic naming the
        /// amount and the limit (nil: no limit).
        public var memoryLimit: Int?
        /// Command handlers validate everything but read no data and train nothing (a run that
        /// only validates; `check(source:file:)`, which `seqsh --check` uses, runs nothing at all).
        public var checkOnly = false
        /// Most nested function calls before a `.limit` diagnostic. Independently of it, scripts
        /// run on a thread of the interpreter's own with a 512 MiB stack, and calls or
        /// expressions that would nest past that stack (less a 16 MiB reserve for built-ins,
        /// statements and host functions) stop with a `.limit` diagnostic too, so no script
        /// overflows the stack whatever this is set to.
        public var maxCallDepth = 1000
        /// Called from the script's thread after every training step with the epoch, step,
        /// loss and metrics so far (nil: no calls).
        public var onProgress: ((TrainingProgress) -> Void)?
        /// True when `output` goes to a terminal: training then draws a live progress bar
        /// (plain lines otherwise).
        public var outputIsTerminal = false
        /// How messages name a `cancel()`, in the user's words: "stopped by Ctrl-C" in a REPL
        /// whose Ctrl-C cancels (default "cancelled").
        public var cancelledWording = "cancelled"

        /// A configuration whose output goes to `output` (default: discarded).
        public init(output: @escaping (String) -> Void = { _ in }) {
            self.output = output
        }
    }

    /// The outcome of one `run`: the last value, or the diagnostics that stopped it.
    public struct RunResult {
        /// The value of the last top-level expression or command statement (none if there was
        /// none); nil when the run failed.
        public var value: Value?
        /// Every error and (when `onWarning` is nil) warning, in the order they were found.
        public var diagnostics: [Diagnostic]

        /// True when there were no errors (there may be warnings).
        public var succeeded: Bool { errors.isEmpty }
        /// The diagnostics of severity `.error`.
        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
        /// The diagnostics of severity `.warning` (empty when `onWarning` received them).
        public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
        /// True when the input only failed because it ended inside an unfinished block, list or
        /// call: a REPL should read another line and run the whole text again.
        public var isIncomplete: Bool {
            let errors = errors
            return !errors.isEmpty && errors.allSatisfy { $0.kind == .incompleteInput }
        }
    }

    private let engine: Interpreter
    private let configuration: Configuration
    /// The models this interpreter's scripts declared, and their weights.
    let models = ModelSession()
    /// Where this interpreter's `data_path` looks.
    let dataFolder: DataFolder
    /// What this interpreter's tensors and buffers hold against `Configuration.memoryLimit`.
    var memory: MemoryBudget { engine.memory }
    private let runLock = NSLock()
    private let stateLock = NSLock()
    /// The thread running a script, while one runs.
    private var worker: pthread_t?
    private var sources: [String: String] = [:]
    /// The grammar of each declared statement, read before its handler runs and known to the
    /// checker (a host's own handler for a keyword has none).
    private var declarations: [String: CommandDeclaration] = [:]

    /// Creates an interpreter with the built-ins and the model statements installed.
    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        engine = Interpreter(configuration: configuration)
        dataFolder = DataFolder(explicitFolder: configuration.dataFolder)
        let models = self.models
        ModelCommands.install(into: self, session: models)
        DataBuiltins.install(into: self, folder: dataFolder)
        let training = TrainingCommands.install(into: self, models: models, host: TrainingHost(
            progress: configuration.onProgress, terminal: configuration.outputIsTerminal,
            cancelledWording: configuration.cancelledWording, timeLimit: configuration.timeLimit,
            stop: engine.stop, memory: engine.memory))
        InterchangeCommands.install(into: self, session: training)
    }

    // MARK: - Running

    /// Runs `source` (named `file` in diagnostics). Globals persist between runs. Nothing runs
    /// if the text has a syntax error; a runtime error stops the run where it happened.
    public func run(source: String, file: String = "<string>") -> RunResult {
        runLock.lock()
        defer { runLock.unlock() }
        stateLock.withLock { sources[file] = source }
        engine.stop.clear()
        let box = ResultBox()
        // A thread of the interpreter's own, with a stack size it chose (StackLimit), so deep
        // scripts end in a `.limit` diagnostic whatever thread the host calls from.
        ScriptThread.run { [self] in
            stateLock.withLock { worker = pthread_self() }
            engine.stackLimit = .ofCurrentThread()
            box.result = execute(source, file: file)
            stateLock.withLock { worker = nil }
        }
        return box.result!
    }

    /// Reads the UTF-8 script at `path` and runs it (the host asked for it, so the file-access
    /// policy does not apply to the script itself). An unreadable or non-UTF-8 file is an
    /// `.io` or `.lexical` diagnostic.
    public func run(file path: String) -> RunResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            return RunResult(value: nil, diagnostics: [
                .error(.io, at: .none(file: path), "cannot read the script '\(path)': no such file or it is not readable")])
        }
        do {
            let text = try SourceText.decode([UInt8](data), file: path)
            return run(source: text, file: path)
        } catch {
            return RunResult(value: nil, diagnostics: [error])
        }
    }

    /// Stops the running script with a `.cancelled` diagnostic at its next statement, loop
    /// iteration, time step of a recurrent layer, chunk of `predict`/`evaluate` or few thousand
    /// items of a data built-in; a training step it interrupts leaves the weights as they were
    /// before it. Safe from any thread.
    public func cancel() {
        engine.stop.cancel()
    }

    private func execute(_ source: String, file: String) -> RunResult {
        let (program, parsed) = Parser.parse(source, file: file)
        if parsed.contains(where: { $0.severity == .error }) {
            return RunResult(value: nil, diagnostics: parsed)
        }
        var diagnostics: [Diagnostic] = []
        var warnings: [Diagnostic] = []
        engine.warningSink = configuration.onWarning ?? { warnings.append($0) }
        defer { engine.warningSink = { _ in } }
        for warning in parsed { engine.warningSink(warning) }
        do {
            let value = try engine.run(program)
            return RunResult(value: value.withPlainLists, diagnostics: diagnostics + warnings)
        } catch let d as Diagnostic {
            diagnostics += warnings + [d]
        } catch let list as DiagnosticList {
            diagnostics += warnings + list.diagnostics
        } catch {
            diagnostics += warnings + [.error(.runtime, at: .none(file: file), "\(error)")]
        }
        return RunResult(value: nil, diagnostics: diagnostics)
    }

    // MARK: - Globals

    /// A global variable: read it, set it (`Value.tensor` carries shape and scalars), or set
    /// nil to remove it.
    public subscript(global name: String) -> Value? {
        get { exclusively { engine.globals.lookup(name)?.withPlainLists } }
        set {
            exclusively {
                if let newValue { engine.globals.define(name, newValue) } else { engine.globals.remove(name) }
            }
        }
    }

    /// The names of all global variables, sorted.
    public var globalNames: [String] {
        exclusively { engine.globals.visibleNames.sorted() }
    }

    // MARK: - Registering host code

    /// Makes `handler` callable from scripts as `name(args…)`. It may throw a `Diagnostic`
    /// (at the `SourceRange` of the call it is given); other errors become runtime diagnostics.
    public func register(function name: String,
                         handler: @escaping ([Value], CommandContext, SourceRange) throws -> Value) {
        exclusively { engine.natives[name] = NativeFunction(name, handler) }
    }

    /// Installs the handler of a command statement (`layer`, `train`, …).
    public func register(command keyword: String, handler: @escaping CommandHandler) {
        exclusively {
            engine.commands[keyword] = handler
            engine.printingCommands.remove(keyword)
            declarations[keyword] = nil
        }
    }

    /// Installs the handler of a declared command statement: its arguments are read against
    /// `declaration` (`StatementReader`) before `handler` runs, and the checker knows it.
    /// (The interpreter's own statements use it; hosts register with `register(command:handler:)`.)
    func register(_ declaration: CommandDeclaration, handler: @escaping CommandHandler) {
        exclusively {
            // The declared grammar is read first, the same way the checker reads it, after what
            // the statement needs (a current model) is there.
            let models = self.models
            engine.commands[declaration.keyword] = { [unowned engine] request, context in
                let args = request.args
                try models.checkNeeds(of: declaration, word: args.first?.word,
                                      modelGiven: args.contains { $0.knownType == "model" }, at: request.keywordRange)
                _ = try StatementReader.read(args, keywordRange: request.keywordRange, declaration) {
                    engine.nameHintForStatement($0)
                }
                return try handler(request, context)
            }
            declarations[declaration.keyword] = declaration
            if declaration.printsResult { engine.printingCommands.insert(declaration.keyword) } else { engine.printingCommands.remove(declaration.keyword) }
        }
    }

    /// The names of the built-in and host functions, sorted.
    public var functionNames: [String] {
        exclusively { engine.natives.keys.sorted() }
    }

    /// The command keywords that have a handler, sorted.
    public var registeredCommands: [String] {
        exclusively { engine.commands.keys.sorted() }
    }

    // MARK: - Tools for hosts

    /// Where this process stands in an `mpirun` job: its rank and the number of ranks, or nil
    /// when it runs alone (docs/distributed.md). Every rank runs the same script and trains on
    /// its share of each batch; a host shows rank 0's output and lets the others run silently.
    public static var jobPlace: (rank: Int, size: Int)? { JobPlace.current }

    /// The download cache `data_path` searches last, `~/.cache/seqlang/datasets` under the
    /// `HOME` of `environment`: where `seqsh fetch` (the SeqFetch library) puts data sets.
    public static func downloadCacheFolder(
        environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        // Without an explicit folder or SEQ_DATA, the data folder's only search folder is the cache.
        var environment = environment
        environment["SEQ_DATA"] = nil
        return DataFolder(explicitFolder: nil, environment: environment).searchFolders[0].folder
    }

    /// Reserved words, command keywords, built-in and host functions and global names that
    /// start with `prefix`, sorted (for tab completion).
    public func completions(prefix: String) -> [String] {
        exclusively {
            let all = Set(Keywords.reserved.keys).union(Keywords.commands).union(engine.natives.keys)
                .union(engine.globals.visibleNames)
            return all.filter { $0.hasPrefix(prefix) }.sorted()
        }
    }

    /// What may be typed at `cursor` (a character offset; nil: the end) of `line`: the word
    /// under the cursor and the candidates for it — a statement's forms, options and option
    /// words from its declaration, members after `NAME.`, keywords, functions and names in
    /// scope (Completions.swift). `known` adds names a `CheckReport` found (an editor's
    /// document) to the session's globals. seqsh's Tab and its language server use this.
    public func completions(line: String, cursor: Int? = nil, known: [NameInfo] = []) -> CompletionResult {
        exclusively {
            var names: [String: LineCompletion.Name] = [:]
            for info in known { names[info.name] = LineCompletion.Name(info) }
            for name in engine.globals.visibleNames {
                if let value = engine.globals.lookup(name) { names[name] = LineCompletion.Name(name, value: value) }
            }
            let engine = self.engine
            let completion = LineCompletion(names: names, functions: engine.natives.keys.sorted(),
                                            declarations: declarations, commands: engine.commands.keys.sorted(),
                                            member: { try? engine.member($0, $1, at: .none(file: "")) })
            return completion.complete(line, cursor: cursor)
        }
    }


    /// Takes back the last layer of the current model (a REPL's `:undo`): the model's name,
    /// the removed layer (`lstm 128`) and the shape the model gives now. Throws a `Diagnostic`
    /// at `range` when there is no model or it has no layers.
    public func removeLastLayer(at range: SourceRange) throws -> (model: String, layer: String, shape: String) {
        try exclusively {
            guard let model = models.current else {
                throw Diagnostic.error(.name, at: range, "there is no model to take a layer back from",
                                       hint: "declare one with `model NAME`")
            }
            guard let removed = model.removeLastLayer() else {
                throw Diagnostic.error(.shape, at: range, "model '\(model.name)' has no layers to take back")
            }
            return (model.name, removed.spec.summaryText, model.outputFlow.map { $0.shape.description } ?? "?")
        }
    }

    /// True for a reserved word (`if`, `fn`, `let`, …) or a command keyword (`layer`, `train`, …).
    public static func isKeyword(_ word: String) -> Bool {
        Keywords.reserved[word] != nil || Keywords.commands.contains(word)
    }

    /// The help of built-in function `name` (usage line, then indented lines), or nil.
    public static func help(function name: String) -> String? { FunctionHelp.text(name) }

    /// The built-in functions that have help, sorted.
    public static var documentedFunctions: [String] { FunctionHelp.entries.keys.sorted() }

    /// What a value's shape is, in words (a REPL's `:shape`): a tensor's or a layer's named
    /// shape, a shape value, a list's length, a model's `input -> output`; nil when it has none.
    public static func shapeDescription(of value: Value) -> String? {
        switch value {
        case .tensor(let t): return t.shape.description
        case .shape(let s): return s.description
        case .list(let items): return "list of \(items.count)"
        case .object(let layer as ModelLayer): return layer.shape.description
        case .object(let model as Model):
            guard let input = model.input else { return "model \(model.name) has no input yet" }
            return "\(input.shape) -> \(model.outputFlow?.shape.description ?? "?")"
        default: return nil
        }
    }

    /// `message`, with "; did you mean 'X'?" when one of `candidates` is close to `word` (the
    /// one phrasing every SeqLang error uses), for a host's own commands. `prefix` is written
    /// before the suggestion (`:` for seqsh's `:help`).
    public static func suggesting(_ message: String, for word: String, among candidates: [String],
                                  prefix: String = "") -> String {
        Suggestion.message(message, for: word, among: candidates, prefix: prefix)
    }

    /// The text of a script's bytes: UTF-8, or a `.lexical` diagnostic naming the first bad
    /// byte's offset in `file`.
    public static func sourceText(_ bytes: [UInt8], file: String) throws(Diagnostic) -> String {
        try SourceText.decode(bytes, file: file)
    }

    /// The version of the language and its interpreter (`0.1.0`).
    public static var version: String { SeqLangVersion.string }

    // MARK: - Checking without running

    /// Checks `source` (named `file` in diagnostics) without running it: every name, type and
    /// shape the checker can infer, every independent error once (`CheckReport`). The
    /// interpreter's globals (as in a REPL) are known to the check by their types; nothing the
    /// check does changes them, runs a command, opens a data file or allocates weights.
    public func check(source: String, file: String = "<string>") -> CheckReport {
        rememberSource(source, file: file)
        let checker = Checker(host: checkHost(), source: source)
        var parsed: [Diagnostic] = []
        // Parsed, checked and freed on a thread of the interpreter's own, as a run is, so a
        // deep expression ends in a `.limit` diagnostic, never in a stack overflow.
        ScriptThread.run {
            let (program, diagnostics) = Parser.parse(source, file: file)
            parsed = diagnostics
            checker.stackLimit = .ofCurrentThread()
            checker.check(program)
        }
        // A program with syntax errors is still checked where it parsed, so names and shapes
        // are there for an editor; but as when it runs, only its syntax errors are reported.
        var report = checker.report()
        let syntaxErrors = parsed.contains { $0.severity == .error }
        report.diagnostics = Checker.ordered(syntaxErrors ? parsed : parsed + report.diagnostics)
        return report
    }

    /// Reads the UTF-8 script at `path` and checks it (the only file the check opens). An
    /// unreadable or non-UTF-8 file is an `.io` or `.lexical` diagnostic.
    public func check(file path: String) -> CheckReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            return CheckReport(diagnostics: [
                .error(.io, at: .none(file: path), "cannot read the script '\(path)': no such file or it is not readable")],
                facts: [], names: [], symbols: [])
        }
        do {
            return check(source: try SourceText.decode([UInt8](data), file: path), file: path)
        } catch {
            return CheckReport(diagnostics: [error], facts: [], names: [], symbols: [])
        }
    }

    /// Records `source` as the text of `file` (for rendering diagnostics about it).
    func rememberSource(_ source: String, file: String) {
        stateLock.withLock { sources[file] = source }
    }

    /// What the checker needs of this interpreter: its globals, functions and statements.
    func checkHost() -> CheckHost {
        exclusively {
            let engine = self.engine
            var globals: [String: Value] = [:]
            for name in engine.globals.visibleNames { globals[name] = engine.globals.lookup(name) }
            return CheckHost(
                globals: globals, natives: Set(engine.natives.keys), declarations: declarations,
                commands: Set(engine.commands.keys),
                callNative: { name, values, range in
                    guard let f = engine.natives[name] else { return .none }
                    return try f.handler(values, engine, range)
                },
                authorize: { path, writing, range in try engine.authorize(path: path, writing: writing, at: range) },
                dataFolder: dataFolder,
                canUseFiles: engine.canUseFiles,
                currentModel: models.current)
        }
    }

    /// The text last run under the name `file`, for rendering its diagnostics.
    public func source(of file: String) -> String? {
        stateLock.withLock { sources[file] }
    }

    /// Renders a diagnostic with its source line and caret (`file:line:col: error: message`).
    public func render(_ diagnostic: Diagnostic, color: Bool = false) -> String {
        diagnostic.render(source: source(of: diagnostic.range.file), color: color)
    }

    /// Runs `body` holding the run lock, unless called from the running script's own thread
    /// (a host function or command handler), which already has exclusive access.
    private func exclusively<T>(_ body: () throws -> T) rethrows -> T {
        let onWorker = stateLock.withLock { worker.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
        if onWorker { return try body() }
        runLock.lock()
        defer { runLock.unlock() }
        return try body()
    }

    /// Breaks the cycles a script can leave (a function bound in the globals closes over the
    /// globals), so dropping the interpreter frees its values, models and weights.
    deinit {
        engine.globals.removeAll()
        models.current = nil
    }
}

/// Carries a run's result back from the script thread.
private final class ResultBox: @unchecked Sendable {
    var result: SeqInterpreter.RunResult?
}
