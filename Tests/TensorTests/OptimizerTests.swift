// OptimizerTests.swift — one and two steps of each optimizer against hand-computed values,
// state export/import, global-norm clipping and the step-decay schedule.
//
// Every case starts from p = [1, −2] with gradient [0.5, −1] on step 1 and [0.1, 0.2] on step 2,
// lr 0.1. Expected values from the published update rules (computed in Double):
//   Adam (β 0.9/0.999, ε 1e-8)    step 1 [0.9, −1.9]   step 2 [0.8196959063846518, −1.8488973939904947]
//   RMSProp (ρ 0.9, ε 1e-7)       step 1 [0.6837724339830356, −1.6837723339831303]
//                                 step 2 [0.618539669230855, −1.7490051200118857]
//   Adagrad (s₀ 0, ε 1e-10)       step 1 [0.9, −1.9]   step 2 [0.8803883865100278, −1.9196116135218952]
//   SGD momentum 0.9              step 1 [0.95, −1.9]  step 2 [0.895, −1.83]

import XCTest
@testable import Tensor

final class OptimizerTests: XCTestCase {
    func run(_ opt: Optimizer) -> [[Float]] {
        let store = ParameterStore()
        store.add("p", shape: [2])
        store.values = [1, -2]
        var out: [[Float]] = []
        for g in [[0.5, -1], [0.1, 0.2]] as [[Float]] {
            store.grads = g
            opt.step(store)
            out.append(store.values)
        }
        return out
    }

    func assertSteps(_ opt: Optimizer, _ expected: [[Double]], file: StaticString = #filePath, line: UInt = #line) {
        let got = run(opt)
        for (g, e) in zip(got, expected) {
            for (a, b) in zip(g, e) { XCTAssertEqual(Double(a), b, accuracy: 1e-6, "\(opt.kind)", file: file, line: line) }
        }
        XCTAssertEqual(opt.stepCount, 2)
    }

    func testKnownAnswers() {
        assertSteps(Adam(learningRate: 0.1), [[0.9, -1.9], [0.8196959063846518, -1.8488973939904947]])
        assertSteps(RMSProp(learningRate: 0.1), [[0.6837724339830356, -1.6837723339831303], [0.618539669230855, -1.7490051200118857]])
        assertSteps(Adagrad(learningRate: 0.1), [[0.9, -1.9], [0.8803883865100278, -1.9196116135218952]])
        assertSteps(SGD(learningRate: 0.1, momentum: 0.9), [[0.95, -1.9], [0.895, -1.83]])
        assertSteps(SGD(learningRate: 0.1), [[0.95, -1.9], [0.94, -1.92]])
    }

    func testDefaultsAreDocumentedOnes() {
        let adam = Adam()
        XCTAssertEqual([adam.learningRate, adam.beta1, adam.beta2, adam.epsilon], [0.001, 0.9, 0.999, 1e-8])
        let rms = RMSProp()
        XCTAssertEqual([rms.learningRate, rms.rho, rms.epsilon], [0.001, 0.9, 1e-7])
    }

    func testStateExportImportResumesExactly() throws {
        let makers: [() -> Optimizer] = [{ Adam(learningRate: 0.05) }, { RMSProp(learningRate: 0.05) },
                                         { Adagrad(learningRate: 0.05) }, { SGD(learningRate: 0.05, momentum: 0.9) }]
        for make in makers {
            let store = ParameterStore()
            store.add("w", shape: [3])
            store.values = [0.5, -0.25, 2]
            let grads: [[Float]] = [[0.3, -0.2, 0.1], [-0.5, 0.4, 0.05], [0.2, 0.2, -0.3]]
            let a = make()
            store.grads = grads[0]
            a.step(store)
            let saved = a.exportState()
            XCTAssertTrue(saved.allSatisfy { $0.name.hasPrefix("optimizer.\(a.kind).") })
            let valuesAfterOne = store.values
            for g in grads.dropFirst() { store.grads = g; a.step(store) }
            let straight = store.values

            let b = make()
            try b.importState(Dictionary(uniqueKeysWithValues: saved.map { ($0.name, $0.tensor) }), parameterCount: 3)
            XCTAssertEqual(b.stepCount, 1)
            store.values = valuesAfterOne
            for g in grads.dropFirst() { store.grads = g; b.step(store) }
            XCTAssertEqual(store.values, straight, a.kind)

            XCTAssertThrowsError(try make().importState(Dictionary(uniqueKeysWithValues: saved.map { ($0.name, $0.tensor) }),
                                                        parameterCount: 4)) { e in
                XCTAssertTrue("\(e)".contains("but the model has 4 parameters"), "\(e)")
            }
            XCTAssertThrowsError(try make().importState([:], parameterCount: 3))
        }
    }

    func testLearningRateChangesBetweenSteps() {
        let store = ParameterStore()
        store.add("p", shape: [1])
        store.grads = [1]
        let sgd = SGD(learningRate: 0.5)
        sgd.step(store)
        sgd.learningRate = 0.25
        sgd.step(store)
        XCTAssertEqual(store.values, [-0.75])
    }

    func testClipGlobalNorm() {
        let store = ParameterStore()
        store.add("a", shape: [2])
        store.add("b", shape: [1])
        store.grads = [3, 0, 4]  // norm 5
        XCTAssertEqual(clipGlobalNorm(store, maxNorm: 10), 5)
        XCTAssertEqual(store.grads, [3, 0, 4])
        XCTAssertEqual(clipGlobalNorm(store, maxNorm: 1), 5)
        for (a, e) in zip(store.grads, [0.6, 0, 0.8] as [Float]) { XCTAssertEqual(a, e, accuracy: 1e-7) }
    }

    func testStepDecay() {
        // PTB small: lr 1.0, decay 0.5 after epoch 4.
        let s = StepDecay(base: 1, decay: 0.5, constantEpochs: 4)
        XCTAssertEqual((1...7).map { s.learningRate(epoch: $0) }, [1, 1, 1, 1, 0.5, 0.25, 0.125])
    }
}
