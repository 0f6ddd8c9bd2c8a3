// RecurrentNumpyReferenceTests.swift — GRU, RNN (tanh, ReLU) and bidirectional stacks against
// independent numpy versions of PyTorch's nn.GRU / nn.RNN / nn.LSTM.
//
// `Reference/recurrent_reference.py known` (seed 20261201, numpy only) draws PyTorch-named
// weights (`…_l{k}`, `…_l{k}_reverse`), inputs, initial states and lengths, runs its own forward
// passes (the backward direction from each sequence's last real step, as a packed sequence) and
// writes everything to a safetensors file; this test loads the weights by name and compares the
// outputs and final states (h_n, c_n in PyTorch's [layers·directions, B, H] order). Missing
// python3 or numpy is a failure, not a skip.

import Foundation
import XCTest
@testable import Tensor

final class RecurrentNumpyReferenceTests: XCTestCase {
    func testStacksMatchNumpy() throws {
        let (tensors, metadata) = try NumpyReference.run("recurrent_reference.py", ["known"])
        XCTAssertEqual(metadata["seed"], "20261201")
        let lengths = try XCTUnwrap(metadata["lengths"]).split(separator: ",").map { Int($0)! }
        func tensor(_ name: String) throws -> Tensor {
            guard let t = tensors[name] else { throw TensorError("recurrent_reference", "missing tensor \(name)") }
            return t
        }
        for (name, cell, layers, bidirectional) in [("gru", TestCell.gru, 2, true), ("rnn_tanh", .rnnTanh, 1, false),
                                                    ("rnn_relu", .rnnRelu, 2, true), ("lstm", .lstm, 2, true)] {
            let x = try tensor("\(name).input")
            let (T, B, I) = (x.shape[0], x.shape[1], x.shape[2])
            let H = try tensor("\(name).weight_hh_l0").shape[1]
            let dirs = bidirectional ? 2 : 1
            let store = ParameterStore()
            var stack: [RecurrentLayer] = []
            for k in 0..<layers {
                let input = k == 0 ? I : dirs * H
                let f = try cell.make(input, H, k, store)
                stack.append(bidirectional ? try BidirectionalLayer(forward: f, backward: try cell.make(input, H, k, suffix: "_reverse", store)) : f)
            }
            for slot in store.slots { try store.set(slot, to: tensor("\(name).\(slot.name)")) }
            // [layers·dirs, B, H] -> the state tensors of layer k (forward then reverse; LSTM h, c each).
            func slice(_ t: Tensor, _ j: Int) -> Tensor { Tensor(unchecked: [B, H], Array(t.scalars[(j * B * H)..<((j + 1) * B * H)])) }
            let h0 = try tensor("\(name).h0"), hn = try tensor("\(name).h_n")
            let c0 = cell == .lstm ? try tensor("\(name).c0") : nil, cn = cell == .lstm ? try tensor("\(name).c_n") : nil
            func states(_ h: Tensor, _ c: Tensor?, layer k: Int) -> [Tensor] {
                (0..<dirs).flatMap { d -> [Tensor] in
                    let j = k * dirs + d
                    return c.map { [slice(h, j), slice($0, j)] } ?? [slice(h, j)]
                }
            }
            for mode in [LSTMMode.training, .inference] {
                var input = x
                for (k, layer) in stack.enumerated() {
                    input = try layer.forward(input, lengths: lengths, initialStateTensors: states(h0, c0, layer: k), in: store, mode: mode)
                    for (got, want) in zip(layer.stateTensors, states(hn, cn, layer: k)) {
                        XCTAssertLessThan(lstmMaxAbsDiff(got.scalars, want.scalars), 1e-5, "\(name) layer \(k) final state, \(mode)")
                    }
                }
                let expected = try tensor("\(name).output")
                XCTAssertEqual(input.shape, [T, B, dirs * H])
                XCTAssertLessThan(lstmMaxAbsDiff(input.scalars, expected.scalars), 1e-5, "\(name) outputs, \(mode)")
            }
        }
    }
}
