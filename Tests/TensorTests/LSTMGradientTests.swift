// LSTMGradientTests.swift — the LSTM backward pass against central finite differences.
//
// The loss is a fixed random linear function of whatever the configuration exposes (every
// step's outputs of the top layer, its last outputs, each layer's final state):
//   L = Σ wY ⊙ y + Σ wLast ⊙ last + Σ_k (wH_k ⊙ h_T,k + wC_k ⊙ c_T,k)
// Its gradient comes from the fast Float backward pass; the finite differences run the Double
// plain-loop reference (LSTMReference.swift) on the same Float weights. Every parameter tensor,
// the input and every layer's initial (h0, c0) are compared element by element, and a failure
// lists the worst relative error of each tensor.

import XCTest
@testable import Tensor

final class LSTMGradientTests: XCTestCase {

    struct Config {
        var steps: Int
        var batch: Int
        var inputSize: Int
        var hidden: [Int]
        var lengths: [Int]? = nil
        /// Nonzero initial states carried into every layer (else zeros, still differentiated).
        var carried = false
        var everyStep = true
        var last = false
        var finalState = false
        var seed: UInt64 = 1
    }

    func testOneLayerEveryStep() throws {
        try check(Config(steps: 4, batch: 2, inputSize: 3, hidden: [5], seed: 1))
    }

    func testOneLayerBatchOfOneTakesTheGEMVPath() throws {
        try check(Config(steps: 5, batch: 1, inputSize: 3, hidden: [4], carried: true, last: true, finalState: true, seed: 2))
    }

    func testTwoLayerStackWithCarriedStateOverSeveralSteps() throws {
        try check(Config(steps: 6, batch: 3, inputSize: 3, hidden: [4, 5], carried: true,
                         everyStep: true, finalState: true, seed: 3))
    }

    func testTwoLayerStackWithVariableLengths() throws {
        try check(Config(steps: 5, batch: 4, inputSize: 2, hidden: [3, 4], lengths: [5, 0, 3, 1],
                         carried: true, everyStep: true, last: true, finalState: true, seed: 4))
    }

    /// H = 11: eight units through the vector gate kernel, three through the scalar tail.
    func testWideLayerCoversVectorAndScalarGateKernels() throws {
        try check(Config(steps: 3, batch: 2, inputSize: 2, hidden: [11], lengths: [3, 2],
                         carried: true, everyStep: true, last: true, finalState: true, seed: 7))
    }

    /// B = 9: the batch is split between threads (on a machine with 2 or more) and the
    /// per-step products go through CKernels' packed GEMM; H = 13 ends in a padded panel.
    func testBatchSplitBetweenThreadsWithVariableLengths() throws {
        try check(Config(steps: 4, batch: 9, inputSize: 3, hidden: [13, 5], lengths: [4, 1, 3, 0, 4, 2, 4, 3, 1],
                         carried: true, everyStep: true, last: true, finalState: true, seed: 8))
    }

    func testLastStepOutputOnlyWithVariableLengths() throws {
        try check(Config(steps: 6, batch: 3, inputSize: 3, hidden: [4, 3], lengths: [2, 6, 4],
                         carried: false, everyStep: false, last: true, seed: 5))
    }

    func testLastStepOutputOnlyBatchOfOneWithLength() throws {
        try check(Config(steps: 5, batch: 1, inputSize: 2, hidden: [3], lengths: [3],
                         carried: true, everyStep: false, last: true, seed: 6))
    }

    /// Parameter gradients add up across backward passes (`+=`), they are never overwritten.
    func testParameterGradientsAccumulate() throws {
        let (store, layers) = try makeLSTMStack(inputSize: 3, hidden: [4], seed: 8)
        var rng = LSTMTestRandom(seed: 9)
        let x = rng.tensor([3, 2, 3]), dy = rng.tensor([3, 2, 4])
        store.zeroGrads()
        _ = try layers[0].forward(x, in: store)
        _ = try layers[0].backward(dOutputs: dy, in: store)
        let once = store.grads
        XCTAssertGreaterThan(once.map(abs).max() ?? 0, 0)
        _ = try layers[0].backward(dOutputs: dy, in: store)
        XCTAssertLessThan(lstmMaxAbsDiff(store.grads, once.map { 2 * $0 }), 1e-6)
    }

    /// An inference pass (a validation batch of another shape) between forward and backward
    /// does not disturb what backward uses.
    func testInferencePassBetweenForwardAndBackwardChangesNothing() throws {
        let (store, layers) = try makeLSTMStack(inputSize: 3, hidden: [9], seed: 10)
        var rng = LSTMTestRandom(seed: 11)
        let x = rng.tensor([4, 2, 3]), dy = rng.tensor([4, 2, 9]), other = rng.tensor([6, 5, 3])
        store.zeroGrads()
        _ = try layers[0].forward(x, lengths: [4, 3], in: store)
        let plain = try layers[0].backward(dOutputs: dy, in: store)
        let plainGrads = store.grads
        store.zeroGrads()
        _ = try layers[0].forward(x, lengths: [4, 3], in: store)
        _ = try layers[0].forward(other, in: store, mode: .inference)
        let interleaved = try layers[0].backward(dOutputs: dy, in: store)
        XCTAssertEqual(store.grads, plainGrads)
        XCTAssertEqual(interleaved.dInput, plain.dInput)
        XCTAssertEqual(interleaved.dInitialState, plain.dInitialState)
    }

    // MARK: The check

    func check(_ c: Config, file: StaticString = #filePath, line: UInt = #line) throws {
        let (T, B, I) = (c.steps, c.batch, c.inputSize)
        let (store, layers) = try makeLSTMStack(inputSize: I, hidden: c.hidden, seed: c.seed)
        var rng = LSTMTestRandom(seed: c.seed &+ 1000)
        let x = rng.tensor([T, B, I])
        let initial: [LSTMState] = layers.map { l in
            c.carried ? LSTMState(h: rng.tensor([B, l.hiddenSize]), c: rng.tensor([B, l.hiddenSize], scale: 1.5))
                      : LSTMState.zeros(batch: B, hidden: l.hiddenSize)
        }
        let top = layers.count - 1
        let hTop = layers[top].hiddenSize
        let wY = rng.tensor([T, B, hTop])
        let wLast = rng.tensor([B, hTop])
        let wFinal: [LSTMState] = layers.map { l in LSTMState(h: rng.tensor([B, l.hiddenSize]), c: rng.tensor([B, l.hiddenSize])) }

        // Analytic: the fast forward and backward passes.
        store.zeroGrads()
        var input = x
        for (k, layer) in layers.enumerated() {
            input = try layer.forward(input, lengths: c.lengths, initialState: c.carried ? initial[k] : nil, in: store)
        }
        var dAbove: Tensor? = c.everyStep ? wY : nil
        var dInitial = [LSTMState](repeating: .zeros(batch: 0, hidden: 0), count: layers.count)
        for k in stride(from: top, through: 0, by: -1) {
            let g = try layers[k].backward(dOutputs: dAbove, dLast: k == top && c.last ? wLast : nil,
                                           dFinalState: c.finalState ? wFinal[k] : nil, in: store)
            dAbove = g.dInput
            dInitial[k] = g.dInitialState
        }
        var analytic: [(String, [Float])] = store.slots.map { ($0.name, Array(store.grads[$0.range])) }
        analytic.append(("input", dAbove!.scalars))
        for k in layers.indices {
            analytic.append(("h0_l\(k)", dInitial[k].h.scalars))
            analytic.append(("c0_l\(k)", dInitial[k].c.scalars))
        }

        // Numeric: central differences of the Double reference loss.
        let dwY = wY.scalars.map(Double.init), dwLast = wLast.scalars.map(Double.init)
        func loss(_ params: [Double], _ x: [Double], _ h0: [[Double]], _ c0: [[Double]]) -> Double {
            var input = x
            var total = 0.0
            for (k, layer) in layers.enumerated() {
                let w = LSTMReference.Weights(
                    inputSize: layer.inputSize, hiddenSize: layer.hiddenSize,
                    wih: Array(params[layer.weightIH.range]), whh: Array(params[layer.weightHH.range]),
                    bih: Array(params[layer.biasIH.range]), bhh: Array(params[layer.biasHH.range]))
                let r = LSTMReference.forward(input: input, steps: T, batch: B, weights: w,
                                              h0: h0[k], c0: c0[k], lengths: c.lengths)
                if c.finalState {
                    total += zip(r.h, wFinal[k].h.scalars).reduce(0) { $0 + $1.0 * Double($1.1) }
                    total += zip(r.c, wFinal[k].c.scalars).reduce(0) { $0 + $1.0 * Double($1.1) }
                }
                if k == top {
                    if c.everyStep { total += zip(r.outputs, dwY).reduce(0) { $0 + $1.0 * $1.1 } }
                    if c.last { total += zip(r.h, dwLast).reduce(0) { $0 + $1.0 * $1.1 } }
                }
                input = r.outputs
            }
            return total
        }
        let params = store.values.map(Double.init), xs = x.scalars.map(Double.init)
        let h0s = initial.map { $0.h.scalars.map(Double.init) }, c0s = initial.map { $0.c.scalars.map(Double.init) }
        let eps = 1e-5
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
        let dParams = numeric(params) { loss($0, xs, h0s, c0s) }
        var expected: [(String, [Double])] = store.slots.map { ($0.name, Array(dParams[$0.range])) }
        expected.append(("input", numeric(xs) { loss(params, $0, h0s, c0s) }))
        for k in layers.indices {
            expected.append(("h0_l\(k)", numeric(h0s[k]) { v in var h = h0s; h[k] = v; return loss(params, xs, h, c0s) }))
            expected.append(("c0_l\(k)", numeric(c0s[k]) { v in var cs = c0s; cs[k] = v; return loss(params, xs, h0s, cs) }))
        }

        // Compare: relative error |a - n| / max(|a|, |n|, floor), worst per tensor.
        let tolerance = 1e-4, floor = 1e-3
        var report: [String] = []
        var failed = false
        for ((name, a), (_, n)) in zip(analytic, expected) {
            XCTAssertEqual(a.count, n.count, name, file: file, line: line)
            var worst = 0.0
            for (ai, ni) in zip(a, n) {
                worst = max(worst, abs(Double(ai) - ni) / max(abs(Double(ai)), abs(ni), floor))
            }
            let largest = n.map(abs).max() ?? 0
            report.append("\(name): worst relative error \(String(format: "%.2e", worst)) (largest gradient \(String(format: "%.3g", largest)))")
            if worst > tolerance || !worst.isFinite { failed = true }
        }
        XCTAssertFalse(failed, "gradient check failed:\n" + report.joined(separator: "\n"), file: file, line: line)
        // The check must not pass vacuously: some gradient of every parameter tensor is nonzero.
        for (name, n) in expected where name.hasPrefix("weight") {
            XCTAssertGreaterThan(n.map(abs).max() ?? 0, 1e-4, "\(name) has no gradient to check", file: file, line: line)
        }
    }
}
