// LSTMTests.swift — the LSTM layer's forward pass: a hand-worked step, the fast path against the
// Double reference over many shapes, padding invariance, modes, and bad-input errors.
// Gradients are checked in LSTMGradientTests.swift, the numpy reference in LSTMNumpyReferenceTests.swift.

import Foundation
import XCTest
import CKernels
@testable import Tensor

/// A small deterministic generator (SplitMix64) so every random test is reproducible.
struct LSTMTestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-scale, scale).
    mutating func uniform(_ scale: Float = 1) -> Float {
        Float(Double(next() >> 11) / Double(1 << 53) * 2 - 1) * scale
    }

    mutating func tensor(_ shape: [Int], scale: Float = 1) -> Tensor {
        Tensor(unchecked: shape, (0..<shape.reduce(1, *)).map { _ in uniform(scale) })
    }
}

/// Builds a stack of layers of `hidden` units over `inputSize` features, filled with random weights.
func makeLSTMStack(inputSize: Int, hidden: [Int], seed: UInt64, scale: Float = 0.5) throws -> (ParameterStore, [LSTMLayer]) {
    let store = ParameterStore()
    var layers: [LSTMLayer] = []
    var size = inputSize
    for (k, h) in hidden.enumerated() {
        layers.append(try LSTMLayer(inputSize: size, hiddenSize: h, layerIndex: k, in: store))
        size = h
    }
    var rng = LSTMTestRandom(seed: seed)
    for i in 0..<store.count { store.values[i] = rng.uniform(scale) }
    return (store, layers)
}

/// Row `index` of `t` viewed as rows of `width` scalars.
func lstmRow(_ t: Tensor, _ index: Int, width: Int) -> [Float] {
    Array(t.scalars[(index * width)..<((index + 1) * width)])
}

/// The worst |a - b| over two equally long sequences.
func lstmMaxAbsDiff<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(_ a: [A], _ b: [B]) -> Double {
    precondition(a.count == b.count, "compared arrays differ in length")
    return zip(a, b).map { abs(Double($0) - Double($1)) }.max() ?? 0
}

final class LSTMTests: XCTestCase {

    // MARK: Known answer

    /// One step, T = B = I = 1, H = 2, worked out by hand.
    ///
    /// Unit 0 is built so its pre-activations are round numbers (x = 1, h0 = [1, 0], c0 = [1, 2]):
    ///   a_i = 0.25·1 + (−0.25)·1                 = 0       → i = σ(0)      = 0.5
    ///   a_f = ln3·1 + 0.5·1 − 0.25 − 0.25         = ln 3    → f = σ(ln 3)   = 3/4
    ///   a_g = 0·1 + (ln3 / 2)·1                   = ln3 / 2 → g = tanh      = (3−1)/(3+1) = 0.5
    ///   a_o = −ln3·1 + 0·1                         = −ln 3   → o = σ(−ln 3)  = 1/4
    ///   c = f·c0 + i·g = 0.75·1 + 0.5·0.5 = 1,    h = o·tanh(1) = 0.25 · 0.7615941559557649
    /// Unit 1 has all-zero weights, so a = 0: i = f = o = 0.5, g = 0,
    ///   c = 0.5·2 = 1,                             h = 0.5 · tanh(1)
    /// Swapping any two gates changes the answer (i↔f gives c0 = 0.875), so this pins the order.
    func testOneStepKnownAnswer() throws {
        let store = ParameterStore()
        let layer = try LSTMLayer(inputSize: 1, hiddenSize: 2, in: store)
        let ln3 = Float(log(3.0))
        // Rows per gate block: [unit 0, unit 1]; blocks in order i, f, g, o.
        try store.set(layer.weightIH, to: Tensor(shape: [8, 1], scalars: [0.25, 0, ln3, 0, 0, 0, -ln3, 0]))
        try store.set(layer.weightHH, to: Tensor(shape: [8, 2], scalars: [
            -0.25, 0, 0, 0,      // i
            0.5, 0, 0, 0,        // f
            ln3 / 2, 0, 0, 0,    // g
            0, 0, 0, 0,          // o
        ]))
        try store.set(layer.biasIH, to: Tensor(shape: [8], scalars: [0, 0, -0.25, 0, 0, 0, 0, 0]))
        try store.set(layer.biasHH, to: Tensor(shape: [8], scalars: [0, 0, -0.25, 0, 0, 0, 0, 0]))
        let initial = LSTMState(h: try Tensor(shape: [1, 2], scalars: [1, 0]),
                                c: try Tensor(shape: [1, 2], scalars: [1, 2]))
        let x = try Tensor(shape: [1, 1, 1], scalars: [1])

        for mode in [LSTMMode.training, .inference] {
            let y = try layer.forward(x, initialState: initial, in: store, mode: mode)
            let tanh1 = 0.7615941559557649
            XCTAssertEqual(y.shape, [1, 1, 2])
            XCTAssertEqual(Double(y.scalars[0]), 0.25 * tanh1, accuracy: 1e-6)
            XCTAssertEqual(Double(y.scalars[1]), 0.5 * tanh1, accuracy: 1e-6)
            XCTAssertEqual(Double(layer.finalState.c.scalars[0]), 1, accuracy: 1e-6)
            XCTAssertEqual(Double(layer.finalState.c.scalars[1]), 1, accuracy: 1e-6)
            XCTAssertEqual(layer.lastOutput.scalars, y.scalars)
        }
    }

    func testForgetBiasGoesIntoTheForgetSliceOfBiasIH() throws {
        let store = ParameterStore()
        let layer = try LSTMLayer(inputSize: 2, hiddenSize: 3, in: store)
        try layer.setForgetBias(in: store)
        XCTAssertEqual(store.tensor(layer.biasIH).scalars, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(store.tensor(layer.biasHH).scalars, [Float](repeating: 0, count: 12))
        try layer.setForgetBias(2.5, in: store)
        XCTAssertThrowsError(try layer.setForgetBias(in: ParameterStore()))
        XCTAssertEqual(Array(store.tensor(layer.biasIH).scalars[3..<6]), [2.5, 2.5, 2.5])
    }

    func testParameterNamesFollowPyTorch() throws {
        let store = ParameterStore()
        _ = try LSTMLayer(inputSize: 5, hiddenSize: 3, layerIndex: 0, in: store)
        _ = try LSTMLayer(inputSize: 3, hiddenSize: 3, layerIndex: 1, in: store)
        _ = try LSTMLayer(inputSize: 4, hiddenSize: 2, layerIndex: 0, namePrefix: "decoder.", in: store)
        XCTAssertEqual(store.slots.map(\.name), [
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
            "decoder.weight_ih_l0", "decoder.weight_hh_l0", "decoder.bias_ih_l0", "decoder.bias_hh_l0",
        ])
        XCTAssertEqual(store.slot(named: "weight_ih_l0")?.shape, [12, 5])
        XCTAssertEqual(store.slot(named: "weight_hh_l1")?.shape, [12, 3])
        XCTAssertEqual(store.slot(named: "decoder.bias_hh_l0")?.shape, [8])
    }

    // MARK: Fast path against the reference

    func testFastPathMatchesReference() throws {
        // (T, B, I, [H per layer], with lengths, with carried state)
        let cases: [(Int, Int, Int, [Int], Bool, Bool)] = [
            (1, 1, 1, [1], false, false),
            (6, 1, 3, [4], false, true),      // B == 1 takes the GEMV path
            (6, 1, 3, [4], true, true),
            (7, 3, 5, [8], false, false),
            (7, 3, 5, [8, 6], true, true),
            (4, 6, 2, [16], true, false),
            (9, 5, 11, [7, 7, 3], true, true),
            // B >= 8: the batch is split between threads, per-step products in CKernels' GEMM
            // (G = 48, 80 and 52: full, 8-wide and zero-padded panels; H = 13 and 20 backward)
            (5, 9, 4, [12, 20], true, true),
            (3, 17, 6, [13], true, false),
            // I · 4H above LSTMLayer.perStepInputWeights: one input GEMM, then the split loop
            (2, 9, 130, [130], true, true),
        ]
        XCTAssertGreaterThan(130 * 4 * 130, LSTMLayer.perStepInputWeights, "the last case takes the input-GEMM path")
        XCTAssertLessThan(6 * 4 * 13, LSTMLayer.perStepInputWeights, "the B = 17 case takes the step-by-step path")
        var rng = LSTMTestRandom(seed: 7)
        for (n, (T, B, I, hidden, masked, carried)) in cases.enumerated() {
            let (store, layers) = try makeLSTMStack(inputSize: I, hidden: hidden, seed: UInt64(100 + n))
            let x = rng.tensor([T, B, I])
            let lengths: [Int]? = masked ? (0..<B).map { b in b == 0 ? T : 1 + Int(rng.next() % UInt64(T)) } : nil
            var input = x
            var refInput = x.scalars.map(Double.init)
            for (k, layer) in layers.enumerated() {
                let H = layer.hiddenSize
                let initial = carried ? LSTMState(h: rng.tensor([B, H]), c: rng.tensor([B, H], scale: 2)) : nil
                let y = try layer.forward(input, lengths: lengths, initialState: initial, in: store)
                let ref = LSTMReference.forward(
                    input: refInput, steps: T, batch: B, weights: .init(layer, in: store),
                    h0: initial?.h.scalars.map(Double.init), c0: initial?.c.scalars.map(Double.init),
                    lengths: lengths)
                let what = "case \(n) (T \(T), B \(B), I \(I), H \(hidden)) layer \(k)"
                XCTAssertLessThan(lstmMaxAbsDiff(y.scalars, ref.outputs), 2e-5, "\(what): outputs")
                XCTAssertLessThan(lstmMaxAbsDiff(layer.finalState.h.scalars, ref.h), 2e-5, "\(what): final h")
                XCTAssertLessThan(lstmMaxAbsDiff(layer.finalState.c.scalars, ref.c), 2e-5, "\(what): final c")

                // Inference mode computes the same thing.
                let yInference = try layer.forward(input, lengths: lengths, initialState: initial, in: store, mode: .inference)
                XCTAssertLessThan(lstmMaxAbsDiff(yInference.scalars, y.scalars), 1e-6, "\(what): inference outputs")
                XCTAssertLessThan(lstmMaxAbsDiff(layer.finalState.c.scalars, ref.c), 2e-5, "\(what): inference final c")
                input = y
                refInput = ref.outputs
            }
        }
    }

    func testLastOutputIsHAtEachSequencesLastValidStep() throws {
        let (store, layers) = try makeLSTMStack(inputSize: 3, hidden: [5], seed: 3)
        var rng = LSTMTestRandom(seed: 4)
        let (T, B, H) = (6, 4, 5)
        let x = rng.tensor([T, B, 3])
        let lengths = [6, 2, 0, 4]
        let y = try layers[0].forward(x, lengths: lengths, in: store)
        let last = layers[0].lastOutput
        XCTAssertEqual(last.shape, [B, H])
        for b in 0..<B {
            let expected: [Float] = lengths[b] == 0
                ? [Float](repeating: 0, count: H)   // nothing read: the (zero) initial h
                : lstmRow(y, (lengths[b] - 1) * B + b, width: H)
            XCTAssertEqual(lstmRow(last, b, width: H), expected, "sequence \(b)")
            for t in lengths[b]..<T {
                XCTAssertEqual(lstmRow(y, t * B + b, width: H), [Float](repeating: 0, count: H), "padded output at t \(t), sequence \(b)")
            }
        }
    }

    // MARK: Padding

    /// Garbage beyond a sequence's length changes nothing: not the outputs, the final state,
    /// nor any gradient; and a padded batch agrees with the unpadded sequences run alone.
    func testPaddingInvariance() throws {
        let (store, layers) = try makeLSTMStack(inputSize: 4, hidden: [6, 5], seed: 11)
        var rng = LSTMTestRandom(seed: 12)
        let (T, B, I) = (8, 3, 4)
        let lengths = [8, 3, 5]
        let clean = rng.tensor([T, B, I])
        func padded(garbage: Float) -> Tensor {
            var x = clean
            for b in 0..<B { for t in lengths[b]..<T { for k in 0..<I { x.scalars[(t * B + b) * I + k] = garbage * Float(k + t) } } }
            return x
        }
        let dTop = rng.tensor([T, B, 5])
        let dLast = rng.tensor([B, 5])

        func run(_ x: Tensor, _ lengths: [Int]?) throws -> (y: Tensor, last: Tensor, dx: Tensor, grads: [Float]) {
            store.zeroGrads()
            let y0 = try layers[0].forward(x, lengths: lengths, in: store)
            let y1 = try layers[1].forward(y0, lengths: lengths, in: store)
            let steps = x.shape[0], batch = x.shape[1]
            let dy = Tensor(unchecked: [steps, batch, 5], Array(dTop.scalars[0..<(steps * batch * 5)]))
            let g1 = try layers[1].backward(dOutputs: dy, dLast: dLast, in: store)
            let g0 = try layers[0].backward(dOutputs: g1.dInput, in: store)
            return (y1, layers[1].lastOutput, g0.dInput, store.grads)
        }

        let a = try run(padded(garbage: 3.7), lengths)
        let b = try run(padded(garbage: -55), lengths)
        XCTAssertEqual(a.y, b.y)
        XCTAssertEqual(a.last, b.last)
        XCTAssertEqual(a.grads, b.grads)
        for s in 0..<B {
            for t in 0..<T {
                let row = lstmRow(a.dx, t * B + s, width: I)
                let other = lstmRow(b.dx, t * B + s, width: I)
                if t < lengths[s] { XCTAssertEqual(row, other) } else { XCTAssertEqual(row, [0, 0, 0, 0], "dx at padding") }
            }
        }

        // Sequence 1 (length 3) alone, unpadded, with the matching slice of dOutputs.
        store.zeroGrads()
        var x1Scalars: [Float] = []
        for t in 0..<3 { x1Scalars += lstmRow(clean, t * B + 1, width: I) }
        let x1 = Tensor(unchecked: [3, 1, I], x1Scalars)
        let y0 = try layers[0].forward(x1, in: store)
        let y1 = try layers[1].forward(y0, in: store)
        for t in 0..<3 {
            XCTAssertLessThan(lstmMaxAbsDiff(lstmRow(y1, t, width: 5), lstmRow(a.y, t * B + 1, width: 5)), 1e-6)
        }
        XCTAssertLessThan(lstmMaxAbsDiff(layers[1].lastOutput.scalars, Array(a.last.scalars[5..<10])), 1e-6)
    }

    // MARK: Workspace reuse and errors

    func testChangingShapesBetweenCallsReusesWorkspaceCorrectly() throws {
        let (store, layers) = try makeLSTMStack(inputSize: 3, hidden: [4], seed: 21)
        var rng = LSTMTestRandom(seed: 22)
        for (T, B) in [(5, 4), (2, 1), (7, 2), (5, 4), (1, 3)] {
            let x = rng.tensor([T, B, 3])
            let y = try layers[0].forward(x, in: store)
            let ref = LSTMReference.forward(input: x.scalars.map(Double.init), steps: T, batch: B,
                                            weights: .init(layers[0], in: store))
            XCTAssertLessThan(lstmMaxAbsDiff(y.scalars, ref.outputs), 2e-5, "T \(T), B \(B)")
        }
    }

    func testCarriedStateEqualsOneLongerRun() throws {
        let (store, layers) = try makeLSTMStack(inputSize: 2, hidden: [3], seed: 31)
        var rng = LSTMTestRandom(seed: 32)
        let x = rng.tensor([6, 2, 2])
        let whole = try layers[0].forward(x, in: store)
        let first = try layers[0].forward(Tensor(unchecked: [4, 2, 2], Array(x.scalars[0..<16])), in: store)
        let second = try layers[0].forward(Tensor(unchecked: [2, 2, 2], Array(x.scalars[16..<24])),
                                           initialState: layers[0].finalState, in: store)
        XCTAssertLessThan(lstmMaxAbsDiff(first.scalars + second.scalars, whole.scalars), 1e-6)
    }

    func testBadInputIsAnErrorNotACrash() throws {
        let (store, layers) = try makeLSTMStack(inputSize: 3, hidden: [4], seed: 41)
        let layer = layers[0]
        let x = Tensor(zeros: [5, 2, 3])
        XCTAssertThrowsError(try layer.forward(Tensor(zeros: [5, 2, 4]), in: store)) { error in
            XCTAssertTrue("\(error)".contains("feature 3"), "\(error)")
            XCTAssertTrue("\(error)".contains("[5, 2, 4]"), "\(error)")
        }
        XCTAssertThrowsError(try layer.forward(Tensor(zeros: [5, 3]), in: store))
        XCTAssertThrowsError(try layer.forward(Tensor(zeros: [0, 2, 3]), in: store))
        XCTAssertThrowsError(try layer.forward(x, lengths: [5], in: store)) { error in
            XCTAssertTrue("\(error)".contains("expected 2 sequence lengths"), "\(error)")
        }
        XCTAssertThrowsError(try layer.forward(x, lengths: [5, 6], in: store)) { error in
            XCTAssertTrue("\(error)".contains("sequence 1 has length 6"), "\(error)")
        }
        XCTAssertThrowsError(try layer.forward(x, initialState: layer.zeroState(batch: 3), in: store))
        XCTAssertThrowsError(try layer.forward(x, in: ParameterStore())) { error in
            XCTAssertTrue("\(error)".contains("weight_ih_l0"), "\(error)")
        }
        XCTAssertThrowsError(try LSTMLayer(inputSize: 3, hiddenSize: 0, in: store))
        XCTAssertThrowsError(try LSTMLayer(inputSize: 3, hiddenSize: 4, layerIndex: 0, in: store)) { error in
            XCTAssertTrue("\(error)".contains("already"), "\(error)")
        }

        // Backward needs a training forward pass of matching shape.
        let fresh = try LSTMLayer(inputSize: 3, hiddenSize: 4, layerIndex: 7, in: store)
        XCTAssertThrowsError(try fresh.backward(dOutputs: Tensor(zeros: [5, 2, 4]), in: store))
        _ = try fresh.forward(x, in: store, mode: .inference)
        XCTAssertThrowsError(try fresh.backward(dOutputs: Tensor(zeros: [5, 2, 4]), in: store))
        _ = try fresh.forward(x, in: store)
        XCTAssertThrowsError(try fresh.backward(dOutputs: Tensor(zeros: [4, 2, 4]), in: store))
        XCTAssertThrowsError(try fresh.backward(dOutputs: nil, dLast: Tensor(zeros: [2, 3]), in: store))
        XCTAssertNoThrow(try fresh.backward(dOutputs: Tensor(zeros: [5, 2, 4]), in: store))
    }
}

/// The kernels' vector exp and the gate kernel's sigmoid and tanh against Double libm;
/// the kernels' fast paths against their plain references.
final class LSTMVectorMathTests: XCTestCase {
    /// Inputs across the LSTM's range and beyond, a multiple of 8 long.
    private func inputs() -> [Float] {
        var xs: [Float] = stride(from: -30.0, through: 30.0, by: 0.01).map { Float($0) }
        xs += [0, 1e-8, -1e-8, 1e-4, -3e-3, 0.6249, 0.625, 0.6251, -0.625, 87, -87, 88, 89, -100, 100, 1e30, -1e30]
        while xs.count % 8 != 0 { xs.append(0.5) }
        return xs
    }

    func testVectorExpMatchesDouble() {
        let xs = inputs()
        var e = [Float](repeating: 0, count: xs.count)
        _ = seq_exp_shifted(xs, 0, &e, xs.count)
        var worst = 0.0
        for (k, x) in xs.map(Double.init).enumerated() {
            XCTAssertTrue(e[k].isFinite, "not finite at \(x)")
            if abs(x) <= 87 { worst = max(worst, abs(Double(e[k]) - Foundation.exp(x)) / Foundation.exp(x)) }
        }
        XCTAssertLessThan(worst, 5e-7, "exp")
    }

    /// Every input as all four pre-activations of one unit: the kernel's i, f, o must be
    /// σ(x) and g = tanh(x) to 5e-7 (relative; absolute for tiny sigmoids).
    func testGateActivationsMatchDouble() {
        let xs = inputs()
        let H = xs.count, B = 1
        var gates = xs + xs + xs + xs
        let zeros = [Float](repeating: 0, count: H)
        var h = zeros, c = zeros, y = zeros
        seq_lstm_gates_forward(&gates, [Float](repeating: 0, count: 4 * H), zeros, zeros, &h, &c, nil, &y, B, H, 0, nil)
        var worstSigmoid = 0.0, worstTanh = 0.0
        for j in 0..<H {
            let x = Double(xs[j])
            let sig = 1 / (1 + Foundation.exp(-x)), th = Foundation.tanh(x)
            for gate in [0, 1, 3] {
                let s = gates[gate * H + j]
                XCTAssertTrue(s.isFinite, "sigmoid not finite at \(x)")
                worstSigmoid = max(worstSigmoid, abs(Double(s) - sig) / max(sig, 1e-3))
            }
            let t = gates[2 * H + j]
            XCTAssertTrue(t.isFinite, "tanh not finite at \(x)")
            worstTanh = max(worstTanh, abs(Double(t) - th) / max(abs(th), 1e-30))
        }
        XCTAssertLessThan(worstSigmoid, 5e-7, "sigmoid")
        XCTAssertLessThan(worstTanh, 5e-7, "tanh")
    }

    /// A NaN pre-activation gives NaN activations and a NaN cell (so training can name it).
    func testGateKernelKeepsNaN() {
        let H = 9
        var gates = [Float](repeating: .nan, count: 4 * H)
        let zeros = [Float](repeating: 0, count: H)
        var h = zeros, c = zeros, y = zeros
        seq_lstm_gates_forward(&gates, [Float](repeating: 0.5, count: 4 * H), zeros, zeros, &h, &c, nil, &y, 1, H, 0, nil)
        XCTAssertTrue(gates.allSatisfy(\.isNaN))
        XCTAssertTrue(c.allSatisfy(\.isNaN) && h.allSatisfy(\.isNaN) && y.allSatisfy(\.isNaN))
    }

    /// Forward and backward fast paths against their references, over widths with vector
    /// bodies and scalar tails, held rows, with and without dy.
    func testGateKernelsMatchTheirReferences() {
        var rng = LSTMTestRandom(seed: 11)
        for H in [1, 7, 8, 13, 64] {
            let B = 3, G = 4 * H
            let lengths = [3, 1, 2]
            for t in 0..<3 {
                let pre = rng.tensor([B, G], scale: 4).scalars, bias = rng.tensor([G]).scalars
                let hPrev = rng.tensor([B, H]).scalars, cPrev = rng.tensor([B, H], scale: 2).scalars
                var fast = (g: pre, h: [Float](repeating: 0, count: B * H), c: [Float](repeating: 0, count: B * H),
                            tc: [Float](repeating: 0, count: B * H), y: [Float](repeating: 0, count: B * H))
                var ref = fast
                seq_lstm_gates_forward(&fast.g, bias, hPrev, cPrev, &fast.h, &fast.c, &fast.tc, &fast.y, B, H, t, lengths)
                seq_lstm_gates_forward_reference(&ref.g, bias, hPrev, cPrev, &ref.h, &ref.c, &ref.tc, &ref.y, B, H, t, lengths)
                let what = "H \(H) t \(t)"
                XCTAssertLessThan(lstmMaxAbsDiff(fast.g, ref.g), 1e-6, "\(what): activations")
                XCTAssertLessThan(lstmMaxAbsDiff(fast.c, ref.c), 1e-6, "\(what): c")
                XCTAssertLessThan(lstmMaxAbsDiff(fast.h, ref.h), 1e-6, "\(what): h")
                XCTAssertLessThan(lstmMaxAbsDiff(fast.y, ref.y), 1e-6, "\(what): y")
                XCTAssertLessThan(lstmMaxAbsDiff(fast.tc, ref.tc), 1e-6, "\(what): tanh c")
                for b in 0..<B where t >= lengths[b] {
                    XCTAssertEqual(Array(fast.h[b * H..<(b + 1) * H]), Array(hPrev[b * H..<(b + 1) * H]), "\(what): held h")
                    XCTAssertEqual(Array(fast.y[b * H..<(b + 1) * H]), [Float](repeating: 0, count: H), "\(what): held y")
                }

                let dy = rng.tensor([B, H]).scalars
                for withDy in [false, true] {
                    var back = (dh: rng.tensor([B, H]).scalars, dc: rng.tensor([B, H]).scalars, dg: [Float](repeating: .nan, count: B * G))
                    var backRef = back
                    seq_lstm_gates_backward(ref.g, cPrev, ref.tc, withDy ? dy : nil, &back.dh, &back.dc, &back.dg, B, H, t, lengths)
                    seq_lstm_gates_backward_reference(ref.g, cPrev, ref.tc, withDy ? dy : nil, &backRef.dh, &backRef.dc, &backRef.dg, B, H, t, lengths)
                    XCTAssertLessThan(lstmMaxAbsDiff(back.dg, backRef.dg), 1e-6, "\(what) dy \(withDy): dGates")
                    XCTAssertLessThan(lstmMaxAbsDiff(back.dc, backRef.dc), 1e-6, "\(what) dy \(withDy): dc")
                    XCTAssertEqual(back.dh, backRef.dh, "\(what) dy \(withDy): dh")
                }
            }
        }
    }
}
