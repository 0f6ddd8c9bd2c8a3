// RecurrentCellTests.swift — the GRU, the plain RNN and bidirectional layers: a hand-worked GRU
// step (gate order), the fast paths against the Double references over shapes (batch 1, lengths,
// carried state, batches split between threads), the gate kernels against their reference twins,
// padding invariance of bidirectional layers, parameter names, and finite-difference gradients
// of every parameter, the input and the initial state (stacked, with lengths and carried state).

import Foundation
import XCTest
import CKernels
@testable import Tensor

/// Which cell a test builds.
enum TestCell: CaseIterable {
    case gru, rnnTanh, rnnRelu, lstm

    func make(_ input: Int, _ hidden: Int, _ k: Int, suffix: String = "", _ store: ParameterStore) throws -> RecurrentLayer {
        switch self {
        case .gru: return try GRULayer(inputSize: input, hiddenSize: hidden, layerIndex: k, nameSuffix: suffix, in: store)
        case .rnnTanh: return try RNNLayer(inputSize: input, hiddenSize: hidden, layerIndex: k, nameSuffix: suffix, in: store)
        case .rnnRelu: return try RNNLayer(inputSize: input, hiddenSize: hidden, activation: .relu, layerIndex: k,
                                           nameSuffix: suffix, in: store)
        case .lstm: return try LSTMLayer(inputSize: input, hiddenSize: hidden, layerIndex: k, nameSuffix: suffix, in: store)
        }
    }

    /// The Double reference of one direction: outputs [T, B, H], final state tensors flattened.
    func reference(_ layer: RecurrentLayer, _ params: [Double], input: [Double], steps T: Int, batch B: Int,
                   initial: [[Double]]?, lengths: [Int]?) -> (outputs: [Double], states: [[Double]]) {
        let s = layer.parameterSlots
        if self == .lstm {
            let w = LSTMReference.Weights(inputSize: layer.inputSize, hiddenSize: layer.hiddenSize,
                                          wih: Array(params[s[0].range]), whh: Array(params[s[1].range]),
                                          bih: Array(params[s[2].range]), bhh: Array(params[s[3].range]))
            let r = LSTMReference.forward(input: input, steps: T, batch: B, weights: w, h0: initial?[0], c0: initial?[1],
                                          lengths: lengths)
            return (r.outputs, [r.h, r.c])
        }
        let w = GRUReference.Weights(inputSize: layer.inputSize, hiddenSize: layer.hiddenSize,
                                     wih: Array(params[s[0].range]), whh: Array(params[s[1].range]),
                                     bih: Array(params[s[2].range]), bhh: Array(params[s[3].range]))
        let r = self == .gru
            ? GRUReference.gru(input: input, steps: T, batch: B, weights: w, h0: initial?[0], lengths: lengths)
            : GRUReference.rnn(input: input, steps: T, batch: B, weights: w, relu: self == .rnnRelu, h0: initial?[0], lengths: lengths)
        return (r.outputs, [r.h])
    }

    var stateCount: Int { self == .lstm ? 2 : 1 }
}

/// A stack of cells (each one direction, or a bidirectional pair) with random weights.
struct TestStack {
    let cell: TestCell
    let bidirectional: Bool
    let store = ParameterStore()
    var layers: [RecurrentLayer] = []

    init(_ cell: TestCell, inputSize: Int, hidden: [Int], bidirectional: Bool = false, seed: UInt64, scale: Float = 0.5) throws {
        self.cell = cell
        self.bidirectional = bidirectional
        var size = inputSize
        for (k, h) in hidden.enumerated() {
            let f = try cell.make(size, h, k, store)
            layers.append(bidirectional ? try BidirectionalLayer(forward: f, backward: try cell.make(size, h, k, suffix: "_reverse", store)) : f)
            size = bidirectional ? 2 * h : h
        }
        var rng = LSTMTestRandom(seed: seed)
        for i in 0..<store.count { store.values[i] = rng.uniform(scale) }
    }

    /// The Double reference of one stacked layer (either kind), on parameters `params`:
    /// outputs [T, B, width] and its state tensors (forward then reverse).
    func reference(_ k: Int, _ params: [Double], input: [Double], steps T: Int, batch B: Int,
                   initial: [[Double]]?, lengths: [Int]?) -> (outputs: [Double], states: [[Double]]) {
        guard let pair = layers[k] as? BidirectionalLayer else {
            return cell.reference(layers[k], params, input: input, steps: T, batch: B, initial: initial, lengths: lengths)
        }
        let n = cell.stateCount, H = pair.forwardCell.hiddenSize, I = pair.inputSize
        let f = cell.reference(pair.forwardCell, params, input: input, steps: T, batch: B,
                               initial: initial.map { Array($0.prefix(n)) }, lengths: lengths)
        // Reverse each sequence over its own length, run, and reverse back.
        func reversed(_ v: [Double], _ F: Int) -> [Double] {
            var out = [Double](repeating: 0, count: v.count)
            for b in 0..<B {
                let L = lengths?[b] ?? T
                for s in 0..<L { for j in 0..<F { out[(s * B + b) * F + j] = v[((L - 1 - s) * B + b) * F + j] } }
            }
            return out
        }
        let r = cell.reference(pair.backwardCell, params, input: reversed(input, I), steps: T, batch: B,
                               initial: initial.map { Array($0.dropFirst(n)) }, lengths: lengths)
        let rOut = reversed(r.outputs, H)
        var y = [Double](repeating: 0, count: T * B * 2 * H)
        for row in 0..<(T * B) {
            for j in 0..<H {
                y[row * 2 * H + j] = f.outputs[row * H + j]
                y[row * 2 * H + H + j] = rOut[row * H + j]
            }
        }
        return (y, f.states + r.states)
    }

    /// The last valid output of a reference run: forward h and (bidirectional) reverse h.
    func referenceLast(_ k: Int, states: [[Double]], batch B: Int) -> [Double] {
        guard let pair = layers[k] as? BidirectionalLayer else { return states[0] }
        let n = cell.stateCount, H = pair.forwardCell.hiddenSize
        var out = [Double](repeating: 0, count: B * 2 * H)
        for b in 0..<B {
            for j in 0..<H {
                out[b * 2 * H + j] = states[0][b * H + j]
                out[b * 2 * H + H + j] = states[n][b * H + j]
            }
        }
        return out
    }
}

final class RecurrentCellTests: XCTestCase {

    // MARK: Known answer

    /// One GRU step, T = B = I = 1, H = 1, worked out by hand (x = 1, h0 = 0.5):
    ///   r = σ(0.5·1 + 0 + 1·0.5 − 1)        = σ(0)     = 0.5     (W_ir = 0.5, W_hr = 1, b_hr = −1)
    ///   z = σ(ln3·1 + 0)                      = σ(ln 3)  = 0.75    (W_iz = ln 3)
    ///   hn = W_hn·h0 + b_hn = 2·0.5 + 1       = 2
    ///   n = tanh(W_in·x + b_in + r·hn) = tanh(−1 + 0 + 0.5·2) = tanh(0) = 0
    ///   h = (1 − z)·n + z·h0 = 0.25·0 + 0.75·0.5 = 0.375
    /// With the reset gate applied before the product (Keras' reset_after=False), n would be
    /// tanh(−1 + 2·(0.5·0.5) + 1) = tanh(0.5) and h ≠ 0.375; swapping r and z gives 0.5·0.5 ≠ 0.375.
    func testOneGRUStepKnownAnswer() throws {
        let store = ParameterStore()
        let layer = try GRULayer(inputSize: 1, hiddenSize: 1, in: store)
        let ln3 = Float(log(3.0))
        try store.set(layer.weightIH, to: Tensor(shape: [3, 1], scalars: [0.5, ln3, -1]))   // r, z, n
        try store.set(layer.weightHH, to: Tensor(shape: [3, 1], scalars: [1, 0, 2]))
        try store.set(layer.biasIH, to: Tensor(shape: [3], scalars: [0, 0, 0]))
        try store.set(layer.biasHH, to: Tensor(shape: [3], scalars: [-1, 0, 1]))
        let y = try layer.forward(Tensor(shape: [1, 1, 1], scalars: [1]), initialState: Tensor(shape: [1, 1], scalars: [0.5]), in: store)
        XCTAssertEqual(y.scalars[0], 0.375, accuracy: 1e-6)
        XCTAssertEqual(layer.finalState.scalars[0], 0.375, accuracy: 1e-6)
    }

    func testParameterNamesAndShapesArePyTorchs() throws {
        let store = ParameterStore()
        let f = try GRULayer(inputSize: 5, hiddenSize: 4, namePrefix: "gru0.", in: store)
        let r = try GRULayer(inputSize: 5, hiddenSize: 4, namePrefix: "gru0.", nameSuffix: "_reverse", in: store)
        _ = try BidirectionalLayer(forward: f, backward: r)
        _ = try RNNLayer(inputSize: 8, hiddenSize: 3, layerIndex: 1, namePrefix: "rnn0.", in: store)
        XCTAssertEqual(store.slots.map(\.name), [
            "gru0.weight_ih_l0", "gru0.weight_hh_l0", "gru0.bias_ih_l0", "gru0.bias_hh_l0",
            "gru0.weight_ih_l0_reverse", "gru0.weight_hh_l0_reverse", "gru0.bias_ih_l0_reverse", "gru0.bias_hh_l0_reverse",
            "rnn0.weight_ih_l1", "rnn0.weight_hh_l1", "rnn0.bias_ih_l1", "rnn0.bias_hh_l1",
        ])
        XCTAssertEqual(store.slots.map(\.shape), [[12, 5], [12, 4], [12], [12], [12, 5], [12, 4], [12], [12],
                                                  [3, 8], [3, 3], [3], [3]])
        XCTAssertThrowsError(try GRULayer(inputSize: 5, hiddenSize: 4, namePrefix: "gru0.", in: store))
        XCTAssertThrowsError(try RNNLayer(inputSize: 0, hiddenSize: 4, in: store))
    }

    // MARK: Fast path against the reference

    func testFastPathsMatchTheDoubleReference() throws {
        let shapes: [(T: Int, B: Int, I: Int, H: [Int], lengths: [Int]?, carried: Bool)] = [
            (5, 1, 3, [4], nil, true),                    // batch 1: the GEMV path
            (4, 3, 2, [11, 5], [4, 0, 2], true),          // vector kernel and scalar tail, lengths
            (6, 9, 3, [13], [6, 1, 3, 0, 6, 2, 5, 3, 1], true),   // batch split between threads
            (3, 2, 4, [8], nil, false),
        ]
        for cell in TestCell.allCases where cell != .lstm {
            for (n, s) in shapes.enumerated() {
                for bidirectional in [false, true] {
                    try compareWithReference(cell, s.T, s.B, s.I, s.H, s.lengths, s.carried, bidirectional, seed: UInt64(n + 1))
                }
            }
        }
        // The bidirectional LSTM through the same wrapper.
        try compareWithReference(.lstm, 5, 4, 3, [6, 3], [5, 2, 3, 1], true, true, seed: 9)
    }

    private func compareWithReference(_ cell: TestCell, _ T: Int, _ B: Int, _ I: Int, _ hidden: [Int], _ lengths: [Int]?,
                                      _ carried: Bool, _ bidirectional: Bool, seed: UInt64,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let stack = try TestStack(cell, inputSize: I, hidden: hidden, bidirectional: bidirectional, seed: seed)
        var rng = LSTMTestRandom(seed: seed &+ 77)
        var x = rng.tensor([T, B, I])
        var xs = x.scalars.map(Double.init)
        let params = stack.store.values.map(Double.init)
        for (k, layer) in stack.layers.enumerated() {
            let initial: [Tensor]? = carried ? layer.stateTensorsShape(batch: B).map { rng.tensor($0, scale: 0.8) } : nil
            for mode in [LSTMMode.inference, .training] {
                let y = try layer.forward(x, lengths: lengths, initialStateTensors: initial, in: stack.store, mode: mode)
                let r = stack.reference(k, params, input: xs, steps: T, batch: B,
                                        initial: initial.map { $0.map { $0.scalars.map(Double.init) } }, lengths: lengths)
                let what = "\(cell) \(bidirectional ? "bidirectional " : "")layer \(k) T\(T) B\(B) \(mode)"
                XCTAssertLessThan(lstmMaxAbsDiff(y.scalars, r.outputs), 2e-5, what, file: file, line: line)
                XCTAssertLessThan(lstmMaxAbsDiff(layer.lastOutput.scalars, stack.referenceLast(k, states: r.states, batch: B)),
                                  2e-5, what + " last", file: file, line: line)
                for (got, want) in zip(layer.stateTensors, r.states) {
                    XCTAssertLessThan(lstmMaxAbsDiff(got.scalars, want), 2e-5, what + " state", file: file, line: line)
                }
                if mode == .training {
                    x = y
                    xs = r.outputs
                }
            }
        }
    }

    /// The same sequences padded to two lengths give the same outputs on their valid steps, the
    /// same last outputs and zeros on padding, in both directions.
    func testBidirectionalPaddingInvariance() throws {
        for cell in TestCell.allCases {
            let stack = try TestStack(cell, inputSize: 3, hidden: [5, 4], bidirectional: true, seed: 21)
            var rng = LSTMTestRandom(seed: 5)
            let lengths = [4, 2, 3], B = 3, I = 3
            let short = rng.tensor([4, B, I])
            // The same sequences padded from 4 to 7 steps with junk.
            var long = rng.tensor([7, B, I], scale: 9)
            for t in 0..<4 { for b in 0..<B where t < lengths[b] { for j in 0..<I {
                long.scalars[(t * B + b) * I + j] = short.scalars[(t * B + b) * I + j]
            } } }
            var a = short, c = long
            for layer in stack.layers {
                a = try layer.forward(a, lengths: lengths, initialStateTensors: nil, in: stack.store, mode: .inference)
                let lastA = layer.lastOutput
                c = try layer.forward(c, lengths: lengths, initialStateTensors: nil, in: stack.store, mode: .inference)
                XCTAssertEqual(layer.lastOutput, lastA, "\(cell) last")
                let W = layer.hiddenSize
                for t in 0..<7 { for b in 0..<B { for j in 0..<W {
                    let got = c.scalars[(t * B + b) * W + j]
                    XCTAssertEqual(got, t < lengths[b] ? a.scalars[(t * B + b) * W + j] : 0, "\(cell) t\(t) b\(b)")
                } } }
            }
        }
    }

    /// A cell walking time backwards over its own buffers (`reversed: true`) gives what a
    /// forward pass over each sequence reversed within its own length gives, reversed back: the
    /// outputs, the final state and dL/dx bit for bit, every parameter gradient up to the order
    /// of its sum over the steps — with lengths
    /// (a row of length 0 among them), a carried initial state, in training and inference mode,
    /// at batch 1 and with the batch split between threads.
    func testReversedPassEqualsForwardPassOverReversedSequences() throws {
        for cell in TestCell.allCases {
            for (B, lengths) in [(1, nil), (9, [6, 1, 0, 4, 6, 2, 5, 3, 6])] as [(Int, [Int]?)] {
                let T = 6, I = 3, H = 5
                let stack = try TestStack(cell, inputSize: I, hidden: [H], seed: 31)
                let layer = stack.layers[0], store = stack.store
                var rng = LSTMTestRandom(seed: 8)
                let x = rng.tensor([T, B, I]), dy = rng.tensor([T, B, H]), dLast = rng.tensor([B, H])
                let initial = (0..<cell.stateCount).map { _ in rng.tensor([B, H]) }
                let what = "\(cell) B\(B)"

                let yInference = try layer.forward(x, lengths: lengths, initialStateTensors: initial, in: store,
                                                   mode: .inference, reversed: true)
                store.zeroGrads()
                let y = try layer.forward(x, lengths: lengths, initialStateTensors: initial, in: store,
                                          mode: .training, reversed: true)
                let final = layer.stateTensors
                let dx = try layer.backwardInput(dOutputs: dy, dLast: dLast, in: store, initialStateGradient: true)
                let grads = store.grads

                store.zeroGrads()
                let yCopied = BidirectionalLayer.reverseInTime(
                    try layer.forward(BidirectionalLayer.reverseInTime(x, lengths: lengths), lengths: lengths,
                                      initialStateTensors: initial, in: store, mode: .training), lengths: lengths)
                let finalCopied = layer.stateTensors
                let dxCopied = BidirectionalLayer.reverseInTime(
                    try layer.backwardInput(dOutputs: BidirectionalLayer.reverseInTime(dy, lengths: lengths), dLast: dLast,
                                            in: store, initialStateGradient: true), lengths: lengths)
                XCTAssertEqual(y, yCopied, what)
                XCTAssertEqual(yInference, yCopied, what + " inference")
                XCTAssertEqual(final, finalCopied, what + " final state")
                XCTAssertEqual(dx, dxCopied, what + " dx")
                let worst = zip(grads, store.grads).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-5, what + " parameter gradients")
                XCTAssertTrue(grads.contains { $0 != 0 }, what + " gradients reached the parameters")
            }
        }
    }

    /// Batch 1: the two directions run at the same time on two cores and give what they give
    /// one after the other, bit for bit.
    func testBidirectionalDirectionsInParallelAgreeWithSequential() throws {
        let stack = try TestStack(.gru, inputSize: 4, hidden: [16], bidirectional: true, seed: 3)
        var rng = LSTMTestRandom(seed: 4)
        let x = rng.tensor([6, 1, 4])
        let pair = stack.layers[0] as! BidirectionalLayer
        let y = try pair.forward(x, lengths: nil, initialStateTensors: nil, in: stack.store, mode: .inference)
        let f = try pair.forwardCell.forward(x, lengths: nil, initialStateTensors: nil, in: stack.store, mode: .inference)
        let r = try pair.backwardCell.forward(BidirectionalLayer.reverseInTime(x, lengths: nil), lengths: nil,
                                              initialStateTensors: nil, in: stack.store, mode: .inference)
        let rBack = BidirectionalLayer.reverseInTime(r, lengths: nil)
        for t in 0..<6 {
            XCTAssertEqual(Array(y.scalars[(t * 32)..<(t * 32 + 16)]), Array(f.scalars[(t * 16)..<(t * 16 + 16)]))
            XCTAssertEqual(Array(y.scalars[(t * 32 + 16)..<(t * 32 + 32)]), Array(rBack.scalars[(t * 16)..<(t * 16 + 16)]))
        }
    }

    func testBadInputIsAnErrorNotACrash() throws {
        let store = ParameterStore()
        let gru = try GRULayer(inputSize: 3, hiddenSize: 4, in: store)
        XCTAssertThrowsError(try gru.forward(Tensor(zeros: [2, 1, 5]), in: store))
        XCTAssertThrowsError(try gru.forward(Tensor(zeros: [2, 2, 3]), lengths: [3, 1], in: store))
        XCTAssertThrowsError(try gru.forward(Tensor(zeros: [2, 2, 3]), initialState: Tensor(zeros: [1, 4]), in: store))
        XCTAssertThrowsError(try gru.backward(dOutputs: Tensor(zeros: [2, 2, 4]), in: store))
        XCTAssertThrowsError(try gru.forward(Tensor(zeros: [2, 1, 3]), in: ParameterStore()))
        let rnn = try RNNLayer(inputSize: 3, hiddenSize: 4, namePrefix: "rnn.", in: store)
        _ = try rnn.forward(Tensor(zeros: [2, 2, 3]), in: store)
        XCTAssertThrowsError(try rnn.backward(dOutputs: Tensor(zeros: [3, 2, 4]), in: store))
        XCTAssertThrowsError(try BidirectionalLayer(forward: gru, backward: rnn))
    }

    // MARK: Kernels against their references

    func testGateKernelsMatchTheirReferences() {
        var rng = LSTMTestRandom(seed: 31)
        for (B, H) in [(1, 3), (3, 8), (2, 19), (4, 1)] {
            let G = 3 * H, lengths: [Int] = (0..<B).map { $0 == 1 ? 0 : 5 }
            let gx = (0..<(B * G)).map { _ in rng.uniform(3) }, gh = (0..<(B * G)).map { _ in rng.uniform(3) }
            let bih = (0..<G).map { _ in rng.uniform(1) }, bhh = (0..<G).map { _ in rng.uniform(1) }
            let hp = (0..<(B * H)).map { _ in rng.uniform(1) }, dy = (0..<(B * H)).map { _ in rng.uniform(1) }
            let dh0 = (0..<(B * H)).map { _ in rng.uniform(1) }
            var results: [[[Float]]] = []
            for fast in [true, false] {
                var a = gx, h = [Float](repeating: 0, count: B * H), hn = h, y = h
                lengths.withUnsafeBufferPointer { l in
                    let lens = UnsafeRawPointer(l.baseAddress!).assumingMemoryBound(to: Int.self)
                    (fast ? seq_gru_gates_forward : seq_gru_gates_forward_reference)(&a, bih, gh, bhh, hp, &h, &hn, &y, B, H, 2, lens)
                }
                var dh = dh0, dGx = [Float](repeating: 0, count: B * G), dGh = dGx
                lengths.withUnsafeBufferPointer { l in
                    (fast ? seq_gru_gates_backward : seq_gru_gates_backward_reference)(a, hn, hp, dy, &dh, &dGx, &dGh, B, H, 2, l.baseAddress!)
                }
                results.append([a, h, hn, y, dh, dGx, dGh])
            }
            for (fast, reference) in zip(results[0], results[1]) {
                XCTAssertLessThan(lstmMaxAbsDiff(fast, reference), 2e-6, "GRU kernels B\(B) H\(H)")
            }
            // RNN, tanh and ReLU.
            for relu: Int32 in [0, 1] {
                var out: [[Float]] = []
                for fast in [true, false] {
                    var a = Array(gx.prefix(B * H)), h = [Float](repeating: 0, count: B * H), y = h
                    (fast ? seq_rnn_forward : seq_rnn_forward_reference)(&a, Array(bih.prefix(H)), hp, &h, &y, B, H, 2, lengths, relu)
                    var dh = dh0, da = [Float](repeating: 0, count: B * H)
                    (fast ? seq_rnn_backward : seq_rnn_backward_reference)(a, dy, &dh, &da, B, H, 2, lengths, relu)
                    out.append(a + h + y + dh + da)
                }
                XCTAssertLessThan(lstmMaxAbsDiff(out[0], out[1]), 2e-6, "RNN kernels B\(B) H\(H) relu \(relu)")
            }
        }
    }

    // MARK: Gradients by finite differences

    func testGradientsGRU() throws {
        try checkGradients(.gru, steps: 4, batch: 2, inputSize: 3, hidden: [5], seed: 1)
        try checkGradients(.gru, steps: 5, batch: 1, inputSize: 3, hidden: [4], carried: true, last: true, seed: 2)
        try checkGradients(.gru, steps: 5, batch: 4, inputSize: 2, hidden: [11, 4], lengths: [5, 0, 3, 1], carried: true,
                           last: true, seed: 3)
        try checkGradients(.gru, steps: 4, batch: 9, inputSize: 3, hidden: [13], lengths: [4, 1, 3, 0, 4, 2, 4, 3, 1],
                           carried: true, last: true, seed: 4)
    }

    func testGradientsRNN() throws {
        for cell in [TestCell.rnnTanh, .rnnRelu] {
            try checkGradients(cell, steps: 4, batch: 2, inputSize: 3, hidden: [5], seed: 5)
            try checkGradients(cell, steps: 5, batch: 4, inputSize: 2, hidden: [9, 4], lengths: [5, 0, 3, 1], carried: true,
                               last: true, seed: 6)
            try checkGradients(cell, steps: 3, batch: 9, inputSize: 3, hidden: [10], lengths: [3, 1, 3, 0, 2, 2, 3, 3, 1],
                               carried: true, last: true, seed: 7)
        }
    }

    func testGradientsBidirectional() throws {
        for cell in TestCell.allCases {
            try checkGradients(cell, steps: 4, batch: 3, inputSize: 3, hidden: [4, 3], lengths: [4, 2, 1], carried: true,
                               last: true, bidirectional: true, seed: 8)
        }
        try checkGradients(.gru, steps: 3, batch: 1, inputSize: 2, hidden: [9], carried: false, everyStep: false, last: true,
                           bidirectional: true, seed: 9)
    }

    /// L = Σ wY ⊙ y_top + Σ wLast ⊙ last_top + Σ_k wS_k ⊙ (final states of layer k); analytic from
    /// the fast Float passes, numeric by central differences of the Double references.
    private func checkGradients(_ cell: TestCell, steps T: Int, batch B: Int, inputSize I: Int, hidden: [Int],
                                lengths: [Int]? = nil, carried: Bool = false, everyStep: Bool = true, last: Bool = false,
                                bidirectional: Bool = false, seed: UInt64,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let stack = try TestStack(cell, inputSize: I, hidden: hidden, bidirectional: bidirectional, seed: seed)
        let layers = stack.layers, store = stack.store, top = layers.count - 1
        var rng = LSTMTestRandom(seed: seed &+ 1000)
        let x = rng.tensor([T, B, I])
        let initial: [[Tensor]] = layers.map { l in l.stateTensorsShape(batch: B).map { rng.tensor($0, scale: carried ? 0.8 : 0) } }
        let wY = rng.tensor([T, B, layers[top].hiddenSize]), wLast = rng.tensor([B, layers[top].hiddenSize])

        // Analytic. Only single cells expose dInitialState; the input gradient is checked for all.
        store.zeroGrads()
        var input = x
        for (k, layer) in layers.enumerated() {
            input = try layer.forward(input, lengths: lengths, initialStateTensors: carried ? initial[k] : nil, in: store, mode: .training)
        }
        var d: Tensor? = everyStep ? wY : nil
        for k in stride(from: top, through: 0, by: -1) {
            d = try layers[k].backwardInput(dOutputs: d, dLast: k == top && last ? wLast : nil, in: store, initialStateGradient: true)
        }
        var analytic: [(String, [Float])] = store.slots.map { ($0.name, Array(store.grads[$0.range])) }
        analytic.append(("input", d!.scalars))

        let dwY = wY.scalars.map(Double.init), dwLast = wLast.scalars.map(Double.init)
        let h0 = initial.map { $0.map { $0.scalars.map(Double.init) } }
        func loss(_ params: [Double], _ x: [Double]) -> Double {
            var input = x, total = 0.0
            for k in layers.indices {
                let r = stack.reference(k, params, input: input, steps: T, batch: B, initial: carried ? h0[k] : nil, lengths: lengths)
                if k == top {
                    if everyStep { total += zip(r.outputs, dwY).reduce(0) { $0 + $1.0 * $1.1 } }
                    if last { total += zip(stack.referenceLast(k, states: r.states, batch: B), dwLast).reduce(0) { $0 + $1.0 * $1.1 } }
                }
                input = r.outputs
            }
            return total
        }
        let params = store.values.map(Double.init), xs = x.scalars.map(Double.init), eps = 1e-5
        func numeric(_ v: [Double], _ f: ([Double]) -> Double) -> [Double] {
            var v = v
            return v.indices.map { i in
                let saved = v[i]
                v[i] = saved + eps; let up = f(v)
                v[i] = saved - eps; let down = f(v)
                v[i] = saved
                return (up - down) / (2 * eps)
            }
        }
        let dParams = numeric(params) { loss($0, xs) }
        var expected: [(String, [Double])] = store.slots.map { ($0.name, Array(dParams[$0.range])) }
        expected.append(("input", numeric(xs) { loss(params, $0) }))

        var report: [String] = [], failed = false
        for ((name, a), (_, n)) in zip(analytic, expected) {
            var worst = 0.0
            for (ai, ni) in zip(a, n) { worst = max(worst, abs(Double(ai) - ni) / max(abs(Double(ai)), abs(ni), 1e-3)) }
            report.append("\(name): \(String(format: "%.2e", worst))")
            if worst > 1e-4 || !worst.isFinite { failed = true }
        }
        XCTAssertFalse(failed, "\(cell) gradient check failed:\n" + report.joined(separator: "\n"), file: file, line: line)
        for (name, n) in expected where name.contains("weight") {
            XCTAssertGreaterThan(n.map(abs).max() ?? 0, 1e-4, "\(name) has no gradient to check", file: file, line: line)
        }

        // dL/dh0 of a single GRU or RNN cell against differences of its initial state.
        guard carried, !bidirectional, layers.count == 1, cell != .lstm else { return }
        store.zeroGrads()
        _ = try layers[0].forward(x, lengths: lengths, initialStateTensors: initial[0], in: store, mode: .training)
        let dy: Tensor? = everyStep ? wY : nil, dl: Tensor? = last ? wLast : nil
        let dh0 = try (layers[0] as? GRULayer)?.backward(dOutputs: dy, dLast: dl, in: store).dInitialState
            ?? (layers[0] as! RNNLayer).backward(dOutputs: dy, dLast: dl, in: store).dInitialState
        let numericH0 = numeric(h0[0][0]) { v in
            let r = stack.reference(0, params, input: xs, steps: T, batch: B, initial: [v], lengths: lengths)
            return (everyStep ? zip(r.outputs, dwY).reduce(0) { $0 + $1.0 * $1.1 } : 0)
                + (last ? zip(r.states[0], dwLast).reduce(0) { $0 + $1.0 * $1.1 } : 0)
        }
        var worst = 0.0
        for (ai, ni) in zip(dh0.scalars, numericH0) { worst = max(worst, abs(Double(ai) - ni) / max(abs(Double(ai)), abs(ni), 1e-3)) }
        XCTAssertLessThan(worst, 1e-4, "\(cell) dL/dh0", file: file, line: line)
    }
}

extension RecurrentLayer {
    /// The shapes of this layer's state tensors for a batch of `B`.
    func stateTensorsShape(batch B: Int) -> [[Int]] {
        if let pair = self as? BidirectionalLayer {
            return pair.forwardCell.stateTensorsShape(batch: B) + pair.backwardCell.stateTensorsShape(batch: B)
        }
        return Array(repeating: [B, hiddenSize], count: self is LSTMLayer ? 2 : 1)
    }
}

/// Whole networks with the new layers: finite-difference gradients with fixed dropout masks,
/// lengths and a carried state; the parameter names; the refusals of bidirectional layers.
final class RecurrentNetworkTests: XCTestCase {
    private func assertGradientsMatch(_ net: Network, _ batch: NetworkBatch, file: StaticString = #filePath, line: UInt = #line) throws {
        let report = try net.checkGradients(batch, samples: 8)
        XCTAssertEqual(Set(report.map(\.parameter)), Set(net.store.slots.map(\.name)), file: file, line: line)
        for entry in report {
            XCTAssertLessThan(entry.worstRelativeError, 2e-2, "\(entry.parameter)", file: file, line: line)
        }
    }

    private func tokens(_ n: Int, _ v: Int, _ rng: inout SeededRandom) -> [Int32] { (0..<n).map { _ in Int32(rng.int(below: v)) } }

    func testGradientsStackedGRUWithDropoutAndCarriedState() throws {
        let spec = NetworkSpec(input: .tokens(vocabulary: 7),
                               layers: [.embedding(5, dropout: 0.2), .gru(6, layers: 2, dropout: 0.25),
                                        .dense(7, activation: .softmax, perStep: true)],
                               initialization: .uniform(scale: 0.5), reduction: .sumOverStepsMeanOverBatch, stateful: true)
        let net = try Network(spec: spec, seed: 3)
        var rng = SeededRandom(seed: 11)
        let batch = NetworkBatch(tokens: tokens(12, 7, &rng), batch: 3, steps: 4, classes: tokens(12, 7, &rng))
        _ = try net.evaluate(batch)   // a carried, nonzero starting state
        try assertGradientsMatch(net, batch)
    }

    func testGradientsBidirectionalLayersWithLengths() throws {
        for layer in [NetworkLayer.lstm(4, layers: 2, returnSequences: false, bidirectional: true, dropout: 0.2),
                      .gru(4, returnSequences: false, bidirectional: true),
                      .rnn(5, activation: .relu, layers: 2, returnSequences: false, bidirectional: true)] {
            let spec = NetworkSpec(input: .tokens(vocabulary: 9),
                                   layers: [.embedding(4), layer, .dense(1, activation: .sigmoid)])
            let net = try Network(spec: spec, seed: 8)
            var rng = SeededRandom(seed: 4)
            let batch = NetworkBatch(tokens: tokens(15, 9, &rng), batch: 3, steps: 5, values: [1, 0, 1], lengths: [5, 2, 3])
            try assertGradientsMatch(net, batch)
        }
    }

    /// Step-by-step generation carries each GRU / RNN layer's state and gives what the whole
    /// sequence gives.
    func testGenerateStepMatchesPredictForGRUAndRNNStacks() throws {
        for layer in [NetworkLayer.gru(6, layers: 2), .rnn(5, activation: .relu, layers: 2)] {
            let spec = NetworkSpec(input: .tokens(vocabulary: 7), layers: [.embedding(4), layer, .dense(7, activation: .softmax, perStep: true)])
            let net = try Network(spec: spec, seed: 12)
            let tokens: [Int32] = [3, 1, 4, 1, 5]
            let probs = try net.predict(.tokens(tokens, batch: 1, steps: 5))
            for (t, token) in tokens.enumerated() {
                let p = try net.generateStep(token: token)
                for j in 0..<7 { XCTAssertEqual(p[j], probs.scalars[t * 7 + j], accuracy: 1e-6, "\(layer.kind) step \(t)") }
            }
        }
    }

    func testBidirectionalNamesShapesAndRefusals() throws {
        let spec = NetworkSpec(input: .features(3), layers: [.gru(4, layers: 2, returnSequences: false, bidirectional: true),
                                                            .dense(2, activation: .softmax)])
        let net = try Network(spec: spec, seed: 1)
        XCTAssertEqual(net.store.slots.map(\.name).prefix(9), [
            "gru0.weight_ih_l0", "gru0.weight_hh_l0", "gru0.bias_ih_l0", "gru0.bias_hh_l0",
            "gru0.weight_ih_l0_reverse", "gru0.weight_hh_l0_reverse", "gru0.bias_ih_l0_reverse", "gru0.bias_hh_l0_reverse",
            "gru0.weight_ih_l1"])
        XCTAssertEqual(net.store.slot(named: "gru0.weight_ih_l1")?.shape, [12, 8])
        XCTAssertEqual(net.store.slot(named: "dense0.weight")?.shape, [2, 8])
        XCTAssertThrowsError(try net.generateStep(features: [0, 0, 0])) { error in
            XCTAssertTrue("\(error)".contains("bidirectional"), "\(error)")
        }
        var stateful = spec
        stateful.stateful = true
        XCTAssertThrowsError(try Network(spec: stateful, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("stateful"), "\(error)")
        }
    }
}
