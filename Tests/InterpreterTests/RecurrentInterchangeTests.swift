// RecurrentInterchangeTests.swift — GRU and bidirectional LSTM weights from PyTorch and Keras
// files (Reference/interchange_reference.py, seed 20261201) through the same readers and
// matcher `load weights` uses, into networks of the numeric core, against the script's numpy
// outputs in each framework's layout (within 1e-5): the Keras GRU gate reorder z, r, h -> r,
// z, n and its reset_after bias split, the Bidirectional wrapper's forward/backward cells.

import Foundation
import Tensor
import XCTest
@testable import Interpreter

final class RecurrentInterchangeTests: XCTestCase {
    struct Expected: Decodable {
        var inputs: [[Int]]
        var torch_gru: [[Double]]
        var torch_bilstm: [[Double]]
        var keras_gru: [[Double]]
        var keras_bilstm: [[Double]]
    }

    /// The matcher's targets for a network's parameters: one per layer prefix (`gru0`).
    func targets(_ store: ParameterStore) -> [WeightMatcher.Target] {
        var order: [String] = []
        var slots: [String: [(name: String, shape: [Int])]] = [:]
        for slot in store.slots {
            let prefix = String(slot.name.prefix { $0 != "." })
            if slots[prefix] == nil { order.append(prefix) }
            slots[prefix, default: []].append((slot.name, slot.shape))
        }
        return order.enumerated().map { i, prefix in
            WeightMatcher.Target(number: i + 1, name: prefix, text: prefix, cell: String(prefix.prefix { !$0.isNumber }), slots: slots[prefix]!)
        }
    }

    /// Loads `file` into a network of `layers` and gives its probabilities for the reference inputs.
    func outputs(_ file: String, _ recurrent: NetworkLayer) throws -> [[Double]] {
        let dir = try InterchangeTests.referenceFolder()
        let e = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json")))
        let network = try Network(spec: NetworkSpec(input: .tokens(vocabulary: 12),
                                                    layers: [.embedding(5), recurrent, .dense(3, activation: .softmax)]), seed: 1)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file)))
        let weights = try LoadWeightsStatement.read(bytes, path: file)
        let matcher = WeightMatcher(targets: targets(network.store))
        for m in try matcher.match(try matcher.assign(weights, map: nil)) {
            try network.store.set(try XCTUnwrap(network.store.slot(named: m.slot)), to: m.value.tensor)
        }
        let ids = e.inputs.flatMap { $0 }.map(Int32.init)
        let p = try network.predict(.tokens(ids, batch: e.inputs.count, steps: e.inputs[0].count))
        return (0..<e.inputs.count).map { b in (0..<3).map { Double(p.scalars[b * 3 + $0]) } }
    }

    func expected() throws -> Expected {
        let dir = try InterchangeTests.referenceFolder()
        return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json")))
    }

    func assertClose(_ a: [[Double]], _ b: [[Double]], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) {
            for (u, v) in zip(x, y) { XCTAssertEqual(u, v, accuracy: 1e-5, file: file, line: line) }
        }
    }

    func testPyTorchGRU() throws {
        assertClose(try outputs("torch_gru.safetensors", .gru(6, returnSequences: false)), try expected().torch_gru)
    }

    func testKerasGRUReordersGatesAndSplitsTheResetAfterBias() throws {
        assertClose(try outputs("keras_gru.weights.h5", .gru(6, returnSequences: false)), try expected().keras_gru)
    }

    func testPyTorchBidirectionalLSTM() throws {
        assertClose(try outputs("torch_bilstm.safetensors", .lstm(6, returnSequences: false, bidirectional: true)), try expected().torch_bilstm)
    }

    func testKerasBidirectionalLSTM() throws {
        assertClose(try outputs("keras_bilstm.weights.h5", .lstm(6, returnSequences: false, bidirectional: true)), try expected().keras_bilstm)
    }

    func testAGRUFileDoesNotFillAnLSTM() throws {
        let dir = try InterchangeTests.referenceFolder()
        let network = try Network(spec: NetworkSpec(input: .tokens(vocabulary: 12),
                                                    layers: [.embedding(5), .lstm(6, returnSequences: false), .dense(3, activation: .softmax)]), seed: 1)
        let weights = try LoadWeightsStatement.read([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/keras_gru.weights.h5"))), path: "g")
        let matcher = WeightMatcher(targets: targets(network.store))
        XCTAssertThrowsError(try matcher.match(try matcher.assign(weights, map: nil))) { error in
            XCTAssertEqual((error as? WeightMatcher.Failure)?.message, "GRU module 'gru' cannot fill layer 2 (lstm0): it is a GRU, the layer an LSTM")
        }
    }
}
