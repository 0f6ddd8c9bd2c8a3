// ONNXTests.swift — `export onnx` and `load onnx`: every exported model (LSTM stacks, GRU and
// LSTM bidirectional, RNN relu, per-step dense, token and float inputs) passes onnx.checker
// and gives SeqLang's outputs in ONNX Runtime within 1e-5, for batch and time sizes other than
// the declared ones; `load onnx` of the export gives the same outputs again; graphs in the shape
// torch.onnx.export writes (Reference/onnx_reference.py, seed 20261201) load and give ONNX
// Runtime's outputs; the errors. Missing python3, onnx or onnxruntime is a failure, not a skip
// (scripts/deps.sh installs them).

import Foundation
@testable import Interpreter
import ONNXFormat
import SeqLang
import Tensor
import XCTest

final class ONNXTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Reference/onnx_reference.py").path

    var folder = ""

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("onnx_\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    @discardableResult
    func python(_ args: [String]) throws -> String {
        try PythonReference.run(Self.script, args, needs: "numpy, onnx and onnxruntime")
    }

    func interpreter() -> Captured {
        Captured { $0.workingDirectory = self.folder }
    }

    func network(_ c: Captured, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Network {
        guard case .object(let o)? = c.interpreter[global: name], let model = o as? Model,
              let trained = model.network as? TrainedNetwork else {
            XCTFail("no built model '\(name)'", file: file, line: line)
            throw NSError(domain: "ONNXTests", code: 1)
        }
        return trained.network
    }

    /// Deterministic inputs: ids below `vocabulary`, or features in [-1, 1).
    func inputs(_ network: Network, batch: Int, steps: Int) -> (NetworkInputs, Any) {
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        switch network.spec.input {
        case .tokens(let v):
            let ids = (0..<(batch * steps)).map { _ in Int32(next() % UInt64(v)) }
            let nested = (0..<batch).map { b in (0..<steps).map { Int(ids[b * steps + $0]) } }
            return (.tokens(ids, batch: batch, steps: steps), nested)
        case .features(let f):
            let xs = (0..<(batch * steps * f)).map { _ in Float(next() % 2000) / 1000 - 1 }
            let nested = (0..<batch).map { b in (0..<steps).map { t in (0..<f).map { Double(xs[(b * steps + t) * f + $0]) } } }
            return (.features(xs, batch: batch, steps: steps, features: f), nested)
        }
    }

    static let models: [(name: String, source: String)] = [
        ("lstm_stack", """
            model lstm_stack
            input tokens 7 vocab 20
            layer embedding 8 dropout 0.1
            layer lstm 6 layers 2 last
            layer dense 3 softmax
            """),
        ("recurrent_mix", """
            model recurrent_mix
            input tokens 5 vocab 13
            layer embedding 6
            layer gru 5 bidirectional
            layer rnn 4 relu
            layer lstm 3 bidirectional last
            layer dense 1 sigmoid
            """),
        ("per_step", """
            model per_step
            input sequence 6 features 3
            layer rnn 4
            layer dropout 0.3
            layer lstm 5
            layer dense 4 tanh per step
            layer dense 2 per step
            """),
        ("gru_stack", """
            model gru_stack
            input sequence 4 features 2
            layer gru 3 layers 2 bidirectional last
            layer dense 5 relu
            layer dense 3
            """),
    ]

    func testExportRunsInONNXRuntimeWithSeqLangsOutputs() throws {
        for (name, source) in Self.models {
            let c = interpreter()
            let o = c.run(source + "\nseed 3\nexport onnx \"\(name).onnx\"\n")
            XCTAssertEqual(o.errors, [], name)
            let network = try network(c, name)
            // Batch 3 and 9 steps: neither is in the declaration.
            let (x, nested) = inputs(network, batch: 3, steps: 9)
            let expected = try network.predict(x)
            var inputName = "features"
            if case .tokens = network.spec.input { inputName = "tokens" }
            let json: [String: Any] = ["input_name": inputName, "input": nested, "expected": expected.scalars.map(Double.init),
                                       "shape": expected.shape]
            let casePath = folder + "/\(name).json"
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: casePath))
            let report = try python(["check", folder + "/\(name).onnx", casePath])
            XCTAssertTrue(report.hasPrefix("max |onnxruntime - seqlang| = "), report)

            // Read back: the same model, the same outputs.
            let back = interpreter()
            XCTAssertEqual(back.run("let copy = load onnx \"\(name).onnx\"").errors, [], name)
            guard case .object(let m)? = back.interpreter[global: "copy"], let model = m as? Model,
                  let trained = model.network as? TrainedNetwork else { return XCTFail("load onnx gave no model") }
            XCTAssertEqual(model.name, name)
            XCTAssertEqual(model.spec?.architectureJSON(), NetworkBridgeSpec.of(c, name)?.architectureJSON(), name)
            let again = try trained.network.predict(x)
            XCTAssertEqual(again.shape, expected.shape)
            for (a, b) in zip(again.scalars, expected.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6, name) }
        }
    }

    func testExportGraphNodesInputsAndMetadata() throws {
        let c = interpreter()
        let o = c.run("""
            model tiny
            input tokens 3 vocab 4
            layer embedding 2
            layer lstm 2 last
            layer dense 2 softmax
            export onnx "tiny.onnx"
            """)
        XCTAssertEqual(o.errors, [])
        let model = try Onnx_ModelProtoReader.read(folder + "/tiny.onnx")
        XCTAssertEqual(model.opsetImport.first?.version, 17)
        XCTAssertEqual(model.graph.input.first?.name, "tokens")
        XCTAssertEqual(model.graph.input.first?.type.tensorType.shape.dim.map(\.dimParam), ["batch", "time"])
        XCTAssertEqual(model.graph.output.first?.name, "probabilities")
        XCTAssertEqual(model.graph.node.map(\.opType), ["Gather", "Transpose", "LSTM", "Squeeze", "Gemm", "Softmax"])
        XCTAssertNotNil(model.metadataProps.first { $0.key == "seqlang.architecture" })
    }

    func testExportCarriesTheVocabularyAndClassNames() throws {
        let c = interpreter()
        let o = c.run("""
            let syms = tokens("the cat sat on the mat the cat ran")
            let vocab = vocabulary(syms)
            let data = windows(encode(vocab, syms), 2, vocab)
            seed 1
            model next
            input tokens 2 vocab vocab.size
            layer embedding 4
            layer lstm 4 last
            layer dense vocab.size softmax
            train adam steps 1 batch 4 quiet on data
            export onnx "next.onnx"
            """)
        XCTAssertEqual(o.errors, [])
        let model = try Onnx_ModelProtoReader.read(folder + "/next.onnx")
        let vocabulary = try XCTUnwrap(model.metadataProps.first { $0.key == "vocabulary" }?.value, "\(model.metadataProps.map(\.key))")
        for word in ["the", "cat", "sat", "on", "mat", "ran"] { XCTAssertTrue(vocabulary.contains("\"\(word)\""), vocabulary) }
        // `load onnx` gives the model its vocabulary back.
        let back = interpreter()
        let r = back.run("""
            let m = load onnx "next.onnx"
            print(m.vocab.size)
            """)
        XCTAssertEqual(r.errors, [])
        // The six words and the open vocabulary's <pad> and <unk>.
        XCTAssertEqual(r.output, "8\n")
    }

    func testTorchExportGraphsLoadWithONNXRuntimesOutputs() throws {
        try python(["torch", folder])
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/torch_expected.json"))) as! [String: Any]
        XCTAssertEqual(expected["seed"] as? Int, 20261201)
        let summaries = ["torch_lstm": "lstm 6 layers 2 last", "torch_gru": "gru 5 last", "torch_bilstm": "lstm 4 bidirectional"]
        for (name, layer) in summaries.sorted(by: { $0.key < $1.key }) {
            let c = interpreter()
            let o = c.run("let m = load onnx \"\(name).onnx\"\nsummary")
            XCTAssertEqual(o.errors, [], name)
            XCTAssertTrue(o.output.contains(layer), o.output)
            let network = try network(c, "m")
            let entry = expected[name] as! [String: Any]
            let shape = entry["shape"] as! [Int]
            let x: NetworkInputs
            if let ids = entry["input"] as? [[Int]] {
                x = .tokens(ids.flatMap { $0 }.map(Int32.init), batch: ids.count, steps: ids[0].count)
            } else {
                let xs = entry["input"] as! [[[Double]]]
                x = .features(xs.flatMap { $0.flatMap { $0 } }.map(Float.init), batch: xs.count, steps: xs[0].count,
                              features: xs[0][0].count)
            }
            let got = try network.predict(x)
            XCTAssertEqual(got.shape, shape, name)
            for (a, b) in zip(got.scalars, entry["output"] as! [Double]) { XCTAssertEqual(Double(a), b, accuracy: 1e-5, name) }
        }
    }

    func testUnsupportedNodeIsNamed() throws {
        try python(["torch", folder])
        let o = interpreter().run("let m = load onnx \"unsupported.onnx\"")
        XCTAssertEqual(o.errors.first,
            "1:19: cannot load 'unsupported.onnx': node 2 '/norm/LayerNormalization' (LayerNormalization) is not supported: SeqLang has no layer for LayerNormalization")
    }

    func testErrors() throws {
        try "not a model".write(toFile: folder + "/text.onnx", atomically: true, encoding: .utf8)
        let c = interpreter()
        XCTAssertTrue(c.run("load onnx \"text.onnx\"").errors.first?.hasPrefix("1:11: cannot load 'text.onnx': it is not an ONNX model") == true)
        XCTAssertTrue(c.run("load onnx \"missing.onnx\"").errors.first?.contains("no such file") == true)
        XCTAssertEqual(c.run("export onnx \"x.onnx\"").errors.first,
                       "1:1: `export onnx` needs a model, but no model has been declared yet")
        let typo = c.run("model q\nexport onxx \"x.onnx\"").errors.first ?? ""
        XCTAssertTrue(typo.contains("'onxx'") && typo.contains("onnx"), typo)
    }
}

/// The spec of the model bound to `name` in a test interpreter.
enum NetworkBridgeSpec {
    static func of(_ c: Captured, _ name: String) -> ModelSpec? {
        guard case .object(let o)? = c.interpreter[global: name], let model = o as? Model else { return nil }
        return model.spec
    }
}

enum Onnx_ModelProtoReader {
    static func read(_ path: String) throws -> Onnx_ModelProto {
        try Onnx_ModelProto(serializedBytes: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
