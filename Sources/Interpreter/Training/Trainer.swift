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
//
// Stopping: the host's cancel and the time limit are seen between batches and, through the
// network's stop signal, at every time step inside one; a step stopped half-way throws before
// the optimizer runs, so the weights are those of the last finished step either way. The
// optimizer's state and the snapshots are claimed in the interpreter's memory budget for the
// run (each batch's activations are claimed by the network itself).

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
    /// The weights of the best epoch so far, when early stopping restores them.
    private var bestValues: [Float] = []
    /// What the throughput counts (samples, words, symbols).
    let unit: ThroughputUnit

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
        unit = ThroughputUnit.of(trained)
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
        let workers = try Trainer.workers(at: keyword)
        let held = try claimTrainingMemory()
        defer { session.memory?.release(held) }
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
            var bar = EpochProgressBar(epoch: epoch, epochs: totalEpochs, steps: stepsPerEpoch, unit: unit)
            for b in 0..<stepsPerEpoch {
                if let limit = plan.steps, state.step >= limit { break }
                if b == 0 || state.step - goodStep >= Trainer.snapshotInterval { takeSnapshot() }
                let rows: [Int] = plan.stateful ? Array(data.streamRows(b))
                    : Array(order[(b * batchSize)..<min((b + 1) * batchSize, data.count)])
                // Under mpirun each rank trains on its share of the rows (a stateful model: its
                // share of the streams, the same every batch, so each rank carries its own).
                let share = workers.map { Array(rows[$0.share(of: rows.count)]) } ?? rows
                let batch = share.isEmpty ? nil : try NetworkBridge.batch(data.batch(share), for: network)
                let result: NetworkStepResult
                do {
                    result = try step(batch, epoch: epoch, batch: b + 1, workers: workers)
                } catch is StopSignal.Stopped {
                    throw interrupted(epoch: epoch, step: b + 1, finished: false, totals: totals, lr: lr,
                                      started: started, secondsBefore: secondsBefore)
                }
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
                if session.terminal, b + 1 < stepsPerEpoch,
                   let text = bar.redraw(done: b + 1, loss: totals.meanLoss, items: items(totals, steps: b + 1)) {
                    context.output(text)
                }
                if let every = plan.every, state.step % every == 0 {
                    if session.terminal { context.output(EpochProgressBar.erase) }
                    context.output("step \(state.step)  epoch \(epoch)/\(totalEpochs)  \(Figures.line(sinceReport.named(figures)))  lr \(String(format: "%g", lr))\n")
                    sinceReport = EpochTotals()
                }
                do {
                    try context.checkCancelled(at: keyword)
                } catch is Diagnostic {
                    throw interrupted(epoch: epoch, step: b + 1, finished: true, totals: totals, lr: lr,
                                      started: started, secondsBefore: secondsBefore)
                }
            }
            if session.terminal { context.output(EpochProgressBar.erase) }
            if stepsThisEpoch == 0 { break }
            var validation: EpochTotals?
            if let v = request.validation {
                do {
                    validation = try Trainer.evaluate(network, v, batchSize: plan.batch ?? batchSize, at: request.validationRange ?? keyword)
                } catch is StopSignal.Stopped {
                    throw interrupted(epoch: epoch, step: stepsThisEpoch, finished: true, totals: totals, lr: lr,
                                      started: started, secondsBefore: secondsBefore)
                }
                if plan.stateful { network.resetState() }
            }
            state.history.record(train: totals, validation: validation, learningRate: lr)
            state.history.steps = state.step
            state.epochsDone += 1
            let seconds = Date().timeIntervalSince(epochStart)
            state.history.seconds = secondsBefore + Date().timeIntervalSince(started)
            var line = "epoch \(epoch)/\(totalEpochs)  \(Figures.line(totals.named(figures)))"
            if let validation { line += "  " + Figures.line(validation.named(figures, prefix: "val_")) }
            let counted = stepsThisEpoch == stepsPerEpoch && !network.outputIsSequence ? data.count : items(totals, steps: stepsThisEpoch)
            line += "  \(unit.perSecond) \(Figures.rate(Double(counted) / max(seconds, 1e-9)))  \(String(format: "%.1f", seconds))s"
            if plan.quiet != true { context.output(line + "\n") }
            let improved = watch(validation)
            let stop = improved != nil && plan.earlyStop.map { state.epochsWithoutImprovement >= $0.patience } == true
            state.shuffleRandom = session.random.state.text
            state.dropoutRandom = network.randomState.text
            if let path = plan.checkpoint, !plan.checkpointBest || improved == true {
                try ModelFile.writeCheckpoint(self, to: path, at: request.places["checkpoint"] ?? keyword)
            }
            if stop {
                state.history.stoppedEarly = true
                finishEarlyStop(plan.earlyStop!)
                break
            }
        }
        return state.history
    }

    /// The diagnostic of a run stopped by the host or the time limit in `epoch` at `step` (after
    /// it when `finished`, inside it otherwise), with what was trained so far bound to
    /// `history`, marked interrupted.
    private func interrupted(epoch: Int, step: Int, finished: Bool, totals: EpochTotals, lr: Double,
                             started: Date, secondsBefore: Double) -> Diagnostic {
        let keyword = request.keywordRange
        if session.terminal { context.output(EpochProgressBar.erase) }
        var partial = state.history
        partial.record(train: totals, validation: nil, learningRate: lr)
        partial.steps = state.step
        partial.seconds = secondsBefore + Date().timeIntervalSince(started)
        partial.interrupted = true
        partial.completedEpochs = state.epochsDone
        context.define("history", partial.value)
        var reason = Diagnostic.error(.cancelled, at: keyword, "cancelled")
        do { try context.checkCancelled(at: keyword) } catch let d as Diagnostic { reason = d } catch {}
        let place = finished ? "at step \(step) of \(stepsPerEpoch)"
            : "during step \(step) of \(stepsPerEpoch), whose update was not applied"
        return Diagnostic.error(reason.kind, at: keyword,
            "training \(session.stopReason(reason)) in epoch \(epoch) \(place); the weights learned so far are kept",
            hint: "`history` holds the \(state.epochsDone) finished epoch\(state.epochsDone == 1 ? "" : "s") and this one so far (history.interrupted is true)")
    }

    /// Claims what training holds beside the network for the whole run: the optimizer's state,
    /// and the snapshot of the weights and that state (the best epoch's weights too when early
    /// stopping restores them). Returns the bytes claimed.
    private func claimTrainingMemory() throws -> Int {
        guard let budget = session.memory else { return 0 }
        let parameters = network.store.count
        let perParameter: Int
        switch plan.optimizer {
        case .adam: perParameter = 2
        case .sgd: perParameter = plan.momentum != 0 ? 1 : 0
        case .rmsprop, .adagrad: perParameter = 1
        }
        let copies = 2 * perParameter + 1 + (plan.earlyStop?.restoresBest == true ? 1 : 0)
        let bytes = MemorySize.bytes(parameters, copies, of: Float.self)
        try budget.claim(bytes, for: "the \(plan.optimizer) optimizer's state and the snapshots of training \(parameters) parameters")
        return bytes
    }

    /// The ranks of the mpirun job this process belongs to, or nil when it runs alone.
    static func workers(at range: SourceRange) throws -> MPIWorkers? {
        switch MPIWorkers.world {
        case .success(let workers): return workers
        case .failure(let failure):
            throw Diagnostic.error(.runtime, at: range, "cannot train across the mpirun job: \(failure.text)",
                                   hint: "libSeqMPI.so is built beside seqsh by `swift build`; SEQ_MPI_LIBRARY names it elsewhere")
        }
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
    private func step(_ batch: NetworkBatch?, epoch: Int, batch index: Int, workers: MPIWorkers?) throws -> NetworkStepResult {
        let result: NetworkStepResult
        do {
            result = try network.trainStep(batch, optimizer: optimizer, clipNorm: plan.clip.map { Float($0) },
                                           exchange: workers)
        } catch let failure as MPIWorkers.MPIFailure {
            throw Diagnostic.error(.runtime, at: request.keywordRange,
                "training stopped at step \(state.step + 1) (epoch \(epoch), batch \(index)): \(failure.text)")
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

    /// Tracks the watched metric (the early-stop metric, or `val_loss` for `checkpoint PATH
    /// best`) after an epoch: true when it improved, false when not, nil when nothing is watched.
    /// An improvement keeps the weights as the best so far when early stopping restores them.
    private func watch(_ validation: EpochTotals?) -> Bool? {
        guard plan.earlyStop != nil || plan.checkpointBest, let validation else { return nil }
        let metric = plan.earlyStop?.metric ?? "val_loss"
        let value: Double
        switch metric {
        case "val_accuracy": value = validation.accuracy
        case "val_perplexity": value = validation.perplexity
        default: value = validation.meanLoss
        }
        let maximizes = metric == "val_accuracy"
        if let best = state.best, !(maximizes ? value > best : value < best) {
            state.epochsWithoutImprovement += 1
            return false
        }
        state.best = value
        state.bestEpoch = state.epochsDone
        state.epochsWithoutImprovement = 0
        if plan.earlyStop?.restoresBest == true { bestValues = network.store.values }
        return true
    }

    /// Says why training stopped and which epoch was best, and puts its weights back unless
    /// the plan keeps the last ones.
    private func finishEarlyStop(_ rule: TrainPlan.EarlyStop) {
        let patience = "\(rule.patience) epoch\(rule.patience == 1 ? "" : "s")"
        var text = "early stop: \(rule.metric) has not improved for \(patience)"
        if let bestEpoch = state.bestEpoch, let best = state.best {
            state.history.bestEpoch = bestEpoch
            text += "; the best was epoch \(bestEpoch) (\(Figures.label(rule.metric)) \(Figures.short(best)))"
            if !rule.restoresBest {
                text += "; the weights of the last epoch are kept (`keep last`)"
            } else if bestValues.isEmpty {
                text += "; its weights were not kept across `resume`, so the last epoch's are kept"
            } else {
                network.store.values = bestValues
                text += ", whose weights are restored"
            }
        }
        context.output(text + "\n")
    }

    /// What the throughput counts after `steps` steps: predicted symbols of a sequence output,
    /// samples otherwise.
    private func items(_ totals: EpochTotals, steps: Int) -> Int {
        network.outputIsSequence ? totals.count : min(steps * batchSize, data.count)
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
