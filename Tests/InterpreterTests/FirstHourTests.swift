// FirstHourTests.swift — what a newcomer meets in the first hour, item by item: vocabularies
// that keep <pad> and <unk> and warn of unknown words, `predict` fitting a text to the declared
// length as the training data was, predictions with named axes, `evaluate` metrics that fit the
// model, `plot` of any figure from zero, and the members of models and layers.

import XCTest
import SeqLang
import Tensor
@testable import Interpreter

/// A tiny sentiment set: sentences labelled by their one telling word.
let tinyReviewsPrelude = """
    let texts = ["a fine film", "a dull film", "fine acting , fine story", "dull acting and a dull story",
                 "truly fine", "truly dull", "the film is fine", "the film is dull"]
    let labels = ["pos", "neg", "pos", "neg", "pos", "neg", "pos", "neg"]
    let syms = words(texts)
    let vocab = vocabulary(syms)
    let data = sequences(encode(vocab, syms), labels, 6, "first", vocab)
    seed 3
    model critic
    input tokens 6 vocab vocab.size
    layer embedding 8
    layer lstm 8 last
    layer dense 2 softmax

    """

/// `nextWordPrelude` with the default (open) vocabulary: <pad> and <unk> reserved.
let openNextWordPrelude = nextWordPrelude.replacingOccurrences(of: "vocabulary(syms, \"closed\")", with: "vocabulary(syms)")

final class FirstHourTests: XCTestCase {
    func notes(_ o: Outcome) -> [String] {
        o.result.diagnostics.filter { $0.severity == .note }.map { "\($0.range.start): \($0.message)" }
    }
    func warnings(_ o: Outcome) -> [String] { o.result.warnings.map { "\($0.range.start): \($0.message)" } }

    // MARK: - Vocabularies

    func testAVocabularyReservesPaddingAndUnknownUnlessClosed() {
        let o = runSeq("""
            let syms = tokens("b a b c b a")
            let v = vocabulary(syms)
            print(v.size, v.symbols, v.pad, v.unk)
            let c = vocabulary(syms, "closed")
            print(c.size, c.symbols, c.pad, c.unk)
            let capped = vocabulary(syms, 3)
            print(capped.symbols, encode(capped, syms))
            let closedCap = vocabulary(syms, 2, "closed")
            print(closedCap.symbols)
            print(vocabulary(syms, none, "open").size)
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, """
            5 ["<pad>", "<unk>", "b", "a", "c"] 0 1
            3 ["b", "a", "c"] none none
            ["<pad>", "<unk>", "b"] [2, 1, 2, 1, 2, 1]
            ["b", "<unk>"]
            5

            """)
        // The cap folded `a` and `c` into <unk> on purpose: encoding its own corpus warns of nothing.
        XCTAssertEqual(warnings(o), [])
    }

    func testACorpusUnkIsTheReservedOne() {
        let o = runSeq("""
            let v = vocabulary(tokens("x <unk> y x"))
            print(v.symbols)
            """)
        XCTAssertEqual(o.output, "[\"<pad>\", \"<unk>\", \"x\", \"y\"]\n")
    }

    func testEncodeWarnsOfUnknownWordsListingTheFirstFew() {
        let o = runSeq("""
            let v = vocabulary(tokens("the cat sat"))
            print(encode(v, tokens("the dog sat on a mat with a hat and a bat")))
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, "[2, 1, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n")
        XCTAssertEqual(warnings(o), ["2:7: encode: 10 symbols (8 distinct) are not in the vocabulary and became <unk>: \"dog\", \"on\", \"a\", \"mat\", \"with\", …"])
    }

    func testAClosedVocabularyRefusesAnUnknownWordAndABadKindIsNamed() {
        let o = runSeq("""
            let v = vocabulary(tokens("the cat sat"), "closed")
            encode(v, "dog")
            """)
        XCTAssertEqual(o.errors, ["2:1: encode: symbol \"dog\" is not in the vocabulary of 3 symbols, which has no <unk>"])
        XCTAssertEqual(runSeq("vocabulary([\"a\"], \"clsoed\")").errors,
                       ["1:1: vocabulary: argument 2 is \"open\" (the default: <pad> and <unk> reserved), \"closed\" (the corpus' symbols alone), \"chars\" (characters, joined without spaces) or \"words\" (words, joined with spaces), not \"clsoed\"; did you mean 'closed'?"])
        XCTAssertEqual(runSeq("vocabulary([\"a\"], 1)").errors,
                       ["1:1: vocabulary: a cap of 1 leaves no room for a symbol: ids 0 and 1 are <pad> and <unk>"])
    }

    func testPredictAndGenerateMapUnknownWordsToUnkWithAWarning() {
        let o = runSeq(openNextWordPrelude + """
            train adam lr 0.02 epochs 2 batch 4 on data
            predict "the zebra sat"
            generate from "a cat sat" length 2
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(warnings(o).filter { $0.contains("<unk>") },
                       ["11:9: predict: 1 symbol is not in the vocabulary and became <unk>: \"zebra\"",
                        "12:15: generate: 1 symbol is not in the vocabulary and became <unk>: \"a\""])
        XCTAssertFalse(o.output.contains("<pad>"), "padding is never generated: \(o.output)")
    }

    // MARK: - predict on another length than `input tokens N`

    func testPredictPadsAShortTextAsTheTrainingDataWasAndSaysSo() {
        let o = runSeq(tinyReviewsPrelude + """
            train adam lr 0.05 epochs 30 batch 4 on data
            predict "fine"
            let short = prediction.probabilities
            predict sequences(encode(vocab, [words("fine")]), ["pos"], 6, "first", vocab)
            print(list(prediction)[0] == short)
            predict "the film is truly fine , fine acting and a fine story"
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(notes(o), [
            "14:9: the model reads 6 symbols and was trained on samples padded to that length: this input of 1 is padded after its symbols (masked, as in training)",
            "18:9: the model reads 6 symbols and was trained on samples cut to their first 6: this input of 12 is cut the same way"])
        // The text padded is exactly the sample `sequences` pads (masked by its length).
        XCTAssertTrue(o.output.hasPrefix("true\n") || o.output.contains("\ntrue\n"), o.output)
    }

    func testPaddingIsRememberedByTheModelFile() {
        let path = temporaryPath("critic-padding.safetensors")
        let o = runSeq(tinyReviewsPrelude + """
            train adam lr 0.05 epochs 2 batch 4 on data
            save "\(path)"
            let m = load("\(path)")
            predict m "truly fine"
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(notes(o).count, 1, "\(o.result.diagnostics)")
        XCTAssertTrue(notes(o).first?.contains("padded after its symbols") == true)
    }

    func testAWindowModelReadsTheLastWindowAndAShortTextIsAnErrorWithAHint() {
        let o = runSeq(nextWordPrelude + """
            train adam lr 0.02 epochs 2 batch 4 on data
            predict "the cat sat on the"
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(notes(o), ["11:9: the model reads 3 symbols at a time: the last 3 of this input of 5 are read, as a window of the training data was"])
        let short = runSeq(nextWordPrelude + "train adam lr 0.02 epochs 1 batch 4 on data\npredict \"the cat\"")
        XCTAssertEqual(short.errors, ["11:9: expected [batch, time 3] but the input has 2 symbols where the model reads 3, and it was trained on samples of exactly 3 symbols, not padded ones"])
        XCTAssertEqual(short.result.errors.first?.hint,
                       "give at least 3 symbols, or train on `sequences(samples, labels, 3)`, which pads shorter samples, so that `predict` pads them too")
    }

    // MARK: - Named axes

    func testPredictionTensorsHaveTheModelsAxes() {
        let o = runSeq(tinyReviewsPrelude + """
            train adam lr 0.05 epochs 2 batch 4 on data
            predict data
            print(prediction.axes, prediction.shape)
            print(mean(prediction, "batch").axes)
            print(type(prediction * 2), (prediction * 2).axes)
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output.split(separator: "\n").suffix(3).joined(separator: "\n"), """
            ["batch", "class"] [8, 2]
            ["class"]
            tensor ["batch", "class"]
            """)
    }

    func testAPerStepModelsPredictionsAreBatchTimeClass() {
        let o = runSeq("""
            let syms = tokens("a b c a b c a b c a b c a b c a b c")
            let vocab = vocabulary(syms, "closed")
            let data = lm_batches(encode(vocab, syms), 2, 4, vocab)
            model lm
            input tokens vocab vocab.size
            layer embedding 4
            layer lstm 8
            layer dense vocab.size softmax per step
            train adam epochs 1 on data
            predict data
            prediction
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertTrue(o.result.value.map { "\($0)" }?.hasPrefix("tensor [batch 4, time 4, class 3] [") == true, "\(String(describing: o.result.value))")
    }

    // MARK: - evaluate

    func testEvaluateGivesAClassifierPrecisionRecallF1AndAConfusionMatrix() {
        let o = runSeq(tinyReviewsPrelude + """
            train adam lr 0.05 epochs 40 batch 4 on data quiet
            evaluate on data
            print(evaluation.classes, evaluation.confusion)
            print(evaluation.precision, evaluation.recall, evaluation.macro_f1)
            """)
        XCTAssertEqual(o.errors, [])
        // Learned perfectly: the confusion matrix is diagonal, every figure 1.
        XCTAssertTrue(o.output.contains("""
            class  precision  recall  f1      support
            neg    1.000      1.000   1.000   4
            pos    1.000      1.000   1.000   4
            macro  1.000      1.000   1.000   8
            confusion (rows: true class, columns: predicted)
                   neg  pos
            neg      4    0
            pos      0    4
            ["neg", "pos"] [[4, 0], [0, 4]]
            [1.0, 1.0] [1.0, 1.0] 1.0

            """), o.output)
        XCTAssertTrue(o.output.contains("  acc 1.000  macro_f1 1.000\n"), o.output)
    }

    func testClassifierMetricsAgainstCountsWorkedByHand() {
        // 3 classes; truth 0 0 0 1 1 2, predicted 0 1 0 1 2 2.
        var m = ClassifierMetrics(classes: 3, names: ["a", "b", "c"])
        for (t, p) in [(0, 0), (0, 1), (0, 0), (1, 1), (1, 2), (2, 2)] { m.add(truth: t, predicted: p) }
        XCTAssertEqual(m.confusion, [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
        XCTAssertEqual((0..<3).map(m.precision), [1, 0.5, 0.5])
        XCTAssertEqual((0..<3).map(m.recall), [2.0 / 3, 0.5, 1])
        XCTAssertEqual(m.f1(0), 0.8, accuracy: 1e-12)
        XCTAssertEqual(m.f1(1), 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.f1(2), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(m.macroF1, (0.8 + 0.5 + 2.0 / 3) / 3, accuracy: 1e-12)
        // A class never predicted has precision 0 and F1 0 (not a division by zero).
        var never = ClassifierMetrics(classes: 2, names: ["a", "b"])
        never.add(truth: 1, predicted: 0)
        XCTAssertEqual(never.precision(1), 0)
        XCTAssertEqual(never.f1(1), 0)
    }

    func testEvaluateGivesARegressionMAEAndRMSE() {
        let o = runSeq("""
            let series = read_csv("Tests/InterpreterTests/Fixtures/series.csv", ["price"])
            let data = windows(series, 2)
            model f
            input sequence 2 features 1
            layer lstm 4 last
            layer dense 1
            train adam epochs 1 on data quiet
            predict data
            let p = list(prediction)
            let e1 = p[0][0] - 10.75
            let e2 = p[1][0] - 12
            evaluate on data
            print(abs(evaluation.mae - (abs(e1) + abs(e2)) / 2) < 1e-5, abs(evaluation.rmse - sqrt((e1 * e1 + e2 * e2) / 2)) < 1e-5)
            print(abs(evaluation.loss - evaluation.rmse * evaluation.rmse) < 1e-4)
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertTrue(o.output.hasSuffix("true true\ntrue\n"), o.output)
        XCTAssertTrue(o.output.contains("  mae "), o.output)
        XCTAssertTrue(o.output.contains("  rmse "), o.output)
    }

    // MARK: - plot

    func testPlotStartsAtZeroAndDrawsAnyFigure() {
        let o = runSeq(nextWordPrelude + """
            train adam lr 0.02 epochs 3 batch 4 on data validate data quiet
            plot history accuracy
            """)
        XCTAssertEqual(o.errors, [])
        let lines = o.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.first, "accuracy (epochs 1-3)")
        XCTAssertTrue(lines.contains("val_accuracy (epochs 1-3)"), o.output)
        // The bottom of the scale is 0, not the least accuracy.
        XCTAssertTrue(lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("0.000 ┤") }, o.output)
        XCTAssertEqual(runSeq(nextWordPrelude + "train adam epochs 1 on data quiet\nplot history perplexity").errors,
                       ["11:6: this history has no `perplexity`: it has loss, accuracy or lr"])
    }

    func testPlotOfTheLossFromZeroWithTheScaleOnTheLeft() {
        let o = runSeq(nextWordPrelude + "train adam lr 0.02 epochs 2 batch 4 on data quiet\nplot history")
        XCTAssertEqual(o.errors, [])
        XCTAssertTrue(o.output.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("0.000 ┤") }, o.output)
    }

    // MARK: - History figures: rounded in the display, exact in the value

    func testHistoryListsPrintRoundedAndStayExact() throws {
        let c = Captured()
        XCTAssertEqual(c.run(nextWordPrelude + "train adam lr 0.02 epochs 3 batch 4 on data validate data quiet").errors, [])
        let exact = c.run("history.val_loss")
        guard case .list(let items)? = exact.result.value, items.count == 3 else {
            return XCTFail("the host gets a plain list: \(String(describing: exact.result.value))")
        }
        let numbers = items.compactMap(\.asDouble)
        XCTAssertEqual(numbers.count, 3)
        // Shown with the 4 significant digits of every loss line, in print and interpolation.
        let shown = "[" + numbers.map(Figures.short).joined(separator: ", ") + "]"
        let printed = c.run("print(history.val_loss)\nprint(\"{history.loss}\" == str(history.loss))")
        XCTAssertEqual(printed.output, shown + "\ntrue\n")
        // The value is the unrounded number, bit for bit, wherever it is used.
        let first = c.run("history.val_loss[0]")
        guard case .number(let v)? = first.result.value else { return XCTFail("\(String(describing: first.result.value))") }
        XCTAssertEqual(v.bitPattern, numbers[0].bitPattern)
        XCTAssertNotEqual(v, Double(Figures.short(v)), "the figure has more digits than are shown")
        XCTAssertEqual(c.run("print(history.val_loss[0] == \(v), min(history.val_loss) <= history.val_loss[0], len(history.loss), type(history.loss))").output,
                       "true true 3 list\n")
        XCTAssertEqual(c.run("let total = 0\nfor x in history.loss { total += x }\nprint(total == history.loss[0] + history.loss[1] + history.loss[2], len(history.loss + [1]))").output,
                       "true 4\n")
    }

    // MARK: - Model and layer members

    func testModelAndLayerMembers() {
        let o = runSeq(tinyReviewsPrelude + """
            print(critic.layers[1].output_shape, critic.layers[2].output_shape)
            print(type(critic.layers[0].weights), critic.layers[0].weights.weight.shape)
            train adam lr 0.05 epochs 1 batch 4 on data quiet
            let w = critic.layers[1].weights
            print(w.weight_ih_l0.shape, w.weight_hh_l0.shape, w.bias_ih_l0.shape, w.bias_hh_l0.shape)
            print(critic.layers[0].weights.weight.shape, critic.layers[2].weights.weight.shape, critic.layers[2].weights.bias.shape)
            print(critic.vocab.size == vocab.size, critic.vocab.symbols[0], critic.classes)
            print(critic.params == vocab.size * 8 + 4 * 8 * (8 + 8 + 2) + 2 * 8 + 2)
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output.split(separator: "\n").map(String.init), [
            "[batch, feature 8] [batch, class 2]",
            "record [13, 8]",
            "[32, 8] [32, 8] [32] [32]",
            "[13, 8] [2, 8] [2]",
            "true <pad> [\"neg\", \"pos\"]",
            "true",
        ])
    }
}

