// DenseTests.swift — the dense layer against its naive reference and by gradient checks.

import XCTest
@testable import Tensor

final class DenseTests: XCTestCase {
    func makeLayer(_ activation: Activation, inputs: Int = 4, outputs: Int = 3, seed: UInt64 = 1)
        -> (Dense, ParameterStore, SeededRandom) {
        let store = ParameterStore()
        let dense = Dense(inputSize: inputs, outputSize: outputs, activation: activation, store: store, prefix: "dense0.")
        var rng = SeededRandom(seed: seed)
        Initializer.uniform(scale: 0.8).apply(to: dense.weight, in: store, using: &rng)
        Initializer.uniform(scale: 0.5).apply(to: dense.bias, in: store, using: &rng)
        return (dense, store, rng)
    }

    func testNamesAndShapesFollowLinear() {
        let (dense, store, _) = makeLayer(.none)
        XCTAssertEqual(store.slots.map(\.name), ["dense0.weight", "dense0.bias"])
        XCTAssertEqual(dense.weight.shape, [3, 4])
        XCTAssertEqual(dense.bias.shape, [3])
    }

    func testMatchesNaiveReferenceForwardAndBackward() throws {
        for activation in Activation.allCases {
            let (dense, store, rng0) = makeLayer(activation, inputs: 5, outputs: 4)
            var rng = rng0
            let x = Tensor(unchecked: [6, 5], randomValues(30, &rng))
            let y = try dense.forward(x, store: store)
            let w = store.tensor(dense.weight).scalars, b = store.tensor(dense.bias).scalars
            let ref = Dense.referenceForward(x: x.scalars, w: w, b: b, rows: 6, inputs: 5, outputs: 4, activation: activation)
            for (a, r) in zip(y.scalars, ref) { XCTAssertEqual(a, r, accuracy: 1e-5, "\(activation)") }

            let dY = Tensor(unchecked: [6, 4], randomValues(24, &rng))
            store.zeroGrads()
            let dX = try dense.backward(dY, store: store)
            var dZ = dY.scalars
            y.scalars.withUnsafeBufferPointer { py in
                dY.scalars.withUnsafeBufferPointer { pdy in
                    dZ.withUnsafeMutableBufferPointer { activation.backward(py.baseAddress!, pdy.baseAddress!, $0.baseAddress!, rows: 6, columns: 4) }
                }
            }
            let r = Dense.referenceBackward(x: x.scalars, w: w, dZ: dZ, rows: 6, inputs: 5, outputs: 4)
            for (a, e) in zip(dX.scalars, r.dX) { XCTAssertEqual(a, e, accuracy: 1e-5) }
            for (a, e) in zip(Array(store.grads[dense.weight.range]), r.dW) { XCTAssertEqual(a, e, accuracy: 1e-5) }
            for (a, e) in zip(Array(store.grads[dense.bias.range]), r.db) { XCTAssertEqual(a, e, accuracy: 1e-5) }
        }
    }

    func testGradientCheckEveryActivation() throws {
        let check = GradientCheck()
        for activation in Activation.allCases {
            let (dense, store, rng0) = makeLayer(activation)
            var rng = rng0
            var x = randomValues(3 * 4, &rng)
            let r = randomValues(3 * 3, &rng)
            func loss(_ x: [Float]) throws -> Double {
                weightedSum(try dense.forward(Tensor(unchecked: [3, 4], x), store: store).scalars, r)
            }
            _ = try loss(x)
            store.zeroGrads()
            let dX = try dense.backward(Tensor(unchecked: [3, 3], r), store: store)
            let analyticW = Array(store.grads[dense.weight.range]), analyticB = Array(store.grads[dense.bias.range])
            check.assertClose("\(activation) dX", dX.scalars, try check.numeric(&x, loss))
            var values = store.values
            let numericAll = try check.numeric(&values) { v in
                store.values = v
                return try loss(x)
            }
            store.values = values
            check.assertClose("\(activation) dW", analyticW, Array(numericAll[dense.weight.range]))
            check.assertClose("\(activation) db", analyticB, Array(numericAll[dense.bias.range]))
        }
    }

    func testGradientCheckNoticesAWrongGradient() throws {
        // The checker itself must fail on a gradient that is off by 10% or has a wrong sign.
        let check = GradientCheck()
        var x: [Float] = [0.3, -0.7, 1.1]
        let numeric = check.numeric(&x) { v in v.reduce(0.0) { $0 + Double($1) * Double($1) * Double($1) } }
        let right = x.map { 3 * $0 * $0 }
        XCTAssertLessThan(check.worst(right, numeric), 1e-3)
        XCTAssertGreaterThan(check.worst(right.map { $0 * 1.1 }, numeric), 2e-2)
        XCTAssertGreaterThan(check.worst([right[0], -right[1], right[2]], numeric), 0.5)
    }

    func testGradientsAccumulateAndTimeDistributedShape() throws {
        let (dense, store, rng0) = makeLayer(.tanh)
        var rng = rng0
        let x = Tensor(unchecked: [2, 3, 4], randomValues(24, &rng))
        let y = try dense.forward(x, store: store)
        XCTAssertEqual(y.shape, [2, 3, 3])
        let dY = Tensor(unchecked: [2, 3, 3], randomValues(18, &rng))
        store.zeroGrads()
        XCTAssertEqual(try dense.backward(dY, store: store).shape, [2, 3, 4])
        let once = store.grads
        _ = try dense.backward(dY, store: store)
        for (a, b) in zip(store.grads, once) { XCTAssertEqual(a, 2 * b, accuracy: 1e-5) }
    }

    func testWrongInputShapeIsAnError() {
        let (dense, store, _) = makeLayer(.relu)
        XCTAssertThrowsError(try dense.forward(Tensor(zeros: [2, 5]), store: store)) { e in
            XCTAssertEqual("\(e)", "dense forward: expected input with last axis 4 but got shape [2, 5]")
        }
    }

    func testSoftmaxSkippedForFusedLoss() throws {
        let (dense, store, rng0) = makeLayer(.softmax)
        var rng = rng0
        let x = Tensor(unchecked: [2, 4], randomValues(8, &rng))
        let logits = try dense.forward(x, store: store, applyingActivation: false)
        let probs = try dense.forward(x, store: store)
        for n in 0..<2 {
            let row = logits.scalars[(n * 3)..<(n * 3 + 3)].map { Foundation.exp(Double($0)) }
            let s = row.reduce(0, +)
            for j in 0..<3 { XCTAssertEqual(Double(probs.scalars[n * 3 + j]), row[j] / s, accuracy: 1e-6) }
        }
    }
}

import Foundation
