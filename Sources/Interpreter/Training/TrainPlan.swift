// TrainPlan.swift — the `train` statement's arguments, read and checked into a plan.
//
//     train OPTIMIZER {OPTION}
//     OPTIMIZER -> sgd | adam | rmsprop | adagrad
//     OPTION    -> lr F | momentum M (sgd) | epochs N | steps N | batch N | clip F
//                | decay F after N | on DATA | validate DATA | every N
//                | early stop on METRIC patience N [restore best | keep last]
//                | checkpoint PATH [best]
//                | bptt N [stateful] | stateful | shuffle [off] | loss NAME [sum] | loss sum
//
// Options come in any order, each at most once. Every problem is reported at the word that
// caused it. The plan itself is plain data (it travels in checkpoints as JSON); the data sets
// and the places of the options stay beside it in `TrainRequest`.

import SeqLang

/// Everything `train` was told, except the data.
struct TrainPlan: Codable, Equatable {
    enum OptimizerKind: String, Codable, CaseIterable {
        case sgd, adam, rmsprop, adagrad
        /// The learning rate when `lr` is not given (each optimizer's usual default).
        var defaultLearningRate: Double {
            switch self {
            case .sgd, .adagrad: return 0.01
            case .adam, .rmsprop: return 0.001
            }
        }
    }

    /// The loss names `loss NAME` accepts.
    enum LossName: String, Codable, CaseIterable {
        case cross_entropy, binary_cross_entropy, mse
    }

    /// `early stop on METRIC patience N`.
    struct EarlyStop: Codable, Equatable {
        static let metrics = ["val_loss", "val_accuracy", "val_perplexity"]
        var metric: String
        var patience: Int
        /// `keep last`: leave the last epoch's weights instead of restoring the best epoch's.
        var keepLast: Bool?
        /// True when a larger value is better (accuracy).
        var maximizes: Bool { metric == "val_accuracy" }
        /// Restore the best epoch's weights at the stop (the default, as Keras' `restore_best_weights`).
        var restoresBest: Bool { keepLast != true }
    }

    var optimizer: OptimizerKind
    var momentum: Double = 0
    var learningRate: Double
    var epochs: Int?
    var steps: Int?
    var batch: Int?
    var clip: Double?
    var decay: Double?
    var decayAfter = 0
    var every: Int?
    var earlyStop: EarlyStop?
    /// The checkpoint file, already authorized and resolved.
    var checkpoint: String?
    /// `checkpoint PATH best`: write it only after an epoch that improved the watched metric.
    var checkpointOnlyBest: Bool?
    var checkpointBest: Bool { checkpointOnlyBest == true }
    var bptt: Int?
    var stateful = false
    /// nil: the default (on unless stateful).
    var shuffle: Bool?
    var loss: LossName?
    /// PTB's cost: summed over the steps, averaged over the batch.
    var sumOverSteps = false
    /// `quiet`: print no epoch lines (the history still records every epoch); nil: not quiet.
    var quiet: Bool?

    /// Shuffling as it will happen.
    var shuffles: Bool { shuffle ?? !stateful }

    /// lr for `epoch` (from 1): lr0 · decay^max(epoch − after, 0).
    func learningRate(epoch: Int) -> Double {
        guard let decay else { return learningRate }
        var lr = learningRate
        for _ in 0..<max(epoch - decayAfter, 0) { lr *= decay }
        return lr
    }
}

/// A plan with the data it trains on and where each option was written.
struct TrainRequest {
    var plan: TrainPlan
    var data: Dataset?
    var validation: Dataset?
    /// Where each option word was written (for later errors about it).
    var places: [String: SourceRange] = [:]
    /// Where the data argument of `on` / `validate` was written.
    var dataRange: SourceRange?
    var validationRange: SourceRange?
    var keywordRange: SourceRange
}

/// Reads `train` statements (and the option part of `resume`).
enum TrainPlanReader {
    static let options = CommandTable.train.form.optionNames
    /// The options `resume` accepts (the rest come from the checkpoint).
    static let resumeOptions = CommandTable.resume.form.optionNames

    /// `train OPTIMIZER {OPTION}`
    static func read(_ request: CommandRequest, _ context: CommandContext) throws -> TrainRequest {
        var args = StatementArguments(request, context)
        let names = TrainPlan.OptimizerKind.allCases.map(\.rawValue)
        guard let first = args.next() else {
            throw Diagnostic.error(.syntax, at: request.keywordRange,
                "expected an optimizer after `train`: \(Suggestion.list(names))",
                hint: "for example `train adam lr 0.001 epochs 10 on data`")
        }
        guard let word = first.word, let kind = TrainPlan.OptimizerKind(rawValue: word) else {
            let found = first.word.map { "'\($0)'" } ?? first.value?.debugText ?? "?"
            throw Diagnostic.error(first.word == nil ? .syntax : .name, at: first.range,
                Suggestion.message("unknown optimizer \(found)", for: first.word, among: names),
                hint: "the optimizers are \(Suggestion.list(names)); write one right after `train`")
        }
        var out = TrainRequest(plan: TrainPlan(optimizer: kind, learningRate: kind.defaultLearningRate),
                               keywordRange: request.keywordRange)
        try readOptions(&args, into: &out, valid: options, statement: "`train`", context)
        try finish(&out)
        return out
    }

    /// Reads options until the end of the statement into `out`.
    static func readOptions(_ args: inout StatementArguments, into out: inout TrainRequest, valid: [String],
                            statement: String, _ context: CommandContext) throws {
        while let option = args.next() {
            guard let word = option.word, valid.contains(word) else {
                throw unknownOption(option, of: statement, valid: valid)
            }
            if out.places[word] != nil {
                throw Diagnostic.error(.syntax, at: option.range, "option '\(word)' is given twice",
                                       hint: "give each option once")
            }
            out.places[word] = option.range
            var plan = out.plan
            switch word {
            case "lr":
                plan.learningRate = try positiveNumber(&args, after: option, what: "the learning rate")
            case "momentum":
                guard plan.optimizer == .sgd else {
                    throw Diagnostic.error(.syntax, at: option.range,
                        "`momentum` is an option of sgd, not of \(plan.optimizer.rawValue)",
                        hint: "write `train sgd momentum 0.9 …`, or leave `momentum` out")
                }
                let arg = try args.optionValue(after: option, what: "the momentum, at least 0 and below 1", options: valid)
                let m = try args.number(arg, for: "the momentum")
                guard m >= 0 && m < 1 else {
                    throw Diagnostic.error(.type, at: arg.range, "the momentum must be at least 0 and below 1, got \(formatNumber(m))")
                }
                plan.momentum = m
            case "epochs", "steps":
                let other = word == "epochs" ? "steps" : "epochs"
                if out.places[other] != nil {
                    throw Diagnostic.error(.syntax, at: option.range, "give `epochs` or `steps`, not both",
                                           hint: "`epochs N` passes over the data N times; `steps N` takes N batches")
                }
                let arg = try args.optionValue(after: option, what: "a number of \(word)", options: valid)
                let n = try args.positiveInt(arg, for: "the number of \(word)")
                if word == "epochs" { plan.epochs = n } else { plan.steps = n }
            case "batch":
                let arg = try args.optionValue(after: option, what: "the batch size", options: valid)
                plan.batch = try args.positiveInt(arg, for: "the batch size")
            case "clip":
                plan.clip = try positiveNumber(&args, after: option, what: "the largest global gradient norm")
            case "decay":
                plan.decay = try positiveNumber(&args, after: option, what: "the factor the learning rate is multiplied by each epoch")
                guard let after = args.peek, after.word == "after" else {
                    throw Diagnostic.error(.syntax, at: args.peek?.range ?? args.endRange,
                        "expected `after N` following `decay \(formatNumber(plan.decay!))`: the epochs trained at the full rate",
                        hint: "for example `decay 0.5 after 4` (PTB small: the rate halves every epoch after the 4th)")
                }
                _ = args.next()
                let arg = try args.optionValue(after: after, what: "the number of epochs at the full rate", options: valid)
                let value = try args.value(of: arg, for: "the number of epochs at the full rate")
                guard case .int(let n) = value, n >= 0 else {
                    throw Diagnostic.error(.type, at: arg.range,
                        "expected a whole number of epochs (0 or more) after `after`, got \(args.shown(value, arg))")
                }
                plan.decayAfter = n
            case "on", "validate":
                let arg = try args.optionValue(after: option, what: "a dataset", options: valid)
                let data = try dataset(arg, args, for: word)
                if word == "on" { out.data = data; out.dataRange = arg.range }
                else { out.validation = data; out.validationRange = arg.range }
            case "every":
                let arg = try args.optionValue(after: option, what: "the number of steps between reports", options: valid)
                plan.every = try args.positiveInt(arg, for: "the number of steps between reports")
            case "early":
                plan.earlyStop = try earlyStop(&args, after: option)
            case "checkpoint":
                let arg = try args.optionValue(after: option, what: "the checkpoint file's path", options: valid)
                guard case .string(let path)? = try? args.value(of: arg, for: "a path"), !path.isEmpty else {
                    throw Diagnostic.error(.type, at: arg.range,
                        "expected the checkpoint file's path as a string, got \(arg.value.map { args.shown($0, arg) } ?? arg.word ?? "?")",
                        hint: "for example `checkpoint \"ptb.ckpt\"`")
                }
                plan.checkpoint = try context.authorize(path: path, writing: true, at: arg.range)
                if let next = args.peek, next.word == "best" {
                    _ = args.next()
                    plan.checkpointOnlyBest = true
                }
            case "bptt":
                let arg = try args.optionValue(after: option, what: "the steps of truncated backpropagation", options: valid)
                plan.bptt = try args.positiveInt(arg, for: "the steps of truncated backpropagation")
                if let next = args.peek, next.word == "stateful" {
                    _ = args.next()
                    out.places["stateful"] = next.range
                    plan.stateful = true
                }
            case "stateful":
                plan.stateful = true
            case "quiet":
                plan.quiet = true
            case "shuffle":
                if let next = args.peek, next.word == "off" {
                    _ = args.next()
                    plan.shuffle = false
                } else {
                    plan.shuffle = true
                }
            case "loss":
                let losses = TrainPlan.LossName.allCases.map(\.rawValue) + ["sum"]
                guard let arg = args.next() else {
                    throw Diagnostic.error(.syntax, at: option.range,
                        "option 'loss' needs a value: \(Suggestion.list(losses))")
                }
                guard let name = arg.word, losses.contains(name) else {
                    let found = arg.word.map { "'\($0)'" } ?? arg.value?.debugText ?? "?"
                    throw Diagnostic.error(.name, at: arg.range,
                        Suggestion.message("unknown loss \(found)", for: arg.word, among: losses),
                        hint: "losses: \(Suggestion.list(losses)); `sum` sums the loss over the steps and averages it over the batch")
                }
                if name == "sum" {
                    plan.sumOverSteps = true
                } else {
                    plan.loss = TrainPlan.LossName(rawValue: name)
                    if let next = args.peek, next.word == "sum" { _ = args.next(); plan.sumOverSteps = true }
                }
            default:
                preconditionFailure("option list and switch disagree: \(word)")
            }
            out.plan = plan
        }
    }

    /// Checks the options against each other once all are read.
    static func finish(_ out: inout TrainRequest) throws {
        let plan = out.plan
        if plan.stateful, plan.shuffle == true, let at = out.places["shuffle"] {
            throw Diagnostic.error(.syntax, at: at,
                "`shuffle` cannot be used with `stateful`: a stateful model carries its state from each batch to the next, so the batches must stay in order",
                hint: "remove `shuffle` (stateful training reads the streams in order)")
        }
        if plan.checkpointBest, out.validation == nil, let at = out.places["checkpoint"] {
            throw Diagnostic.error(.syntax, at: at, "`checkpoint PATH best` keeps the epoch with the best validation figure, but no `validate DATA` is given",
                                   hint: "add `validate DATA` with held-out data, or leave out `best` to write the checkpoint after every epoch")
        }
        if plan.earlyStop != nil, out.validation == nil, let at = out.places["early"] {
            throw Diagnostic.error(.syntax, at: at, "`early stop` watches a validation figure, but no `validate DATA` is given",
                                   hint: "add `validate DATA` with held-out data")
        }
        guard let data = out.data else {
            throw Diagnostic.error(.syntax, at: out.keywordRange, "`train` needs data: add `on DATA`",
                                   hint: "for example `train adam epochs 10 on data`, where data comes from `windows`, `sequences`, `lm_batches` or `mnist`")
        }
        try checkStreams(plan, data, out)
    }

    /// Stateful training needs contiguous streams whose shape agrees with `bptt` and `batch`.
    static func checkStreams(_ plan: TrainPlan, _ data: Dataset, _ out: TrainRequest) throws {
        guard plan.stateful else { return }
        let at = out.places["stateful"] ?? out.keywordRange
        guard let streams = data.streams else {
            throw Diagnostic.error(.shape, at: out.dataRange ?? at,
                "`stateful` needs contiguous streams, but the data is \(data.count) separate samples \(data.shape)",
                hint: "make the data with `lm_batches(ids, batch, bptt)`, which cuts a corpus into streams whose state can be carried from batch to batch")
        }
        if let bptt = plan.bptt, bptt != streams.steps, let place = out.places["bptt"] {
            throw Diagnostic.error(.shape, at: place,
                "`bptt \(bptt)` does not match the data, which lm_batches cut into pieces of \(streams.steps) steps",
                hint: "write `bptt \(streams.steps) stateful`, or cut the data again with lm_batches(ids, \(streams.streams), \(bptt))")
        }
        if let batch = plan.batch, batch != streams.streams, let place = out.places["batch"] {
            throw Diagnostic.error(.shape, at: place,
                "`batch \(batch)` does not match the data, which lm_batches cut into \(streams.streams) streams",
                hint: "leave `batch` out (stateful training reads one piece of every stream per batch)")
        }
        if let v = out.validation, v.streams == nil {
            throw Diagnostic.error(.shape, at: out.validationRange ?? at,
                "stateful training validates on contiguous streams too, but the validation data is \(v.count) separate samples",
                hint: "make the validation data with `lm_batches` as well")
        }
    }

    static func positiveNumber(_ args: inout StatementArguments, after option: CommandArg, what: String) throws -> Double {
        let arg = try args.optionValue(after: option, what: what, options: options)
        let v = try args.number(arg, for: what)
        guard v > 0 else {
            throw Diagnostic.error(.type, at: arg.range, "\(what) must be above 0, got \(formatNumber(v))")
        }
        return v
    }

    static func dataset(_ arg: CommandArg, _ args: StatementArguments, for option: String) throws -> Dataset {
        let value = try args.value(of: arg, for: "a dataset")
        guard case .object(let o) = value, let data = o as? Dataset else {
            throw Diagnostic.error(.type, at: arg.range,
                "expected a dataset after `\(option)`, got \(args.shown(value, arg))",
                hint: "datasets come from `windows`, `sequences`, `lm_batches`, `mnist` or `split`")
        }
        return data
    }

    /// `early stop on METRIC patience N` (the `early` is read).
    static func earlyStop(_ args: inout StatementArguments, after early: CommandArg) throws -> TrainPlan.EarlyStop {
        let metrics = TrainPlan.EarlyStop.metrics
        func expect(_ word: String) throws {
            guard let arg = args.peek, arg.word == word else {
                throw Diagnostic.error(.syntax, at: args.peek?.range ?? args.endRange,
                    "expected `\(word)` in `early stop on METRIC patience N`, got \(args.peek.map { $0.word.map { "'\($0)'" } ?? $0.value?.debugText ?? "?" } ?? "the end of the line")",
                    hint: "for example `early stop on val_loss patience 3`")
            }
            _ = args.next()
        }
        try expect("stop")
        try expect("on")
        guard let metricArg = args.next() else {
            throw Diagnostic.error(.syntax, at: args.endRange, "expected the metric to watch: \(Suggestion.list(metrics))")
        }
        guard let metric = metricArg.word, metrics.contains(metric) else {
            let found = metricArg.word.map { "'\($0)'" } ?? metricArg.value?.debugText ?? "?"
            throw Diagnostic.error(.name, at: metricArg.range,
                Suggestion.message("unknown metric \(found) for early stopping", for: metricArg.word, among: metrics),
                hint: "early stopping watches \(Suggestion.list(metrics))")
        }
        try expect("patience")
        guard let n = args.next() else {
            throw Diagnostic.error(.syntax, at: args.endRange, "expected the patience: how many epochs without improvement to allow")
        }
        var rule = TrainPlan.EarlyStop(metric: metric, patience: try args.positiveInt(n, for: "the patience"))
        // `restore best` (the default) or `keep last`.
        if let next = args.peek, let word = next.word, word == "restore" || word == "keep" {
            _ = args.next()
            let wanted = word == "restore" ? "best" : "last"
            guard let what = args.peek, what.word == wanted else {
                throw Diagnostic.error(.syntax, at: args.peek?.range ?? args.endRange,
                    "expected `\(wanted)` after `\(word)`: early stopping ends with `restore best` (the default) or `keep last`",
                    hint: "for example `early stop on val_loss patience 3 keep last`")
            }
            _ = args.next()
            if word == "keep" { rule.keepLast = true }
        }
        return rule
    }
}
