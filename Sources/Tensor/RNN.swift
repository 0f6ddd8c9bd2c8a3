// RNN.swift — one plain (Elman) RNN layer: its forward pass over a time-major batch and the
// backward pass beside it, on BLAS. A stack is several layers, the output of layer k the input
// of layer k+1.
//
// Legend: T time steps, B batch, I input features, H hidden units.
// All buffers are row-major and time-major:
//   input       x       [T, B, I]
//   outputs     y       [T, B, H]   y[t, b] = h_t[b] while t < length[b], else 0
//   state       h       [B, H]      carried in (h0) and out (final h)
//   parameters  W_ih [H, I]   W_hh [H, H]   b_ih [H]   b_hh [H]   (PyTorch nn.RNN names, layout)
//
// One step, for each b with t < length[b] (otherwise the state of b is held and y = 0):
//   a   = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh        [B, H]
//   h_t = tanh(a)   (or relu(a): PyTorch's nonlinearity='relu', Keras' SimpleRNN(activation='relu'))
//
// The fast way is the LSTM's with G = H: the input products per step on packed W_ih^T (or one
// GEMM over all steps when W_ih is large or B == 1), each step adds its recurrent product in
// place (rows split between threads for the whole time loop on AVX2 with B > 1, CKernels' GEMV
// for B == 1) and one kernel (CKernels' RNNGates.c) adds the bias and applies the activation.
// Backward: one product per step for dh_{t-1}, then one GEMM per weight matrix. Reversed (a
// bidirectional layer's backward direction) the loop runs t = T−1 … 0 over the same buffers
// (`TimeWalk`). Nothing is allocated in a time loop.
// `RNNReference.swift` is the plain-loop Double version the tests compare against.

import CKernels

/// The activation of a plain RNN cell.
package enum RNNActivation: String, Codable, CaseIterable, Sendable {
    case tanh, relu
}

/// One plain RNN layer (one direction of one `l{k}` of PyTorch's `nn.RNN`), with its
/// parameters in a `ParameterStore`.
package final class RNNLayer: RecurrentLayer {
    package let inputSize: Int
    package let hiddenSize: Int
    package let layerIndex: Int
    package let activation: RNNActivation
    /// `weight_ih_l{k}` [H, I], `weight_hh_l{k}` [H, H], `bias_ih_l{k}` [H], `bias_hh_l{k}` [H].
    package let weightIH: ParameterSlot, weightHH: ParameterSlot, biasIH: ParameterSlot, biasHH: ParameterSlot

    package var parameterSlots: [ParameterSlot] { [weightIH, weightHH, biasIH, biasHH] }

    /// h after the last forward pass, [B, H].
    package private(set) var finalState: Tensor
    /// The output at each sequence's last valid step; equal to `finalState`.
    package var lastOutput: Tensor { finalState }
    package var stateTensors: [Tensor] { [finalState] }

    private let trainingWork = RecurrentWorkspace()
    private let inferenceWork = RecurrentWorkspace()

    /// Polled at every time step of `forward` and `backward` (as `LSTMLayer.stopSignal`).
    package var stopSignal: StopSignal?
    /// Polled during `backward` while gradient sums are pending (as `LSTMLayer.gradientOverlap`).
    package var gradientOverlap: GradientOverlap?

    /// Registers `{namePrefix}weight_ih_l{layerIndex}{nameSuffix}` … (zero-filled) in `store`;
    /// the parameters as `GRULayer.init` describes, with G = H.
    package init(inputSize: Int, hiddenSize: Int, activation: RNNActivation = .tanh, layerIndex: Int = 0,
                namePrefix: String = "", nameSuffix: String = "", in store: ParameterStore) throws {
        let slots = try Recurrent.register("RNNLayer", inputSize: inputSize, hiddenSize: hiddenSize,
                                           gateRows: hiddenSize, layerIndex: layerIndex,
                                           prefix: namePrefix, suffix: nameSuffix, in: store)
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerIndex = layerIndex
        self.activation = activation
        (weightIH, weightHH, biasIH, biasHH) = (slots[0], slots[1], slots[2], slots[3])
        finalState = Tensor(zeros: [0, hiddenSize])
    }

    // MARK: - Forward

    /// Runs the layer over a batch of sequences; the arguments as for `GRULayer.forward`.
    /// - Returns: y, [T, B, H]. `finalState` is updated.
    package func forward(_ input: Tensor, lengths: [Int]? = nil, initialState: Tensor? = nil,
                        in store: ParameterStore, mode: LSTMMode = .training, reversed: Bool = false) throws -> Tensor {
        let op = "RNN layer \(layerIndex) forward"
        try Recurrent.checkInput(input, inputSize: inputSize, op)
        let T = input.shape[0], B = input.shape[1], H = hiddenSize, I = inputSize, BH = B * H
        try Recurrent.checkStore(parameterSlots, store, op)
        if let lengths { try Recurrent.checkLengths(lengths, steps: T, batch: B, op) }
        if let s = initialState { try Recurrent.checkState(s, batch: B, hidden: H, op, "initial state") }

        let stop = stopSignal
        try stop.check()
        let training = mode == .training
        let work = training ? trainingWork : inferenceWork
        let walk = TimeWalk(steps: T, reversed: reversed, keepsAll: training)
        work.prepare(steps: T, batch: B, hidden: H, gateRows: H, stateSlots: walk.slots, cacheRows: 0)
        work.hasCache = false
        work.setInitialState(initialState, slot: walk.initialSlot, count: BH)
        let relu: Int32 = activation == .relu ? 1 : 0

        var output = Tensor(zeros: [T, B, H])
        let gates = work.gates.pointer, hs = work.h.pointer, bias = work.bias.pointer
        store.values.withUnsafeBufferPointer { valuesBuffer in
            let v = valuesBuffer.baseAddress!
            let wih = v + weightIH.offset, whh = v + weightHH.offset
            let bih = v + biasIH.offset, bhh = v + biasHH.offset
            for k in 0..<H { bias[k] = bih[k] + bhh[k] }
            let split = seq_kernels_use_avx2() != 0 && B > 1
            let whhT = split ? Recurrent.pack(whh, rows: H, columns: H, transposed: true, into: work.packedRecurrent) : nil
            input.scalars.withUnsafeBufferPointer { xBuffer in
                let x = xBuffer.baseAddress!
                // a = x W_ih^T, per step or all steps at once.
                let wihT = Recurrent.prepareInputProducts(split: split, x: x, wih: wih, rows: T * B, gateRows: H,
                                                          inputSize: I, gates: gates, into: work.packedInput, polling: stop)
                output.scalars.withUnsafeMutableBufferPointer { yBuffer in
                    let y = yBuffer.baseAddress!
                    Recurrent.withOptionalLengths(lengths) { lens in
                        Recurrent.forwardLoop(batch: B, split: split, walk: walk, polling: stop) { t, b0, nb in
                            let hPrev = hs + walk.readSlot(t) * BH + b0 * H
                            let a = gates + (t * B + b0) * H
                            Recurrent.setInputProduct(rows: nb, gateRows: H, inputSize: I, x: x + (t * B + b0) * I,
                                                      packedT: wihT, into: a)
                            // a[rows, H] += h_{t-1}[rows, H] W_hh^T
                            Recurrent.addRecurrentProduct(rows: nb, gateRows: H, hidden: H, h: hPrev, whh: whh,
                                                          packedT: whhT, into: a)
                            seq_rnn_forward(a, bias, hPrev, hs + walk.writeSlot(t) * BH + b0 * H, y + t * BH + b0 * H,
                                            nb, H, t, lens.map { $0 + b0 }, relu)
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

    /// Backpropagates through the last `.training` forward pass; the arguments and result as
    /// for `GRULayer.backward`.
    package func backward(dOutputs: Tensor?, dLast: Tensor? = nil, dFinalState: Tensor? = nil,
                         in store: ParameterStore, initialStateGradient: Bool = true) throws -> (dInput: Tensor, dInitialState: Tensor) {
        let op = "RNN layer \(layerIndex) backward"
        let work = trainingWork
        guard work.hasCache, let input = work.input else {
            throw TensorError(op, "expected a forward pass in training mode before backward but found none")
        }
        try Recurrent.checkStore(parameterSlots, store, op)
        let T = work.steps, B = work.batch, H = hiddenSize, I = inputSize, BH = B * H
        try Recurrent.checkGradients(dOutputs: dOutputs, dLast: dLast, dFinalState: dFinalState, steps: T, batch: B, hidden: H, op)

        work.prepareBackward(steps: T, batch: B, hidden: H, gateRows: H, recurrentGates: false)
        let stop = stopSignal
        try stop.check()
        work.setFinalGradient(dFinalState, dLast, count: BH)
        let walk = TimeWalk(steps: T, reversed: work.reversed, keepsAll: true)
        let gates = work.gates.pointer, hs = work.h.pointer, dA = work.dGates.pointer, dh = work.dh.pointer
        let relu: Int32 = activation == .relu ? 1 : 0

        var dInput = Tensor(zeros: [T, B, I])
        store.values.withUnsafeBufferPointer { valuesBuffer in
            let v = valuesBuffer.baseAddress!
            let wih = v + weightIH.offset, whh = v + weightHH.offset
            let split = seq_kernels_use_avx2() != 0 && B > 1
            let whhPacked = split ? Recurrent.pack(whh, rows: H, columns: H, transposed: false, into: work.packedRecurrent) : nil
            Recurrent.withOptionalLengths(work.lengths) { lens in
                Recurrent.withOptionalScalars(dOutputs) { dy in
                    Recurrent.backwardLoop(batch: B, split: split, walk: walk, polling: stop, overlap: gradientOverlap) { t, b0, nb, first in
                        let dhRows = dh + b0 * H, da = dA + (t * B + b0) * H
                        seq_rnn_backward(gates + (t * B + b0) * H, dy.map { $0 + t * BH + b0 * H }, dhRows, da,
                                         nb, H, t, lens.map { $0 + b0 }, relu)
                        // dh_{t-1}[rows, H] += da_t[rows, H] W_hh
                        if first && !initialStateGradient {
                            dhRows.update(repeating: 0, count: nb * H)
                        } else {
                            Recurrent.addRecurrentGradient(rows: nb, gateRows: H, hidden: H, dGates: da, whh: whh,
                                                           packed: whhPacked, into: dhRows)
                        }
                    }
                }
            }
            dInput.scalars.withUnsafeMutableBufferPointer { dx in
                BLAS.gemm(polling: stop, m: T * B, n: I, k: H, a: dA, b: wih, c: dx.baseAddress!)
            }
        }
        Recurrent.accumulateWeightGradients(parameterSlots, rows: T * B, gateRows: H, inputSize: I, hidden: H,
                                            input: input, hPrev: hs + walk.previousStatesSlot * BH, dGx: dA, dGh: dA,
                                            store: store, polling: stop)
        try stop.check()
        return (dInput, Recurrent.stateTensor(dh, batch: B, hidden: H))
    }

    package func backwardInput(dOutputs: Tensor?, dLast: Tensor?, in store: ParameterStore,
                              initialStateGradient: Bool) throws -> Tensor {
        try backward(dOutputs: dOutputs, dLast: dLast, in: store, initialStateGradient: initialStateGradient).dInput
    }
}
