// GRU.swift — one GRU layer: its forward pass over a time-major batch and the backward pass
// beside it, on BLAS. A stack is several layers, the output of layer k the input of layer k+1.
//
// Legend: T time steps, B batch, I input features, H hidden units, G = 3H fused gates.
// All buffers are row-major and time-major:
//   input       x       [T, B, I]
//   outputs     y       [T, B, H]   y[t, b] = h_t[b] while t < length[b], else 0
//   state       h       [B, H]      carried in (h0) and out (final h)
//   parameters  W_ih [G, I]   W_hh [G, H]   b_ih [G]   b_hh [G]   (PyTorch nn.GRU names, layout)
//
// One step, for each b with t < length[b] (otherwise the state of b is held and y = 0), in
// PyTorch's formulation — the reset gate applies after the recurrent product:
//   gx  = x_t W_ih^T + b_ih     gh = h_{t-1} W_hh^T + b_hh          [B, G], split by `GRUGate`
//   r   = σ(gx_r + gh_r)        z  = σ(gx_z + gh_z)
//   n   = tanh(gx_n + r ⊙ gh_n)
//   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
//
// The fast way is the LSTM's: with a batch (B > 1, on AVX2) each thread takes its own rows for
// the whole time loop (RowSplit.swift), and each step computes its rows' input products
// x_t W_ih^T (CKernels' GEMM on W_ih^T packed once per pass, while W_ih is small enough to stay
// in cache; otherwise, and with B == 1, one GEMM projects the inputs of all T steps first) and
// its recurrent products h_{t-1} W_hh^T into a preallocated [B, G] buffer (packed GEMM; with
// B == 1 CKernels' GEMV); then one fused kernel (CKernels' GRUGates.c) adds both biases,
// applies the gates and writes h. Backward walks time in reverse the same way, one product per
// step for dh_{t-1}, then one GEMM per weight matrix over all steps. Reversed (a bidirectional
// layer's backward direction) the loop runs t = T−1 … 0 over the same buffers (`TimeWalk`).
// Nothing is allocated in a time loop.
// `GRUReference.swift` is the plain-loop Double version the tests compare against.

import CKernels

/// The order of the three gates inside the fused parameters `W_ih`, `W_hh`, `b_ih` and `b_hh`:
/// gate `k` owns rows `k*H ..< (k+1)*H`. This is PyTorch's order (r, z, n).
///
/// Other libraries store the same three gates as:
/// - Keras `GRU` (reset_after=True, its default): (z, r, h) — update first, then reset; its `h`
///   is our `n`. Kernels are transposed ([I, 3H], [H, 3H]) and its bias is [2, 3H]: row 0 the
///   input bias, row 1 the recurrent bias.
/// - ONNX `GRU` with linear_before_reset=1: (z, r, h) as Keras, W [3H, I], R [3H, H],
///   B = [Wb; Rb] of 6H.
package enum GRUGate: Int, CaseIterable, Sendable {
    /// r: how much of the recurrent product enters the candidate (sigmoid).
    case reset = 0
    /// z: how much of the old state is kept (sigmoid).
    case update = 1
    /// n: the candidate state (tanh).
    case candidate = 2

    /// The first row of this gate's block in a fused [3H] vector or [3H, ·] matrix.
    @inline(__always) package func offset(hidden: Int) -> Int { rawValue * hidden }
}

/// One GRU layer (one direction of one `l{k}` of PyTorch's `nn.GRU`), with its parameters in a
/// `ParameterStore`.
package final class GRULayer: RecurrentLayer {
    /// I, the features per input step.
    package let inputSize: Int
    /// H, the hidden units (and output features).
    package let hiddenSize: Int
    /// k in the parameter names `weight_ih_l{k}`, …
    package let layerIndex: Int
    /// `weight_ih_l{k}` [3H, I], `weight_hh_l{k}` [3H, H], `bias_ih_l{k}` [3H], `bias_hh_l{k}` [3H].
    package let weightIH: ParameterSlot, weightHH: ParameterSlot, biasIH: ParameterSlot, biasHH: ParameterSlot

    /// The four parameter slots in PyTorch's order.
    package var parameterSlots: [ParameterSlot] { [weightIH, weightHH, biasIH, biasHH] }

    /// h after the last forward pass, [B, H]: pass it as the next batch's initial state to carry
    /// state across batches.
    package private(set) var finalState: Tensor
    /// The output at each sequence's last valid step (length[b] - 1); equal to `finalState`.
    package var lastOutput: Tensor { finalState }
    package var stateTensors: [Tensor] { [finalState] }

    private let trainingWork = RecurrentWorkspace()
    private let inferenceWork = RecurrentWorkspace()

    /// Polled at every time step of `forward` and `backward` (as `LSTMLayer.stopSignal`).
    package var stopSignal: StopSignal?
    /// Polled during `backward` while gradient sums are pending (as `LSTMLayer.gradientOverlap`).
    package var gradientOverlap: GradientOverlap?

    /// Registers `{namePrefix}weight_ih_l{layerIndex}{nameSuffix}`, `…weight_hh…`, `…bias_ih…`
    /// and `…bias_hh…` (zero-filled) in `store`.
    /// - Parameters:
    ///   - inputSize: I, features per input step.
    ///   - hiddenSize: H, hidden units.
    ///   - layerIndex: k in the parameter names; a stack uses 0, 1, …
    ///   - namePrefix: prepended to every name so two stacks can share a store (`"gru0."`).
    ///   - nameSuffix: appended to every name: `"_reverse"` for a backward direction.
    /// - Throws: `TensorError` if a size is not positive or a name is already taken.
    package init(inputSize: Int, hiddenSize: Int, layerIndex: Int = 0, namePrefix: String = "",
                nameSuffix: String = "", in store: ParameterStore) throws {
        let slots = try Recurrent.register("GRULayer", inputSize: inputSize, hiddenSize: hiddenSize,
                                           gateRows: 3 * hiddenSize, layerIndex: layerIndex,
                                           prefix: namePrefix, suffix: nameSuffix, in: store)
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerIndex = layerIndex
        (weightIH, weightHH, biasIH, biasHH) = (slots[0], slots[1], slots[2], slots[3])
        finalState = Tensor(zeros: [0, hiddenSize])
    }

    // MARK: - Forward

    /// Runs the layer over a batch of sequences.
    /// - Parameters:
    ///   - input: x, [T, B, I], time-major.
    ///   - lengths: optional valid lengths per sequence, `B` values in `0...T`.
    ///   - initialState: h0, [B, H]; zeros when `nil`.
    ///   - mode: `.inference` keeps nothing for `backward` and leaves the last training cache.
    ///   - reversed: read each sequence from its last real step back to its first (y stays in
    ///     time order); `backward` follows the direction of the pass.
    /// - Returns: y, [T, B, H]. `finalState` is updated.
    package func forward(_ input: Tensor, lengths: [Int]? = nil, initialState: Tensor? = nil,
                        in store: ParameterStore, mode: LSTMMode = .training, reversed: Bool = false) throws -> Tensor {
        let op = "GRU layer \(layerIndex) forward"
        try Recurrent.checkInput(input, inputSize: inputSize, op)
        let T = input.shape[0], B = input.shape[1], H = hiddenSize, I = inputSize, G = 3 * H, BH = B * H
        try Recurrent.checkStore(parameterSlots, store, op)
        if let lengths { try Recurrent.checkLengths(lengths, steps: T, batch: B, op) }
        if let s = initialState { try Recurrent.checkState(s, batch: B, hidden: H, op, "initial state") }

        let stop = stopSignal
        try stop.check()
        let training = mode == .training
        let work = training ? trainingWork : inferenceWork
        let walk = TimeWalk(steps: T, reversed: reversed, keepsAll: training)
        work.prepare(steps: T, batch: B, hidden: H, gateRows: G, stateSlots: walk.slots, cacheRows: training ? T * B : 0)
        work.hasCache = false
        work.setInitialState(initialState, slot: walk.initialSlot, count: BH)

        var output = Tensor(zeros: [T, B, H])
        let gates = work.gates.pointer, hs = work.h.pointer, products = work.stepProducts.pointer
        let hnCache: UnsafeMutablePointer<Float>? = training ? work.cache.pointer : nil

        store.values.withUnsafeBufferPointer { valuesBuffer in
            let v = valuesBuffer.baseAddress!
            let wih = v + weightIH.offset, whh = v + weightHH.offset
            let bih = v + biasIH.offset, bhh = v + biasHH.offset
            let split = seq_kernels_use_avx2() != 0 && B > 1
            let whhT = split ? Recurrent.pack(whh, rows: G, columns: H, transposed: true, into: work.packedRecurrent) : nil
            input.scalars.withUnsafeBufferPointer { xBuffer in
                let x = xBuffer.baseAddress!
                // gx = x W_ih^T, per step or all steps at once; the gate kernel adds b_ih.
                let wihT = Recurrent.prepareInputProducts(split: split, x: x, wih: wih, rows: T * B, gateRows: G,
                                                          inputSize: I, gates: gates, into: work.packedInput, polling: stop)
                output.scalars.withUnsafeMutableBufferPointer { yBuffer in
                    let y = yBuffer.baseAddress!
                    Recurrent.withOptionalLengths(lengths) { lens in
                        Recurrent.forwardLoop(batch: B, split: split, walk: walk, polling: stop) { t, b0, nb in
                            let hPrev = hs + walk.readSlot(t) * BH + b0 * H, gh = products + b0 * G
                            let gx = gates + (t * B + b0) * G
                            Recurrent.setInputProduct(rows: nb, gateRows: G, inputSize: I, x: x + (t * B + b0) * I,
                                                      packedT: wihT, into: gx)
                            // gh[rows, G] = h_{t-1}[rows, H] W_hh^T (computed from the zero state
                            // too, so a non-finite W_hh shows at the first step).
                            gh.update(repeating: 0, count: nb * G)
                            Recurrent.addRecurrentProduct(rows: nb, gateRows: G, hidden: H, h: hPrev, whh: whh,
                                                          packedT: whhT, into: gh)
                            seq_gru_gates_forward(gx, bih, gh, bhh, hPrev, hs + walk.writeSlot(t) * BH + b0 * H,
                                                  hnCache.map { $0 + t * BH + b0 * H }, y + t * BH + b0 * H,
                                                  nb, H, t, lens.map { $0 + b0 })
                        }
                    }
                }
            }
        }

        try stop.check()
        finalState = Recurrent.stateTensor(hs + walk.finalSlot * BH, batch: B, hidden: H)
        if training {
            work.input = input
            work.lengths = lengths
            work.reversed = reversed
            work.hasCache = true
        }
        return output
    }

    package func forward(_ input: Tensor, lengths: [Int]?, initialStateTensors: [Tensor]?,
                        in store: ParameterStore, mode: LSTMMode, reversed: Bool) throws -> Tensor {
        try forward(input, lengths: lengths, initialState: initialStateTensors?.first, in: store, mode: mode, reversed: reversed)
    }

    // MARK: - Backward

    /// Backpropagates through the last `.training` forward pass. Weight and bias gradients
    /// are added (`+=`) to `store.grads`.
    /// - Parameters:
    ///   - dOutputs: dL/dy, [T, B, H], or `nil` when only the last output is used.
    ///   - dLast: dL/d`lastOutput`, [B, H], or `nil`.
    ///   - dFinalState: dL/d`finalState`, [B, H], or `nil`.
    ///   - initialStateGradient: false when the caller ignores dL/dh0 (truncated
    ///     backpropagation): the last product with W_hh is skipped and `dInitialState` is zero.
    /// - Returns: dL/dx [T, B, I] and dL/dh0 [B, H].
    package func backward(dOutputs: Tensor?, dLast: Tensor? = nil, dFinalState: Tensor? = nil,
                         in store: ParameterStore, initialStateGradient: Bool = true) throws -> (dInput: Tensor, dInitialState: Tensor) {
        let op = "GRU layer \(layerIndex) backward"
        let work = trainingWork
        guard work.hasCache, let input = work.input else {
            throw TensorError(op, "expected a forward pass in training mode before backward but found none")
        }
        try Recurrent.checkStore(parameterSlots, store, op)
        let T = work.steps, B = work.batch, H = hiddenSize, I = inputSize, G = 3 * H, BH = B * H
        try Recurrent.checkGradients(dOutputs: dOutputs, dLast: dLast, dFinalState: dFinalState, steps: T, batch: B, hidden: H, op)

        work.prepareBackward(steps: T, batch: B, hidden: H, gateRows: G, recurrentGates: true)
        let stop = stopSignal
        try stop.check()
        work.setFinalGradient(dFinalState, dLast, count: BH)
        let walk = TimeWalk(steps: T, reversed: work.reversed, keepsAll: true)
        let gates = work.gates.pointer, hs = work.h.pointer, hnCache = work.cache.pointer
        let dGx = work.dGates.pointer, dGh = work.dGatesRecurrent.pointer, dh = work.dh.pointer

        var dInput = Tensor(zeros: [T, B, I])
        store.values.withUnsafeBufferPointer { valuesBuffer in
            let v = valuesBuffer.baseAddress!
            let wih = v + weightIH.offset, whh = v + weightHH.offset
            let split = seq_kernels_use_avx2() != 0 && B > 1
            let whhPacked = split ? Recurrent.pack(whh, rows: G, columns: H, transposed: false, into: work.packedRecurrent) : nil
            Recurrent.withOptionalLengths(work.lengths) { lens in
                Recurrent.withOptionalScalars(dOutputs) { dy in
                    Recurrent.backwardLoop(batch: B, split: split, walk: walk, polling: stop, overlap: gradientOverlap) { t, b0, nb, first in
                        let dhRows = dh + b0 * H, dgh = dGh + (t * B + b0) * G
                        seq_gru_gates_backward(gates + (t * B + b0) * G, hnCache + t * BH + b0 * H,
                                               hs + walk.readSlot(t) * BH + b0 * H, dy.map { $0 + t * BH + b0 * H }, dhRows,
                                               dGx + (t * B + b0) * G, dgh, nb, H, t, lens.map { $0 + b0 })
                        // dh_{t-1}[rows, H] = dh_t ⊙ z + dGh_t[rows, G] W_hh
                        if first && !initialStateGradient {
                            dhRows.update(repeating: 0, count: nb * H)
                        } else {
                            Recurrent.addRecurrentGradient(rows: nb, gateRows: G, hidden: H, dGates: dgh, whh: whh,
                                                           packed: whhPacked, into: dhRows)
                        }
                    }
                }
            }
            // dx[T*B, I] = dGx[T*B, G] W_ih
            dInput.scalars.withUnsafeMutableBufferPointer { dx in
                BLAS.gemm(polling: stop, m: T * B, n: I, k: G, a: dGx, b: wih, c: dx.baseAddress!)
            }
        }
        Recurrent.accumulateWeightGradients(parameterSlots, rows: T * B, gateRows: G, inputSize: I, hidden: H,
                                            input: input, hPrev: hs + walk.previousStatesSlot * BH, dGx: dGx, dGh: dGh,
                                            store: store, polling: stop)
        try stop.check()
        return (dInput, Recurrent.stateTensor(dh, batch: B, hidden: H))
    }

    package func backwardInput(dOutputs: Tensor?, dLast: Tensor?, in store: ParameterStore,
                              initialStateGradient: Bool) throws -> Tensor {
        try backward(dOutputs: dOutputs, dLast: dLast, in: store, initialStateGradient: initialStateGradient).dInput
    }
}
