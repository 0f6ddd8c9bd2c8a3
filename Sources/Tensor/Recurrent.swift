// Recurrent.swift — what the recurrent layers (LSTMLayer, GRULayer, RNNLayer) have in common:
// the `RecurrentLayer` protocol a stack or a bidirectional pair runs them through, the checks of
// their arguments, and the per-step recurrent products on preallocated buffers.
//
// Legend: T time steps, B batch, I input features, H hidden units, G fused gate rows
// (LSTM 4H, GRU 3H, RNN H). Every layer is time-major: x [T, B, I] -> y [T, B, H], state [B, H].
// A sequence past its length holds its state and outputs zero, so its last valid output is its
// final h (`lastOutput`).
//
// Reversed (the backward direction of a bidirectional layer): the cell walks time from T − 1
// down to 0 over the same buffers, x and y in their own order. A row is held while t ≥ L_b —
// before its first step now, at its initial state, with zero output — so each sequence starts
// at its own last real step and padding never changes a result; its final h is its output at
// step 0. No sequence is copied reversed (`TimeWalk` is the order and the state slots).

import CKernels

/// One recurrent layer as a stack runs it, whatever its cell. The state is a list of [B, H]
/// tensors: (h, c) for an LSTM, (h) for a GRU or an RNN.
package protocol RecurrentLayer: AnyObject {
    /// I, the features per input step.
    var inputSize: Int { get }
    /// H, the hidden units (and output features).
    var hiddenSize: Int { get }
    /// The layer's parameters in PyTorch's order (weight_ih, weight_hh, bias_ih, bias_hh).
    var parameterSlots: [ParameterSlot] { get }
    /// The state tensors after the last forward pass, each [B, H].
    var stateTensors: [Tensor] { get }
    /// The output at each sequence's last valid step of the last forward pass, [B, H].
    var lastOutput: Tensor { get }
    /// Polled at every time step of a pass: when raised, the pass stops and throws
    /// `StopSignal.Stopped` without changing its final state (nil: never).
    var stopSignal: StopSignal? { get set }
    /// Polled every few time steps of a backward pass while gradient sums are pending
    /// (GradientOverlap.swift; nil: never).
    var gradientOverlap: GradientOverlap? { get set }
    /// x [T, B, I] -> y [T, B, H], from `initialState` (zeros when nil; the layout of
    /// `stateTensors`); `reversed`: read each sequence from its last real step back to its first.
    func forward(_ input: Tensor, lengths: [Int]?, initialStateTensors: [Tensor]?,
                 in store: ParameterStore, mode: LSTMMode, reversed: Bool) throws -> Tensor
    /// dL/dy [T, B, H] and/or dL/d`lastOutput` [B, H] -> dL/dx [T, B, I] through the last
    /// training pass (in its direction); parameter gradients are added to `store.grads`. No
    /// gradient flows into the initial state when `initialStateGradient` is false.
    func backwardInput(dOutputs: Tensor?, dLast: Tensor?, in store: ParameterStore,
                       initialStateGradient: Bool) throws -> Tensor
}

extension RecurrentLayer {
    /// The forward pass in time order.
    package func forward(_ input: Tensor, lengths: [Int]?, initialStateTensors: [Tensor]?,
                        in store: ParameterStore, mode: LSTMMode) throws -> Tensor {
        try forward(input, lengths: lengths, initialStateTensors: initialStateTensors, in: store, mode: mode, reversed: false)
    }
}

extension LSTMLayer: RecurrentLayer {
    package var stateTensors: [Tensor] { [finalState.h, finalState.c] }

    package func forward(_ input: Tensor, lengths: [Int]?, initialStateTensors: [Tensor]?,
                        in store: ParameterStore, mode: LSTMMode, reversed: Bool) throws -> Tensor {
        let initial = initialStateTensors.map { s -> LSTMState in
            s.count == 2 ? LSTMState(h: s[0], c: s[1]) : LSTMState(h: s.first ?? Tensor(zeros: [0]), c: Tensor(zeros: [0]))
        }
        return try forward(input, lengths: lengths, initialState: initial, in: store, mode: mode, reversed: reversed)
    }

    package func backwardInput(dOutputs: Tensor?, dLast: Tensor?, in store: ParameterStore,
                              initialStateGradient: Bool) throws -> Tensor {
        try backward(dOutputs: dOutputs, dLast: dLast, in: store, initialStateGradient: initialStateGradient).dInput
    }
}

/// The order a cell's time loop walks in and where it keeps its states: slot s of the [slots, B, H]
/// state buffers holds the state between steps. Forward, step t reads slot t and writes t + 1
/// (slot 0 is the initial state, slot T the final one); reversed, step t reads t + 1 and writes
/// t (slot T initial, slot 0 final), so the states before each step, in time order, are slots
/// 0 ..< T or 1 ... T — what the weight gradients read. Inference keeps two slots (s mod 2).
struct TimeWalk {
    let steps: Int
    let reversed: Bool
    /// Training keeps every step's state (T + 1 slots), inference two.
    let keepsAll: Bool

    /// How many state slots the pass needs.
    var slots: Int { keepsAll ? steps + 1 : 2 }
    /// The time step processed n-th (n = 0 first).
    @inline(__always) func time(_ n: Int) -> Int { reversed ? steps - 1 - n : n }
    /// The slot holding the state step t starts from.
    @inline(__always) func readSlot(_ t: Int) -> Int { slot(reversed ? t + 1 : t) }
    /// The slot step t writes its state to.
    @inline(__always) func writeSlot(_ t: Int) -> Int { slot(reversed ? t : t + 1) }
    /// The initial state's slot, and the final state's.
    var initialSlot: Int { readSlot(time(0)) }
    var finalSlot: Int { writeSlot(time(steps - 1)) }
    /// The first of the T slots that hold each step's previous state in time order (training).
    var previousStatesSlot: Int { reversed ? 1 : 0 }

    @inline(__always) private func slot(_ s: Int) -> Int { keepsAll ? s : s & 1 }
}

/// Argument checks and buffer helpers every recurrent layer uses.
enum Recurrent {
    /// The four names of one layer's parameters: `{prefix}weight_ih_l{k}{suffix}`, … in
    /// PyTorch's order; `suffix` is `_reverse` for the backward direction of a bidirectional layer.
    static func parameterNames(prefix: String, layerIndex k: Int, suffix: String) -> [String] {
        ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map { "\(prefix)\($0)_l\(k)\(suffix)" }
    }

    /// Registers a layer's four parameters ([G, I], [G, H], [G], [G]) in `store`.
    static func register(_ op: String, inputSize: Int, hiddenSize: Int, gateRows G: Int, layerIndex: Int,
                         prefix: String, suffix: String, in store: ParameterStore) throws -> [ParameterSlot] {
        guard inputSize > 0, hiddenSize > 0 else {
            throw TensorError(op, "expected positive input and hidden sizes but got input \(inputSize), hidden \(hiddenSize)")
        }
        guard layerIndex >= 0 else {
            throw TensorError(op, "expected a layer index of 0 or more but got \(layerIndex)")
        }
        let names = parameterNames(prefix: prefix, layerIndex: layerIndex, suffix: suffix)
        if let taken = names.first(where: { store.slot(named: $0) != nil }) {
            throw TensorError(op, "parameter '\(taken)' is already in the store; give each layer of a stack its own index and each stack its own name prefix")
        }
        return [store.add(names[0], shape: [G, inputSize]), store.add(names[1], shape: [G, hiddenSize]),
                store.add(names[2], shape: [G]), store.add(names[3], shape: [G])]
    }

    static func checkStore(_ slots: [ParameterSlot], _ store: ParameterStore, _ op: String) throws {
        for slot in slots where store.slot(named: slot.name) != slot {
            throw TensorError(op, "expected the parameter store holding '\(slot.name)' \(slot.shape) but this store does not; pass the store the layer was built in")
        }
    }

    static func checkInput(_ input: Tensor, inputSize: Int, _ op: String) throws {
        guard input.rank == 3, input.shape[2] == inputSize, input.shape[0] > 0, input.shape[1] > 0 else {
            throw TensorError(op, "expected input [time, batch, feature \(inputSize)] with time and batch at least 1 but got \(input.shape)")
        }
    }

    static func checkLengths(_ lengths: [Int], steps T: Int, batch B: Int, _ op: String) throws {
        guard lengths.count == B else {
            throw TensorError(op, "expected \(B) sequence lengths (one per batch entry) but got \(lengths.count)")
        }
        if let b = lengths.firstIndex(where: { $0 < 0 || $0 > T }) {
            throw TensorError(op, "expected sequence lengths in 0...\(T) but sequence \(b) has length \(lengths[b])")
        }
    }

    static func checkState(_ h: Tensor, batch B: Int, hidden H: Int, _ op: String, _ what: String) throws {
        guard h.shape == [B, H] else { throw TensorError.shape("\(op) (\(what))", expected: [B, H], got: h.shape) }
    }

    /// The gradients a GRU or RNN backward pass takes: dOutputs [T, B, H], dLast and dFinalState [B, H].
    static func checkGradients(dOutputs: Tensor?, dLast: Tensor?, dFinalState: Tensor?, steps T: Int, batch B: Int,
                               hidden H: Int, _ op: String) throws {
        if let d = dOutputs, d.shape != [T, B, H] { throw TensorError.shape(op + " (dOutputs)", expected: [T, B, H], got: d.shape) }
        if let d = dLast { try checkState(d, batch: B, hidden: H, op, "dLast") }
        if let d = dFinalState { try checkState(d, batch: B, hidden: H, op, "dFinalState") }
    }

    static func withOptionalLengths<R>(_ lengths: [Int]?, _ body: (UnsafePointer<Int>?) -> R) -> R {
        guard let lengths else { return body(nil) }
        return lengths.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    static func withOptionalScalars<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let t else { return body(nil) }
        return t.scalars.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Packs `w` [rows, columns] (or its transpose, [columns, rows]) as the right-hand side
    /// of `seq_gemm_acc_packed` into `scratch` and returns it.
    static func pack(_ w: UnsafePointer<Float>, rows: Int, columns: Int, transposed: Bool,
                     into scratch: LSTMScratch) -> UnsafePointer<Float> {
        let k = transposed ? columns : rows, n = transposed ? rows : columns
        scratch.reserve(seq_gemm_packed_size(k, n))
        seq_gemm_pack(k, n, w, columns, transposed ? 1 : 0, scratch.pointer)
        return UnsafePointer(scratch.pointer)
    }

    /// The time loop of a forward pass, the skeleton every cell runs: with `split` each thread
    /// takes its own rows of the batch for the whole loop (RowSplit.swift), otherwise one
    /// thread takes them all; `step(t, b0, nb)` runs step t for rows b0 ..< b0 + nb, in the
    /// walk's order. `step` may only write its own rows. Each thread polls `stop` before every
    /// step and leaves the loop when it is raised (the caller then throws).
    @inline(__always)
    static func forwardLoop(batch B: Int, split: Bool, walk: TimeWalk, polling stop: StopSignal?,
                            _ step: (_ t: Int, _ b0: Int, _ nb: Int) -> Void) {
        RowSplit.run(rows: split ? B : 1) { part in
            let rows = split ? part : 0..<B
            for n in 0..<walk.steps {
                if stop.isRaised { break }
                step(walk.time(n), rows.lowerBound, rows.count)
            }
        }
    }

    /// The backward twin of `forwardLoop`: the same rows per thread, the walk's order backwards;
    /// `first` is true for the step the forward ran first (the one whose dh_{t−1} is dL/dh0).
    /// The thread of the first rows polls `overlap` every `GradientOverlap.stepsPerPoll` steps.
    @inline(__always)
    static func backwardLoop(batch B: Int, split: Bool, walk: TimeWalk, polling stop: StopSignal?,
                             overlap: GradientOverlap?,
                             _ step: (_ t: Int, _ b0: Int, _ nb: Int, _ first: Bool) -> Void) {
        RowSplit.run(rows: split ? B : 1) { part in
            let rows = split ? part : 0..<B
            let poller = rows.lowerBound == 0 ? overlap : nil
            for n in stride(from: walk.steps - 1, through: 0, by: -1) {
                if stop.isRaised { break }
                if let poller, n % GradientOverlap.stepsPerPoll == 0 { poller.poll() }
                step(walk.time(n), rows.lowerBound, rows.count, n == 0)
            }
        }
    }

    /// The input side of a forward pass. When the batch is split (`split`) and W_ih [G, I] is
    /// small enough to stay in cache beside W_hh (`LSTMLayer.perStepInputWeights`), W_ihᵀ is
    /// packed into `scratch` and returned: each step computes its rows' products itself
    /// (`setInputProduct`) while its slice of `gates` is in cache. Otherwise one GEMM writes
    /// gates[T·B, G] = x[T·B, I] W_ihᵀ for all steps now, and nil is returned.
    static func prepareInputProducts(split: Bool, x: UnsafePointer<Float>, wih: UnsafePointer<Float>, rows: Int,
                                     gateRows G: Int, inputSize I: Int, gates: UnsafeMutablePointer<Float>,
                                     into scratch: LSTMScratch, polling stop: StopSignal?) -> UnsafePointer<Float>? {
        if split && I * G <= LSTMLayer.perStepInputWeights {
            return pack(wih, rows: G, columns: I, transposed: true, into: scratch)
        }
        BLAS.gemm(polling: stop, transB: true, m: rows, n: G, k: I, a: x, b: wih, c: gates)
        return nil
    }

    /// a[nb, G] = x_t[nb, I] W_ihᵀ on W_ihᵀ packed by `prepareInputProducts` (nothing when it
    /// returned nil: the products are in `gates` already).
    @inline(__always)
    static func setInputProduct(rows nb: Int, gateRows G: Int, inputSize I: Int, x: UnsafePointer<Float>,
                                packedT: UnsafePointer<Float>?, into a: UnsafeMutablePointer<Float>) {
        guard let packedT else { return }
        a.update(repeating: 0, count: nb * G)
        seq_gemm_acc_packed(nb, G, I, x, I, packedT, a, G)
    }

    /// out[nb, G] += h[nb, H] W_hhᵀ (W_hh [G, H]): CKernels' packed GEMM on `packedT` (W_hhᵀ
    /// packed) when given, its GEMV for one row, else OpenBLAS.
    @inline(__always)
    static func addRecurrentProduct(rows nb: Int, gateRows G: Int, hidden H: Int, h: UnsafePointer<Float>,
                                    whh: UnsafePointer<Float>, packedT: UnsafePointer<Float>?,
                                    into out: UnsafeMutablePointer<Float>) {
        if let packedT {
            seq_gemm_acc_packed(nb, G, H, h, H, packedT, out, G)
        } else if nb == 1 {
            seq_gemv_n(G, H, whh, H, h, out)
        } else {
            BLAS.gemm(transB: true, m: nb, n: G, k: H, a: h, b: whh, beta: 1, c: out)
        }
    }

    /// dh[nb, H] += dGates[nb, G] W_hh: the backward twin of `addRecurrentProduct`, on W_hh
    /// packed as it is.
    @inline(__always)
    static func addRecurrentGradient(rows nb: Int, gateRows G: Int, hidden H: Int, dGates: UnsafePointer<Float>,
                                     whh: UnsafePointer<Float>, packed: UnsafePointer<Float>?,
                                     into dh: UnsafeMutablePointer<Float>) {
        if nb == 1 {
            seq_gemv_t(G, H, whh, H, dGates, dh)
        } else if let packed {
            seq_gemm_acc_packed(nb, H, G, dGates, G, packed, dh, H)
        } else {
            BLAS.gemm(m: nb, n: H, k: G, a: dGates, b: whh, beta: 1, c: dh)
        }
    }

    /// The weight and bias gradients of a whole pass, added into `grads` (stopping early,
    /// partly added, when `stop` is raised: the caller throws then):
    /// dW_ih[G, I] += dGx[T·B, G]ᵀ x[T·B, I], dW_hh[G, H] += dGh[T·B, G]ᵀ h_prev[T·B, H],
    /// db_ih += Σ rows of dGx, db_hh += Σ rows of dGh (dGh may be dGx itself).
    static func accumulateWeightGradients(_ slots: [ParameterSlot], rows: Int, gateRows G: Int,
                                          inputSize I: Int, hidden H: Int, input: Tensor,
                                          hPrev: UnsafePointer<Float>, dGx: UnsafePointer<Float>,
                                          dGh: UnsafePointer<Float>, store: ParameterStore, polling stop: StopSignal?) {
        store.grads.withUnsafeMutableBufferPointer { gradsBuffer in
            let g = gradsBuffer.baseAddress!
            input.scalars.withUnsafeBufferPointer { x in
                BLAS.gemm(polling: stop, transA: true, m: G, n: I, k: rows, a: dGx, b: x.baseAddress!, beta: 1, c: g + slots[0].offset)
            }
            BLAS.gemm(polling: stop, transA: true, m: G, n: H, k: rows, a: dGh, b: hPrev, beta: 1, c: g + slots[1].offset)
            let dbih = g + slots[2].offset, dbhh = g + slots[3].offset
            for r in 0..<rows {
                if r & 1023 == 0, stop.isRaised { break }
                let rx = dGx + r * G, rh = dGh + r * G
                for k in 0..<G {
                    dbih[k] += rx[k]
                    dbhh[k] += rh[k]
                }
            }
        }
    }

    /// A [B, H] tensor copied out of a state buffer.
    static func stateTensor(_ p: UnsafePointer<Float>, batch B: Int, hidden H: Int) -> Tensor {
        Tensor(unchecked: [B, H], Array(UnsafeBufferPointer(start: p, count: B * H)))
    }
}

/// The buffers one GRU or RNN forward/backward pair works in (LSTM.swift keeps its own), and
/// what backward needs from forward. Each grows to the largest (T, B) seen and is reused.
final class RecurrentWorkspace {
    /// [T, B, G]: the input projections (without bias), then the step's activations.
    let gates = LSTMScratch()
    /// [B, G]: one step's recurrent products h_{t-1} W_hhᵀ (GRU), rows owned by their thread.
    let stepProducts = LSTMScratch()
    /// [T, B, H]: what a cell keeps per step beside its gates (the GRU's W_hn h + b_hn).
    let cache = LSTMScratch()
    /// [slots, B, H]: slot s holds h_{s-1} (slot 0 is h0); training keeps T + 1, inference 2.
    let h = LSTMScratch()
    /// [G]: a bias vector of the current pass (the RNN's b_ih + b_hh).
    let bias = LSTMScratch()
    /// [T, B, G]: dL/d(input-side pre-activations), and for the GRU dL/d(recurrent ones).
    let dGates = LSTMScratch(), dGatesRecurrent = LSTMScratch()
    /// [B, H]: the running dL/dh.
    let dh = LSTMScratch()
    /// W_hh packed for CKernels' GEMM: transposed ([H, G]) forward, as it is ([G, H]) backward.
    let packedRecurrent = LSTMScratch()
    /// W_ihᵀ [I, G] packed for the forward's per-step input products.
    let packedInput = LSTMScratch()

    private(set) var steps = 0, batch = 0
    var input: Tensor?
    var lengths: [Int]?
    /// The direction of the pass the cache holds.
    var reversed = false
    var hasCache = false

    func prepare(steps T: Int, batch B: Int, hidden H: Int, gateRows G: Int, stateSlots: Int, cacheRows: Int) {
        steps = T
        batch = B
        gates.reserve(T * B * G)
        stepProducts.reserve(B * G)
        bias.reserve(G)
        h.reserve(stateSlots * B * H)
        if cacheRows > 0 { cache.reserve(cacheRows * H) }
    }

    func prepareBackward(steps T: Int, batch B: Int, hidden H: Int, gateRows G: Int, recurrentGates: Bool) {
        dGates.reserve(T * B * G)
        if recurrentGates { dGatesRecurrent.reserve(T * B * G) }
        dh.reserve(B * H)
    }

    /// The initial slot of the state buffer (`TimeWalk.initialSlot`): h0 from `initial`, or zeros.
    func setInitialState(_ initial: Tensor?, slot: Int, count BH: Int) {
        let h0 = h.pointer + slot * BH
        if let initial {
            initial.scalars.withUnsafeBufferPointer { h0.update(from: $0.baseAddress!, count: BH) }
        } else {
            h0.update(repeating: 0, count: BH)
        }
    }

    /// dL/dh at the end of the pass: dFinal + dLast, or zeros.
    func setFinalGradient(_ dFinal: Tensor?, _ dLast: Tensor?, count BH: Int) {
        dh.pointer.update(repeating: 0, count: BH)
        for d in [dFinal, dLast] {
            d?.scalars.withUnsafeBufferPointer { BLAS.axpy(n: BH, alpha: 1, x: $0.baseAddress!, y: dh.pointer) }
        }
    }
}
