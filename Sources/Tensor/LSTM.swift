// LSTM.swift — one LSTM layer: its forward pass over a time-major batch and the backward pass
// beside it, on BLAS. A stack is several layers, the output of layer k the input of layer k+1.
//
// Legend: T time steps, B batch, I input features, H hidden units, G = 4H fused gates.
// All buffers are row-major and time-major:
//   input       x       [T, B, I]
//   outputs     y       [T, B, H]   y[t, b] = h_t[b] while t < length[b], else 0
//   state       h, c    [B, H]      carried in (h0, c0) and out (final h, c)
//   parameters  W_ih [G, I]   W_hh [G, H]   b_ih [G]   b_hh [G]   (PyTorch nn.LSTM names, layout)
//
// One step, for each b with t < length[b] (otherwise the state of b is held and y = 0):
//   a   = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh              [B, G], split by `LSTMGate`
//   i   = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
//   c_t = f ⊙ c_{t-1} + i ⊙ g
//   h_t = o ⊙ tanh(c_t)
// A held state does not change, so the last valid output of each sequence (h at step
// length[b]-1) is exactly the final h; `lastOutput` is that. Reversed (a bidirectional layer's
// backward direction) the loop runs t = T−1 … 0 over the same buffers (Recurrent.swift's
// `TimeWalk`): a row is held at h0, c0 until its last real step, and its final h is y at t = 0.
//
// The fast way, for a batch (B > 1): the batch is split between threads for the whole time
// loop (RowSplit.swift), and at each step a thread computes its rows' pre-activations
// x_t W_ih^T + h_{t-1} W_hh^T with CKernels' GEMM on both weights packed once per pass, then
// one fused kernel (CKernels' LSTMGates.c: bias, vector sigmoid/tanh, 8 units at a time)
// turns them into activations in place and updates the cell, while the step's slice of the
// gate buffer is still in cache. The threads meet once per pass, not once per step. With
// B == 1 one OpenBLAS GEMM projects the inputs of all steps first and each step adds its
// recurrent product with CKernels' single-threaded GEMV. Backward walks time in reverse the
// same way, one product per step for dh_{t-1} (the last, for dh0, only when the caller wants
// it), then one OpenBLAS GEMM per weight matrix over all steps.
// Buffers live in a workspace owned by the layer, grown to the largest (T, B) seen and reused;
// nothing is allocated inside a time loop. Each thread polls `stopSignal` once per time step
// (StopSignal.swift): a raised signal ends the loop and the pass throws before it changes
// `finalState` or the gradients' caller sees anything.
// `LSTMReference.swift` is the plain-loop Double version the tests compare against.

import CKernels
import Foundation

/// The order of the four gates inside the fused parameters `W_ih`, `W_hh`, `b_ih` and `b_hh`:
/// gate `k` owns rows `k*H ..< (k+1)*H`. This is PyTorch's order (i, f, g, o).
///
/// Other libraries store the same four gates as:
/// - Keras `LSTM`: (i, f, c, o) — the same order, its `c` is our `g`; its kernels are
///   transposed ([I, 4H] and [H, 4H]) and it has a single bias.
/// - TensorFlow 1.x `LSTMCell`: (i, j, f, o) — its `j` is our `g`, so blocks 1 and 2 swap;
///   one kernel [I + H, 4H] and a single bias.
package enum LSTMGate: Int, CaseIterable, Sendable {
    /// i: how much of the candidate enters the cell (sigmoid).
    case input = 0
    /// f: how much of the old cell is kept (sigmoid).
    case forget = 1
    /// g: the candidate cell value (tanh).
    case cell = 2
    /// o: how much of the cell is shown as h (sigmoid).
    case output = 3

    /// The first row of this gate's block in a fused [4H] vector or [4H, ·] matrix.
    @inline(__always) package func offset(hidden: Int) -> Int { rawValue * hidden }
}

/// The recurrent state of one LSTM layer for a batch: hidden `h` and cell `c`, each [B, H].
package struct LSTMState: Equatable, Sendable {
    package var h: Tensor
    package var c: Tensor

    package init(h: Tensor, c: Tensor) {
        self.h = h
        self.c = c
    }

    /// The all-zero state for `batch` sequences of `hidden` units.
    package static func zeros(batch: Int, hidden: Int) -> LSTMState {
        LSTMState(h: Tensor(zeros: [batch, hidden]), c: Tensor(zeros: [batch, hidden]))
    }
}

/// Whether a forward pass keeps what the backward pass needs.
package enum LSTMMode: Sendable {
    /// Keeps every step's activations and states for `backward`.
    case training
    /// Keeps only the current step's state: less memory, no tanh(c) cache, no backward.
    case inference
}

/// What `LSTMLayer.backward` returns; parameter gradients go into the store's `grads` instead.
package struct LSTMInputGradients {
    /// dL/dx, [T, B, I].
    package var dInput: Tensor
    /// dL/d(h0, c0), each [B, H]. Callers doing truncated backpropagation ignore it.
    package var dInitialState: LSTMState
}

/// One LSTM layer (one `l{k}` of PyTorch's `nn.LSTM`), with its parameters in a `ParameterStore`.
package final class LSTMLayer {
    /// I, the features per input step.
    package let inputSize: Int
    /// H, the hidden units (and output features).
    package let hiddenSize: Int
    /// k in the parameter names `weight_ih_l{k}`, …
    package let layerIndex: Int
    /// `weight_ih_l{k}` [4H, I].
    package let weightIH: ParameterSlot
    /// `weight_hh_l{k}` [4H, H].
    package let weightHH: ParameterSlot
    /// `bias_ih_l{k}` [4H].
    package let biasIH: ParameterSlot
    /// `bias_hh_l{k}` [4H].
    package let biasHH: ParameterSlot

    /// The four parameter slots in PyTorch's order.
    package var parameterSlots: [ParameterSlot] { [weightIH, weightHH, biasIH, biasHH] }

    /// The state after the last forward pass, each [B, H]: pass it as the next batch's
    /// `initialState` to carry state across batches.
    package private(set) var finalState: LSTMState

    /// The output at each sequence's last valid step (length[b] - 1) of the last forward
    /// pass, [B, H]. Equal to `finalState.h`, since a finished sequence holds its state.
    package var lastOutput: Tensor { finalState.h }

    /// The largest W_ih (I · 4H floats, 256 KiB) whose products are computed step by step.
    /// A step's few rows per thread read all of it, so beyond the core's cache the one large
    /// projection GEMM over all steps is faster (measured: B4's 64 x 512 and B2's 28 x 512
    /// gain, PTB's 200 x 800 lost 15 % of its evaluation speed).
    static let perStepInputWeights = 64 * 1024

    private let trainingWork = LSTMWorkspace()
    private let inferenceWork = LSTMWorkspace()

    /// Polled at every time step of `forward` and `backward`; when it is raised the pass stops
    /// and throws `StopSignal.Stopped` (nil: never).
    package var stopSignal: StopSignal?
    /// Polled every few time steps of `backward` so that the gradient sums started for the
    /// layers above move on (GradientOverlap.swift; nil: never).
    package var gradientOverlap: GradientOverlap?

    /// Registers `{namePrefix}weight_ih_l{layerIndex}`, `…weight_hh…`, `…bias_ih…` and
    /// `…bias_hh…` (zero-filled) in `store`.
    /// - Parameters:
    ///   - inputSize: I, features per input step (for layer k > 0, the hidden size of layer k-1).
    ///   - hiddenSize: H, hidden units.
    ///   - layerIndex: k in the parameter names; a stack uses 0, 1, …
    ///   - namePrefix: prepended to every name so two stacks can share a store (`"encoder."`).
    ///   - nameSuffix: appended to every name: `"_reverse"` for a backward direction.
    /// - Throws: `TensorError` if a size is not positive or a name is already taken.
    package init(inputSize: Int, hiddenSize: Int, layerIndex: Int = 0, namePrefix: String = "",
                nameSuffix: String = "", in store: ParameterStore) throws {
        guard inputSize > 0, hiddenSize > 0 else {
            throw TensorError("LSTMLayer", "expected positive input and hidden sizes but got input \(inputSize), hidden \(hiddenSize)")
        }
        guard layerIndex >= 0 else {
            throw TensorError("LSTMLayer", "expected a layer index of 0 or more but got \(layerIndex)")
        }
        let g = 4 * hiddenSize
        let names = Recurrent.parameterNames(prefix: namePrefix, layerIndex: layerIndex, suffix: nameSuffix)
        if let taken = names.first(where: { store.slot(named: $0) != nil }) {
            throw TensorError("LSTMLayer", "parameter '\(taken)' is already in the store; give each layer of a stack its own index and each stack its own name prefix")
        }
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerIndex = layerIndex
        weightIH = store.add(names[0], shape: [g, inputSize])
        weightHH = store.add(names[1], shape: [g, hiddenSize])
        biasIH = store.add(names[2], shape: [g])
        biasHH = store.add(names[3], shape: [g])
        finalState = LSTMState.zeros(batch: 0, hidden: hiddenSize)
    }

    /// The forget-gate slice of `bias_ih` in the store's values: where the forget-bias rule
    /// (the usual trick so a fresh LSTM remembers by default) writes. `bias_hh` is never touched.
    package var forgetBiasRange: Range<Int> {
        let start = biasIH.offset + LSTMGate.forget.offset(hidden: hiddenSize)
        return start..<(start + hiddenSize)
    }

    /// Sets the forget-gate slice of `bias_ih` to `value`, or adds `value` to it when `adding`
    /// (a network adds its `forgetBias` to the initialised biases); `bias_hh` is left as it is.
    /// - Throws: `TensorError` if `store` is not the store the layer registered in.
    package func setForgetBias(_ value: Float = 1.0, adding: Bool = false, in store: ParameterStore) throws {
        try checkStore(store, "LSTM layer \(layerIndex) setForgetBias")
        for j in forgetBiasRange { store.values[j] = adding ? store.values[j] + value : value }
    }

    /// The all-zero (h0, c0) for a batch of `batch` sequences, each [B, H].
    package func zeroState(batch: Int) -> LSTMState { .zeros(batch: batch, hidden: hiddenSize) }

    // MARK: - Forward

    /// Runs the layer over a batch of sequences.
    /// - Parameters:
    ///   - input: x, [T, B, I], time-major.
    ///   - lengths: optional valid lengths per sequence, `B` values in `0...T`. Beyond its
    ///     length a sequence's state is held and its output is zero, so padding never matters.
    ///   - initialState: (h0, c0), each [B, H]; zeros when `nil`.
    ///   - store: the store the layer registered its parameters in.
    ///   - mode: `.inference` keeps nothing for `backward` and leaves the cache of the last
    ///     `.training` pass intact, so a validation batch may run between forward and backward.
    ///   - reversed: read each sequence from its last real step back to its first (y stays in
    ///     time order); `backward` follows the direction of the pass.
    /// - Returns: y, [T, B, H]. `finalState` and `lastOutput` are updated.
    /// - Throws: `TensorError` naming what was expected and what came.
    package func forward(_ input: Tensor, lengths: [Int]? = nil, initialState: LSTMState? = nil,
                        in store: ParameterStore, mode: LSTMMode = .training, reversed: Bool = false) throws -> Tensor {
        let op = "LSTM layer \(layerIndex) forward"
        guard input.rank == 3, input.shape[2] == inputSize, input.shape[0] > 0, input.shape[1] > 0 else {
            throw TensorError(op, "expected input [time, batch, feature \(inputSize)] with time and batch at least 1 but got \(input.shape)")
        }
        let T = input.shape[0], B = input.shape[1], H = hiddenSize, I = inputSize, G = 4 * H
        try checkStore(store, op)
        if let lengths { try Recurrent.checkLengths(lengths, steps: T, batch: B, op) }
        if let s = initialState { try Self.checkState(s, batch: B, hidden: H, op, "initial state") }

        let stop = stopSignal
        try stop.check()
        let training = mode == .training
        let work = training ? trainingWork : inferenceWork
        let walk = TimeWalk(steps: T, reversed: reversed, keepsAll: training)
        work.prepare(steps: T, batch: B, hidden: H, stateSlots: walk.slots, keepsTanhC: training)
        work.hasCache = false

        var output = Tensor(zeros: [T, B, H])
        let gates = work.gates.pointer, hs = work.h.pointer, cs = work.c.pointer
        let tanhC: UnsafeMutablePointer<Float>? = training ? work.tanhC.pointer : nil
        let BH = B * H

        // The initial slot of the state buffers holds (h0, c0).
        let h0 = hs + walk.initialSlot * BH, c0 = cs + walk.initialSlot * BH
        if let s = initialState {
            s.h.scalars.withUnsafeBufferPointer { h0.update(from: $0.baseAddress!, count: BH) }
            s.c.scalars.withUnsafeBufferPointer { c0.update(from: $0.baseAddress!, count: BH) }
        } else {
            h0.update(repeating: 0, count: BH)
            c0.update(repeating: 0, count: BH)
        }

        store.values.withUnsafeBufferPointer { valuesBuffer in
            let v = valuesBuffer.baseAddress!
            let wih = v + weightIH.offset, whh = v + weightHH.offset
            let bih = v + biasIH.offset, bhh = v + biasHH.offset

            let bias = work.bias.pointer
            for k in 0..<G { bias[k] = bih[k] + bhh[k] }
            // With B > 1 (on AVX2) each thread takes its own rows of the batch for the whole
            // loop, and each step's products go through CKernels' GEMM on weights packed once
            // here:  a[rows, G] = x_t[rows, I] W_ih^T + h_{t-1}[rows, H] W_hh^T,  so the step's
            // slice of the gate buffer is written and read while it is in cache. When W_ih is too
            // large to stay in cache beside W_hh (PTB's 200 x 800), and with B == 1, one GEMM
            // first projects the inputs of all T steps instead, reading W_ih once; with B == 1
            // the recurrent product is CKernels' GEMV. The gate kernel adds b_ih + b_hh.
            let split = seq_kernels_use_avx2() != 0 && B > 1
            let whhT = split ? Recurrent.pack(whh, rows: G, columns: H, transposed: true, into: work.packedRecurrent) : nil
            input.scalars.withUnsafeBufferPointer { xBuffer in
                let x = xBuffer.baseAddress!
                let wihT = Recurrent.prepareInputProducts(split: split, x: x, wih: wih, rows: T * B, gateRows: G,
                                                          inputSize: I, gates: gates, into: work.packedInput, polling: stop)
                output.scalars.withUnsafeMutableBufferPointer { yBuffer in
                    let y = yBuffer.baseAddress!
                    Recurrent.withOptionalLengths(lengths) { lens in
                        Recurrent.forwardLoop(batch: B, split: split, walk: walk, polling: stop) { t, b0, nb in
                            let read = walk.readSlot(t), write = walk.writeSlot(t)
                            let hPrev = hs + read * BH + b0 * H, cPrev = cs + read * BH + b0 * H
                            let a = gates + (t * B + b0) * G
                            // The recurrent product runs from the zero state too, so a non-finite
                            // W_hh shows at the first step.
                            Recurrent.setInputProduct(rows: nb, gateRows: G, inputSize: I, x: x + (t * B + b0) * I,
                                                      packedT: wihT, into: a)
                            Recurrent.addRecurrentProduct(rows: nb, gateRows: G, hidden: H, h: hPrev, whh: whh,
                                                          packedT: whhT, into: a)
                            seq_lstm_gates_forward(a, bias, hPrev, cPrev, hs + write * BH + b0 * H, cs + write * BH + b0 * H,
                                                   tanhC.map { $0 + t * BH + b0 * H }, y + t * BH + b0 * H,
                                                   nb, H, t, lens.map { $0 + b0 })
                        }
                    }
                }
            }
        }

        try stop.check()
        let last = walk.finalSlot
        finalState = LSTMState(h: Tensor(unchecked: [B, H], Array(UnsafeBufferPointer(start: hs + last * BH, count: BH))),
                               c: Tensor(unchecked: [B, H], Array(UnsafeBufferPointer(start: cs + last * BH, count: BH))))
        if training {
            work.input = input
            work.lengths = lengths
            work.reversed = reversed
            work.hasCache = true
        }
        return output
    }

    // MARK: - Backward

    /// Backpropagates through the last `.training` forward pass. Weight and bias gradients
    /// are added (`+=`) to `store.grads`.
    /// - Parameters:
    ///   - dOutputs: dL/dy, [T, B, H], or `nil` when only the last output is used.
    ///   - dLast: dL/d`lastOutput`, [B, H], or `nil`.
    ///   - dFinalState: dL/d`finalState` (each [B, H]), or `nil`.
    ///   - store: the store the layer registered its parameters in.
    ///   - initialStateGradient: false when the caller ignores dL/dh0 (truncated
    ///     backpropagation): the last product with W_hh is skipped and `dInitialState.h` is zero.
    /// - Returns: dL/dx [T, B, I] and dL/d(h0, c0).
    /// - Throws: `TensorError` if there is no training forward pass to go back through or a
    ///   gradient's shape does not match it.
    package func backward(dOutputs: Tensor?, dLast: Tensor? = nil, dFinalState: LSTMState? = nil,
                         in store: ParameterStore, initialStateGradient: Bool = true) throws -> LSTMInputGradients {
        let op = "LSTM layer \(layerIndex) backward"
        let work = trainingWork
        guard work.hasCache, let input = work.input else {
            throw TensorError(op, "expected a forward pass in training mode before backward but found none")
        }
        try checkStore(store, op)
        let T = work.steps, B = work.batch, H = hiddenSize, I = inputSize, G = 4 * H, BH = B * H
        if let d = dOutputs, d.shape != [T, B, H] {
            throw TensorError.shape(op + " (dOutputs)", expected: [T, B, H], got: d.shape)
        }
        if let d = dLast, d.shape != [B, H] {
            throw TensorError.shape(op + " (dLast)", expected: [B, H], got: d.shape)
        }
        if let s = dFinalState { try Self.checkState(s, batch: B, hidden: H, op, "dFinalState") }

        let stop = stopSignal
        try stop.check()
        work.prepareBackward(steps: T, batch: B, hidden: H)
        let walk = TimeWalk(steps: T, reversed: work.reversed, keepsAll: true)
        let gates = work.gates.pointer, hs = work.h.pointer, cs = work.c.pointer
        let tanhC = work.tanhC.pointer, dGates = work.dGates.pointer
        let dh = work.dh.pointer, dc = work.dc.pointer

        // dh, dc carry dL/dh_t, dL/dc_t backwards; they start as the final state's gradient.
        dh.update(repeating: 0, count: BH)
        dc.update(repeating: 0, count: BH)
        if let s = dFinalState {
            s.h.scalars.withUnsafeBufferPointer { BLAS.axpy(n: BH, alpha: 1, x: $0.baseAddress!, y: dh) }
            s.c.scalars.withUnsafeBufferPointer { BLAS.axpy(n: BH, alpha: 1, x: $0.baseAddress!, y: dc) }
        }
        if let d = dLast {
            d.scalars.withUnsafeBufferPointer { BLAS.axpy(n: BH, alpha: 1, x: $0.baseAddress!, y: dh) }
        }

        var dInput = Tensor(zeros: [T, B, I])
        store.values.withUnsafeBufferPointer { valuesBuffer in
            let v = valuesBuffer.baseAddress!
            let wih = v + weightIH.offset, whh = v + weightHH.offset
            let split = seq_kernels_use_avx2() != 0 && B > 1
            let whhPacked = split ? Recurrent.pack(whh, rows: G, columns: H, transposed: false, into: work.packedRecurrent) : nil
            Recurrent.withOptionalLengths(work.lengths) { lens in
                Recurrent.withOptionalScalars(dOutputs) { dy in
                    // Like forward: each thread walks the forward's order back over its own rows.
                    Recurrent.backwardLoop(batch: B, split: split, walk: walk, polling: stop, overlap: gradientOverlap) { t, b0, nb, first in
                        let dhRows = dh + b0 * H, dg = dGates + (t * B + b0) * G
                        seq_lstm_gates_backward(gates + (t * B + b0) * G, cs + walk.readSlot(t) * BH + b0 * H,
                                                tanhC + t * BH + b0 * H, dy.map { $0 + t * BH + b0 * H }, dhRows,
                                                dc + b0 * H, dg, nb, H, t, lens.map { $0 + b0 })
                        // dh_{t-1}[rows, H] += dGates_t[rows, G] W_hh
                        if first && !initialStateGradient {
                            dhRows.update(repeating: 0, count: nb * H)
                        } else {
                            Recurrent.addRecurrentGradient(rows: nb, gateRows: G, hidden: H, dGates: dg, whh: whh,
                                                           packed: whhPacked, into: dhRows)
                        }
                    }
                }
            }
            // dx[T*B, I] = dGates[T*B, G] W_ih
            dInput.scalars.withUnsafeMutableBufferPointer { dx in
                BLAS.gemm(polling: stop, m: T * B, n: I, k: G, a: dGates, b: wih, c: dx.baseAddress!)
            }
        }

        store.grads.withUnsafeMutableBufferPointer { gradsBuffer in
            let g = gradsBuffer.baseAddress!
            // dW_ih[G, I] += dGates[T*B, G]^T x[T*B, I];  dW_hh[G, H] += dGates^T h_prev[T*B, H]
            input.scalars.withUnsafeBufferPointer { x in
                BLAS.gemm(polling: stop, transA: true, m: G, n: I, k: T * B, a: dGates, b: x.baseAddress!,
                          beta: 1, c: g + weightIH.offset)
            }
            BLAS.gemm(polling: stop, transA: true, m: G, n: H, k: T * B, a: dGates, b: hs + walk.previousStatesSlot * BH, beta: 1,
                      c: g + weightHH.offset)
            // db_ih = db_hh = column sums of dGates
            let dbih = g + biasIH.offset, dbhh = g + biasHH.offset
            for r in 0..<(T * B) {
                if r & 1023 == 0, stop.isRaised { break }
                let row = dGates + r * G
                for k in 0..<G {
                    dbih[k] += row[k]
                    dbhh[k] += row[k]
                }
            }
        }

        try stop.check()
        let dInitial = LSTMState(h: Tensor(unchecked: [B, H], Array(UnsafeBufferPointer(start: dh, count: BH))),
                                 c: Tensor(unchecked: [B, H], Array(UnsafeBufferPointer(start: dc, count: BH))))
        return LSTMInputGradients(dInput: dInput, dInitialState: dInitial)
    }

    // MARK: - Checks

    private func checkStore(_ store: ParameterStore, _ op: String) throws {
        for slot in parameterSlots where store.slot(named: slot.name) != slot {
            throw TensorError(op, "expected the parameter store holding '\(slot.name)' \(slot.shape) but this store does not; pass the store the layer was built in")
        }
    }


    private static func checkState(_ s: LSTMState, batch B: Int, hidden H: Int, _ op: String, _ what: String) throws {
        guard s.h.shape == [B, H] else { throw TensorError.shape("\(op) (\(what) h)", expected: [B, H], got: s.h.shape) }
        guard s.c.shape == [B, H] else { throw TensorError.shape("\(op) (\(what) c)", expected: [B, H], got: s.c.shape) }
    }


}

// MARK: - Workspace

/// A Float buffer that grows to the largest size asked of it and is freed with its owner
/// (the workspaces of every recurrent layer use it).
final class LSTMScratch {
    private(set) var pointer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var capacity = 1

    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        capacity = count
    }

    deinit { pointer.deallocate() }
}

/// The buffers one forward/backward pair works in, and what backward needs from forward.
private final class LSTMWorkspace {
    /// [T, B, G]: pre-activations (without the bias), then activations (i, f, g, o).
    let gates = LSTMScratch()
    /// [G]: b_ih + b_hh of the current pass.
    let bias = LSTMScratch()
    /// [slots, B, H]: slot s holds h_{s-1} (slot 0 is h0). Training keeps T + 1 slots,
    /// inference alternates between 2.
    let h = LSTMScratch()
    /// [slots, B, H]: the cell states, like `h`.
    let c = LSTMScratch()
    /// [T, B, H]: tanh(c_t), training only.
    let tanhC = LSTMScratch()
    /// [T, B, G]: dL/da.
    let dGates = LSTMScratch()
    /// [B, H] each: the running dL/dh and dL/dc.
    let dh = LSTMScratch(), dc = LSTMScratch()
    /// W_hh packed for CKernels' GEMM at the start of each pass: transposed ([H, G]) for the
    /// forward's per-step products, as it is ([G, H]) for the backward's.
    let packedRecurrent = LSTMScratch()
    /// W_ih^T [I, G] packed for the forward's per-step input products.
    let packedInput = LSTMScratch()

    private(set) var steps = 0, batch = 0
    var input: Tensor?
    var lengths: [Int]?
    /// The direction of the pass the cache holds.
    var reversed = false
    var hasCache = false

    func prepare(steps T: Int, batch B: Int, hidden H: Int, stateSlots: Int, keepsTanhC: Bool) {
        steps = T
        batch = B
        gates.reserve(T * B * 4 * H)
        bias.reserve(4 * H)
        h.reserve(stateSlots * B * H)
        c.reserve(stateSlots * B * H)
        if keepsTanhC { tanhC.reserve(T * B * H) }
    }

    func prepareBackward(steps T: Int, batch B: Int, hidden H: Int) {
        dGates.reserve(T * B * 4 * H)
        dh.reserve(B * H)
        dc.reserve(B * H)
    }
}
