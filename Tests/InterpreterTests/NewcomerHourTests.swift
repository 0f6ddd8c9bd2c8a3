// NewcomerHourTests.swift — a newcomer's first hour, in quick form on small fixtures
// (Fixtures/newcomer, examples/data): the README's first taste, a text classifier on their own
// TSV (first typed with Keras' words) with new sentences predicted, one and several, a time
// series from CSV, a character generator saved and loaded, early
// stopping, and a training interrupted (a cancel through the embedding API, as Ctrl-C in seqsh)
// then resumed. Each step runs in one interpreter, as typed at the prompt one after another,
// and declares what it prints; none may end in an error.

import XCTest
import SeqLang
@testable import Interpreter

final class NewcomerHourTests: XCTestCase {
    static let fixtures = DataTestHost.fixtures + "/newcomer"

    /// What a step must print: the exact text, or lines that must appear (in order).
    enum Expect {
        case exact(String)
        case lines([String])
        case prefixes([String])
    }

    /// An interpreter that shows what seqsh shows: the output, and each statement's value
    /// echoed as the REPL echoes it (a layer's shape line, a model's name).
    final class Session {
        let text = TextBox()
        let captured: Captured
        init(cancellingOnceAtStep step: Int? = nil) {
            let text = self.text
            let box = InterpreterBox()
            let once = TextBox()
            captured = Captured { config in
                config.output = { text.text += $0 }
                // As seqsh echoes (ValueDisplay.echo): a layer after the word `layer`.
                config.echo = { value in
                    if case .object(let o) = value, o is ModelLayer { text.text += "layer " + o.displayDescription + "\n" }
                    else { text.text += "\(value)\n" }
                }
                if let step {
                    config.onProgress = { progress in
                        guard progress.step == step, once.text.isEmpty else { return }
                        once.text = "cancelled"
                        let done = DispatchSemaphore(value: 0)
                        Thread { box.interpreter?.cancel(); done.signal() }.start()
                        done.wait()
                    }
                }
            }
            box.interpreter = captured.interpreter
        }
        func run(_ source: String) -> Outcome {
            text.text = ""
            var o = captured.run(source)
            o.output = text.text
            return o
        }
    }

    func step(_ c: Session, _ name: String, _ source: String, _ expect: Expect,
              file: StaticString = #filePath, line: UInt = #line) -> Outcome {
        let o = c.run(source)
        XCTAssertEqual(o.errors, [], "\(name): no error", file: file, line: line)
        let printed = o.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch expect {
        case .exact(let text):
            XCTAssertEqual(o.output, text, name, file: file, line: line)
        case .lines(let wanted):
            var at = 0
            for w in wanted {
                guard let i = printed[at...].firstIndex(of: w) else {
                    XCTFail("\(name): missing line \(w) in\n\(o.output)", file: file, line: line); break
                }
                at = i + 1
            }
        case .prefixes(let wanted):
            var at = 0
            for w in wanted {
                guard let i = printed[at...].firstIndex(where: { $0.hasPrefix(w) }) else {
                    XCTFail("\(name): no line starting \(w) in\n\(o.output)", file: file, line: line); break
                }
                at = i + 1
            }
        }
        return o
    }

    /// The README's first taste, typed line by line: each `seq>` line's output as the README
    /// shows it (the wrong `layer dense` is an error with its hint, then the fix works).
    func testTheReadmeFirstTaste() throws {
        let readme = try String(contentsOfFile: Seqsh_repository() + "/README.md", encoding: .utf8)
        let block = try XCTUnwrap(readme.components(separatedBy: "## A first taste").dropFirst().first?
            .components(separatedBy: "```").dropFirst().first)
        var steps: [(input: String, output: [String])] = []
        for line in block.split(separator: "\n").map(String.init) {
            if line.hasPrefix("seq> ") { steps.append((String(line.dropFirst(5)), [])) } else if !steps.isEmpty { steps[steps.count - 1].output.append(line) }
        }
        XCTAssertEqual(steps.count, 8)
        let c = Session()
        for (input, output) in steps {
            let o = c.run(input)
            if let error = output.first, error.hasPrefix("<repl>:") {
                XCTAssertEqual(o.result.errors.first.map { "<repl>:\($0.range.start): error: \($0.message)" }, error, input)
                XCTAssertEqual(o.result.errors.first?.hint.map { "  hint: " + $0 }, output.last, input)
            } else {
                XCTAssertEqual(o.errors, [], input)
                XCTAssertEqual(o.output, output.map { $0 + "\n" }.joined(), input)
            }
        }
        // The data the README then trains on, made from the user's own TSV as it shows: it fits
        // the model typed above (a forward pass, so quick), and `predict` reads a sentence.
        let data = try XCTUnwrap(readme.components(separatedBy: "```seq\n").dropFirst().first?
            .components(separatedBy: "```").first)
        XCTAssertTrue(data.contains("let reviews = "), data)
        let made = c.run(data.replacingOccurrences(of: "\"reviews.tsv\"", with: "\"\(Self.fixtures)/my_reviews.tsv\""))
        XCTAssertEqual(made.errors, [])
        let used = c.run("""
            print(reviews.train.count + reviews.val.count + reviews.test.count, reviews.train.classes)
            evaluate on reviews.test
            predict "What a great film!"
            print(type(prediction.class))
            """)
        XCTAssertEqual(used.errors, [])
        XCTAssertTrue(used.output.hasPrefix("16 [\"neg\", \"pos\"]\n"), used.output)
        XCTAssertTrue(used.output.hasSuffix("string\n"), used.output)
        XCTAssertTrue(readme.contains("on reviews.train validate reviews.val"), "the README trains on what its block makes")
    }

    func testATextClassifierOnTheirOwnTSVPredictsNewSentences() {
        let c = Session()
        _ = step(c, "read the TSV", """
            let r = read_labelled("\(Self.fixtures)/my_reviews.tsv", "label")
            let syms = words(lower(r.text))
            let vocab = vocabulary(syms)
            let data = sequences(encode(vocab, syms), r.label, 8, "first", vocab)
            print(data.count, data.classes, vocab.symbols[0], vocab.symbols[1])
            """, .exact("16 [\"neg\", \"pos\"] <pad> <unk>\n"))
        _ = step(c, "the model", """
            seed 1
            model critic
            input tokens 8 vocab vocab.size
            layer embedding 8
            layer lstm 16 last
            layer dense 2 softmax
            """, .prefixes(["model critic", "[batch, time 8]", "layer embedding", "layer lstm 16 last -> [batch, feature 16]", "layer dense 2 softmax -> [batch, class 2]"]))
        // Typed first with Keras' words: each is named with SeqLang's, and nothing runs.
        let keras = ["layer dense 2 activation softmax", "train Adam learning_rate 0.05 epochs 30 batch_size 4 on data"]
            .flatMap { c.run($0).errors.map { $0.components(separatedBy: "; ").last ?? "" } }
        XCTAssertEqual(keras, [
            "SeqLang writes the activation alone, without 'activation': linear, sigmoid, tanh, relu, softmax",
            "did you mean 'adam'?", "did you mean 'lr'?", "did you mean 'batch'?"])
        _ = step(c, "train", "train adam lr 0.05 epochs 30 batch 4 on data quiet\nprint(history.accuracy[29])", .lines(["1.0"]))
        _ = step(c, "evaluate", "evaluate on data", .lines([
            "confusion (rows: true class, columns: predicted)", "       neg  pos", "neg      8    0", "pos      0    8"]))
        // New sentences, typed as prose: the text is padded to 8.
        let p = step(c, "new sentences", """
            predict "What a great film!"
            print(prediction.class)
            predict "a boring , boring mess"
            print(prediction.class)
            """, .lines(["pos", "neg"]))
        // The vocabulary was counted from `lower` text, so `predict` lower-cases "What", and cuts
        // "film!" as `words` does: only "mess", never seen, is new.
        XCTAssertEqual(p.result.warnings.map(\.message), ["predict: 1 symbol is not in the vocabulary and became <unk>: \"mess\""],
                       "\(p.result.diagnostics)")
        XCTAssertTrue(p.result.diagnostics.contains { $0.severity == .note && $0.message.contains("padded after its symbols") })
        // Several at once, as Keras predicts a batch.
        _ = step(c, "a list of sentences", """
            predict ["What a great film!", "a boring , boring film"]
            print(prediction[0].class, prediction[1].class)
            """, .lines(["pos neg"]))
    }

    func testATimeSeriesFromCSV() {
        let c = Session()
        _ = step(c, "read the CSV", """
            let t = read_csv("\(Self.fixtures)/temperatures.csv", ["temp"])
            let series = (t - mean(t)) / std(t)
            let data = windows(series, 6)
            print(t.shape, data.shape, data.target_shape)
            """, .exact("[60, 1] [sample 54, time 6, feature 1] [sample 54, value 1]\n"))
        _ = step(c, "model and train", """
            seed 2
            model weather
            input sequence 6 features 1
            layer lstm 16 last
            layer dense 1
            train adam lr 0.02 epochs 30 batch 8 on data quiet
            evaluate on data
            print(evaluation.rmse < 0.3, evaluation.mae <= evaluation.rmse)
            predict rows(series, 54, 60)
            print(len(prediction.values))
            """, .lines(["true true", "1"]))
    }

    func testACharacterGenerator() {
        let c = Session()
        _ = step(c, "characters", """
            let syms = chars(read_text("examples/data/belling_the_cat.txt"))
            let vocab = vocabulary(syms)
            let data = lm_batches(encode(vocab, syms), 4, 20, vocab)
            seed 4
            model chars
            input tokens vocab vocab.size
            layer embedding 16
            layer lstm 64
            layer dense vocab.size softmax per step
            train adam lr 0.01 epochs 3 bptt 20 stateful on data quiet
            generate from "the mice" length 24
            print(len(generated))
            """, .lines(["32"]))
        XCTAssertFalse(c.run("print(generated)").output.contains("<"), "no <pad> or <unk> in generated text")
        // Saved and loaded in a new session, it cuts and joins characters as it did.
        let path = temporaryPath("newcomer-chars.safetensors")
        let before = step(c, "save", "save \"\(path)\"\ngenerate from \"the cat\" length 20", .prefixes(["the cat"])).output
        _ = step(Session(), "load", "let m = load(\"\(path)\")\nprint(m.vocab.unit)\ngenerate m from \"the cat\" length 20",
                 .exact("chars\n" + before))
    }

    func testEarlyStoppingNamesAndRestoresTheBestEpoch() {
        let c = Session()
        _ = step(c, "early stop", nextWordPrelude + """
            train adam lr 0.05 epochs 40 batch 4 on data validate data early stop on val_loss patience 2
            print(history.stopped_early, history.epochs < 40, history.best_epoch < history.epochs)
            let restored = next.layers[2].weights.weight
            """, .prefixes(["early stop: val_loss has not improved for 2 epochs; the best was epoch ", "true true true"]))
    }

    func testAnInterruptedTrainingKeepsItsHistoryAndResumes() throws {
        let checkpoint = temporaryPath("newcomer.ckpt")
        let c = Session(cancellingOnceAtStep: 6)
        let o = c.run(nextWordPrelude + "train adam lr 0.02 epochs 3 batch 4 on data checkpoint \"\(checkpoint)\" quiet")
        // 16 windows in batches of 4: step 6 is step 2 of epoch 2; epoch 1's checkpoint is on disk.
        XCTAssertEqual(o.errors, ["10:1: training cancelled in epoch 2 at step 2 of 4; the weights learned so far are kept"])
        _ = step(c, "the history so far", "print(history.interrupted, history.epochs, len(history.loss))", .exact("true 1 2\n"))
        _ = step(c, "resume", "resume \"\(checkpoint)\" on data epochs 3\nprint(history.epochs, history.interrupted)",
                 .lines(["3 false"]))
    }
}

/// The repository's root (the tests run from it).
func Seqsh_repository() -> String { FileManager.default.currentDirectoryPath }
