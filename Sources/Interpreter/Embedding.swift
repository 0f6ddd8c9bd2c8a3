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

import Foundation
import SeqLang
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
        /// that is not `none`. Scripts usually leave it nil.
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

    /// Creates an interpreter with the built-ins and the model statements installed.
    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        engine = Interpreter(configuration: configuration)
        dataFolder = DataFolder(explicitFolder: configuration.dataFolder)
        let models = self.models
        ModelCommands.install(into: self, session: models)
        DataBuiltins.install(into: self, folder: dataFolder)
        TrainingCommands.install(into: self, models: models, host: TrainingHost(
            progress: configuration.onProgress, terminal: configuration.outputIsTerminal,
            cancelledWording: configuration.cancelledWording, timeLimit: configuration.timeLimit,
            stop: engine.stop, memory: engine.memory))
        engine.needs = { declaration, args, range in
            try models.checkNeeds(of: declaration, word: args.first?.word, modelGiven: args.contains { $0.knownType == "model" }, at: range)
        }
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
            engine.declarations[keyword] = nil
        }
    }

    /// Installs the handler of a declared command statement: its arguments are read against
    /// `declaration` (`StatementReader`) before `handler` runs, and the checker knows it.
    public func register(_ declaration: CommandDeclaration, handler: @escaping CommandHandler) {
        exclusively {
            engine.commands[declaration.keyword] = handler
            engine.declarations[declaration.keyword] = declaration
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
                                            declarations: engine.declarations, commands: engine.commands.keys.sorted(),
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
                globals: globals, natives: Set(engine.natives.keys), declarations: engine.declarations,
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
