// TrainingErrorTests.swift — every training statement's errors: exact message and position.

import XCTest
import SeqLang
import Interpreter

final class TrainingErrorTests: XCTestCase {
    /// The errors of `line` run after the next-word prelude (the line is line 10).
    func errors(_ line: String) -> [String] {
        runSeq(nextWordPrelude + line).errors
    }

    func testOptimizerAndOptionErrors() {
        XCTAssertEqual(errors("train"), ["10:1: expected an optimizer after `train`: sgd, adam, rmsprop or adagrad"])
        XCTAssertEqual(errors("train adan on data"), ["10:7: unknown optimizer 'adan'; did you mean 'adam'?"])
        XCTAssertEqual(errors("train adam epocs 3 on data"), ["10:12: unknown option 'epocs' for `train`; did you mean 'epochs'?"])
        XCTAssertEqual(errors("train adam epochs 3"), ["10:1: `train` needs data: add `on DATA`"])
        XCTAssertEqual(errors("train adam epochs 3 steps 4 on data"), ["10:21: give `epochs` or `steps`, not both"])
        XCTAssertEqual(errors("train adam momentum 0.9 on data"), ["10:12: `momentum` is an option of sgd, not of adam"])
        XCTAssertEqual(errors("train sgd momentum 1.5 on data"), ["10:20: the momentum must be at least 0 and below 1, got 1.5"])
        XCTAssertEqual(errors("train adam lr 0 on data"), ["10:15: the learning rate must be above 0, got 0.0"])
        XCTAssertEqual(errors("train adam lr on data"), ["10:12: option 'lr' needs a value: the learning rate"])
        XCTAssertEqual(errors("train adam epochs 2 epochs 3 on data"), ["10:21: option 'epochs' is given twice"])
        XCTAssertEqual(errors("train adam decay 0.5 on data"), ["10:22: expected `after N` following `decay 0.5`: the epochs trained at the full rate"])
        XCTAssertEqual(errors("train adam on vocab"), ["10:15: expected a dataset after `on`, got vocab (vocabulary vocabulary of 9 symbols [\"the\", \"cat\", \"sat\", \"on\", \"and\", \"dog\", \"mat\", \"log\", …])"])
        XCTAssertEqual(errors("train adam on dataa"), ["10:15: unknown name 'dataa'"])
        XCTAssertEqual(errors("train adam loss hinge on data"), ["10:17: unknown loss 'hinge'"])
        XCTAssertEqual(errors("train adam early stop on val_los patience 2 on data validate data"),
                       ["10:26: unknown metric 'val_los'; did you mean 'val_loss'?"])
        XCTAssertEqual(errors("train adam early stop on val_loss patience 2 on data"),
                       ["10:12: `early stop` watches a validation figure, but no `validate DATA` is given"])
    }

    func testStatefulErrors() {
        XCTAssertEqual(errors("train sgd bptt 3 stateful shuffle on data"),
                       ["10:27: `shuffle` cannot be used with `stateful`: a stateful model carries its state from each batch to the next, so the batches must stay in order"])
        XCTAssertEqual(errors("train sgd bptt 3 stateful on data"),
                       ["10:30: `stateful` needs contiguous streams, but the data is 16 separate samples [sample 16, time 3]"])
        let lm = """
            let ids = encode(vocab, syms)
            let streams = lm_batches(ids, 2, 4, vocab)
            model lm
            input tokens vocab vocab.size
            layer embedding 4
            layer lstm 4
            layer dense vocab.size softmax per step

            """
        XCTAssertEqual(runSeq(nextWordPrelude + lm + "train sgd bptt 5 stateful on streams").errors,
                       ["17:11: `bptt 5` does not match the data, which lm_batches cut into pieces of 4 steps"])
        XCTAssertEqual(runSeq(nextWordPrelude + lm + "train sgd batch 3 stateful on streams").errors,
                       ["17:11: `batch 3` does not match the data, which lm_batches cut into 2 streams"])
    }

    func testShapeErrorsAtTheDataArgument() {
        let features = """
            model rows
            input sequence 3 features 2
            layer lstm 4 last
            layer dense 2 softmax
            train adam on data
            """
        XCTAssertEqual(runSeq(nextWordPrelude + features).errors,
                       ["14:15: expected [batch, time 3, feature 2] but the data gives [sample 16, time 3]: the model reads vectors of numbers, the data has token ids"])
        let longer = nextWordPrelude.replacingOccurrences(of: "input tokens 3", with: "input tokens 4") + "train adam on data"
        XCTAssertEqual(runSeq(longer).errors,
                       ["10:15: expected [batch, time 4] but the data gives [sample 16, time 3]: 3 time steps where the model reads 4"])
        let fewClasses = nextWordPrelude.replacingOccurrences(of: "layer dense vocab.size softmax", with: "layer dense 4 softmax")
            + "train adam on data"
        XCTAssertEqual(runSeq(fewClasses).errors,
                       ["10:15: the model gives [batch, class 4] but the data's targets are [sample 16]: class ids go up to 8 but the output has 4 classes"])
        let smallVocab = nextWordPrelude.replacingOccurrences(of: "input tokens 3 vocab vocab.size", with: "input tokens 3 vocab 5")
            + "train adam on data"
        XCTAssertEqual(runSeq(smallVocab).errors,
                       ["10:15: the data holds token id 6, but the model's vocabulary has 5 ids (0 to 4)"])
        XCTAssertEqual(runSeq(smallVocab).result.errors.first?.kind, .shape)
    }

    func testStatementsNeedAModelAndData() {
        XCTAssertEqual(runSeq("train adam on x").errors, ["1:1: `train` needs a model, but no model has been declared yet"])
        XCTAssertEqual(runSeq("model m\ntrain adam epochs 1 on m").errors,
                       ["2:24: expected a dataset after `on`, got m (model model m (no input yet))"])
        XCTAssertEqual(errors("evaluate"), ["10:1: `evaluate` needs data: add `on DATA`"])
        XCTAssertEqual(errors("evaluate on data batch 0"), ["10:24: expected a positive integer for the batch size, got 0"])
        XCTAssertEqual(errors("generate length 3"), ["10:1: `generate` needs a text to continue: add `from \"…\"`"])
        XCTAssertEqual(errors("train adam epochs 1 on data\ngenerate from \"the cat\" length 3"), ["11:15: the model reads 3 symbols at a time, but the text has 2"])
        XCTAssertEqual(errors("train adam epochs 1 on data\ngenerate from \"the cow sat\" length 3"), ["11:15: 'cow' is not in the model's vocabulary; did you mean 'cat'?"])
        XCTAssertEqual(errors("train adam epochs 1 on data\npredict \"the cat\""), ["11:9: expected [batch, time 3] but the input has 2 symbols where the model reads 3, and it was trained on samples of exactly 3 symbols, not padded ones"])
        XCTAssertEqual(errors("generate from \"the cat sat\" length 3"),
                       ["10:1: this model has no vocabulary, so it cannot turn ids back into text"])
        XCTAssertEqual(errors("check"), ["10:1: expected `gradients` after `check`, got nothing"])
        XCTAssertEqual(errors("check gradients"), ["10:1: `check gradients` needs data: add `on DATA`"])
        XCTAssertEqual(errors("seed -1"), ["10:6: expected a whole number of 0 or more for the seed, got -1"])
        XCTAssertEqual(errors("seed"), ["10:1: expected a number after `seed`"])
        XCTAssertEqual(errors("plot 3"), ["10:6: expected a training history (the record `train` returns), got int"])
        XCTAssertEqual(errors("save 3"), ["10:6: expected a file path as a string after `save`, got 3"])
        XCTAssertEqual(errors("resume \"/nonexistent/seqlang.ckpt\" on data"),
                       ["10:8: cannot read '/nonexistent/seqlang.ckpt': no such file"])
    }

    func testCheckModeValidatesWithoutTraining() {
        let captured = Captured { $0.checkOnly = true }
        let outcome = captured.run(nextWordPrelude + "train adam epochs 50 on data\nprint(\"done\")")
        XCTAssertEqual(outcome.errors, [])
        XCTAssertEqual(outcome.output, "done\n")
        XCTAssertEqual(captured.run(nextWordPrelude + "train adam epocs 50 on data").errors,
                       ["10:12: unknown option 'epocs' for `train`; did you mean 'epochs'?"])
    }
}
