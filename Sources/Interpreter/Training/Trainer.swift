// Trainer.swift — the training loop of `train` and `resume`: epochs of batches, reports,
// validation, early stopping, checkpoints, non-finite rollback and cancellation.
//
// One epoch: set the learning rate (lr0 · decay^max(epoch − after, 0)); for a stateful model
// zero the carried state; take the batches in order (streams) or shuffled; after each batch
// report progress and check for cancellation. At its end: validate, print the epoch's line,
// record the history, decide on early stopping, write the checkpoint.
//
// Non-finite values: `Network.trainStep` refuses to update when the forward or backward pass
// goes NaN or infinite, so such a step leaves the weights of the last good step as they are.
// What it cannot see is an update that itself makes a weight non-finite; that is checked after
// every step with one vectorised pass over the weights. Copying every weight and the
// optimizer's state before each step would cost more than a batch-1 step itself (a million
// parameters), so a snapshot is kept only at each epoch start and every
// `snapshotInterval` steps, and an update gone non-finite puts that snapshot back.

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
    /// Steps between two snapshots of the weights and optimizer state within an epoch.
    static let snapshotInterval = 1000
    /// Known-good weights and optimizer state, and the step count they were taken at
    /// (restored if an update makes a weight non-finite).
    private var goodValues: [Float] = []
    private var goodOptimizer: [(name: String, tensor: Tensor)] = []
    private var goodStep = 0

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
                if b == 0 || state.step - goodStep >= Trainer.snapshotInterval { takeSnapshot() }
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
            if plan.quiet != true { context.output(line + "\n") }
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

    /// Keeps the current weights and optimizer state as the known-good ones.
    private func takeSnapshot() {
        goodValues = network.store.values
        goodOptimizer = optimizer.exportState()
        goodStep = state.step
    }

    /// One training step. A non-finite forward or backward pass leaves the weights untouched
    /// (the network refuses the update); an update that makes a weight non-finite puts the
    /// last snapshot back. Either way training stops with the place the value appeared.
    private func step(_ batch: NetworkBatch, epoch: Int, batch index: Int) throws -> NetworkStepResult {
        let result: NetworkStepResult
        do {
            result = try network.trainStep(batch, optimizer: optimizer, clipNorm: plan.clip.map { Float($0) })
        } catch let error as NetworkError {
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
        if !Trainer.allFinite(network.store.values) {
            try rollback()
            throw Diagnostic.error(.runtime, at: request.keywordRange,
                "training stopped at step \(state.step + 1) (epoch \(epoch), batch \(index)): the \(optimizer.kind) update made a weight non-finite; \(goodStep == 0 ? "the weights it started from are" : "the weights after step \(goodStep) are") put back",
                hint: "lower the learning rate (`lr`) or clip the gradients (`clip 5`)")
        }
        return result
    }

    /// True when every value is finite: x − x is 0 for a finite x and NaN otherwise, summed
    /// 16 lanes at a time (a sum cannot overflow when every term is 0).
    static func allFinite(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer { v in
            typealias V = SIMD16<Float>
            let n = v.count
            guard n > 0 else { return true }
            let raw = UnsafeRawPointer(v.baseAddress!)
            var acc = V(repeating: 0)
            var i = 0
            while i + 16 <= n {
                let x = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                acc += x - x
                i += 16
            }
            var tail: Float = acc.sum()
            while i < n { tail += v[i] - v[i]; i += 1 }
            return tail == 0
        }
    }

    private func rollback() throws {
        guard !goodValues.isEmpty else { return }
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
