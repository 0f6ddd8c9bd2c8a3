// Network.swift — a sequential network built from a `NetworkSpec`: its parameters in one
// `ParameterStore`, and the training step, evaluation, prediction and generation that the
// interpreter, the trainer and the benchmark run on.
//
// Batches arrive batch-major (`NetworkBatch`: [B, T] ids, [B, T, F] features, [B] or [B, T]
// targets) and are converted once to the time-major layout the stages run on ([T, B, ·];
// see NetworkStages.swift). Per-step outputs are handed back batch-major ([B, T, C]).
//
// One training step: forward (dropout on, masks drawn from the network's own seeded
// generator) -> loss (from logits for softmax and sigmoid outputs) -> backward -> NaN/inf
// check -> optional global-norm clipping -> optimizer step. A stateful network starts each
// batch from the LSTM states the previous batch (training or evaluation) ended in; no
// gradient flows into that carried state (truncated backpropagation through time).
// Padding: with `lengths`, steps past a sequence's length hold its LSTM state, output zero,
// and are left out of a per-step loss.
// Buffers belong to the stages and are reused while the (batch, time) shape stays the same.
// Limits: with a `MemoryBudget` the parameters are claimed before they are allocated and each
// batch's working memory before it runs (NetworkMemory.swift); `stopSignal` is polled by every
// recurrent layer at each time step and between stages, and a stopped step throws
// `StopSignal.Stopped` before the optimizer changes a weight.

import CKernels
import Foundation

/// A sequential network (embedding, LSTM, GRU, RNN, dense and dropout layers) with its parameters.
package final class Network {
    /// What the network was built from.
    package let spec: NetworkSpec
    /// Every parameter, named as the spec's header describes (`lstm0.weight_ih_l0`, …).
    package let store: ParameterStore
    /// The loss `trainStep` and `evaluate` use.
    package let loss: NetworkLoss
    /// Output values per row (classes for a classifier).
    package let outputSize: Int
    /// True when the output has a time axis ([B, T, C]); false for one output per sequence ([B, C]).
    package let outputIsSequence: Bool

    var stages: [NetworkStage] = []
    /// Draws the dropout masks; seeded from the network's seed, so runs repeat exactly.
    var dropoutRandom: SeededRandom
    /// Reuse the last dropout masks instead of drawing new ones (gradient checks).
    var frozenMasks = false
    /// The carried recurrent states of a stateful network, by stage index: per stacked layer
    /// its state tensors ((h, c) for an LSTM, (h) for a GRU or RNN).
    var carried: [Int: [[Tensor]]] = [:]
    /// The recurrent states of `generateStep`, by stage index.
    var generationStates: [Int: [[Tensor]]] = [:]
    /// The final dense layer's outputs are logits for the loss (softmax/sigmoid left to it).
    let outputsAreLogits: Bool

    // Per-batch buffers, reused while the shape stays the same.
    private var inputBuffer = Tensor(zeros: [0])
    private var rowTargets: [Int32] = []
    private var rowValues = Tensor(zeros: [0])
    private var rowMask: [Float] = []
    var lossGradient = Tensor(zeros: [0])
    /// Multiplies the loss gradient before backward; only the gradient checker's own test
    /// changes it, to prove the checker fails on a wrong gradient.
    var gradientScaleForTesting: Float = 1

    /// Where the parameters and each batch's working memory are claimed (nil: unlimited).
    package let memoryBudget: MemoryBudget?
    /// Bytes claimed in `memoryBudget`: the parameters with their gradients, and the largest
    /// working memory of a training and of an inference batch so far (the layers keep their
    /// buffers at that size).
    var claimedParameters = 0, claimedTraining = 0, claimedInference = 0

    /// Polled at every time step of every recurrent layer and between stages: when it is
    /// raised, `trainStep`, `evaluate`, `predict` and `checkGradients` throw
    /// `StopSignal.Stopped`, the weights and carried state as they were before the call.
    package var stopSignal: StopSignal? {
        didSet {
            for stage in stages {
                switch stage {
                case .recurrent(let s): s.stopSignal = stopSignal
                case .dense(let d): d.stopSignal = stopSignal
                case .embedding, .dropout: break
                }
            }
        }
    }

    /// The buckets of the last overlapping exchange `trainStep` was given (made on first use).
    private var overlap: GradientOverlap?
    /// The hook of the backward pass that runs now (nil outside an overlapping step).
    private var activeOverlap: GradientOverlap?
    /// The fewest floats of a gradient bucket; only tests lower it, to cut at every layer.
    var gradientBucketMinimum = GradientOverlap.minimumBucket

    /// Hands `hook` to the stages that tell it their gradients are final and poll it.
    private func install(_ hook: GradientOverlap?) {
        activeOverlap = hook
        for stage in stages {
            switch stage {
            case .recurrent(let s): s.gradientOverlap = hook
            case .dense(let d): d.gradientOverlap = hook
            case .embedding, .dropout: break
            }
        }
    }

    /// The first offset of each stage's parameters and of each stacked recurrent layer's: where
    /// the backward pass has finished everything above (GradientOverlap.swift).
    var gradientBoundaries: [Int] {
        stages.flatMap { stage -> [Int] in
            switch stage {
            case .embedding(let e, _): return [e.weight.offset]
            case .recurrent(let s): return s.layers.indices.map { s.firstOffset(ofLayer: $0) }
            case .dense(let d): return [d.weight.offset]
            case .dropout: return []
            }
        }
    }

    /// The first offset of stage `k`'s parameters, or nil when it has none.
    private func firstOffset(ofStage k: Int) -> Int? {
        switch stages[k] {
        case .embedding(let e, _): return e.weight.offset
        case .recurrent(let s): return s.firstOffset(ofLayer: 0)
        case .dense(let d): return d.weight.offset
        case .dropout: return nil
        }
    }

    /// Builds the layers of `spec` and initialises their parameters from `seed`.
    /// - Parameter budget: where the parameters (and later each batch's working memory) are
    ///   claimed; checked before anything is allocated.
    /// - Parameter stop: asked while the parameters are drawn (throws `StopSignal.Stopped`).
    /// - Throws: `NetworkError.invalidSpec` naming the layer that does not fit;
    ///   `MemoryLimitExceeded` when the parameters would pass the budget's limit.
    package init(spec: NetworkSpec, seed: UInt64 = 0, budget: MemoryBudget? = nil, stop: StopSignal? = nil) throws {
        let parameterBytes = Network.parameterBytes(spec)
        try budget?.check(parameterBytes, for: "the \(spec.parameterCount) parameters of the network and their gradients")
        memoryBudget = budget
        self.spec = spec
        store = ParameterStore()
        store.values.reserveCapacity(spec.parameterCount)
        store.grads.reserveCapacity(spec.parameterCount)
        loss = spec.resolvedLoss
        dropoutRandom = SeededRandom(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)

        var features: Int
        var sequence = true
        switch spec.input {
        case .tokens(let v):
            guard v > 0 else { throw NetworkError.invalidSpec(layer: nil, message: "the vocabulary must hold at least one token but is \(v)") }
            guard spec.layers.first?.kind == .embedding else {
                throw NetworkError.invalidSpec(layer: 0, message: "token ids need an embedding as the first layer")
            }
            features = 0
        case .features(let f):
            guard f > 0 else { throw NetworkError.invalidSpec(layer: nil, message: "the input needs at least one feature per step but has \(f)") }
            features = f
        }
        var counts: [NetworkLayerKind: Int] = [:]
        var lastDense: Int?
        for (i, layer) in spec.layers.enumerated() {
            let index = counts[layer.kind, default: 0]
            counts[layer.kind] = index + 1
            let name = "\(layer.kind.rawValue)\(index)"
            func fail(_ message: String) -> NetworkError { .invalidSpec(layer: i, message: "\(name): \(message)") }
            guard layer.dropout >= 0, layer.dropout < 1 else {
                throw fail("the dropout rate must be in [0, 1) (the fraction dropped) but is \(layer.dropout)")
            }
            if layer.kind != .dropout, layer.units <= 0 {
                throw fail("the size must be at least 1 but is \(layer.units)")
            }
            switch layer.kind {
            case .embedding:
                guard i == 0, case .tokens(let vocabulary) = spec.input else {
                    throw fail("an embedding must be the first layer of a network that reads token ids")
                }
                let table = Embedding(vocabularySize: vocabulary, width: layer.units, store: store, prefix: name + ".")
                table.trainable = layer.trainable
                stages.append(.embedding(table, try Dropout(rate: layer.dropout)))
                features = layer.units
            case .lstm, .gru, .rnn:
                let what = layer.kind.rawValue.uppercased()
                guard sequence else { throw fail("a\(layer.kind == .rnn ? "n" : "") \(what) needs a sequence, but the layer before it keeps only the last step") }
                guard layer.stack >= 1 else { throw fail("a\(layer.kind == .rnn ? "n" : "") \(what) needs at least 1 stacked layer but has \(layer.stack)") }
                if layer.bidirectional && spec.stateful {
                    throw fail("a bidirectional layer cannot carry its state from batch to batch (stateful): its backward direction reads each sequence from its end")
                }
                stages.append(.recurrent(try RecurrentStack(
                    name: name, cell: layer.kind.recurrentCell!, inputSize: features, hidden: layer.units, stack: layer.stack,
                    bidirectional: layer.bidirectional, activation: layer.activation == .relu ? .relu : .tanh,
                    returnSequences: layer.returnSequences, dropout: layer.dropout, store: store)))
                features = layer.bidirectional ? 2 * layer.units : layer.units
                sequence = layer.returnSequences
            case .dense:
                if sequence && !layer.perStep {
                    throw fail("a dense layer after a sequence must be applied per step, or the LSTM before it must keep only the last step")
                }
                stages.append(.dense(Dense(inputSize: features, outputSize: layer.units, activation: layer.activation,
                                           store: store, prefix: name + ".")))
                features = layer.units
                lastDense = i
            case .dropout:
                stages.append(.dropout(try Dropout(rate: layer.dropout, name: name)))
            }
        }
        guard features > 0, !stages.isEmpty else {
            throw NetworkError.invalidSpec(layer: nil, message: "a network needs at least one layer that produces outputs")
        }
        outputSize = features
        outputIsSequence = sequence
        let lastIsDense = lastDense != nil && spec.layers[(lastDense! + 1)...].allSatisfy { $0.kind == .dropout }
        let finalActivation = lastIsDense ? spec.layers[lastDense!].activation : Activation.none
        switch loss {
        case .crossEntropy:
            outputsAreLogits = lastIsDense && (finalActivation == .softmax || finalActivation == .none)
        case .binaryCrossEntropy:
            outputsAreLogits = lastIsDense && (finalActivation == .sigmoid || finalActivation == .none)
        case .meanSquaredError:
            outputsAreLogits = false
        }
        if (loss == .crossEntropy || loss == .binaryCrossEntropy) && !outputsAreLogits && finalActivation != .none {
            throw NetworkError.invalidSpec(layer: lastDense, message: "a \(finalActivation.rawValue) output cannot train with \(loss.rawValue); use softmax for crossEntropy or sigmoid for binaryCrossEntropy")
        }
        var rng = SeededRandom(seed: seed)
        try initializeParameters(using: &rng, stop: stop)
        if let budget {
            try budget.claim(parameterBytes, for: "the \(spec.parameterCount) parameters of the network and their gradients")
            claimedParameters = parameterBytes
        }
    }

    deinit {
        memoryBudget?.release(claimedParameters + claimedTraining + claimedInference)
    }

    // MARK: - Initialisation

    private func fill(_ slot: ParameterSlot, _ rule: Initializer?, default fallback: Initializer, using rng: inout SeededRandom,
                      stop: StopSignal?) throws {
        if let stop { try (rule ?? fallback).apply(to: slot, in: store, using: &rng, polling: stop) } else { (rule ?? fallback).apply(to: slot, in: store, using: &rng) }
    }

    private func initializeParameters(using rng: inout SeededRandom, stop: StopSignal?) throws {
        // Stages and spec layers correspond one to one, in order.
        for (stage, layer) in zip(stages, spec.layers) {
            switch stage {
            case .embedding(let e, _):
                if let rule = layer.weightInit {
                    try fill(e.weight, rule, default: rule, using: &rng, stop: stop)
                } else if case .uniform(let s) = spec.initialization {
                    try fill(e.weight, nil, default: .uniform(scale: s), using: &rng, stop: stop)
                } else {
                    // PyTorch: normal(0, 1).
                    for i in e.weight.range {
                        if i & 0x3FFFF == 0 { try stop?.check() }
                        store.values[i] = rng.normal()
                    }
                }
            case .recurrent(let s):
                let bound: Float
                if case .uniform(let scale) = spec.initialization { bound = scale } else { bound = 1 / Float(s.hidden).squareRoot() }
                for cell in s.cells {
                    let slots = cell.parameterSlots
                    try fill(slots[0], layer.weightInit, default: .uniform(scale: bound), using: &rng, stop: stop)
                    try fill(slots[1], layer.weightInit, default: .uniform(scale: bound), using: &rng, stop: stop)
                    try fill(slots[2], layer.biasInit, default: .uniform(scale: bound), using: &rng, stop: stop)
                    try fill(slots[3], layer.biasInit, default: .uniform(scale: bound), using: &rng, stop: stop)
                    if let lstm = cell as? LSTMLayer, layer.forgetBias != 0 {
                        try? lstm.setForgetBias(layer.forgetBias, adding: true, in: store)
                    }
                }
            case .dense(let d):
                let bound: Float
                if case .uniform(let scale) = spec.initialization { bound = scale } else { bound = 1 / Float(d.inputSize).squareRoot() }
                try fill(d.weight, layer.weightInit, default: .uniform(scale: bound), using: &rng, stop: stop)
                try fill(d.bias, layer.biasInit, default: .uniform(scale: bound), using: &rng, stop: stop)
            case .dropout:
                break
            }
        }
    }

    // MARK: - State

    /// Forgets the carried recurrent state: the next batch starts from zeros.
    package func resetState() { carried = [:] }

    /// Forgets the generation state: the next `generateStep` starts a new sequence.
    package func resetGenerationState() { generationStates = [:] }

    // MARK: - Forward

    /// Checks `inputs` and `lengths` against the network; returns (B, T).
    private func check(_ inputs: NetworkInputs, lengths: [Int]?) throws -> (Int, Int) {
        let B = inputs.batch, T = inputs.steps
        guard B > 0, T > 0 else { throw NetworkError.badBatch("expected at least one sequence of at least one step but got batch \(B), steps \(T)") }
        switch (inputs, spec.input) {
        case (.tokens(let ids, _, _), .tokens):
            guard ids.count == B * T else { throw NetworkError.badBatch("expected \(B) x \(T) = \(B * T) token ids but got \(ids.count)") }
        case (.features(let xs, _, _, let f), .features(let want)):
            guard f == want else { throw NetworkError.badBatch("expected [batch, time, feature \(want)] but the data gives [batch, time, feature \(f)]") }
            guard xs.count == B * T * f else { throw NetworkError.badBatch("expected \(B) x \(T) x \(f) = \(B * T * f) feature values but got \(xs.count)") }
        case (.tokens, .features(let f)):
            throw NetworkError.badBatch("expected float features (\(f) per step) but got token ids")
        case (.features, .tokens):
            throw NetworkError.badBatch("expected token ids but got float features")
        }
        if let lengths {
            guard lengths.count == B else { throw NetworkError.badBatch("expected \(B) lengths (one per sequence) but got \(lengths.count)") }
            if let b = lengths.firstIndex(where: { $0 < 1 || $0 > T }) {
                throw NetworkError.badBatch("the length of sequence \(b) is \(lengths[b]) but must be in 1...\(T)")
            }
        }
        return (B, T)
    }

    /// Runs every stage; returns the last stage's output, time-major (logits when
    /// `outputsAreLogits`). `stateful` starts from and updates the carried state.
    func runForward(_ inputs: NetworkInputs, lengths: [Int]?, training: Bool, stateful: Bool) throws -> Tensor {
        let (B, T) = try check(inputs, lengths: lengths)
        try reserveWorkingMemory(batch: B, steps: T, training: training)
        try stopSignal.check()
        var flow: Tensor
        var first = 0
        switch inputs {
        case .tokens(let ids, _, _):
            guard case .embedding(let e, let dropout) = stages[0] else { preconditionFailure("token input without an embedding") }
            do {
                flow = try e.forward(tokens: ids, batch: B, steps: T, store: store)
            } catch let error as TensorError {
                throw NetworkError.badBatch(error.message)
            }
            flow = try dropout.forward(flow, training: training, reusingLastMask: frozenMasks, using: &dropoutRandom)
            first = 1
        case .features(let xs, _, _, let F):
            networkReuse(&inputBuffer, [T, B, F])
            try xs.withUnsafeBufferPointer { src in
                try inputBuffer.scalars.withUnsafeMutableBufferPointer { dst in
                    for b in 0..<B {
                        for t in 0..<T {
                            let s = src.baseAddress! + (b * T + t) * F, d = dst.baseAddress! + (t * B + b) * F
                            for j in 0..<F {
                                guard s[j].isFinite else {
                                    throw NetworkError.badBatch("feature \(j) of sequence \(b) at step \(t) is \(s[j]), not a finite number")
                                }
                                d[j] = s[j]
                            }
                        }
                    }
                }
            }
            flow = inputBuffer
        }
        for k in first..<stages.count {
            try stopSignal.check()
            switch stages[k] {
            case .embedding:
                preconditionFailure("an embedding after the first layer")
            case .recurrent(let s):
                var initial = stateful ? carried[k] : nil
                if let c = initial, c.first?.first?.shape[0] != B { initial = nil }
                flow = try s.forward(flow, lengths: lengths, training: training, initial: initial,
                                     frozenMasks: frozenMasks, store: store, rng: &dropoutRandom)
                if stateful { carried[k] = s.finalStates }
            case .dense(let d):
                flow = try d.forward(flow, store: store, applyingActivation: !(outputsAreLogits && k == lastDenseStage))
            case .dropout(let d):
                flow = try d.forward(flow, training: training, reusingLastMask: frozenMasks, using: &dropoutRandom)
            }
        }
        return flow
    }

    private var lastDenseStage: Int {
        stages.lastIndex { if case .dense = $0 { return true } else { return false } } ?? -1
    }

    // MARK: - Loss

    /// The loss of `output` (time-major) against batch-major `targets`, with the gradient by
    /// the output written into `lossGradient` when `gradient` is true.
    func computeLoss(_ output: Tensor, _ targets: NetworkTargets, lengths: [Int]?, batch B: Int, steps T: Int,
                             gradient: Bool) throws -> (result: NetworkStepResult, value: Double) {
        let perStep = output.rank == 3
        let C = outputSize, rows = perStep ? T * B : B
        // Row r of the output is (t, b) = (r / B, r % B) per step, or b per sequence.
        @inline(__always) func source(_ r: Int) -> Int { perStep ? (r % B) * T + r / B : r }
        var mask: [Float]?
        if perStep, let lengths {
            if rowMask.count != rows { rowMask = [Float](repeating: 0, count: rows) }
            for r in 0..<rows { rowMask[r] = r / B < lengths[r % B] ? 1 : 0 }
            mask = rowMask
        }
        let where_ = { (r: Int) in perStep ? "sequence \(r % B) at step \(r / B)" : "sequence \(r)" }
        let reduction: LossReduction = spec.reduction == .mean ? .mean : .sumOverStepsMeanOverBatch(batch: B)
        switch loss {
        case .crossEntropy:
            guard case .classes(let classes) = targets else {
                throw NetworkError.badBatch("cross-entropy needs integer class targets but got float values")
            }
            guard classes.count == rows else {
                throw NetworkError.badBatch("expected \(rows) class targets (\(perStep ? "[batch \(B), time \(T)]" : "one per sequence")) but got \(classes.count)")
            }
            if rowTargets.count != rows { rowTargets = [Int32](repeating: 0, count: rows) }
            var counted = 0
            for r in 0..<rows {
                let t = classes[source(r)]
                rowTargets[r] = t
                if mask?[r] == 0 { rowTargets[r] = 0; continue }
                guard t >= 0, Int(t) < C else {
                    throw NetworkError.badBatch("target \(t) of \(where_(r)) is not a class id in 0..<\(C)")
                }
                counted += 1
            }
            let scale = try Loss.scale(reduction, counted: counted, operation: "cross-entropy")
            if gradient { networkReuse(&lossGradient, output.shape) }
            let (total, correct) = output.scalars.withUnsafeBufferPointer { z in
                rowTargets.withUnsafeBufferPointer { t in
                    withOptional(mask) { m in
                        gradient
                            ? lossGradient.scalars.withUnsafeMutableBufferPointer { g in
                                NetworkLossKernels.softmaxCrossEntropy(logits: z.baseAddress!, targets: t.baseAddress!, mask: m,
                                                                      rows: rows, classes: C, scale: scale, grad: g.baseAddress!)
                            }
                            : NetworkLossKernels.softmaxCrossEntropy(logits: z.baseAddress!, targets: t.baseAddress!, mask: m,
                                                                    rows: rows, classes: C, scale: scale, grad: nil)
                    }
                }
            }
            let result = NetworkStepResult(loss: Float(total / scale), lossSum: total, correct: correct, count: counted)
            return (result, total / scale)
        case .binaryCrossEntropy, .meanSquaredError:
            guard case .values(let values) = targets else {
                throw NetworkError.badBatch("\(loss == .binaryCrossEntropy ? "binary cross-entropy" : "squared error") needs float targets but got class ids")
            }
            guard values.count == rows * C else {
                throw NetworkError.badBatch("expected \(rows * C) target values (\(perStep ? "[batch \(B), time \(T), \(C)]" : "[batch \(B), \(C)]")) but got \(values.count)")
            }
            networkReuse(&rowValues, output.shape)
            for r in 0..<rows {
                let s = source(r) * C
                for j in 0..<C {
                    let v = values[s + j]
                    guard v.isFinite else { throw NetworkError.badBatch("target value \(j) of \(where_(r)) is \(v), not a finite number") }
                    rowValues.scalars[r * C + j] = v
                }
            }
            let r: LossResult
            var correct = 0
            if loss == .binaryCrossEntropy {
                r = try Loss.sigmoidBinaryCrossEntropy(logits: output, targets: rowValues, mask: mask, reduction: reduction)
                correct = try Metrics.binaryAccuracy(outputs: output, targets: rowValues, mask: mask, fromLogits: outputsAreLogits).correct
            } else {
                r = try Loss.meanSquaredError(predictions: output, targets: rowValues, mask: mask, reduction: reduction)
            }
            if gradient { lossGradient = r.gradient }
            let scale = try Loss.scale(reduction, counted: r.counted, operation: "loss")
            return (NetworkStepResult(loss: r.loss, lossSum: r.total, correct: correct, count: r.counted), r.total / scale)
        }
    }

    // MARK: - Training and evaluation

    /// One training step: forward with dropout, loss, backward, optional clipping to global
    /// norm `clipNorm`, then `optimizer.step`.
    /// - Returns: the loss, correct and counted rows, and the gradient norm before clipping.
    /// - Throws: `NetworkError.badBatch` for a batch that does not fit; `NetworkError.nonFinite`
    ///   naming the first layer (and time step) that went NaN or infinite — the parameters are
    ///   then left as they were before the step, and so is the carried state.
    /// With an `exchange` (data-parallel training) `batch` is this worker's share of the
    /// global batch, or nil when the share is empty; the gradients, losses and counts are
    /// summed over the workers before clipping, and the result describes the whole batch. An
    /// exchange that `overlapsBackward` sums the gradients in buckets while the backward pass
    /// runs (GradientOverlap.swift), with the same result.
    package func trainStep(_ batch: NetworkBatch?, optimizer: Optimizer, clipNorm: Float? = nil,
                          exchange: GradientExchange? = nil) throws -> NetworkStepResult {
        let savedState = carried
        var hook: GradientOverlap?
        if let exchange, exchange.overlapsBackward {
            if overlap == nil || overlap!.exchange !== exchange {
                overlap = GradientOverlap(store: store, boundaries: gradientBoundaries, exchange: exchange,
                                          minimumBucket: gradientBucketMinimum)
            }
            hook = overlap
            hook!.reset()
        }
        defer { if hook != nil { install(nil) } }
        do {
            store.zeroGrads()
            var result = NetworkStepResult(loss: 0, lossSum: 0, correct: 0, count: 0)
            var denominator = 0.0
            // With an exchange, a failure here must still reach the sum (the other workers wait
            // in it); it is raised on every worker after the flags are added up.
            var failure: Error?
            if let batch {
                do {
                    guard let targets = batch.targets else { throw NetworkError.badBatch("training needs targets but the batch has none") }
                    let output = try runForward(batch.inputs, lengths: batch.lengths, training: true, stateful: spec.stateful)
                    (result, _) = try computeLoss(output, targets, lengths: batch.lengths, batch: batch.inputs.batch,
                                                  steps: batch.inputs.steps, gradient: true)
                    guard result.loss.isFinite else { throw nonFiniteForward(loss: result.loss) }
                    denominator = spec.reduction == .mean ? Double(max(result.count, 1)) : Double(batch.inputs.batch)
                    if let hook {
                        hook.begin(scale: Float(denominator))
                        install(hook)
                    }
                    try runBackward(lossGradient)
                } catch {
                    guard exchange != nil else { throw error }
                    failure = error
                }
            } else if exchange == nil {
                throw NetworkError.badBatch("training needs a batch")
            }
            if let exchange {
                try combine(&result, denominator: denominator, failure: failure, exchange, overlap: hook)
            } else {
                try stopSignal.check()   // the last moment a stop leaves the weights as they were
            }
            let norm = gradientNorm()
            guard norm.isFinite else { throw nonFiniteGradient() }
            if let clipNorm, norm > Double(clipNorm) {
                let k = Float(Double(clipNorm) / norm)
                store.grads.withUnsafeMutableBufferPointer { g in
                    for i in 0..<g.count { g[i] *= k }
                }
            }
            optimizer.step(store)
            result.gradientNorm = Float(norm)
            return result
        } catch {
            carried = savedState
            throw error
        }
    }

    /// Adds up the workers' step: the failure flags, loss sums and counts, then the gradients
    /// weighted by each worker's loss denominator (GradientExchange.swift has the formula).
    /// With `overlap` the gradients' sums were started during the backward pass: the buckets
    /// left are started (all of them on a worker whose share failed, so that every worker starts
    /// the same sums), the figures summed, and the buckets waited for.
    private func combine(_ result: inout NetworkStepResult, denominator: Double, failure: Error?,
                         _ exchange: GradientExchange, overlap: GradientOverlap?) throws {
        if let overlap {
            if !overlap.hasBegun { overlap.begin(scale: Float(denominator)) }
            overlap.startRemaining()
        }
        var figures: [Double] = [failure == nil ? 0 : 1, result.lossSum, Double(result.correct),
                                 Double(result.count), denominator]
        try figures.withUnsafeMutableBufferPointer { try exchange.sum($0) }
        try overlap?.wait()
        if let failure { throw failure }
        guard figures[0] == 0 else {
            throw NetworkError.badBatch("another worker's share of the batch failed (its own message names the place); no worker updated its weights")
        }
        let total = max(figures[4], 1)
        try store.grads.withUnsafeMutableBufferPointer { g in
            if overlap == nil {
                let own = Float(denominator)
                for i in 0..<g.count { g[i] *= own }
                try exchange.sum(g)
            }
            let k = Float(1 / total)
            for i in 0..<g.count { g[i] *= k }
        }
        result.lossSum = figures[1]
        result.correct = Int(figures[2])
        result.count = Int(figures[3])
        result.loss = Float(figures[1] / total)
    }

    /// The loss and accuracy of a batch without training (dropout off). A stateful network
    /// starts from, and advances, the carried state.
    package func evaluate(_ batch: NetworkBatch) throws -> NetworkStepResult {
        guard let targets = batch.targets else { throw NetworkError.badBatch("evaluation needs targets but the batch has none") }
        let output = try runForward(batch.inputs, lengths: batch.lengths, training: false, stateful: spec.stateful)
        let (result, _) = try computeLoss(output, targets, lengths: batch.lengths, batch: batch.inputs.batch,
                                          steps: batch.inputs.steps, gradient: false)
        guard result.loss.isFinite else { throw nonFiniteForward(loss: result.loss) }
        return result
    }

    /// The network's outputs for `inputs`, batch-major: probabilities for a softmax or
    /// sigmoid output, the values otherwise; [B, C], or [B, T, C] for per-step outputs.
    /// Dropout is off; the carried state is neither used nor changed.
    package func predict(_ inputs: NetworkInputs, lengths: [Int]? = nil) throws -> Tensor {
        let output = try runForward(inputs, lengths: lengths, training: false, stateful: false)
        return batchMajorProbabilities(output, batch: inputs.batch, steps: inputs.steps)
    }

    /// What `predict` applies to the final dense layer's logits — softmax under cross-entropy,
    /// sigmoid under binary cross-entropy — or nil when that layer's own output is the prediction.
    package var logitActivation: Activation? {
        outputsAreLogits ? (loss == .crossEntropy ? .softmax : .sigmoid) : nil
    }

    private func batchMajorProbabilities(_ output: Tensor, batch B: Int, steps T: Int) -> Tensor {
        let C = outputSize
        var probs = Tensor(zeros: output.rank == 3 ? [B, T, C] : [B, C])
        let rows = output.count / C
        output.scalars.withUnsafeBufferPointer { z in
            probs.scalars.withUnsafeMutableBufferPointer { p in
                for r in 0..<rows {
                    let dst = output.rank == 3 ? ((r % B) * T + r / B) * C : r * C
                    (p.baseAddress! + dst).update(from: z.baseAddress! + r * C, count: C)
                }
                if let activation = logitActivation {
                    activation.forward(p.baseAddress!, p.baseAddress!, rows: rows, columns: C)
                }
            }
        }
        return probs
    }

    func runBackward(_ gradient: Tensor) throws {
        var d: Tensor? = gradient
        if gradientScaleForTesting != 1 {
            d = try Tensor(shape: gradient.shape, scalars: gradient.scalars.map { $0 * gradientScaleForTesting })
        }
        for k in stride(from: stages.count - 1, through: 0, by: -1) {
            guard let dy = d else { break }
            try stopSignal.check()
            switch stages[k] {
            case .embedding(let e, let dropout):
                try e.backward(try dropout.backward(dy), store: store)
                d = nil
            case .recurrent(let s):
                d = try s.backward(dy, store: store)
            case .dense(let s):
                d = try s.backward(dy, store: store, needsInputGradient: k > 0 && needsGradient(below: k))
            case .dropout(let s):
                d = try s.backward(dy)
            }
            if let hook = activeOverlap, let offset = firstOffset(ofStage: k) { hook.final(from: offset) }
        }
    }

    /// Whether some stage before `k` has parameters to train.
    private func needsGradient(below k: Int) -> Bool {
        stages[..<k].contains {
            switch $0 {
            case .embedding(let e, _): return e.trainable
            case .dropout: return false
            default: return true
            }
        }
    }

    /// √(Σ g²) over every gradient: Float lanes within blocks, blocks summed in Double
    /// (CKernels/Norms.c).
    func gradientNorm() -> Double {
        store.grads.withUnsafeBufferPointer { g in
            g.isEmpty ? 0 : seq_sum_squares(g.baseAddress!, g.count).squareRoot()
        }
    }

    // MARK: - Non-finite values

    /// Names the first stage whose forward output is not finite (and its time step), or the loss.
    private func nonFiniteForward(loss: Float) -> NetworkError {
        firstNonFiniteOutput() ?? .nonFinite(layer: "loss", step: nil, detail: "the loss is \(loss) although every layer's output is finite")
    }

    /// The first stage whose last forward output holds a NaN or infinity.
    private func firstNonFiniteOutput() -> NetworkError? {
        for stage in stages {
            switch stage {
            case .embedding(let e, _):
                if let t = e.firstNonFiniteStep() {
                    return .nonFinite(layer: e.name, step: t, detail: "the embedding rows looked up are not finite (\(e.weight.name))")
                }
            case .recurrent(let s):
                if let (l, t) = s.firstNonFinite() {
                    return .nonFinite(layer: s.name, step: t, detail: "the output of stacked layer \(l) (parameters \(s.name).*_l\(l)) first became non-finite")
                }
            case .dense(let d):
                let z = d.preActivation
                if let i = z.scalars.firstIndex(where: { !$0.isFinite }) {
                    let step = z.rank == 3 ? i / (z.shape[1] * z.shape[2]) : nil
                    return .nonFinite(layer: d.name, step: step, detail: "the dense output became non-finite")
                }
            case .dropout:
                break
            }
        }
        return nil
    }

    /// Names the first layer whose output went non-finite (a saturated LSTM can keep the loss
    /// finite), else the last layer (the first one backward reaches) with a non-finite gradient.
    private func nonFiniteGradient() -> NetworkError {
        if let error = firstNonFiniteOutput() { return error }
        for slot in store.slots.reversed() where store.grads[slot.range].contains(where: { !$0.isFinite }) {
            let layer = String(slot.name.prefix { $0 != "." })
            return .nonFinite(layer: layer, step: nil, detail: "the gradient of \(slot.name) became non-finite in the backward pass")
        }
        return .nonFinite(layer: "gradients", step: nil, detail: "the gradient norm overflowed")
    }

    // MARK: - Generation

    /// Feeds one token to a batch-1 copy of the network's state and returns the output
    /// after it (probabilities for a softmax or sigmoid output), keeping the LSTM state for
    /// the next call. `resetGenerationState()` starts over. Dropout is off.
    package func generateStep(token: Int32) throws -> [Float] {
        try generateStep(.tokens([token], batch: 1, steps: 1))
    }

    /// Feeds one step of `features` values, like `generateStep(token:)`.
    package func generateStep(features: [Float]) throws -> [Float] {
        guard case .features(let f) = spec.input else {
            throw NetworkError.badBatch("expected a token id but got float features")
        }
        return try generateStep(.features(features, batch: 1, steps: 1, features: f))
    }

    private func generateStep(_ inputs: NetworkInputs) throws -> [Float] {
        if let layer = spec.layers.first(where: \.bidirectional) {
            throw NetworkError.badBatch("a bidirectional \(layer.kind.rawValue) cannot run one step at a time: its backward direction needs the whole sequence before its first output")
        }
        // The generation state is the carried state of a batch-1 run.
        let training = carried
        carried = generationStates
        defer {
            generationStates = carried
            carried = training
        }
        let output = try runForward(inputs, lengths: nil, training: false, stateful: true)
        let probs = batchMajorProbabilities(output, batch: 1, steps: 1)
        guard probs.isFinite else { throw nonFiniteForward(loss: .nan) }
        return probs.scalars
    }
}

@inline(__always)
func withOptional<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress!) }
}
