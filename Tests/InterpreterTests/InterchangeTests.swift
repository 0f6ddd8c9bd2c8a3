// InterchangeTests.swift — `load weights`: PyTorch safetensors, Keras `.weights.h5` and
// `.keras` files of LSTM, GRU and bidirectional LSTM models made by `Reference/interchange_reference.py` (seed 20261201, numpy and
// h5py), whose outputs that script computes with its own numpy forward pass in each
// framework's layout; then the errors, the explicit map, nothing half-loaded, loaded weights
// kept by `seed`, and every byte read through the host's file check. Missing python3, numpy
// or h5py is a failure, not a skip.

import Foundation
import Interpreter
import SeqLang
import XCTest

final class InterchangeTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Reference/interchange_reference.py").path
    nonisolated(unsafe) static var folder: String?

    struct Expected: Decodable {
        var seed: Int
        var inputs: [[Int]]
        var torch_lstm: [[Double]]
        var keras_lstm: [[Double]]
        var torch_gru: [[Double]]
        var torch_bilstm: [[Double]]
        var keras_gru: [[Double]]
        var keras_bilstm: [[Double]]
        var torch_rnn: [[Double]]
        var keras_rnn: [[Double]]
        var npy: [String: AnyNested]
        var stats: [String: [String: AnyNested]]
    }

    /// A number or nested lists of numbers from expected.json, flattened.
    struct AnyNested: Decodable {
        var values: [Double]
        init(from decoder: Decoder) throws {
            if let x = try? decoder.singleValueContainer().decode(Double.self) { values = [x]; return }
            var c = try decoder.unkeyedContainer()
            values = []
            while !c.isAtEnd { values += try c.decode(AnyNested.self).values }
        }
    }

    /// The reference files, made once for the test run.
    func referenceFolder() throws -> String { try Self.referenceFolder() }

    static func referenceFolder() throws -> String {
        if let f = Self.folder { return f }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("interchange_\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try PythonReference.run(Self.script, [dir], needs: "numpy and h5py")
        Self.folder = dir
        return dir
    }

    func expected() throws -> Expected { try Self.expected() }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: try referenceFolder() + "/expected.json")))
    }

    static let model = model(recurrent: "lstm 6 layers 2 last")

    static func model(recurrent: String) -> String {
        """
        model m
        input tokens 7 vocab 12
        layer embedding 5
        layer \(recurrent)
        layer dense 3 softmax

        """
    }

    func interpreter(_ configure: (inout SeqInterpreter.Configuration) -> Void = { _ in }) throws -> Captured {
        let dir = try referenceFolder()
        return Captured { config in
            config.workingDirectory = dir
            configure(&config)
        }
    }

    /// The probabilities `predict` gives for each reference input.
    func predictions(_ c: Captured, file: StaticString = #filePath, line: UInt = #line) throws -> [[Double]] {
        predictedProbabilities(c, try expected().inputs, file: file, line: line)
    }

    func assertClose(_ a: [[Double]], _ b: [[Double]], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.count, y.count, file: file, line: line)
            for (u, v) in zip(x, y) { XCTAssertEqual(u, v, accuracy: 1e-5, file: file, line: line) }
        }
    }

    func load(_ file: String, into c: Captured, extra: String = "", recurrent: String? = nil) -> Outcome {
        c.run((recurrent.map(Self.model(recurrent:)) ?? Self.model) + "load weights \"\(file)\"" + extra)
    }

    // MARK: - Known answers

    func testPyTorchStateDictGivesPyTorchsOutputs() throws {
        XCTAssertEqual(try expected().seed, 20261201)
        let report = try assertLoads([("torch_lstm.safetensors", try expected().torch_lstm)])[0]
        XCTAssertTrue(report.hasPrefix("loaded 11 tensors from 'torch_lstm.safetensors' (PyTorch layout) into model 'm':\n"), report)
        XCTAssertTrue(report.contains("  lstm0.weight_ih_l1 [24, 6]  <- encoder.rnn.weight_ih_l1 [24, 6]\n"), report)
        XCTAssertTrue(report.contains("  dense0.bias [3]             <- head.bias [3]\n"), report)
    }

    func testKerasWeightsFileGivesKerasOutputs() throws {
        let report = try assertLoads([("keras_lstm.weights.h5", try expected().keras_lstm)])[0]
        XCTAssertTrue(report.contains("  lstm0.weight_ih_l0 [24, 5]  <- layers/lstm/cell/vars/0 [5, 24] (transposed)\n"), report)
        XCTAssertTrue(report.contains("  lstm0.bias_hh_l1 [24]       <- zeros (Keras has one bias, 'layers/lstm_1/cell/vars/2', taken as bias_ih)\n"), report)
        XCTAssertTrue(report.contains("  dense0.weight [3, 6]        <- layers/dense/vars/0 [6, 3] (transposed)\n"), report)
    }

    func testKerasArchiveGivesKerasOutputs() throws {
        try assertLoads([("keras_lstm.keras", try expected().keras_lstm)])
    }

    /// Loads each file into a fresh model with `recurrent` and checks its outputs; gives the reports.
    @discardableResult
    func assertLoads(_ files: [(String, [[Double]])], recurrent: String = "lstm 6 layers 2 last",
                     file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        try files.map { name, answer in
            let c = try interpreter()
            let o = load(name, into: c, recurrent: recurrent)
            XCTAssertEqual(o.errors, [], name, file: file, line: line)
            assertClose(try predictions(c), answer, file: file, line: line)
            return o.output
        }
    }

    func testGRUFromPyTorchAndKeras() throws {
        try assertLoads([("torch_gru.safetensors", try expected().torch_gru), ("keras_gru.weights.h5", try expected().keras_gru)],
                        recurrent: "gru 6 last")
        let c = try interpreter()
        XCTAssertTrue(load("keras_gru.weights.h5", into: c, recurrent: "gru 6 last").output.contains(
            "  gru0.bias_hh_l0 [18]       <- layers/gru/cell/vars/2 [2, 18] (row 1 (recurrent bias), gates z, r, h reordered to r, z, n)\n"))
    }

    func testBidirectionalLSTMFromPyTorchAndKeras() throws {
        try assertLoads([("torch_bilstm.safetensors", try expected().torch_bilstm), ("keras_bilstm.weights.h5", try expected().keras_bilstm)],
                        recurrent: "lstm 6 bidirectional last")
        let one = try interpreter()
        XCTAssertEqual(load("torch_bilstm.safetensors", into: one, recurrent: "lstm 6 last").result.errors.first?.message,
                       "cannot load weights from 'torch_bilstm.safetensors' into model 'm': the model's recurrent layers have 1 sub-layer (layer 2 (lstm 6 last)) but the file's recurrent modules have 2: 'lstm' (2)")
    }

    func testRNNFromPyTorchAndKerasAndALinearWithoutBias() throws {
        let reports = try assertLoads([("torch_rnn.safetensors", try expected().torch_rnn), ("keras_rnn.weights.h5", try expected().keras_rnn)],
                                      recurrent: "rnn 6 last")
        XCTAssertTrue(reports[0].contains("dense0.bias [3]            <- zeros (linear module 'out' has no bias)\n"), reports[0])
    }

    func testAParameterNoLayerHasIsNamed() throws {
        let o = load("torch_batchnorm.safetensors", into: try interpreter())
        XCTAssertEqual(o.result.errors.first?.message,
                       "cannot load weights from 'torch_batchnorm.safetensors': tensor 'bn.running_mean': 'running_mean' is not a parameter of an Embedding, Linear, LSTM, GRU or RNN module")
        XCTAssertEqual(o.result.errors.first?.hint, "choose the modules to load with `map [\"prefix\", …]`, one per layer with weights")
    }

    func testLoadedWeightsFineTune() throws {
        let c = try interpreter()
        XCTAssertEqual(load("torch_lstm.safetensors", into: c).errors, [])
        let o = c.run("""
            let data = sequences([[1, 4, 2, 11, 0, 7, 3], [5, 5, 9, 2, 8, 1, 10]], [0, 2], 7)
            train sgd lr 0.5 epochs 3 batch 2 on data
            """)
        XCTAssertEqual(o.errors, [])
        let after = try predictions(c)
        XCTAssertNotEqual(after[0][0], try expected().torch_lstm[0][0], accuracy: 1e-4, "training moved the loaded weights")
        XCTAssertGreaterThan(after[0][0], try expected().torch_lstm[0][0], "class 0 became likelier for the first sequence")
    }

    func testHDF5LinksAndExternalValuesAreRefusedNotFollowed() throws {
        let link = load("keras_external_link.weights.h5", into: try interpreter())
        XCTAssertEqual(link.result.errors.first?.message,
                       "cannot load weights from 'keras_external_link.weights.h5': 'layers/dense/vars/0' is a soft or external link; SeqLang reads only objects stored in the file itself")
        let data = load("keras_external_data.weights.h5", into: try interpreter())
        XCTAssertEqual(data.result.errors.first?.message,
                       "cannot load weights from 'keras_external_data.weights.h5': dataset 'layers/dense/vars/0' keeps its values in other files (external or virtual storage); SeqLang reads only values stored in the file itself")
    }

    func testAGRUFileDoesNotFillAnLSTM() throws {
        let o = load("keras_gru.weights.h5", into: try interpreter(), recurrent: "lstm 6 last")
        XCTAssertEqual(o.result.errors.first?.message,
                       "cannot load weights from 'keras_gru.weights.h5' into model 'm': GRU module 'gru' cannot fill layer 2 (lstm 6 last): it is a GRU, the layer an LSTM")
    }

    // MARK: - Errors and the map

    func testFirstTensorThatDoesNotFitIsNamedAndNothingIsHalfLoaded() throws {
        let c = try interpreter()
        XCTAssertEqual(load("torch_lstm.safetensors", into: c).errors, [])
        let before = try predictions(c)
        let o = c.run("load weights \"torch_wide.safetensors\"")
        XCTAssertEqual(o.result.errors.first?.message,
                       "cannot load weights from 'torch_wide.safetensors' into model 'm': tensor 'encoder.rnn.weight_ih_l0' [24, 8] does not fit layer 2 (lstm 6 layers 2 last): its weight_ih_l0 is [24, 5]")
        XCTAssertEqual(o.result.errors.first?.hint, "the file's layer reads 8 features but the model gives it 5; check the layer before it")
        XCTAssertEqual(o.errors.first?.hasPrefix("1:14:"), true, "placed at the path")
        XCTAssertEqual(try predictions(c), before, "the earlier weights are kept whole")
    }

    func testLoadedWeightsSurviveSeedAndSummary() throws {
        let c = try interpreter()
        XCTAssertEqual(load("torch_lstm.safetensors", into: c).errors, [])
        XCTAssertEqual(c.run("seed 7\nsummary").errors, [])
        assertClose(try predictions(c), try expected().torch_lstm)
    }

    func testExplicitMapAndItsErrors() throws {
        let c = try interpreter()
        let o = load("torch_lstm.safetensors", into: c, extra: " map [\"embedding\", \"encoder.rnn\", \"head\"]")
        XCTAssertEqual(o.errors, [])
        assertClose(try predictions(c), try expected().torch_lstm)
        let typo = c.run("load weights \"torch_lstm.safetensors\" into m map [\"embedding\", \"encoder.rn\", \"head\"]")
        XCTAssertEqual(typo.result.errors.first?.message,
                       "cannot load weights from 'torch_lstm.safetensors' into model 'm': the map names 'encoder.rn' for layer 2 (lstm 6 layers 2 last), but the file has no such module")
        XCTAssertEqual(typo.result.errors.first?.hint, "did you mean 'encoder.rnn'?")
        let short = c.run("load weights \"torch_lstm.safetensors\" map [\"embedding\"]")
        XCTAssertEqual(short.result.errors.first?.message,
                       "cannot load weights from 'torch_lstm.safetensors' into model 'm': the map names 1 module but the model has 3 layers with weights (layer 1 (embedding 12 5), layer 2 (lstm 6 layers 2 last), layer 3 (dense 3 softmax))")
        let wrongKind = c.run("load weights \"torch_lstm.safetensors\" map [\"embedding\", \"head\", \"encoder.rnn\"]")
        XCTAssertEqual(wrongKind.result.errors.first?.message,
                       "cannot load weights from 'torch_lstm.safetensors' into model 'm': the map gives linear module 'head' to layer 2 (lstm 6 layers 2 last), which is not a layer of that kind")
    }

    func testModelWithMoreLayersThanTheFileSaysWhichLayerIsLeft() throws {
        let c = try interpreter()
        let o = c.run("""
            model m
            input tokens 7 vocab 12
            layer embedding 5
            layer lstm 6 layers 2
            layer dense 4 per step
            layer dense 3 softmax per step
            load weights "torch_lstm.safetensors"
            """)
        XCTAssertEqual(o.result.errors.first?.message,
                       "cannot load weights from 'torch_lstm.safetensors' into model 'm': layer 4 (dense 3 softmax per step) has no weights in the file: the model has 2 dense layers but the file 1 linear module ('head')")
    }

    func testWrongStatementsSayWhatToWrite() throws {
        let c = try interpreter()
        let o = c.run(Self.model + "load \"torch_lstm.safetensors\"")
        XCTAssertEqual(o.result.errors.first?.message, "expected a kind of file (weights or onnx), got \"torch_lstm.safetensors\"")
        let before = c.run("load weights")
        XCTAssertEqual(before.result.errors.first?.message, "expected a file path after `weights`")
        let option = c.run("load weights \"torch_lstm.safetensors\" mapp []")
        XCTAssertEqual(option.result.errors.first?.message.contains("'mapp'"), true, option.result.errors.first?.message ?? "")
        let map = c.run("load weights \"torch_lstm.safetensors\" map 3")
        XCTAssertEqual(map.result.errors.first?.message, "expected a list of module names after `map`, got 3")
        let none = try interpreter().run("load weights \"torch_lstm.safetensors\"")
        XCTAssertEqual(none.result.errors.first?.message, "`load weights` needs a model, but no model has been declared yet")
        let text = c.run("load weights \"expected.json\"")
        XCTAssertEqual(text.result.errors.first?.kind, .io)
        XCTAssertEqual(text.result.errors.first?.message.hasPrefix("cannot load weights from 'expected.json': at byte 0: header length"), true,
                       text.result.errors.first?.message ?? "")
        XCTAssertEqual(c.run("let m2 = load(\"torch_lstm.safetensors\")").result.errors.first?.message.contains("not a SeqLang model"), true,
                       "the function load(PATH) still reads SeqLang's own files only")
    }

    func testEveryReadGoesThroughTheHostsFileCheck() throws {
        let c = try interpreter { $0.fileAccess = .folders(["/nowhere"]) }
        for file in ["torch_lstm.safetensors", "keras_lstm.weights.h5", "keras_lstm.keras"] {
            let o = load(file, into: c)
            XCTAssertEqual(o.result.errors.first?.message, "cannot read '\(file)': it is outside the folders this interpreter may use")
        }
    }
}
