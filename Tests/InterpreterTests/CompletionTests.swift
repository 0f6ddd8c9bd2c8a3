// CompletionTests.swift — `SeqInterpreter.completions(line:cursor:known:)`, the one completion
// behind seqsh's Tab and the language server: each statement's forms, options and option words
// from its declaration, optimizers after `train`, members after `.` (from the session's values,
// the checker's types, or what a statement binds), names in scope, and where the word starts.

import XCTest
import SeqLang
import Interpreter

final class CompletionTests: XCTestCase {
    let session = Captured()

    override func setUp() {
        let setup = session.run("""
            let rate = 0.01
            let rows = 3
            let words = ["the", "cat", "sat", "on", "the", "mat", "the", "cat", "ate"]
            let vocab = vocabulary(words)
            let data = windows(encode(vocab, words), 3, vocab)
            let parts = split([1, 2, 3, 4], [0.5, 0.5])
            model lm
            input tokens 3 vocab vocab.size
            layer embedding 4
            let last_layer = layer lstm 4 last
            """)
        XCTAssertTrue(setup.result.succeeded, "\(setup.errors)")
    }

    func words(_ line: String, cursor: Int? = nil) -> [String] {
        session.interpreter.completions(line: line, cursor: cursor).words
    }

    func testTrainOptionsAndOptimizers() {
        XCTAssertEqual(words("train adam ep"), ["epochs"])
        XCTAssertEqual(words("train "), ["sgd", "adam", "rmsprop", "adagrad"], "after `train`: only the optimizers")
        XCTAssertEqual(words("train a"), ["adam", "adagrad"])
        let options = words("train adam ")
        XCTAssertTrue(options.contains("lr") && options.contains("on") && options.contains("early") && options.contains("quiet"), "\(options)")
        XCTAssertFalse(options.contains("rate"), "a name is not an option: \(options)")
        // An option given already is not offered again.
        XCTAssertFalse(words("train adam epochs 3 ").contains("epochs"))
        XCTAssertEqual(words("train adam lr 0.1 epochs 3 v"), ["validate"])
    }

    func testOptionValuesAndTheWordsOptionsGoOnWith() {
        XCTAssertEqual(words("train adam on "), ["data"], "a dataset slot: the datasets in scope")
        XCTAssertEqual(words("train adam lr "), ["rate", "rows"], "a number slot: the numbers in scope")
        XCTAssertEqual(words("train adam early "), ["stop"])
        XCTAssertEqual(words("train adam early stop "), ["on"])
        XCTAssertEqual(words("train adam early stop on "), ["val_loss", "val_accuracy", "val_perplexity"])
        let afterPatience = words("train adam early stop on val_loss patience 3 ")
        XCTAssertTrue(afterPatience.contains("restore") && afterPatience.contains("keep") && afterPatience.contains("epochs")
                      && !afterPatience.contains("early"), "\(afterPatience)")
        XCTAssertEqual(words("train adam loss "), ["cross_entropy", "binary_cross_entropy", "mse", "sum"])
        XCTAssertEqual(words("train adam decay 0.5 "), ["after"])
        let afterCheckpoint = words("train adam checkpoint \"m.ckpt\" ")
        XCTAssertEqual(afterCheckpoint.first, "best", "the flag first, then the other options: \(afterCheckpoint)")
        XCTAssertTrue(afterCheckpoint.contains("epochs"))
        XCTAssertEqual(words("train adam shuffle o"), ["off", "on"])
    }

    func testLayerKindsAndTheOptionsOfEachKind() {
        XCTAssertEqual(words("layer "), ["embedding", "lstm", "gru", "rnn", "dense", "dropout"])
        XCTAssertEqual(words("layer ls"), ["lstm"])
        XCTAssertEqual(words("layer lstm dr"), ["dropout"])
        XCTAssertEqual(words("layer lstm 128 dr"), ["dropout"])
        XCTAssertEqual(words("layer lstm 128 forget"), ["forget_bias"])
        XCTAssertEqual(words("layer gru 128 forget"), [], "forget_bias is the LSTM's alone")
        XCTAssertEqual(words("layer dense 10 so"), ["softmax"])
        XCTAssertEqual(words("layer dense 10 per "), ["step"])
        XCTAssertEqual(words("layer lstm 8 init "), ["uniform", "glorot", "normal"])
        XCTAssertEqual(words("layer embedding 8 fr"), ["frozen"])
        XCTAssertEqual(words("layer lstm 8 dropout 0.2 "), words("layer lstm 8 ").filter { $0 != "dropout" },
                       "an option given is not offered again")
        XCTAssertEqual(words("layer rnn 8 re"), ["relu"])
        XCTAssertEqual(words("layer lstm "), ["rows"] + words("layer lstm 8 "), "the sizes: int names, and the options")
    }

    func testEvaluatePredictGenerateInputAndModel() {
        XCTAssertEqual(words("evaluate o"), ["on"])
        XCTAssertEqual(words("evaluate on data b"), ["batch"])
        let evaluate = words("evaluate ")
        XCTAssertTrue(evaluate.contains("lm") && evaluate.contains("on") && !evaluate.contains("rate"), "models and options: \(evaluate)")
        XCTAssertEqual(words("evaluate lm "), ["on", "batch"])
        XCTAssertEqual(words("generate from \"the cat\" le"), ["length"])
        XCTAssertEqual(words("generate from \"the cat\" length 5 t"), ["temperature", "top"])
        XCTAssertTrue(words("predict ").contains("words"), "predict takes any value")
        XCTAssertEqual(words("input "), ["tokens", "sequence"])
        XCTAssertEqual(words("input tokens 3 v"), ["vocab"])
        XCTAssertEqual(words("input sequence 3 f"), ["features"])
        XCTAssertEqual(words("model m i"), ["init"])
        XCTAssertEqual(words("check "), ["gradients"])
        XCTAssertEqual(words("load "), ["weights", "onnx"])
        XCTAssertEqual(words("load weights \"w.safetensors\" "), ["into", "map"])
        XCTAssertEqual(words("export "), ["onnx"])
        XCTAssertEqual(words("let h = train adam ep"), ["epochs"], "a command after `let NAME =`")
        XCTAssertEqual(words("    layer lstm 8 la"), ["layers", "last"], "indented, as in a block")
    }

    func testMembersAfterADot() {
        XCTAssertEqual(words("lm.pa"), ["params"])
        XCTAssertEqual(words("print(lm.la"), ["layers"])
        XCTAssertEqual(words("parts."), ["train", "test"], "a record's fields")
        XCTAssertEqual(words("vocab.s"), ["size", "symbols"])
        XCTAssertEqual(words("data.ta"), ["target_shape"])
        XCTAssertEqual(words("last_layer.out"), ["output_shape"])
        XCTAssertEqual(words("words.c"), ["count"])
        XCTAssertEqual(words("lm.layers.c"), ["count"], "a chain of members")
        // Before any `train`, `history.` offers the fields `train` binds.
        let history = words("history.")
        XCTAssertTrue(history.contains("loss") && history.contains("val_loss") && history.contains("stopped_early"), "\(history)")
        XCTAssertEqual(words("nosuch."), [])
        XCTAssertEqual(words("3."), [])
    }

    func testHistoryMembersAfterTrainingAreTheRecordsFields() {
        let trained = session.run("layer dense vocab.size softmax\ntrain adam epochs 1 quiet on data")
        XCTAssertTrue(trained.result.succeeded, "\(trained.errors)")
        let fields = words("history.")
        XCTAssertTrue(fields.contains("loss") && fields.contains("accuracy") && fields.contains("epochs"), "\(fields)")
        XCTAssertFalse(fields.contains("val_loss"), "no validation was given: \(fields)")
        let evaluation = words("evaluation.")
        XCTAssertEqual(Array(evaluation.prefix(2)), ["loss", "accuracy"], "not bound yet: the declaration's fields \(evaluation)")
    }

    func testNamesKeywordsAndFunctions() {
        let start = words("ra")
        XCTAssertTrue(start.contains("rate") && start.contains("range"), "\(start)")
        XCTAssertTrue(words("tr").contains("train") && words("tr").contains("true"), "\(words("tr"))")
        XCTAssertEqual(Set(words("print(ra")), ["rate", "range"])
        XCTAssertFalse(words("print(tr").contains("train"), "a command keyword is not offered inside an expression")
        XCTAssertTrue(words("let x = tr").contains("train"), "a command may follow `let NAME =`")
        XCTAssertEqual(words("print(\"ra"), [], "nothing inside a string")
        XCTAssertEqual(words("# ra"), [], "nothing inside a comment")
        XCTAssertEqual(words("12"), [])
    }

    func testTheWordStartsWhereTheNameStartsAndTheCursorMayBeInside() {
        let line = "train adam ep on data"
        let result = session.interpreter.completions(line: line, cursor: 13)
        XCTAssertEqual(result.start, 11)
        XCTAssertEqual(result.prefix, "ep")
        XCTAssertEqual(result.words, ["epochs"])
        let member = session.interpreter.completions(line: "print(lm.pa)", cursor: 11)
        XCTAssertEqual(member.start, 9)
        XCTAssertEqual(member.words, ["params"])
        let options = session.interpreter.completions(line: "train adam ep", cursor: 13).candidates
        XCTAssertEqual(options.first?.kind, .option)
        XCTAssertEqual(options.first?.detail?.hasPrefix("epochs N"), true, "\(options)")
    }

    func testNamesACheckerFoundAreKnownToo() {
        let fresh = SeqInterpreter()
        let source = "let cfg = split([1, 2, 3, 4], [0.5, 0.5])\nmodel net\n"
        let report = fresh.check(source: source, file: "doc.seq")
        XCTAssertEqual(fresh.completions(line: "cfg.", known: report.names).words, ["train", "test"])
        XCTAssertEqual(fresh.completions(line: "net.pa", known: report.names).words, ["params"])
        XCTAssertEqual(fresh.completions(line: "print(cf", known: report.names).words, ["cfg"])
        XCTAssertEqual(fresh.completions(line: "net.pa").words, [], "without the report the name is unknown")
    }
}
