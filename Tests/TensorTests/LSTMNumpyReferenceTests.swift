// LSTMNumpyReferenceTests.swift — a 2-layer LSTM against an independent numpy forward pass.
//
// `Reference/lstm_reference.py` (seed 20261125, numpy only) draws PyTorch-named weights, an
// input, initial states and lengths, runs its own forward pass and writes everything to a
// safetensors file; this test loads the weights by name into a store and compares outputs
// and final states. Missing python3 or numpy is a failure, not a skip.

import Foundation
import XCTest
@testable import Tensor

final class LSTMNumpyReferenceTests: XCTestCase {
    func testTwoLayerForwardMatchesNumpy() throws {
        let (tensors, metadata) = try NumpyReference.run("lstm_reference.py")
        func tensor(_ name: String) throws -> Tensor {
            guard let t = tensors[name] else { throw TensorError("lstm_reference", "missing tensor \(name)") }
            return t
        }
        XCTAssertEqual(metadata["seed"], "20261125")
        let lengths = try XCTUnwrap(metadata["lengths"]).split(separator: ",").map { Int($0)! }
        let x = try tensor("input")
        let (T, B, I) = (x.shape[0], x.shape[1], x.shape[2])
        let H = try tensor("weight_hh_l0").shape[1]
        XCTAssertEqual(lengths.count, B)

        let store = ParameterStore()
        let layers = [try LSTMLayer(inputSize: I, hiddenSize: H, layerIndex: 0, in: store),
                      try LSTMLayer(inputSize: H, hiddenSize: H, layerIndex: 1, in: store)]
        for slot in store.slots { try store.set(slot, to: tensor(slot.name)) }
        let h0 = try tensor("h0"), c0 = try tensor("c0")
        let hn = try tensor("h_n"), cn = try tensor("c_n")
        func layerSlice(_ t: Tensor, _ k: Int) -> Tensor {
            Tensor(unchecked: [B, H], Array(t.scalars[(k * B * H)..<((k + 1) * B * H)]))
        }

        var input = x
        for (k, layer) in layers.enumerated() {
            let initial = LSTMState(h: layerSlice(h0, k), c: layerSlice(c0, k))
            for mode in [LSTMMode.training, .inference] {
                let y = try layer.forward(input, lengths: lengths, initialState: initial, in: store, mode: mode)
                let expected = try tensor(k == 0 ? "output_l0" : "output")
                XCTAssertEqual(y.shape, [T, B, H])
                XCTAssertLessThan(lstmMaxAbsDiff(y.scalars, expected.scalars), 1e-5, "layer \(k) outputs, \(mode)")
                XCTAssertLessThan(lstmMaxAbsDiff(layer.finalState.h.scalars, layerSlice(hn, k).scalars), 1e-5, "layer \(k) h_n, \(mode)")
                XCTAssertLessThan(lstmMaxAbsDiff(layer.finalState.c.scalars, layerSlice(cn, k).scalars), 1e-5, "layer \(k) c_n, \(mode)")
                if mode == .inference { input = y }
            }
        }
    }
}
