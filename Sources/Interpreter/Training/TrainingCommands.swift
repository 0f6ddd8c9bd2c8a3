// TrainingCommands.swift — installs the training statements and holds the state they share.
//
//     seed N                               seeds initialisation, dropout and shuffling
//     train OPTIMIZER {OPTION}             trains the current model (TrainPlan.swift)
//     resume PATH [on DATA] {OPTION}       continues training from a checkpoint
//     evaluate [MODEL] on DATA [batch N]   loss, accuracy or perplexity on data
//     predict [MODEL] INPUT                probabilities and class (Inference.swift)
//     generate from TEXT length N …        continues a text (Inference.swift)
//     save [MODEL] PATH                    writes a model file (ModelFile.swift)
//     check gradients [on DATA]            finite differences (GradientCheck.swift)
//     plot HISTORY [PATH]                  loss curves (Plot.swift)
//     load(PATH)                           a function: the model in a file
//
// `load weights`, `load onnx` and `export onnx` read and write other frameworks' files on top
// of this session; Interchange/InterchangeCommands.swift installs them (Interchange builds on
// Training, never the other way round).
//
// Statements that give a value also bind it to a global so later lines can use it: `train`
// and `resume` bind `history`, `evaluate` binds `evaluation`, `predict` `prediction`,
// `generate` `generated`, `check gradients` `gradients`.

import SeqLang
import Tensor

/// The training, evaluation, prediction and model-file statements of SeqLang.
enum TrainingCommands {
    /// Registers `seed`, `train`, `resume`, `evaluate`, `predict`, `generate`, `save`,
    /// `check`, `plot` and the function `load` with `registry`, acting on `models` (the
    /// interpreter's model session) and reporting as `host` asks. Returns the session they
    /// share, for the statements built on it (`InterchangeCommands.install`).
    @discardableResult
    static func install(into registry: CommandRegistry, models: ModelSession,
                        host: TrainingHost = TrainingHost()) -> TrainingSession {
        let session = TrainingSession(models: models)
        session.progress = host.progress
        session.terminal = host.terminal
        session.cancelledWording = host.cancelledWording
        session.timeLimit = host.timeLimit
        session.stop = host.stop
        session.memory = host.memory
        models.makeNetwork = { [weak session] model in
            guard let session else { return nil }
            let nowhere = SourceRange(file: "<weights>", line: 1, column: 1)
            return try? NetworkBridge.network(of: model, session: session, statement: "weights", at: nowhere)
        }
        registry.register(CommandTable.seed) { try SeedStatement.run($0, $1, session) }
        registry.register(CommandTable.train) { try TrainStatement.run($0, $1, session) }
        registry.register(CommandTable.resume) { try ResumeStatement.run($0, $1, session) }
        registry.register(CommandTable.evaluate) { try EvaluateStatement.run($0, $1, session) }
        registry.register(CommandTable.predict) { try PredictStatement.run($0, $1, session) }
        registry.register(CommandTable.generate) { try GenerateStatement.run($0, $1, session) }
        registry.register(CommandTable.save) { try SaveStatement.run($0, $1, session) }
        registry.register(CommandTable.check) { try GradientCheckStatement.run($0, $1, session) }
        registry.register(CommandTable.plot) { request, context in try PlotStatement.run(request, context) }
        registry.register(function: "load") { values, context, range in
            try LoadFunction.run(values, context, range, session)
        }
        return session
    }
}

/// What the host asked of training: progress calls, a live bar, how a stop is named, and the
/// interpreter's stop signal and memory budget the networks are given.
struct TrainingHost {
    var progress: ((TrainingProgress) -> Void)?
    var terminal = false
    var cancelledWording = "cancelled"
    var timeLimit: Double?
    var stop: StopSignal?
    var memory: MemoryBudget?
}

/// The training state of one interpreter: the seed and the generator shuffling draws from.
final class TrainingSession {
    /// The seed every interpreter starts with, so training is repeatable without `seed`.
    static let defaultSeed: UInt64 = 42
    /// Keeps the shuffling stream apart from the initialisation stream of the same seed.
    static let shuffleSalt: UInt64 = 0x9E37_79B9_7F4A_7C15

    let models: ModelSession
    private(set) var seed = TrainingSession.defaultSeed
    var random = SeededRandom(seed: TrainingSession.defaultSeed ^ TrainingSession.shuffleSalt)
    var progress: ((TrainingProgress) -> Void)?
    var terminal = false
    /// How a cancellation is named in messages ("cancelled", "stopped by Ctrl-C").
    var cancelledWording = "cancelled"
    var timeLimit: Double?
    /// The interpreter's stop signal, which every network polls at each time step.
    var stop: StopSignal?
    /// The interpreter's memory budget, which every network claims its memory from.
    var memory: MemoryBudget?

    init(models: ModelSession) { self.models = models }

    /// Why a run stopped, from its `.cancelled` or `.limit` diagnostic, in the user's words:
    /// "stopped by Ctrl-C", "stopped by the time limit of 10 s".
    func stopReason(_ d: Diagnostic) -> String {
        d.kind == .limit ? "stopped by the time limit of \(seconds(timeLimit ?? 0))" : cancelledWording
    }

    func reseed(_ seed: UInt64) {
        self.seed = seed
        random = SeededRandom(seed: seed ^ TrainingSession.shuffleSalt)
    }

    /// `MODEL` when the first argument is a model, else the current model.
    func model(_ args: inout StatementArguments, for statement: String, at range: SourceRange) throws -> Model {
        if case .object(let o)? = args.peek?.value, let m = o as? Model {
            _ = args.next()
            return m
        }
        return try models.requireCurrent(for: statement, at: range)
    }
}

/// `seed N`
enum SeedStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        var args = StatementArguments(request, context)
        guard let arg = args.next() else {
            throw Diagnostic.error(.syntax, at: request.keywordRange, "expected a number after `seed`",
                                   hint: "for example `seed 42`: the same seed gives the same training, bit for bit")
        }
        let value = try args.value(of: arg, for: "the seed")
        guard case .int(let n) = value, n >= 0 else {
            throw Diagnostic.error(.type, at: arg.range, "expected a whole number of 0 or more for the seed, got \(args.shown(value, arg))")
        }
        if let extra = args.next() {
            throw Diagnostic.error(.syntax, at: extra.range, "unexpected argument after the seed; `seed` takes one number")
        }
        session.reseed(UInt64(n))
        // Weights not trained yet start again from the new seed.
        if let model = session.models.current, let trained = model.network, trained.trainedSteps == 0 {
            model.network = nil
        }
        return .none
    }
}

/// `train OPTIMIZER {OPTION}`
enum TrainStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        let model = try session.models.requireCurrent(for: "train", at: request.keywordRange)
        let req = try TrainPlanReader.read(request, context)
        let spec = try NetworkBridge.spec(of: model, for: "train", at: request.keywordRange)
        if req.plan.stateful {
            try NetworkBridge.checkBidirectional(spec, for: .stateful, at: req.places["stateful"] ?? request.keywordRange)
        }
        let trained = try NetworkBridge.network(of: model, setup: Trainer.setup(for: req.plan), session: session,
                                                statement: "train", at: request.keywordRange)
        let data = req.data!
        try DataFit.check(data, spec, trained.network, at: req.dataRange ?? request.keywordRange)
        if let v = req.validation {
            try DataFit.check(v, spec, trained.network, at: req.validationRange ?? request.keywordRange)
        }
        if let warning = LossWarnings.check(model, trained.network, data, plan: req.plan, at: request.keywordRange) {
            context.warn(warning)
        }
        if context.checkOnly { return .none }
        if let v = data.vocabulary { trained.vocabulary = v }
        if let c = data.classes { trained.classes = c }
        trained.padding = data.keepsLast.map(SequencePadding.init(keepLast:))
        let history = TrainingHistory(figures: Trainer.figures(trained.network), validated: req.validation != nil)
        let state = TrainingState(plan: req.plan, seed: session.seed, history: history,
                                  shuffleRandom: session.random.state.text,
                                  dropoutRandom: trained.network.randomState.text, data: DataFingerprint(data))
        let trainer = Trainer(session: session, context: context, request: req, spec: spec, trained: trained,
                              state: state, optimizer: Trainer.optimizer(for: req.plan))
        let value = try trainer.run().value
        context.define("history", value)
        return value
    }
}

/// `resume PATH [on DATA] [validate DATA] [epochs N | steps N] [every N] [checkpoint PATH]`
enum ResumeStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        var args = StatementArguments(request, context)
        let (pathArg, _) = try PathArgument.read(&args, for: "resume", example: "resume \"model.ckpt\" on data", context)
        let contents = try ModelFile.read(pathArg.shown, shownAs: pathArg.shown, context: context, at: pathArg.range)
        guard var state = contents.training else {
            throw Diagnostic.error(.io, at: pathArg.range,
                "cannot resume from '\(pathArg.shown)': it is a model file, not a checkpoint",
                hint: "a checkpoint is written by `train … checkpoint PATH`; use `load(PATH)` for a model file")
        }
        var req = TrainRequest(plan: state.plan, keywordRange: request.keywordRange)
        try TrainPlanReader.readOptions(&args, into: &req, valid: TrainPlanReader.resumeOptions,
                                        statement: "`resume`", context)
        if req.places["epochs"] != nil { req.plan.steps = nil }
        if req.places["steps"] != nil { req.plan.epochs = nil }
        if req.places["checkpoint"] == nil, let previous = state.plan.checkpoint {
            req.plan.checkpoint = try context.authorize(path: previous, writing: true, at: pathArg.range)
        }
        guard let data = req.data else {
            throw Diagnostic.error(.syntax, at: request.keywordRange, "`resume` needs the training data again: add `on DATA`",
                                   hint: "give the same data the checkpoint was trained on")
        }
        if DataFingerprint(data) != state.data {
            throw Diagnostic.error(.shape, at: req.dataRange ?? request.keywordRange,
                "this is not the data the checkpoint was trained on: it was \(state.data.count) samples \(state.data.shape), this is \(data.count) samples \(data.shape)\(data.count == state.data.count ? " with different contents" : "")",
                hint: "resume with the same data, in the same order")
        }
        try TrainPlanReader.checkStreams(req.plan, data, req)
        state.plan = req.plan
        let setup = Trainer.setup(for: req.plan)
        let (model, trained) = try ModelFile.model(from: contents, setup: setup, seed: state.seed, session: session,
                                                   context: context, shownAs: pathArg.shown, at: pathArg.range)
        let spec = model.spec!
        try DataFit.check(data, spec, trained.network, at: req.dataRange ?? request.keywordRange)
        if let v = req.validation { try DataFit.check(v, spec, trained.network, at: req.validationRange ?? request.keywordRange) }
        if context.checkOnly { return .none }
        let optimizer = Trainer.optimizer(for: req.plan)
        do {
            try optimizer.importState(contents.tensors, parameterCount: trained.network.store.count)
            session.random = SeededRandom(state: try SeededRandom.State(text: state.shuffleRandom))
            trained.network.randomState = try SeededRandom.State(text: state.dropoutRandom)
        } catch {
            throw Diagnostic.error(.io, at: pathArg.range, "cannot resume from '\(pathArg.shown)': \(error)")
        }
        state.history.validated = req.validation != nil && (state.history.validated || state.epochsDone == 0)
        let trainer = Trainer(session: session, context: context, request: req, spec: spec, trained: trained,
                              state: state, optimizer: optimizer)
        if let done = alreadyDone(state, trainer, req) { context.warn(done) }
        let value = try trainer.run().value
        context.define("history", value)
        return value
    }
}

extension ResumeStatement {
    /// A warning when the checkpoint has already trained as far as `epochs N` or `steps N`
    /// asks, so `resume` trains nothing.
    static func alreadyDone(_ state: TrainingState, _ trainer: Trainer, _ req: TrainRequest) -> Diagnostic? {
        let plan = req.plan
        if let steps = plan.steps, state.step >= steps {
            return .warning(at: req.places["steps"] ?? req.keywordRange,
                "the checkpoint has already taken \(state.step) steps, so `steps \(steps)` trains nothing",
                hint: "ask for more than it has: `steps \(state.step + steps)` takes \(steps) more")
        }
        if plan.steps == nil, state.epochsDone >= trainer.totalEpochs {
            let asked = plan.epochs ?? trainer.totalEpochs
            return .warning(at: req.places["epochs"] ?? req.keywordRange,
                "the checkpoint has already trained \(state.epochsDone) epoch\(state.epochsDone == 1 ? "" : "s"), so `epochs \(asked)` trains nothing",
                hint: "`epochs N` counts from the start of the run: `epochs \(state.epochsDone + asked)` trains \(asked) more")
        }
        return nil
    }
}

/// `evaluate [MODEL] on DATA [batch N]`
enum EvaluateStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        var args = StatementArguments(request, context)
        let model = try session.model(&args, for: "evaluate", at: request.keywordRange)
        var data: Dataset?, dataRange = request.keywordRange, batch = 32
        var seen = Set<String>()
        let options = CommandTable.evaluate.form.optionNames
        while let option = args.next() {
            guard let word = option.word, options.contains(word) else {
                throw unknownOption(option, of: "`evaluate`", valid: options)
            }
            guard seen.insert(word).inserted else {
                throw Diagnostic.error(.syntax, at: option.range, "option '\(word)' is given twice")
            }
            if word == "on" {
                let arg = try args.optionValue(after: option, what: "a dataset", options: options)
                data = try TrainPlanReader.dataset(arg, args, for: "on")
                dataRange = arg.range
            } else {
                let arg = try args.optionValue(after: option, what: "the batch size", options: options)
                batch = try args.positiveInt(arg, for: "the batch size")
            }
        }
        guard let data else {
            throw Diagnostic.error(.syntax, at: request.keywordRange, "`evaluate` needs data: add `on DATA`",
                                   hint: "for example `evaluate on test`")
        }
        let spec = try NetworkBridge.spec(of: model, for: "evaluate", at: request.keywordRange)
        var setup = TrainingSetup()
        if let current = model.network?.network.spec {
            setup = TrainingSetup(loss: current.loss, reduction: current.reduction, stateful: current.stateful)
        }
        setup.stateful = data.isContiguousStreams
        if setup.stateful { try NetworkBridge.checkBidirectional(spec, for: .evaluateOnStreams, at: dataRange) }
        let trained = try NetworkBridge.network(of: model, setup: setup, session: session, statement: "evaluate",
                                                at: request.keywordRange)
        try DataFit.check(data, spec, trained.network, at: dataRange)
        if context.checkOnly { return .none }
        Inference.warnIfUntrained(model, trained, for: "evaluate", at: request.keywordRange, context)
        Inference.adoptNames(of: data, trained)
        let totals = try Trainer.evaluate(trained.network, data, batchSize: data.streams?.streams ?? batch, at: dataRange)
        var named = totals.named(Trainer.figures(trained.network))
        let metrics = try EvaluationMetrics.measure(trained.network, data, classNames: trained.classes ?? data.classes,
                                                    batchSize: batch, at: dataRange)
        var fields: [(key: String, value: Value)] = []
        switch metrics {
        case .regression(let r)?:
            named += r.named
        case .classifier(let c)?:
            named.append(("macro_f1", c.macroF1))
            fields = c.fields.filter { $0.key != "macro_f1" }
        case nil:
            break
        }
        context.output(Figures.line(named) + "\n")
        if case .classifier(let c)? = metrics { context.output(c.report) }
        let value = Value.record(named.map { (key: $0.0, value: .number($0.1)) } + fields)
        context.define("evaluation", value)
        return value
    }
}

/// `save [MODEL] PATH`
enum SaveStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        var args = StatementArguments(request, context)
        let model = try session.model(&args, for: "save", at: request.keywordRange)
        let (pathArg, _) = try PathArgument.read(&args, for: "save", example: "save \"model.safetensors\"", context, writing: true)
        if let extra = args.next() {
            throw Diagnostic.error(.syntax, at: extra.range, "unexpected argument after the path; `save` takes a path (and optionally the model before it)")
        }
        let spec = try NetworkBridge.spec(of: model, for: "save", at: request.keywordRange)
        if context.checkOnly { return .none }
        let trained = try NetworkBridge.network(of: model, session: session, statement: "save", at: request.keywordRange)
        try ModelFile.save(spec, trained, to: pathArg.shown, shownAs: pathArg.shown, context: context, at: pathArg.range)
        return .none
    }
}

/// `load(PATH)`: the model in a file, made current.
enum LoadFunction {
    static func run(_ values: [Value], _ context: CommandContext, _ range: SourceRange,
                    _ session: TrainingSession) throws -> Value {
        guard values.count == 1, case .string(let name) = values[0], !name.isEmpty else {
            throw Diagnostic.error(.type, at: range,
                "load(path) takes one string, the model file's path, got \(values.map(\.typeName).joined(separator: ", "))",
                hint: "for example `let m = load(\"model.safetensors\")`")
        }
        let contents = try ModelFile.read(name, shownAs: name, context: context, at: range)
        var setup = TrainingSetup()
        if let plan = contents.training?.plan { setup = Trainer.setup(for: plan) }
        setup.stateful = false
        let (model, _) = try ModelFile.model(from: contents, setup: setup, seed: session.seed, session: session,
                                             context: context, shownAs: name, at: range)
        return .object(model)
    }
}

/// A path argument: a non-empty string, authorized for reading or writing.
struct PathArgument {
    var range: SourceRange
    /// The path as the script wrote it.
    var shown: String

    static func read(_ args: inout StatementArguments, for statement: String, example: String,
                     _ context: CommandContext, writing: Bool = false) throws -> (PathArgument, String) {
        guard let arg = args.next() else {
            throw Diagnostic.error(.syntax, at: args.request.keywordRange, "expected a file path after `\(statement)`",
                                   hint: "for example `\(example)`")
        }
        guard case .string(let text)? = arg.value, !text.isEmpty else {
            let found = arg.value.map { args.shown($0, arg) } ?? arg.word.map { "'\($0)'" } ?? "?"
            throw Diagnostic.error(.type, at: arg.range, "expected a file path as a string after `\(statement)`, got \(found)",
                                   hint: "for example `\(example)`")
        }
        let path = try context.authorize(path: text, writing: writing, at: arg.range)
        return (PathArgument(range: arg.range, shown: text), path)
    }
}
