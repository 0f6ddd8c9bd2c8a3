// FrameworkFileTests.swift — files written by PyTorch and Keras themselves (committed in
// Fixtures/frameworks, made by Reference/framework_fixtures.py, seed 20261201, versions in
// versions.json): each safetensors `state_dict`, Keras 3 `.keras` and `.weights.h5` of an
// LSTM, GRU, bidirectional LSTM and bidirectional GRU model, and two `torch.onnx.export`
// graphs (the TorchScript exporter's and the dynamo exporter's), loaded with `load weights`
// into a declared model or with `load onnx`, give the framework's own outputs within 1e-5.
// Neither framework is needed to run them.

import Foundation
@testable import Interpreter
import XCTest

final class FrameworkFileTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/frameworks").path

    /// expected.json: the inputs, and each file's outputs by its framework.
    nonisolated(unsafe) static let expected: [String: Any] = {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))) ?? Data()
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
    }()

    var inputs: [[Int]] { Self.expected["inputs"] as? [[Int]] ?? [] }

    func outputs(_ stem: String) throws -> [[Double]] {
        try XCTUnwrap(Self.expected[stem] as? [[Double]], "expected.json has no outputs for '\(stem)'")
    }

    func interpreter() -> Captured {
        Captured { $0.workingDirectory = Self.folder }
    }

    static func model(_ recurrent: String) -> String {
        """
        model m
        input tokens 7 vocab 20
        layer embedding 5
        layer \(recurrent)
        layer dense 3 softmax

        """
    }

    /// The probabilities `predict` gives for each input, in the interpreter's current model.
    func predictions(_ c: Captured, file: StaticString = #filePath, line: UInt = #line) -> [[Double]] {
        predictedProbabilities(c, inputs, file: file, line: line)
    }

    func assertClose(_ got: [[Double]], _ want: [[Double]], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, what, file: file, line: line)
        for (x, y) in zip(got, want) {
            XCTAssertEqual(x.count, y.count, what, file: file, line: line)
            for (u, v) in zip(x, y) { XCTAssertEqual(u, v, accuracy: 1e-5, what, file: file, line: line) }
        }
    }

    /// `load weights FILE` into a model with `recurrent`, then its outputs against the framework's.
    @discardableResult
    func assertWeights(_ file: String, _ recurrent: String, line: UInt = #line) throws -> String {
        let stem = String(file[..<file.firstIndex(of: ".")!])
        let c = interpreter()
        let o = c.run(Self.model(recurrent) + "load weights \"\(file)\"")
        XCTAssertEqual(o.errors, [], file, line: line)
        assertClose(predictions(c, line: line), try outputs(stem), file, line: line)
        return o.output
    }

    func testTheFixturesAreTheFrameworksOwn() throws {
        XCTAssertEqual(Self.expected["seed"] as? Int, 20261201)
        XCTAssertEqual(inputs.count, 4)
        let versions = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.folder + "/versions.json"))) as? [String: String]
        let docs = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/interchange.md").standardized.path, encoding: .utf8)
        for package in ["torch", "safetensors", "onnx", "keras", "tensorflow"] {
            let version = try XCTUnwrap(versions?[package], package)
            XCTAssertTrue(docs.contains("\(version)"), "docs/interchange.md names \(package) \(version)")
        }
    }

    // MARK: - PyTorch: safetensors.torch.save_file(model.state_dict())

    func testPyTorchLSTM() throws {
        let report = try assertWeights("torch_lstm.safetensors", "lstm 8 layers 2 last")
        XCTAssertTrue(report.contains("  lstm0.weight_ih_l1 [32, 8]  <- rnn.weight_ih_l1 [32, 8]\n"), report)
    }

    func testPyTorchGRU() throws {
        try assertWeights("torch_gru.safetensors", "gru 8 last")
    }

    func testPyTorchBidirectionalLSTM() throws {
        try assertWeights("torch_bilstm.safetensors", "lstm 8 bidirectional last")
    }

    func testPyTorchBidirectionalGRU() throws {
        try assertWeights("torch_bigru.safetensors", "gru 8 bidirectional last")
    }

    // MARK: - Keras 3: model.save("….keras") and model.save_weights("….weights.h5")

    func testKerasLSTM() throws {
        try assertWeights("keras_lstm.keras", "lstm 8 last")
        try assertWeights("keras_lstm.weights.h5", "lstm 8 last")
    }

    func testKerasGRU() throws {
        try assertWeights("keras_gru.keras", "gru 8 last")
        try assertWeights("keras_gru.weights.h5", "gru 8 last")
    }

    func testKerasBidirectionalLSTM() throws {
        try assertWeights("keras_bilstm.keras", "lstm 8 bidirectional last")
        try assertWeights("keras_bilstm.weights.h5", "lstm 8 bidirectional last")
    }

    func testKerasBidirectionalGRU() throws {
        let report = try assertWeights("keras_bigru.weights.h5", "gru 8 bidirectional last")
        XCTAssertTrue(report.contains("gru0.bias_hh_l0_reverse [24]"), report)
        XCTAssertTrue(report.contains("backward_layer/cell/vars/2 [2, 24] (row 1 (recurrent bias), gates z, r, h reordered to r, z, n)"), report)
        try assertWeights("keras_bigru.keras", "gru 8 bidirectional last")
    }

    // MARK: - torch.onnx.export

    /// `load onnx FILE`: the summary names `layer`, and the outputs are the torch module's.
    func assertONNX(_ file: String, _ stem: String, _ layer: String, line: UInt = #line) throws {
        let c = interpreter()
        let o = c.run("let m = load onnx \"\(file)\"\nsummary")
        XCTAssertEqual(o.errors, [], file, line: line)
        XCTAssertTrue(o.output.contains(layer), o.output, line: line)
        assertClose(predictions(c, line: line), try outputs(stem), file, line: line)
    }

    func testTorchScriptExportOfTheLSTM() throws {
        try assertONNX("torch_lstm.onnx", "torch_lstm_onnx", "lstm 8 layers 2 last")
    }

    func testDynamoExportOfTheBidirectionalGRU() throws {
        try assertONNX("torch_bigru.onnx", "torch_bigru_onnx", "gru 8 bidirectional last")
    }
}
