// Trainer.swift — the training loop of `train` and `resume`: epochs of batches, reports,
// validation, early stopping, checkpoints, non-finite rollback and cancellation.
//
// One epoch: set the learning rate (lr0 · decay^max(epoch − after, 0)); for a stateful model
// zero the carried state; take the batches in order (streams) or shuffled; after each batch
// report progress and check for cancellation. At its end: validate, print the epoch's line,
// record the history, decide on early stopping, write the checkpoint. A step that goes NaN or
// infinite leaves the weights and optimizer state of the last good step and stops training
// with the place the value first appeared.

import Foundation
import SeqLang
import Tensor

final class Trainer {
    let session: TrainingSession
    let context: CommandContext
    let request: TrainRequest
    let spec: ModelSpec
    let trained: TrainedNetwork
    let data: Dataset
    var state: TrainingState
    let optimizer: Optimizer
    /// The last good weights and optimizer state (restored if a step goes non-finite).
    private var goodValues: [Float] = []
    private var goodOptimizer: [(name: String, tensor: Tensor)] = []

    init(session: TrainingSession, context: CommandContext, request: TrainRequest, spec: ModelSpec,
         trained: TrainedNetwork, state: TrainingState, optimizer: Optimizer) {
        self.session = session
        self.context = context
        self.request = request
        self.spec = spec
        self.trained = trained
        self.data = request.data!
        self.state = state
        self.optimizer = optimizer
    }

    var network: Network { trained.network }
    var plan: TrainPlan { state.plan }

    /// A new optimizer as the plan says.
    static func optimizer(for plan: TrainPlan) -> Optimizer {
        let lr = Float(plan.learningRate)
        switch plan.optimizer {
        case .sgd: return SGD(learningRate: lr, momentum: Float(plan.momentum))
        case .adam: return Adam(learningRate: lr)
        case .rmsprop: return RMSProp(learningRate: lr)
        case .adagrad: return Adagrad(learningRate: lr)
        }
    }

    /// The network setup a plan asks for.
    static func setup(for plan: TrainPlan) -> TrainingSetup {
        let loss: NetworkLoss? = plan.loss.map {
            switch $0 {
            case .cross_entropy: return .crossEntropy
            case .binary_cross_entropy: return .binaryCrossEntropy
            case .mse: return .meanSquaredError
            }
        }
        return TrainingSetup(loss: loss, reduction: plan.sumOverSteps ? .sumOverStepsMeanOverBatch : .mean,
                             stateful: plan.stateful)
    }

    /// Which figures besides the loss fit this network.
    static func figures(_ network: Network) -> FigureSet {
        FigureSet(accuracy: network.loss != .meanSquaredError,
                  perplexity: network.loss == .crossEntropy && network.outputIsSequence)
    }

    var batchSize: Int { data.streams?.streams ?? plan.batch ?? 32 }

    var stepsPerEpoch: Int {
        if plan.stateful, let s = data.streams { return s.batchesPerEpoch }
        return (data.count + batchSize - 1) / batchSize
    }

    var totalEpochs: Int {
        if let epochs = plan.epochs { return epochs }
        if let steps = plan.steps { return (steps + stepsPerEpoch - 1) / stepsPerEpoch }
        return 1
    }

    // MARK: - The loop

    func run() throws -> TrainingHistory {
        let keyword = request.keywordRange
        guard stepsPerEpoch > 0 else {
            throw Diagnostic.error(.shape, at: request.dataRange ?? keyword,
                "the data gives no batches: the streams are too short for even one batch of \(data.streams?.steps ?? 0) steps")
        }
        let started = Date()
        let secondsBefore = state.history.seconds
        let figures = state.history.figures
        while state.epochsDone < totalEpochs {
            let epoch = state.epochsDone + 1
            let epochStart = Date()
            let lr = plan.learningRate(epoch: epoch)
            optimizer.learningRate = Float(lr)
            if plan.stateful { network.resetState() }
            let order: [Int] = plan.stateful ? [] : (plan.shuffles ? session.random.permutation(data.count) : Array(0..<data.count))
            var totals = EpochTotals(), sinceReport = EpochTotals()
            var stepsThisEpoch = 0
            for b in 0..<stepsPerEpoch {
                if let limit = plan.steps, state.step >= limit { break }
                let dataBatch = plan.stateful ? data.streamBatch(b)
                    : data.batch(Array(order[(b * batchSize)..<min((b + 1) * batchSize, data.count)]))
                let result = try step(NetworkBridge.batch(dataBatch, for: network), epoch: epoch, batch: b + 1)
                state.step += 1
                stepsThisEpoch += 1
                trained.trainedSteps += 1
                totals.add(lossSum: result.lossSum, count: result.count, correct: result.correct)
                sinceReport.add(lossSum: result.lossSum, count: result.count, correct: result.correct)
                if let progress = session.progress {
                    var metrics: [String: Double] = [:]
                    for (name, v) in totals.named(figures).dropFirst() { metrics[name] = v }
                    progress(TrainingProgress(epoch: epoch, epochs: totalEpochs, stepInEpoch: b + 1,
                                              stepsPerEpoch: stepsPerEpoch, step: state.step,
                                              loss: totals.meanLoss, metrics: metrics, learningRate: lr))
                }
                if session.terminal { context.output("\r" + bar(b + 1, of: stepsPerEpoch, epoch: epoch)) }
                if let every = plan.every, state.step % every == 0 {
                    if session.terminal { context.output("\r\u{1B}[K") }
                    context.output("step \(state.step)  epoch \(epoch)/\(totalEpochs)  \(Figures.line(sinceReport.named(figures)))  lr \(String(format: "%g", lr))\n")
                    sinceReport = EpochTotals()
                }
                do {
                    try context.checkCancelled(at: keyword)
                } catch let d as Diagnostic {
                    if session.terminal { context.output("\r\u{1B}[K") }
                    let what = d.kind == .limit ? "stopped by the time limit" : "cancelled"
                    throw Diagnostic.error(d.kind, at: keyword,
                        "training \(what) after epoch \(epoch) step \(b + 1); the weights learned so far are kept")
                }
            }
            if session.terminal { context.output("\r\u{1B}[K") }
            if stepsThisEpoch == 0 { break }
            var validation: EpochTotals?
            if let v = request.validation {
                validation = try Trainer.evaluate(network, v, batchSize: plan.batch ?? batchSize, at: request.validationRange ?? keyword)
                if plan.stateful { network.resetState() }
            }
            state.history.record(train: totals, validation: validation, learningRate: lr)
            state.history.steps = state.step
            state.epochsDone += 1
            let seconds = Date().timeIntervalSince(epochStart)
            state.history.seconds = secondsBefore + Date().timeIntervalSince(started)
            var line = "epoch \(epoch)/\(totalEpochs)  \(Figures.line(totals.named(figures)))"
            if let validation { line += "  " + Figures.line(validation.named(figures, prefix: "val_")) }
            let unit = network.outputIsSequence ? "words/s" : "samples/s"
            let items = network.outputIsSequence ? totals.count : stepsThisEpoch == stepsPerEpoch ? data.count : stepsThisEpoch * batchSize
            line += "  \(unit) \(Figures.rate(Double(items) / max(seconds, 1e-9)))  \(String(format: "%.1f", seconds))s"
            context.output(line + "\n")
            let stop = earlyStop(validation)
            state.shuffleRandom = session.random.state.text
            state.dropoutRandom = network.randomState.text
            if let path = plan.checkpoint {
                try ModelFile.writeCheckpoint(self, to: path, at: request.places["checkpoint"] ?? keyword)
            }
            if stop {
                state.history.stoppedEarly = true
                context.output("early stop: \(plan.earlyStop!.metric) has not improved for \(plan.earlyStop!.patience) epoch\(plan.earlyStop!.patience == 1 ? "" : "s")\n")
                break
            }
        }
        return state.history
    }

    /// One training step with rollback: on a non-finite value the weights and optimizer state
    /// of the last good step are put back and training stops with the place it appeared.
    private func step(_ batch: NetworkBatch, epoch: Int, batch index: Int) throws -> NetworkStepResult {
        goodValues = network.store.values
        goodOptimizer = optimizer.exportState()
        let result: NetworkStepResult
        do {
            result = try network.trainStep(batch, optimizer: optimizer, clipNorm: plan.clip.map { Float($0) })
        } catch let error as NetworkError {
            try rollback()
            switch error {
            case .nonFinite(let layer, let t, let detail):
                let at = t.map { " at time step \($0 + 1)" } ?? ""
                throw Diagnostic.error(.runtime, at: request.keywordRange,
                    "training stopped at step \(state.step + 1) (epoch \(epoch), batch \(index)): a non-finite value appeared in layer \(layer)\(at); the weights of the last good step are kept",
                    hint: "lower the learning rate (`lr`), clip the gradients (`clip 5`), or look for NaN or huge values in the data",
                    notes: [detail])
            default:
                throw Diagnostic.error(.shape, at: request.dataRange ?? request.keywordRange,
                                       "batch \(index) of epoch \(epoch) does not fit the model: \(error)")
            }
        }
        if network.store.values.contains(where: { !$0.isFinite }) {
            try rollback()
            throw Diagnostic.error(.runtime, at: request.keywordRange,
                "training stopped at step \(state.step + 1) (epoch \(epoch), batch \(index)): the \(optimizer.kind) update made a weight non-finite; the weights of the last good step are kept",
                hint: "lower the learning rate (`lr`) or clip the gradients (`clip 5`)")
        }
        return result
    }

    private func rollback() throws {
        network.store.values = goodValues
        try optimizer.importState(Dictionary(goodOptimizer.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a }),
                                  parameterCount: network.store.count)
    }

    /// True when the watched metric has not improved for `patience` epochs.
    private func earlyStop(_ validation: EpochTotals?) -> Bool {
        guard let rule = plan.earlyStop, let validation else { return false }
        let value: Double
        switch rule.metric {
        case "val_accuracy": value = validation.accuracy
        case "val_perplexity": value = validation.perplexity
        default: value = validation.meanLoss
        }
        if let best = state.best, !(rule.maximizes ? value > best : value < best) {
            state.epochsWithoutImprovement += 1
        } else {
            state.best = value
            state.epochsWithoutImprovement = 0
        }
        return state.epochsWithoutImprovement >= rule.patience
    }

    /// `epoch 3/13 [#########.........] 45/100`
    private func bar(_ done: Int, of total: Int, epoch: Int) -> String {
        let width = 30
        let filled = total == 0 ? width : done * width / total
        return "epoch \(epoch)/\(totalEpochs) " + String(repeating: "█", count: filled)
            + String(repeating: "░", count: width - filled) + " \(done)/\(total)"
    }

    // MARK: - Evaluation

    /// The summed figures of `network` over `data`, without dropout: streams in order from a
    /// zero state, other data in batches of `batchSize`.
    static func evaluate(_ network: Network, _ data: Dataset, batchSize: Int, at range: SourceRange) throws -> EpochTotals {
        var totals = EpochTotals()
        func run(_ batch: DataBatch) throws {
            do {
                let r = try network.evaluate(NetworkBridge.batch(batch, for: network))
                totals.add(lossSum: r.lossSum, count: r.count, correct: r.correct)
            } catch let error as NetworkError {
                throw Diagnostic.error(.runtime, at: range, "evaluation failed: \(error)")
            }
        }
        if network.spec.stateful, let streams = data.streams {
            network.resetState()
            for b in 0..<streams.batchesPerEpoch { try run(data.streamBatch(b)) }
            network.resetState()
        } else {
            var start = 0
            while start < data.count {
                try run(data.batch(start..<min(start + batchSize, data.count)))
                start += batchSize
            }
        }
        return totals
    }
}
