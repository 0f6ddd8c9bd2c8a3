// OptionErrorTests.swift — bad options of command statements, the same at run time, in the
// checker and so in `seqsh --check` and the language server: Keras and PyTorch spellings get
// a "did you mean" (ForeignSpellings.swift), every bad option of a line is reported, an unknown
// name inside a command gets the "did you mean" of an expression, and a check in a session
// (a REPL's) knows the session's names and current model.

import XCTest
import SeqLang
import Interpreter

final class OptionErrorTests: XCTestCase {
    let prelude = """
        let syms = tokens("the cat sat on the mat the cat ate the rat")
        let vocab = vocabulary(syms)
        let data = windows(encode(vocab, syms), 3, vocab)
        let rate = 0.01
        model m
        input tokens 3 vocab vocab.size
        layer embedding 8
        layer lstm 8 last
        layer dense vocab.size softmax

        """

    /// `line:col: message` of each error, running and checking: both must say the same.
    func errors(_ line: String, file: StaticString = #filePath, lineNumber: UInt = #line) -> [String] {
        let source = prelude + line
        let ran = SeqInterpreter().run(source: source, file: "<t>").errors.map { "\($0.range.start): \($0.message)" }
        let checked = SeqInterpreter().check(source: source, file: "<t>").errors.map { "\($0.range.start): \($0.message)" }
        XCTAssertEqual(ran, checked, "the run and the check disagree", file: file, line: lineNumber)
        return ran
    }

    func testKerasSpellingsOfTrainOptions() {
        XCTAssertEqual(errors("train adam learning_rate 0.01 on data"),
                       ["10:12: unknown option 'learning_rate' for `train`; did you mean 'lr'?"])
        XCTAssertEqual(errors("train adam batch_size 4 on data"),
                       ["10:12: unknown option 'batch_size' for `train`; did you mean 'batch'?"])
        XCTAssertEqual(errors("train adam validation_data data on data"),
                       ["10:12: unknown option 'validation_data' for `train`; did you mean 'validate'?"])
        XCTAssertEqual(errors("train adam early_stopping on data"),
                       ["10:12: unknown option 'early_stopping' for `train`; did you mean 'early stop'?"])
        XCTAssertEqual(errors("train adam epoch 2 on data"),
                       ["10:12: unknown option 'epoch' for `train`; did you mean 'epochs'?"])
        XCTAssertEqual(errors("train adam num_epochs 2 on data"),
                       ["10:12: unknown option 'num_epochs' for `train`; did you mean 'epochs'?"])
        XCTAssertEqual(errors("train adam clipnorm 5 on data"),
                       ["10:12: unknown option 'clipnorm' for `train`; did you mean 'clip'?"])
        XCTAssertEqual(errors("evaluate on data batch_size 4"),
                       ["10:18: unknown option 'batch_size' for `evaluate`; did you mean 'batch'?"])
        XCTAssertEqual(errors("generate from \"the cat\" max_length 4"),
                       ["10:25: unknown option 'max_length' for `generate`; did you mean 'length'?"])
    }

    func testOtherFrameworksNamesOfOptimizersLayerKindsAndLosses() {
        XCTAssertEqual(errors("train Adam on data"), ["10:7: unknown optimizer 'Adam'; did you mean 'adam'?"])
        XCTAssertEqual(errors("train SGD on data"), ["10:7: unknown optimizer 'SGD'; did you mean 'sgd'?"])
        XCTAssertEqual(errors("train RMSprop on data"), ["10:7: unknown optimizer 'RMSprop'; did you mean 'rmsprop'?"])
        XCTAssertEqual(errors("layer LSTM 8"), ["10:7: unknown layer kind 'LSTM'; did you mean 'lstm'?"])
        XCTAssertEqual(errors("layer SimpleRNN 8"), ["10:7: unknown layer kind 'SimpleRNN'; did you mean 'rnn'?"])
        XCTAssertEqual(errors("layer Dense 8"), ["10:7: unknown layer kind 'Dense'; did you mean 'dense'?"])
        XCTAssertEqual(errors("train adam loss categorical_crossentropy on data"),
                       ["10:17: unknown loss 'categorical_crossentropy'; did you mean 'cross_entropy'?"])
        XCTAssertEqual(errors("layer lstm 8 recurrent_dropout 0.2 num_layers 2"), [
            "10:14: unknown option 'recurrent_dropout' for an lstm layer",
            "10:36: unknown option 'num_layers' for an lstm layer; did you mean 'layers'?",
        ])
        XCTAssertEqual(errors("layer lstm 8 forgetBias 1"), ["10:14: unknown option 'forgetBias' for an lstm layer; did you mean 'forget_bias'?"])
        XCTAssertEqual(errors("layer dense 4 Softmax"), ["10:15: unknown option 'Softmax' for a dense layer; did you mean 'softmax'?"])
        // The table offers a word only where it is valid: `max_length` is no option of `train`.
        XCTAssertEqual(errors("train adam max_length 4 on data"), ["10:12: unknown option 'max_length' for `train`"])
    }

    func testEveryBadOptionOfALineIsReported() {
        XCTAssertEqual(errors("train adam learning_rate 0.01 batch_size 4 epochz 2 on data"), [
            "10:12: unknown option 'learning_rate' for `train`; did you mean 'lr'?",
            "10:31: unknown option 'batch_size' for `train`; did you mean 'batch'?",
            "10:44: unknown option 'epochz' for `train`; did you mean 'epochs'?",
        ])
        // Bad values and options given twice are reported beside unknown options.
        XCTAssertEqual(errors("train adam lr -1 epochs 2 epochs 3 bacth 4 on data"), [
            "10:15: the learning rate must be above 0, got -1.0",
            "10:27: option 'epochs' is given twice",
            "10:36: unknown option 'bacth' for `train`; did you mean 'batch'?",
        ])
        XCTAssertEqual(errors("layer lstm 8 dropuot 0.2 lastt"), [
            "10:14: unknown option 'dropuot' for an lstm layer; did you mean 'dropout'?",
            "10:26: unknown option 'lastt' for an lstm layer; did you mean 'last'?",
        ])
        // The rest of an option that could not be read is not blamed again; the next bad option is.
        XCTAssertEqual(errors("train adam early stop on val_los patience 3 bacth 4 on data"), [
            "10:26: unknown metric 'val_los'; did you mean 'val_loss'?",
            "10:45: unknown option 'bacth' for `train`; did you mean 'batch'?",
        ])
        XCTAssertEqual(errors("train adam early stop onn val_loss patience 3 on data"),
                       ["10:23: expected `on` in `early stop on METRIC patience N`"])
        // A required option that a misspelt one stands for is not reported missing as well.
        XCTAssertEqual(errors("train adam epochs 1 onn data"), ["10:21: unknown option 'onn' for `train`; did you mean 'on'?"])
        // Inside a function each of them says where the function was called.
        let inFunction = SeqInterpreter().run(source: prelude + "fn fit() {\n  train adam epoch 1 batch_size 4 on data\n}\nfit()").errors
        XCTAssertEqual(inFunction.map(\.notes), [["in 'fit' called at <string>:13:1"], ["in 'fit' called at <string>:13:1"]])
        // The statement does not run: nothing is trained, no history is bound.
        let seq = SeqInterpreter()
        let result = seq.run(source: prelude + "train adam learning_rate 0.01 batch_size 4 on data")
        XCTAssertEqual(result.errors.count, 2)
        XCTAssertNil(seq[global: "history"])
    }

    func testAnUnknownNameInsideACommandGetsTheDidYouMeanOfAnExpression() {
        XCTAssertEqual(errors("train adam lr rat epochs 1 on data"), ["10:15: unknown name 'rat'"])
        let seq = SeqInterpreter()
        let run = seq.run(source: prelude + "train adam lr rat epochs 1 on data").errors
        XCTAssertEqual(run.first?.hint, "did you mean 'rate'?")
        XCTAssertEqual(seq.check(source: prelude + "train adam lr rat epochs 1 on data").errors.first?.hint, "did you mean 'rate'?")
        XCTAssertEqual(SeqInterpreter().run(source: prelude + "train adam epochs 1 on dta").errors.first?.hint, "did you mean 'data'?")
        XCTAssertEqual(SeqInterpreter().check(source: prelude + "train adam epochs 1 on dta").errors.first?.hint, "did you mean 'data'?")
        // The same hint as the expression `print(rat)` gets.
        XCTAssertEqual(SeqInterpreter().run(source: prelude + "print(rat)").errors.first?.hint, run.first?.hint)
        // With no near name the hint says what belongs there.
        XCTAssertEqual(SeqInterpreter().run(source: prelude + "train adam lr qqq on data").errors.first?.hint,
                       "the learning rate is needed here: write a number, or a variable bound to one")
    }

    func testACheckInASessionKnowsItsNamesAndCurrentModel() {
        let seq = SeqInterpreter()
        XCTAssertTrue(seq.run(source: prelude).succeeded)
        // The model declared earlier is current: training it needs no `model` in the checked code.
        XCTAssertEqual(seq.check(source: "train adam epochs 1 on data").errors.map(\.message), [])
        XCTAssertEqual(SeqInterpreter().check(source: "train adam epochs 1 on data").errors.map(\.message).first,
                       "`train` needs a model, but no model has been declared yet")
        // Its shape is known: a layer that does not fit is found.
        let shapes = seq.check(source: "layer dense 4 per step").errors.map(\.message)
        XCTAssertEqual(shapes.count, 1, "\(shapes)")
        XCTAssertEqual(seq.check(source: "print(m.params + rate)").errors.map(\.message), [])
        // The session's names give the did-you-mean of the check.
        XCTAssertEqual(seq.check(source: "train adam lr rat on data").errors.first?.hint, "did you mean 'rate'?")
        // Checking changes nothing in the session: its model keeps its layers.
        XCTAssertTrue(seq.check(source: "layer dense 2").succeeded)
        XCTAssertEqual(seq.run(source: "m.layers.count").value?.description, "3")
        // A model trained in the session has a vocabulary: `generate` checks clean.
        XCTAssertTrue(seq.run(source: "train adam epochs 1 quiet on data").succeeded)
        XCTAssertEqual(seq.check(source: "generate from \"the cat\" length 2").errors.map(\.message), [])
        XCTAssertEqual(SeqInterpreter().check(source: prelude + "generate from \"the cat\" length 2").errors.map(\.message),
                       ["this model has no vocabulary, so it cannot turn ids back into text"])
    }
}
