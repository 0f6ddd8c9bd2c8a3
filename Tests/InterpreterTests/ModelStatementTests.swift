// ModelStatementTests.swift — the `model`, `input`, `layer` and `summary` statements: shapes,
// resolved options, parameter counts, the summary table, and the models of the five
// reference programs of SeqLang.

import XCTest
import SeqLang
@testable import Interpreter

final class ModelStatementTests: XCTestCase {
    func layer(_ value: Value) -> ModelLayer? {
        if case .object(let o) = value { return o as? ModelLayer }
        return nil
    }

    func spec(_ script: String) throws -> ModelSpec {
        let fake = FakeInterpreter()
        try fake.runAll(script)
        return try XCTUnwrap(fake.model?.spec)
    }

    // MARK: summary

    func testSentimentSummaryTable() throws {
        let fake = FakeInterpreter()
        try fake.runAll("""
            model sentiment
            input tokens 100 vocab 10000
            layer embedding 64
            layer lstm 128
            layer lstm 64 last
            layer dense 1 sigmoid
            """)
        let result = try fake.run("summary")
        guard case .object(let o) = result, let model = o as? Model else { return XCTFail("summary returns the model") }
        XCTAssertTrue(model === fake.model)
        // LSTM parameters counted as PyTorch does, both biases: 4H(I+H) + 8H.
        XCTAssertEqual(fake.printed, """
            model sentiment
            layer                      output shape                      params   dropout
            input tokens vocab 10000   [batch, time 100]                      -         -
            embedding 10000 64         [batch, time 100, feature 64]    640,000         -
            lstm 128                   [batch, time 100, feature 128]    99,328         -
            lstm 64 last               [batch, feature 64]               49,664         -
            dense 1 sigmoid            [batch, class 1]                      65         -
            total params: 789,057 (789,057 trainable)

            """)
        XCTAssertEqual(model.parameterCount, 640_000 + 99_328 + 49_664 + 65)
    }

    func testSummaryShowsEffectiveDropoutAndFrozenParameters() throws {
        let fake = FakeInterpreter()
        try fake.runAll("""
            model small
            input sequence features 3
            layer lstm 4 keep 0.8 layers 2
            layer dropout 0.5
            layer dense 2 softmax per step
            summary
            """)
        XCTAssertEqual(fake.printed, """
            model small
            layer                       output shape               params   dropout
            input sequence features 3   [batch, time, feature 3]        -         -
            lstm 4 layers 2             [batch, time, feature 4]      304       0.2
            dropout 0.5                 [batch, time, feature 4]        0       0.5
            dense 2 softmax per step    [batch, time, class 2]         10         -
            total params: 314 (314 trainable)

            """)
        // 4·4·(3+4) + 8·4 for the first stacked layer, 4·4·(4+4) + 8·4 for the second.
        XCTAssertEqual(fake.model?.spec?.layers[0].parameterCount, 144 + 160)
        let other = FakeInterpreter()
        try other.runAll("""
            model frozen
            input tokens 4 vocab 100
            layer embedding 8 frozen
            layer lstm 2 last
            summary frozen
            """)
        XCTAssertTrue(other.printed.hasSuffix("total params: 896 (96 trainable)\n"), other.printed)
    }

    // MARK: model and its members

    func testModelStatementBindsTheNameAndMembers() throws {
        let fake = FakeInterpreter()
        let declared = try fake.run("model sentiment")
        guard case .object(let o) = declared, let model = o as? Model else { return XCTFail() }
        guard case .object(let bound)? = fake.variables["sentiment"] else { return XCTFail("model name not bound") }
        XCTAssertTrue(bound === model)
        XCTAssertEqual(model.displayDescription, "model sentiment (no input yet)")
        XCTAssertEqual(model.member("input")?.description, "none")
        try fake.runAll("""
            input tokens 100 vocab 10000
            layer embedding 64
            layer lstm 16 last
            """)
        XCTAssertEqual(model.member("name")?.description, "sentiment")
        XCTAssertEqual(model.member("input")?.description, "[batch, time 100]")
        XCTAssertEqual(model.member("output")?.description, "[batch, feature 16]")
        let lstmParams = 4 * 16 * 80 + 8 * 16
        XCTAssertEqual(model.member("params")?.description, String(640_000 + lstmParams))
        guard case .list(let layers)? = model.member("layers") else { return XCTFail() }
        XCTAssertEqual(layers.map { self.layer($0)?.spec.kind }, [.embedding, .lstm])
        XCTAssertNil(model.member("nope"))
        XCTAssertEqual(model.memberNames, ["name", "input", "output", "layers", "params", "vocab", "classes"])
        XCTAssertEqual(model.typeName, "model")
        XCTAssertEqual(model.displayDescription,
                       "model sentiment: tokens [batch, time 100] -> [batch, feature 16], 2 layers, 645,248 params")
    }

    func testDeclaringAModelAgainStartsAFreshCurrentModel() throws {
        let fake = FakeInterpreter()
        try fake.runAll("""
            model a
            input sequence 5 features 2
            layer lstm 3
            model b
            """)
        XCTAssertEqual(fake.model?.name, "b")
        XCTAssertNil(fake.model?.input)
        guard case .object(let a)? = fake.variables["a"], let first = a as? Model else { return XCTFail() }
        XCTAssertEqual(first.layers.count, 1)
    }

    func testLayerValueDisplayAndMembers() throws {
        let fake = FakeInterpreter()
        try fake.runAll("""
            model m
            input tokens 100 vocab 10000
            layer embedding 64
            """)
        let l = try XCTUnwrap(layer(try fake.run("layer lstm 128 dropout 0.2")))
        XCTAssertEqual(l.displayDescription, "lstm 128 -> [batch, time 100, feature 128]   99,328 params, dropout 0.2")
        XCTAssertEqual(l.member("shape")?.description, "[batch, time 100, feature 128]")
        XCTAssertEqual(l.member("params")?.description, "99328")
        XCTAssertEqual(l.member("kind")?.description, "lstm")
        XCTAssertEqual(l.member("units")?.description, "128")
        XCTAssertEqual(l.member("name")?.description, "lstm0")
        XCTAssertEqual(l.member("dropout")?.description, "0.2")
        XCTAssertEqual(l.typeName, "layer")
        let d = try XCTUnwrap(layer(try fake.run("layer dense 3 relu per step")))
        XCTAssertEqual(d.displayDescription, "dense 3 relu per step -> [batch, time 100, feature 3]   387 params")
        let drop = try XCTUnwrap(layer(try fake.run("layer dropout 0.5")))
        XCTAssertEqual(drop.member("units")?.description, "none")
        XCTAssertEqual(drop.displayDescription, "dropout 0.5 -> [batch, time 100, feature 3]   0 params")
    }

    // MARK: input

    func testInputForms() throws {
        let fake = FakeInterpreter()
        try fake.run("model m")
        XCTAssertEqual(try fake.run("input tokens 100 vocab 10000").description, "[batch, time 100]")
        XCTAssertEqual(fake.model?.input, InputSpec(kind: .tokens, length: 100, vocabulary: 10000))
        XCTAssertEqual(try fake.run("input tokens vocab 10000").description, "[batch, time]")
        XCTAssertEqual(try fake.run("input tokens 35").description, "[batch, time 35]")
        XCTAssertEqual(try fake.run("input sequence 28 features 28").description, "[batch, time 28, feature 28]")
        XCTAssertEqual(fake.model?.input, InputSpec(kind: .sequence, length: 28, features: 28))
        XCTAssertEqual(try fake.run("input sequence features 3").description, "[batch, time, feature 3]")
        fake.variables["steps"] = .int(20)
        XCTAssertEqual(try fake.run("input tokens steps vocab 50").description, "[batch, time 20]")
    }

    // MARK: layers and options

    func testEmbeddingVocabularyFromInputOrExplicit() throws {
        var s = try spec("model m\ninput tokens 20 vocab 10000\nlayer embedding 200")
        XCTAssertEqual(s.layers[0].inputSize, 10000)
        XCTAssertEqual(s.layers[0].units, 200)
        s = try spec("model m\ninput tokens 20\nlayer embedding 10000 200")
        XCTAssertEqual(s.layers[0].inputSize, 10000)
        XCTAssertEqual(s.outputShape.description, "[batch, time 20, feature 200]")
        s = try spec("model m\ninput tokens 20 vocab 10000\nlayer embedding 10000 200 dropout 0.5 init uniform 0.05")
        XCTAssertEqual(s.layers[0].dropout, 0.5)
        XCTAssertEqual(s.layers[0].weightInit, .uniform(0.05))
        s = try spec("model m\ninput tokens 20 vocab 10\nlayer embedding 4 frozen")
        XCTAssertFalse(s.layers[0].trainable)
        XCTAssertEqual(s.layers[0].weightInit, .uniform(0.05), "embedding default")
    }

    func testLstmOptionsResolve() throws {
        var s = try spec("model m\ninput sequence 28 features 28\nlayer lstm 128")
        var l = s.layers[0]
        XCTAssertEqual([l.units, l.inputSize, l.stack], [128, 28, 1])
        XCTAssertFalse(l.last)
        XCTAssertEqual(l.forgetBias, 1.0)
        XCTAssertEqual(l.weightInit, .glorot)
        XCTAssertEqual(l.biasInit, .constant(0))
        XCTAssertEqual(l.dropout, 0)

        s = try spec("model m\ninput sequence 28 features 28\nlayer lstm 200 layers 2 forget_bias 0 init uniform 0.1 dropout 0.5 last")
        l = s.layers[0]
        XCTAssertEqual(l.stack, 2)
        XCTAssertTrue(l.last)
        XCTAssertEqual(l.forgetBias, 0)
        XCTAssertEqual(l.weightInit, .uniform(0.1))
        XCTAssertEqual(l.biasInit, .uniform(0.1), "uniform covers biases too")
        XCTAssertEqual(l.dropout, 0.5)
        let expected: Int = 4 * 200 * (28 + 200) + 4 * 200 * (200 + 200) + 2 * 8 * 200
        XCTAssertEqual(l.parameterCount, expected)
        XCTAssertEqual(s.outputShape.description, "[batch, feature 200]")

        s = try spec("model m\ninput sequence 28 features 28\nlayer lstm 16 keep 0.8 init normal 0.5 bias 0.1")
        l = s.layers[0]
        XCTAssertEqual(l.dropout, 0.2)
        XCTAssertEqual(l.weightInit, .truncatedNormal(0.5))
        XCTAssertEqual(l.biasInit, .constant(0.1))
        s = try spec("model m\ninput sequence 28 features 28\nlayer lstm 16 init glorot keep 1")
        XCTAssertEqual(s.layers[0].weightInit, .glorot)
        XCTAssertEqual(s.layers[0].dropout, 0)
    }

    func testDenseActivationsAndPerStep() throws {
        for act in Activation.allCases {
            let text = act == .linear ? "" : " \(act.rawValue)"
            let s = try spec("model m\ninput sequence 5 features 3\nlayer lstm 4 last\nlayer dense 7\(text)")
            XCTAssertEqual(s.layers[1].activation, act)
            let axis = act == .sigmoid || act == .softmax ? "class" : "feature"
            XCTAssertEqual(s.outputShape.description, "[batch, \(axis) 7]")
        }
        let s = try spec("model m\ninput tokens 20 vocab 100\nlayer embedding 8\nlayer lstm 4\nlayer dense 100 softmax per step init uniform 0.1 bias 0")
        let d = s.layers[2]
        XCTAssertTrue(d.perStep)
        XCTAssertEqual(d.inputSize, 4)
        XCTAssertEqual(d.biasInit, .constant(0), "an explicit bias wins over a uniform init")
        XCTAssertEqual(s.outputShape.description, "[batch, time 20, class 100]")
        // Two dense layers: the second reads the first's features.
        let two = try spec("model m\ninput sequence 5 features 3\nlayer lstm 4 last\nlayer dense 6 relu\nlayer dense 2 softmax")
        XCTAssertEqual(two.layers[2].inputSize, 6)
        XCTAssertEqual(two.layers.map(\.name), ["lstm0", "dense0", "dense1"])
    }

    func testStandaloneDropoutKeepsTheShape() throws {
        let s = try spec("model m\ninput sequence 5 features 3\nlayer dropout 0\nlayer lstm 4 last\nlayer dropout 0.5")
        XCTAssertEqual(s.layerShapes().map(\.description),
                       ["[batch, time 5, feature 3]", "[batch, feature 4]", "[batch, feature 4]"])
        XCTAssertEqual(s.layers[0].dropout, 0)
        XCTAssertEqual(s.layers[2].dropout, 0.5)
        XCTAssertEqual(s.layers[2].parameterCount, 0)
    }

    func testVariablesGiveSizesAndRates() throws {
        let fake = FakeInterpreter()
        fake.variables["units"] = .int(64)
        fake.variables["rate"] = .number(0.25)
        fake.variables["vocab_size"] = .int(500)
        try fake.runAll("""
            model m
            input tokens 10 vocab vocab_size
            layer embedding units
            layer lstm units dropout rate last
            """)
        let s = try XCTUnwrap(fake.model?.spec)
        XCTAssertEqual(s.layers[0].inputSize, 500)
        XCTAssertEqual(s.layers[1].units, 64)
        XCTAssertEqual(s.layers[1].dropout, 0.25)
        // An integral number is accepted as a size.
        try fake.run("layer dense 2.0 softmax")
        XCTAssertEqual(fake.model?.spec?.layers[2].units, 2)
    }

    func testModelWideInitializer() throws {
        let s = try spec("""
            model ptb init uniform 0.05
            input tokens 35 vocab 10000
            layer embedding 650
            layer lstm 650 layers 2 forget_bias 0 init glorot
            layer dense 10000 softmax per step
            """)
        XCTAssertEqual(s.layers[0].weightInit, .uniform(0.05))
        XCTAssertEqual(s.layers[0].biasInit, .uniform(0.05))
        XCTAssertEqual(s.layers[1].weightInit, .glorot, "a layer's own init wins")
        XCTAssertEqual(s.layers[1].biasInit, .constant(0))
        XCTAssertEqual(s.layers[2].weightInit, .uniform(0.05))
        XCTAssertEqual(s.layers[2].biasInit, .uniform(0.05))
    }

    // MARK: warnings

    func testHighDropoutWarnsAtTheRate() throws {
        let fake = FakeInterpreter()
        try fake.runAll("model m\ninput sequence 5 features 3")
        try fake.run("layer lstm 128 dropout 0.8")
        XCTAssertEqual(fake.warnings.count, 1)
        let w = try XCTUnwrap(fake.warnings.first)
        XCTAssertEqual(w.severity, .warning)
        XCTAssertEqual(w.message, "dropout 0.8 drops 80% of the values during training")
        XCTAssertEqual(w.hint, "if 0.8 is the fraction to keep (TensorFlow's keep_prob), write `keep 0.8`, which keeps 80%")
        XCTAssertEqual([w.range.start.line, w.range.start.column, w.range.length], [3, 24, 3])
        XCTAssertEqual(fake.model?.layers.count, 1, "a warning does not stop the statement")
        try fake.run("layer dropout 0.9")
        XCTAssertEqual(fake.warnings.last?.message, "dropout 0.9 drops 90% of the values during training")
        XCTAssertEqual(fake.warnings.last?.range.start.column, 15)
        try fake.run("layer lstm 8 keep 0.8")
        try fake.run("layer lstm 8 dropout 0.65")
        XCTAssertEqual(fake.warnings.count, 2, "keep 0.8 and dropout 0.65 do not warn")
    }

    // MARK: the five reference programs

    func testStackedSentimentModel() throws {
        let fake = FakeInterpreter()
        fake.variables["sizes"] = .list([.int(128), .int(64)])
        fake.variables["first"] = .int(128)
        fake.variables["second"] = .int(64)
        try fake.runAll("""
            model sentiment
            input tokens 200 vocab 20000
            layer embedding 300
            layer lstm first dropout 0.5
            layer lstm second dropout 0.5 last
            layer dense 1 sigmoid
            """)
        let s = try XCTUnwrap(fake.model?.spec)
        XCTAssertEqual(s.outputShape.description, "[batch, class 1]")
        let first: Int = 4 * 128 * (300 + 128) + 8 * 128
        let second: Int = 4 * 64 * (128 + 64) + 8 * 64
        XCTAssertEqual(s.parameterCount, 20000 * 300 + first + second + 65)
    }

    func testStackedSentimentModelFromAListOfSizes() throws {
        let fake = FakeInterpreter()
        fake.variables["sizes"] = .list([.int(128), .int(64)])
        try fake.runAll("""
            model sentiment
            input tokens 200 vocab 20000
            layer embedding 300
            """)
        let result = try fake.run("layer lstm sizes dropout 0.5 last")
        guard case .list(let made) = result else { return XCTFail("a list of sizes gives a list of layers") }
        XCTAssertEqual(made.map(\.description), [
            "lstm 128 -> [batch, time 200, feature 128]   220,160 params, dropout 0.5",
            "lstm 64 last -> [batch, feature 64]   49,664 params, dropout 0.5",
        ])
        try fake.run("layer dense 1 sigmoid")
        let s = try XCTUnwrap(fake.model?.spec)
        XCTAssertEqual(s.layers.map(\.name), ["embedding0", "lstm0", "lstm1", "dense0"])
        XCTAssertEqual(s.layers.map(\.inputSize), [20000, 300, 128, 64])
        XCTAssertEqual(s.layers.map(\.last), [false, false, true, false])
        XCTAssertEqual(s.layers.map(\.dropout), [0, 0.5, 0.5, 0])
        XCTAssertEqual(s.outputShape.description, "[batch, class 1]")
        // One size in a list is one layer.
        fake.variables["single"] = .list([.int(8)])
        try fake.runAll("model one\ninput sequence features 2")
        guard case .object = try fake.run("layer lstm single") else { return XCTFail() }
    }

    func testMinimalSentimentModel() throws {
        let s = try spec("""
            model minimal
            input tokens 4 vocab 400000
            layer embedding 64 frozen
            layer lstm 16 keep 0.8 last
            layer dense 2 softmax init normal 1 bias 0.1
            """)
        XCTAssertEqual(s.layers[1].dropout, 0.2)
        XCTAssertEqual(s.layers[2].weightInit, .truncatedNormal(1))
        XCTAssertEqual(s.layers[2].biasInit, .constant(0.1))
        XCTAssertEqual(s.outputShape.description, "[batch, class 2]")
        let lstm: Int = 4 * 16 * 80 + 8 * 16
        XCTAssertEqual(s.trainableParameterCount, lstm + 34)
    }

    func testMnistRowByRowModel() throws {
        let s = try spec("""
            model mnist
            input sequence 28 features 28
            layer lstm 128 forget_bias 1.0 last
            layer dense 10 softmax
            """)
        XCTAssertEqual(s.layerShapes().map(\.description), ["[batch, feature 128]", "[batch, class 10]"])
        let lstm: Int = 4 * 128 * (28 + 128) + 8 * 128
        XCTAssertEqual(s.parameterCount, lstm + 1290)
        XCTAssertEqual(s.layers[0].forgetBias, 1)
    }

    func testPennTreebankSmallModelAndParameterNames() throws {
        let s = try spec("""
            model ptb init uniform 0.1
            input tokens 20 vocab 10000
            layer embedding 200
            layer lstm 200 layers 2 forget_bias 0
            layer dense 10000 softmax per step
            """)
        XCTAssertEqual(s.outputShape.description, "[batch, time 20, class 10000]")
        let names = s.parameterShapes()
        XCTAssertEqual(names.map(\.name), [
            "embedding0.weight",
            "lstm0.weight_ih_l0", "lstm0.weight_hh_l0", "lstm0.bias_ih_l0", "lstm0.bias_hh_l0",
            "lstm0.weight_ih_l1", "lstm0.weight_hh_l1", "lstm0.bias_ih_l1", "lstm0.bias_hh_l1",
            "dense0.weight", "dense0.bias",
        ])
        XCTAssertEqual(names.map(\.shape), [
            [10000, 200],
            [800, 200], [800, 200], [800], [800],
            [800, 200], [800, 200], [800], [800],
            [10000, 200], [10000],
        ])
        let lstm: Int = 2 * (4 * 200 * 400 + 1600)
        XCTAssertEqual(s.parameterCount, 2_000_000 + lstm + 2_010_000)
        XCTAssertTrue(s.layers.allSatisfy { $0.kind == .dropout || $0.weightInit == .uniform(0.1) })
        XCTAssertEqual(s.layers[1].forgetBias, 0)
    }

    func testPennTreebankMediumModelWithDropout() throws {
        let s = try spec("""
            model ptb init uniform 0.05
            input tokens 35 vocab 10000
            layer embedding 650 dropout 0.5
            layer lstm 650 layers 2 dropout 0.5 forget_bias 0
            layer dense 10000 softmax per step
            """)
        XCTAssertEqual(s.layers.map(\.dropout), [0.5, 0.5, 0])
        XCTAssertEqual(s.outputShape.description, "[batch, time 35, class 10000]")
    }

    func testNextWordModel() throws {
        var s = try spec("""
            model aesop
            input sequence 3 features 1
            layer lstm 512 last
            layer dense 112 softmax
            """)
        let lstm: Int = 4 * 512 * 513 + 8 * 512
        XCTAssertEqual(s.parameterCount, lstm + 512 * 112 + 112)
        s = try spec("""
            model aesop
            input tokens 3 vocab 112
            layer embedding 10
            layer lstm 512 layers 2 last
            layer dense 112 softmax
            """)
        XCTAssertEqual(s.outputShape.description, "[batch, class 112]")
        XCTAssertEqual(s.layers[1].stack, 2)
    }

    // MARK: ModelSpec as data

    func testArchitectureJSONRoundTrip() throws {
        let s = try spec("""
            model ptb init uniform 0.1
            input tokens 20 vocab 10000
            layer embedding 200 keep 0.5
            layer lstm 200 layers 2 forget_bias 0 last
            layer dropout 0.3
            layer dense 2 softmax init normal 0.1 bias 0.1
            """)
        let json = s.architectureJSON()
        XCTAssertTrue(json.contains("\"weightInit\" : \"uniform 0.1\""), json)
        XCTAssertTrue(json.contains("\"weightInit\" : \"normal 0.1\""), json)
        XCTAssertTrue(json.contains("\"biasInit\" : \"constant 0.1\""), json)
        let back = try ModelSpec(architectureJSON: json)
        XCTAssertEqual(back, s)
        XCTAssertEqual(back.architectureJSON(), json)
        XCTAssertEqual(back.layerShapes(), s.layerShapes())
        XCTAssertThrowsError(try ModelSpec(architectureJSON: "{\"name\": 3}"))
        XCTAssertThrowsError(try ModelSpec(architectureJSON: json.replacingOccurrences(of: "glorot", with: "x")
            .replacingOccurrences(of: "uniform 0.1", with: "sideways 2")))
    }

    func testInitializerSpellings() {
        for i in [Initializer.uniform(0.1), .glorot, .truncatedNormal(0.5), .constant(-1)] {
            XCTAssertEqual(Initializer(spelling: i.description), i)
        }
        XCTAssertNil(Initializer(spelling: "uniform"))
        XCTAssertNil(Initializer(spelling: "normal x"))
    }

    func testSpecFromElsewhereStopsAtALayerThatDoesNotFit() {
        let bad = ModelSpec(name: "x", input: InputSpec(kind: .sequence, length: 5, features: 3), layers: [
            LayerSpec(kind: .lstm, name: "lstm0", units: 4, inputSize: 3, last: true),
            LayerSpec(kind: .lstm, name: "lstm1", units: 4, inputSize: 4),
        ])
        XCTAssertEqual(bad.layerShapes().count, 1)
        XCTAssertEqual(ShapeFlow.sequence(length: 5, features: 9).applying(bad.layers[0]),
                       .failure(.features(expected: 3, found: 9)))
    }
}
