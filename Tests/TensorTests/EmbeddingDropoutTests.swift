// EmbeddingDropoutTests.swift — the embedding table (sparse gradient, bad ids) and dropout
// (fixed-mask gradient check, evaluation identity, seeded masks).

import XCTest
@testable import Tensor

final class EmbeddingDropoutTests: XCTestCase {
    let check = GradientCheck()

    func testEmbeddingLookupAndGradientWithRepeatedID() throws {
        let store = ParameterStore()
        let emb = Embedding(vocabularySize: 5, width: 3, store: store, prefix: "embedding.")
        XCTAssertEqual(emb.weight.name, "embedding.weight")
        var rng = SeededRandom(seed: 5)
        Initializer.uniform(scale: 1).apply(to: emb.weight, in: store, using: &rng)
        let ids: [Int32] = [2, 0, 2, 4]
        let y = try emb.forward(ids, store: store, leadingShape: [2, 2])
        XCTAssertEqual(y.shape, [2, 2, 3])
        XCTAssertEqual(Array(y.scalars[0..<3]), Array(store.values[6..<9]))
        let r = randomValues(12, &rng)
        store.zeroGrads()
        try emb.backward(Tensor(unchecked: [2, 2, 3], r), store: store)
        // Row 2 got two contributions, rows 1 and 3 none.
        for j in 0..<3 { XCTAssertEqual(store.grads[6 + j], r[j] + r[6 + j], accuracy: 1e-6) }
        XCTAssertEqual(Array(store.grads[3..<6]), [0, 0, 0])
        XCTAssertEqual(Array(store.grads[9..<12]), [0, 0, 0])
        var values = store.values
        let numeric = try check.numeric(&values) { v in
            store.values = v
            return weightedSum(try emb.forward(ids, store: store).scalars, r)
        }
        store.values = values
        check.assertClose("embedding dW", store.grads, numeric)
    }

    func testEmbeddingOutOfRangeIDIsAnError() {
        let store = ParameterStore()
        let emb = Embedding(vocabularySize: 10, width: 2, store: store)
        XCTAssertThrowsError(try emb.forward([1, 12], store: store)) { e in
            XCTAssertEqual("\(e)", "embedding forward: token id 12 at position 1 is outside the vocabulary of size 10 (valid ids are 0..<10)")
        }
        XCTAssertThrowsError(try emb.forward([-1], store: store))
    }

    func testDropoutFixedMaskGradientCheck() throws {
        let dropout = try Dropout(rate: 0.5)
        dropout.setFixedMask([true, false, true, true, false, true])
        var rng = SeededRandom(seed: 1)
        var x = randomValues(6, &rng)
        let r = randomValues(6, &rng)
        func loss(_ x: [Float]) throws -> Double {
            weightedSum(try dropout.forward(Tensor(unchecked: [2, 3], x), training: true, using: &rng).scalars, r)
        }
        let y = try dropout.forward(Tensor(unchecked: [2, 3], x), training: true, using: &rng)
        XCTAssertEqual(y.scalars[1], 0)
        XCTAssertEqual(y.scalars[0], 2 * x[0])
        let dX = try dropout.backward(Tensor(unchecked: [2, 3], r))
        check.assertClose("dropout dX", dX.scalars, try check.numeric(&x, loss))
    }

    func testDropoutEvaluationIsIdentityAndMasksAreSeeded() throws {
        let dropout = try Dropout(rate: 0.3)
        var rng = SeededRandom(seed: 9)
        let x = Tensor(unchecked: [1000], [Float](repeating: 1, count: 1000))
        XCTAssertEqual(try dropout.forward(x, training: false, using: &rng), x)
        XCTAssertEqual(try dropout.backward(x), x)
        let y = try dropout.forward(x, training: true, using: &rng)
        let kept = y.scalars.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 })
        XCTAssertEqual(Double(kept.count) / 1000, 0.7, accuracy: 0.05)
        var again = SeededRandom(seed: 9)
        XCTAssertEqual(try dropout.forward(x, training: true, using: &again), y)
        XCTAssertThrowsError(try Dropout(rate: 1)) { e in
            XCTAssertTrue("\(e)".contains("expected a rate in [0, 1)"))
        }
    }
}
