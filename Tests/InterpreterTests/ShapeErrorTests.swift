// ShapeErrorTests.swift — every error the model statements report: its exact message, kind,
// hint, and the place it points at (line and column of the word that caused it).

import XCTest
import SeqLang
@testable import Interpreter

final class ShapeErrorTests: XCTestCase {
    let tokens = "model m\ninput tokens 100 vocab 10000\n"
    let floats = "model m\ninput sequence 28 features 28\n"

    // MARK: order of statements

    func testLayerBeforeModel() {
        assertModelError("layer lstm 128", kind: .name, column: 1, length: 5,
            "`layer` needs a model, but no model has been declared yet",
            hint: "start with `model NAME` (for example `model sentiment`), then `input` and `layer`")
        assertModelError("input tokens 5", kind: .name, column: 1,
            "`input` needs a model, but no model has been declared yet")
        assertModelError("summary", kind: .name, column: 1,
            "`summary` needs a model, but no model has been declared yet")
    }

    func testLayerBeforeInput() {
        assertModelError("model m\nlayer lstm 128", kind: .shape, column: 7, length: 4,
            "model 'm' has no input yet, so this lstm layer has no shape to work on",
            hint: "say what the model reads first: `input tokens 100 vocab 10000` or `input sequence 28 features 28`")
    }

    func testInputAfterLayers() {
        assertModelError(floats + "layer lstm 8\ninput sequence 5 features 2", kind: .shape, column: 1,
            "the input of model 'm' must come before its layers, and it already has 1",
            hint: "declare `model m` again to start over")
    }

    // MARK: shapes

    func testEmbeddingAfterFloatInput() {
        assertModelError(floats + "layer embedding 64", kind: .shape, column: 7, length: 12,
            "an embedding needs token ids [batch, time], but it receives [batch, time 28, feature 28]",
            hint: "the input already gives vectors; an embedding is for `input tokens` (integer ids)")
        assertModelError(tokens + "layer embedding 64\nlayer embedding 32", kind: .shape, column: 7,
            "an embedding needs token ids [batch, time], but it receives [batch, time 100, feature 64]",
            hint: "an embedding turns token ids into vectors, so it comes right after `input tokens`")
    }

    func testLstmOnTokenIds() {
        assertModelError(tokens + "layer lstm 128", kind: .shape, column: 7, length: 8,
            "an lstm layer needs a sequence of vectors [batch, time, feature], but it receives token ids [batch, time 100]",
            hint: "add `layer embedding 64` before it to turn each token id into a vector of 64 features")
        assertModelError(tokens + "layer dropout 0.5", kind: .shape, column: 7, length: 11,
            "a dropout layer needs vectors, but it receives token ids [batch, time 100]")
        assertModelError(tokens + "layer dense 2", kind: .shape, column: 7,
            "a dense layer needs vectors, but it receives token ids [batch, time 100]")
    }

    func testDenseAfterSequence() {
        assertModelError(floats + "layer lstm 128\nlayer dense 10 softmax", kind: .shape, column: 7, length: 8,
            "a dense layer needs one vector per example [batch, feature], but it receives a sequence [batch, time 28, feature 128]",
            hint: "add `last` to the lstm to keep only its final step, or write `layer dense 10 softmax per step` for an output at every step")
        assertModelError("model m\ninput sequence features 3\nlayer dense 1", kind: .shape, column: 7,
            "a dense layer needs one vector per example [batch, feature], but it receives a sequence [batch, time, feature 3]",
            hint: "add `last` to the lstm to keep only its final step, or write `layer dense 1 per step` for an output at every step")
    }

    func testLstmAfterLast() {
        assertModelError(floats + "layer lstm 128 last\nlayer lstm 64", kind: .shape, column: 7, length: 7,
            "an lstm layer needs a sequence [batch, time, feature], but it receives one vector per example [batch, feature 128]",
            hint: "the lstm before it keeps only its final step (`last`); remove `last` there to pass the whole sequence on")
        assertModelError(floats + "layer lstm 128 last\nlayer dense 8\nlayer lstm 64", kind: .shape, column: 7,
            "an lstm layer needs a sequence [batch, time, feature], but it receives one vector per example [batch, feature 8]",
            hint: "an lstm reads a sequence; put it before the layers that reduce the sequence to one vector")
    }

    func testPerStepOnASingleVector() {
        assertModelError(floats + "layer lstm 16 last\nlayer dense 4 per step", kind: .shape, column: 15, length: 3,
            "`per step` needs a sequence [batch, time, feature], but the dense layer receives one vector per example [batch, feature 16]",
            hint: "remove `per step`: the layer before already gives one vector per example")
        assertModelError(floats + "layer dense 4 per", kind: .syntax, column: 15, "expected `per step`")
    }

    func testVocabularyMismatchAndMissingVocabulary() {
        assertModelError(tokens + "layer embedding 5000 64", kind: .shape, column: 17, length: 4,
            "the embedding's vocabulary 5000 does not match the input's vocab 10000",
            hint: "write `layer embedding 64` to use the input's vocabulary")
        assertModelError("model m\ninput tokens 100\nlayer embedding 64", kind: .shape, column: 17, length: 2,
            "the embedding needs a vocabulary size, but the input gives none",
            hint: "write `layer embedding VOCAB 64`, or give the input one: `input tokens vocab VOCAB`")
    }

    // MARK: words

    func testUnknownLayerKind() {
        assertModelError(floats + "layer lstn 128", kind: .name, column: 7, length: 4,
            "unknown layer kind 'lstn'; did you mean 'lstm'?",
            hint: "layer kinds: embedding, lstm, gru, rnn, dense, dropout")
        assertModelError(floats + "layer conv 128", kind: .name, column: 7,
            "unknown layer kind 'conv'; expected embedding, lstm, gru, rnn, dense or dropout")
        assertModelError(floats + "layer 128", kind: .type, column: 7,
            "expected a layer kind (embedding, lstm, gru, rnn, dense or dropout), got 128")
        assertModelError(floats + "layer", kind: .syntax, column: 1,
            "expected a layer kind after `layer`: embedding, lstm, gru, rnn, dense or dropout",
            hint: "for example `layer lstm 128`")
    }

    func testUnknownOption() {
        assertModelError(floats + "layer lstm 128 dropuot 0.2", kind: .name, column: 16, length: 7,
            "unknown option 'dropuot' for an lstm layer; did you mean 'dropout'?",
            hint: "valid options: dropout, keep, layers, last, bidirectional, forget_bias, init, bias")
        assertModelError(floats + "layer lstm 128 stateful", kind: .name, column: 16,
            "unknown option 'stateful' for an lstm layer",
            hint: "valid options: dropout, keep, layers, last, bidirectional, forget_bias, init, bias")
        assertModelError(floats + "layer lstm 128 last 5", kind: .syntax, column: 21,
            "expected an option of an lstm layer, got 5",
            hint: "valid options: dropout, keep, layers, last, bidirectional, forget_bias, init, bias")
        assertModelError(floats + "layer dense 10 sigmod", kind: .name, column: 16,
            "unknown option 'sigmod' for a dense layer; did you mean 'sigmoid'?")
        assertModelError(floats + "layer dropout 0.5 last", kind: .name, column: 19,
            "unknown option 'last' for a dropout layer", hint: "a dropout layer takes no options")
        assertModelError("model m\ninput tokens 5 vocab 9 features 3", kind: .name, column: 24,
            "unknown option 'features' for a tokens input", hint: "valid options: vocab")
        assertModelError("model m init uniform", kind: .syntax, column: 14,
            "initializer 'uniform' needs the uniform range", hint: "for example `init uniform 0.1`")
        assertModelError("model m dropout 0.2", kind: .name, column: 9,
            "unknown option 'dropout' for a model", hint: "valid options: init")
    }

    func testOptionMissingItsValue() {
        assertModelError(floats + "layer lstm 128 dropout", kind: .syntax, column: 16, length: 7,
            "option 'dropout' needs a value: the fraction of values to drop, at least 0 and below 1")
        assertModelError(floats + "layer lstm 128 layers last", kind: .syntax, column: 16,
            "option 'layers' needs a value: the number of stacked LSTM layers")
        assertModelError(floats + "layer lstm 128 init", kind: .syntax, column: 16,
            "option 'init' needs a value: an initializer: uniform R, glorot or normal S")
        assertModelError("model m\ninput tokens 5 vocab", kind: .syntax, column: 16,
            "option 'vocab' needs a value: the vocabulary size")
        assertModelError(floats + "layer lstm", kind: .syntax, column: 7,
            "expected the number of units after `lstm`", hint: "for example `layer lstm 128`")
        assertModelError(floats + "layer dropout", kind: .syntax, column: 7,
            "expected the dropout rate after `dropout`", hint: "for example `layer dropout 0.5`")
    }

    func testWrongValueTypes() {
        assertModelError(floats + "layer lstm \"abc\"", kind: .type, column: 12, length: 5,
            "expected a positive integer for the number of units, got \"abc\"")
        assertModelError(floats + "layer lstm 12.5", kind: .type, column: 12,
            "expected a positive integer for the number of units, got 12.5")
        assertModelError(floats + "layer lstm 8 dropout \"lots\"", kind: .type, column: 22,
            "expected a number for the dropout rate, got \"lots\"")
        assertModelError(floats + "layer lstm 8 init sideways", kind: .name, column: 19,
            "unknown initializer 'sideways'",
            hint: "initializers: `uniform 0.1` (between -0.1 and 0.1), `glorot`, `normal 0.1` (truncated normal, deviation 0.1)")
        assertModelError(floats + "layer lstm 8 init unifrom 0.1", kind: .name, column: 19,
            "unknown initializer 'unifrom'; did you mean 'uniform'?")
        assertModelError(floats + "layer lstm 8 init normal -1", kind: .type, column: 26,
            "expected a positive number for the standard deviation, got -1.0")
        assertModelError("model 3", kind: .type, column: 7, "expected a name after `model`, got 3")
        assertModelError("model m\ninput 3", kind: .name, column: 7, "unknown input kind 3")
        assertModelError("model m\ninput tokenz 3", kind: .name, column: 7,
            "unknown input kind 'tokenz'; did you mean 'tokens'?",
            hint: "an input is `tokens` (integer ids) or `sequence` (vectors of numbers)")
    }

    func testVariableBoundToAWrongValue() {
        let fake = FakeInterpreter()
        fake.variables["units"] = .string("many")
        XCTAssertNoThrow(try fake.runAll(floats))
        XCTAssertThrowsError(try fake.run("layer lstm units")) { error in
            let d = error as? Diagnostic
            XCTAssertEqual(d?.message, "expected a positive integer for the number of units, got units (string \"many\")")
            XCTAssertEqual(d?.range.start.column, 12)
        }
    }

    func testZeroAndNegativeUnits() {
        assertModelError(floats + "layer lstm 0", kind: .type, column: 12, length: 1,
            "expected a positive integer for the number of units, got 0")
        assertModelError(floats + "layer dense -3", kind: .type, column: 13,
            "expected a positive integer for the number of units, got -3")
        assertModelError(tokens + "layer embedding 0", kind: .type, column: 17,
            "expected a positive integer for the embedding dimension, got 0")
        assertModelError(floats + "layer lstm 8 layers 0", kind: .type, column: 21,
            "expected a positive integer for the number of stacked layers, got 0")
        assertModelError("model m\ninput sequence 0 features 3", kind: .type, column: 16,
            "expected a positive integer for the number of time steps, got 0")
    }

    func testDropoutOutOfRange() {
        assertModelError(floats + "layer lstm 8 dropout 1.5", kind: .type, column: 22, length: 3,
            "the dropout rate must be at least 0 and below 1, got 1.5",
            hint: "`dropout R` is the fraction of values dropped during training; `dropout 0.2` drops 20%")
        assertModelError(floats + "layer lstm 8 dropout 1", kind: .type, column: 22,
            "the dropout rate must be at least 0 and below 1, got 1.0")
        assertModelError(floats + "layer dropout -0.1", kind: .type, column: 15,
            "the dropout rate must be at least 0 and below 1, got -0.1")
        assertModelError(floats + "layer lstm 8 keep 0", kind: .type, column: 19,
            "the keep probability must be above 0 and at most 1, got 0.0",
            hint: "`keep P` is the fraction of values kept; `keep 1` keeps them all")
    }

    func testBothDropoutAndKeep() {
        assertModelError(floats + "layer lstm 8 dropout 0.2 keep 0.8", kind: .type, column: 26, length: 4,
            "`dropout` and `keep` both set this layer's dropout; give only one",
            hint: "`dropout 0.2` drops 20% of the values and `keep 0.8` keeps 80%: the same setting")
        assertModelError(floats + "layer lstm 8 keep 0.8 dropout 0.2", kind: .type, column: 23,
            "`dropout` and `keep` both set this layer's dropout; give only one")
    }

    func testRepeatedOptions() {
        assertModelError(floats + "layer lstm 8 last last", kind: .syntax, column: 19,
            "option 'last' is given twice")
        assertModelError(floats + "layer lstm 8 last\nlayer dense 2 sigmoid softmax", kind: .syntax, column: 23,
            "the activation is given twice: 'sigmoid' and 'softmax'")
        assertModelError("model m\ninput tokens 5 vocab 9 vocab 9", kind: .syntax, column: 24,
            "option 'vocab' is given twice")
    }

    func testBadListsOfSizes() {
        let fake = FakeInterpreter()
        fake.variables["sizes"] = .list([.int(128), .int(0)])
        fake.variables["good"] = .list([.int(128), .int(64)])
        fake.variables["none"] = .list([])
        XCTAssertNoThrow(try fake.runAll(floats))
        XCTAssertThrowsError(try fake.run("layer lstm sizes")) { error in
            let d = error as? Diagnostic
            XCTAssertEqual(d?.message, "expected a list of positive integers for the sizes of the stacked LSTM layers, got [128, 0]")
            XCTAssertEqual(d?.range.start.column, 12)
            XCTAssertEqual(d?.kind, .type)
        }
        XCTAssertThrowsError(try fake.run("layer lstm none")) { error in
            XCTAssertEqual((error as? Diagnostic)?.message,
                           "expected a list of positive integers for the sizes of the stacked LSTM layers, got []")
        }
        XCTAssertThrowsError(try fake.run("layer lstm good layers 2")) { error in
            let d = error as? Diagnostic
            XCTAssertEqual(d?.message, "`layers N` stacks one size N times, but the sizes are already given as a list")
            XCTAssertEqual(d?.range.start.column, 17)
        }
        XCTAssertEqual(fake.model?.layers.count, 0, "a failed list adds none of its layers")
        XCTAssertNoThrow(try fake.run("layer lstm good last"))
        XCTAssertThrowsError(try fake.run("layer lstm good")) { error in
            XCTAssertEqual((error as? Diagnostic)?.range.length, 9, "at `lstm good`")
        }
        XCTAssertEqual(fake.model?.layers.count, 2)
    }

    func testWordWhereANumberIsExpected() {
        assertModelError(floats + "layer lstm unitz", kind: .name, column: 12, length: 5,
            "unknown name 'unitz'",
            hint: "the number of units is needed here: write a number, or a variable bound to one")
        assertModelError(floats + "layer lstm dropout 0.2", kind: .syntax, column: 12,
            "expected the number of units, got the option 'dropout'",
            hint: "write the number of units before the options")
        assertModelError(floats + "layer lstm 8 dropout rate", kind: .name, column: 22,
            "unknown name 'rate'")
    }

    func testSequenceInputNeedsFeatures() {
        assertModelError("model m\ninput sequence 28", kind: .syntax, column: 7, length: 8,
            "a sequence input needs `features N`, the number of values at each step",
            hint: "for example `input sequence 28 features 28`")
        assertModelError("model m\ninput", kind: .syntax, column: 1,
            "expected what the model reads after `input`: tokens or sequence")
    }

    func testSummaryOfSomethingElse() {
        let fake = FakeInterpreter()
        fake.variables["n"] = .int(3)
        XCTAssertNoThrow(try fake.run("model m"))
        XCTAssertThrowsError(try fake.run("summary n")) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "expected a model, got an int")
        }
        XCTAssertThrowsError(try fake.run("summary nothere")) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "unknown name 'nothere'")
            XCTAssertEqual((error as? Diagnostic)?.kind, .name)
        }
    }

    func testAFailedLayerLeavesTheModelUnchanged() throws {
        let fake = FakeInterpreter()
        try fake.runAll(floats + "layer lstm 8")
        let revision = fake.model?.revision
        XCTAssertThrowsError(try fake.run("layer dense 3"))
        XCTAssertEqual(fake.model?.layers.count, 1)
        XCTAssertEqual(fake.model?.revision, revision)
    }
}
