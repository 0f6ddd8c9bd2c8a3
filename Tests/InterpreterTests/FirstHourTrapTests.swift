// FirstHourTrapTests.swift — the traps a Keras user met after the first hour's fixes: `predict`
// (and `evaluate`, `generate`) on a model never trained, one sequence through a model with an
// output at every step, a vocabulary that remembers its text was lower-cased and whether its
// symbols are characters (through a model file too), and string options of built-ins checked by
// `--check` as at run time.

import XCTest
import SeqLang
import Tensor
@testable import Interpreter

final class FirstHourTrapTests: XCTestCase {
    func warnings(_ o: Outcome) -> [String] { o.result.warnings.map { "\($0.range.start): \($0.message)" } }
    func notes(_ o: Outcome) -> [String] {
        o.result.diagnostics.filter { $0.severity == .note }.map { "\($0.range.start): \($0.message)" }
    }

    // MARK: - A model never trained

    /// As Keras predicts with a model just built: the initial weights, with a warning.
    func testPredictOnAModelNeverTrainedGivesItsInitialWeightsOutputsWithAWarning() {
        let o = runSeq("""
            model fresh
            input tokens 10 vocab 5
            layer embedding 4
            layer lstm 8 last
            layer dense 2 softmax
            predict [1, 2, 3]
            print(len(prediction.probabilities))
            let short = prediction.probabilities
            predict sequences([[1, 2, 3]], [0], 10)
            print(list(prediction)[0] == short)
            model series
            input sequence 4 features 2
            layer lstm 8 last
            layer dense 1
            predict tensor([[1, 2], [3, 4], [5, 6], [7, 8]])
            print(len(prediction.values))
            """)
        XCTAssertEqual(o.errors, [])
        // The 3 ids are padded to the declared 10 and masked, exactly as `sequences` pads them.
        XCTAssertEqual(o.output, "2\ntrue\n1\n")
        XCTAssertEqual(warnings(o), [
            "6:1: predict: model 'fresh' has not been trained: this is what its initial (random) weights give",
            "9:1: predict: model 'fresh' has not been trained: this is what its initial (random) weights give",
            "15:1: predict: model 'series' has not been trained: this is what its initial (random) weights give"])
        XCTAssertEqual(notes(o), ["6:9: the model reads 10 symbols and has not been trained yet: this input of 3 is padded after its symbols (masked), as `sequences` pads samples"])
        XCTAssertEqual(o.result.warnings.first?.hint,
                       "train it first, e.g. `train adam epochs 10 on data`, or load trained weights with `load(\"model.safetensors\")`")
    }

    /// Text needs the vocabulary of the data a model learned from: an untrained one says so.
    func testTextThroughAnUntrainedModelIsALocatedErrorSayingWhatIsMissing() {
        let fresh = """
            let vocab = vocabulary(tokens("the cat sat on the mat"))
            model fresh
            input tokens 3 vocab vocab.size
            layer embedding 4
            layer lstm 8 last
            layer dense vocab.size softmax

            """
        let o = runSeq(fresh + "predict \"the cat sat\"")
        XCTAssertEqual(o.errors, ["7:9: this model has not been trained, so it has no vocabulary to read text with yet"])
        XCTAssertEqual(o.result.errors.first?.hint,
                       "give ids, e.g. `predict encode(vocab, words(\"…\"))`, or train it first on data made with a vocabulary (`sequences(…, vocab)`, `windows(ids, n, vocab)`)")
        let ids = runSeq(fresh + """
            predict encode(vocab, tokens("the cat sat"))
            evaluate on windows(encode(vocab, tokens("the cat sat on the mat")), 3, vocab)
            """)
        XCTAssertEqual(ids.errors, [])
        XCTAssertEqual(warnings(ids).map { $0.components(separatedBy: ":")[0...2].joined(separator: ":") },
                       ["7:1: predict", "8:1: evaluate"])
    }

    /// Labels given as names: an untrained model's `evaluate` names the classes from the data,
    /// as training would have attached them, and so does a later `predict`.
    func testAnUntrainedModelNamesClassesFromTheDatasLabels() {
        let prelude = """
            let r = read_labelled("\(NewcomerHourTests.fixtures)/my_reviews.tsv", "label")
            let syms = words(lower(r.text))
            let vocab = vocabulary(syms)
            let data = sequences(encode(vocab, syms), r.label, 8, "first", vocab)
            model critic
            input tokens 8 vocab vocab.size
            layer embedding 8
            layer lstm 8 last
            layer dense 2 softmax

            """
        let o = runSeq(prelude + """
            evaluate on data
            print(evaluation.classes)
            predict encode(vocab, words("a great film"))
            print(type(prediction.class), prediction.class == "pos" or prediction.class == "neg")
            predict "A great film!"
            print(prediction.class == "pos" or prediction.class == "neg")
            """)
        XCTAssertEqual(o.errors, [])
        let lines = o.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("neg ") || $0.hasPrefix("pos ") || $0.hasPrefix("       neg") }.count, 5, o.output)
        XCTAssertEqual(Array(lines.suffix(3)), ["[\"neg\", \"pos\"]", "string true", "true"], o.output)
        // `predict` on the data names them as well.
        let p = runSeq(prelude + """
            predict data
            predict [2, 3, 4]
            print(prediction.class == "pos" or prediction.class == "neg")
            """)
        XCTAssertEqual(p.errors, [])
        XCTAssertEqual(p.output, "true\n")
        // Without data seen, there are no names to give: the class is its id.
        let fresh = runSeq(prelude + "predict [2, 3, 4]\nprint(type(prediction.class))")
        XCTAssertEqual(fresh.output, "int\n")
    }

    /// After training, the warning is gone.
    func testATrainedModelPredictsWithoutTheWarning() {
        let o = runSeq(tinyReviewsPrelude + """
            train adam lr 0.05 epochs 1 batch 4 on data quiet
            predict "truly fine"
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertFalse(warnings(o).contains { $0.contains("has not been trained") }, "\(warnings(o))")
    }

    // MARK: - One sequence through a model with an output at every step

    static let perStepPrelude = """
        let syms = chars("abcabcabcabcabcabcabcabc")
        let vocab = vocabulary(syms, "closed")
        let data = lm_batches(encode(vocab, syms), 2, 4, vocab)
        seed 5
        model lm
        input tokens vocab vocab.size
        layer embedding 4
        layer lstm 8
        layer dense vocab.size softmax per step
        train adam lr 0.05 epochs 3 on data quiet

        """

    func testOneSequenceThroughAPerStepModelIsATimeByClassTensor() {
        let o = runSeq(Self.perStepPrelude + """
            predict [0, 1, 2, 0, 1]
            print(prediction.axes, prediction.shape)
            predict data
            print(prediction.axes)
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, """
            ["time", "class"] [5, 3]
            ["batch", "time", "class"]

            """)
        // Each step's probabilities sum to 1, as a row of a batch's.
        let sums = runSeq(Self.perStepPrelude + "predict [0, 1, 2]\nprint(sum(prediction, \"class\").shape)")
        XCTAssertEqual(sums.errors, [])
        XCTAssertEqual(sums.output, "[3]\n")
    }

    /// The first sample of the streams is "abca": its row of the batch is the single prediction.
    func testOneSequenceIsItsRowInABatch() throws {
        let o = runSeq(Self.perStepPrelude + """
            predict encode(vocab, chars("abca"))
            print(list(prediction))
            predict data
            print(list(prediction)[0])
            """)
        XCTAssertEqual(o.errors, [])
        let lines = o.output.split(separator: "\n").map { line in
            line.split(whereSeparator: { "[], ".contains($0) }).compactMap { Double($0) }
        }
        XCTAssertEqual(lines.count, 2, o.output)
        XCTAssertEqual(lines.first?.count, 12, o.output)
        XCTAssertEqual(lines.first?.count, lines.last?.count, o.output)
        for (a, b) in zip(lines.first ?? [], lines.last ?? []) { XCTAssertEqual(a, b, accuracy: 1e-5, o.output) }
    }

    func testGenerateAndEvaluateOnOneSample() {
        let o = runSeq(Self.perStepPrelude + """
            generate from "a" length 5
            let single = lm_batches(encode(vocab, chars("abcab")), 1, 4, vocab)
            print(single.count)
            evaluate on single
            print(type(evaluation.loss))
            """)
        XCTAssertEqual(o.errors, [])
        let lines = o.output.split(separator: "\n").map(String.init)
        // A vocabulary of `chars` without a space symbol is still of characters: joined with nothing.
        XCTAssertEqual(lines.first?.count, 6, o.output)
        XCTAssertEqual(lines.first?.contains(" "), false, o.output)
        XCTAssertTrue(lines.first?.hasPrefix("a") == true, o.output)
        XCTAssertTrue(lines.contains("number"), o.output)
    }

    // MARK: - Characters or words: decided when the vocabulary is counted

    /// A character model of "abcbbc" (no space symbol): generated characters are joined with
    /// nothing, and text is cut into characters; single-character words given as `"words"` keep
    /// their spaces.
    func testAVocabularyOfCharactersWithoutASpaceGeneratesCharactersJoinedWithNothing() {
        let chars = runSeq("""
            let v = vocabulary(chars("abcbbc"))
            print(v.unit, vocabulary(chars("ab ba")).unit, vocabulary(words("a big cat")).unit)
            let data = lm_batches(encode(v, chars("abcbbcabcbbc")), 1, 4, v)
            seed 3
            model c
            input tokens vocab v.size
            layer embedding 4
            layer lstm 8
            layer dense v.size softmax per step
            train adam lr 0.05 epochs 20 on data quiet
            predict "a b"
            print(prediction.shape)
            generate from "ab" length 4
            """)
        XCTAssertEqual(chars.errors, [])
        let lines = chars.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "chars chars words")
        // The space it has no symbol for is left out: two characters, no <unk>.
        XCTAssertEqual(lines.dropFirst().first, "[2, 5]", chars.output)
        XCTAssertEqual(lines.last?.count, 6, chars.output)
        XCTAssertEqual(lines.last?.hasPrefix("ab"), true, chars.output)
        XCTAssertEqual(lines.last?.contains(" "), false, chars.output)
        XCTAssertEqual(warnings(chars).filter { $0.contains("<unk>") }, [])
        // Single-character words: the user says so, and they are joined by spaces.
        let sums = runSeq("""
            let syms = tokens("1 + 2 = 3 2 + 1 = 3 1 + 1 = 2")
            let v = vocabulary(syms, "words")
            print(v.unit, vocabulary(syms, 20, "closed", "words").unit, vocabulary(syms, "words", "closed").size)
            let data = windows(encode(v, syms), 2, v)
            seed 3
            model sums
            input tokens 2 vocab v.size
            layer embedding 4
            layer lstm 8 last
            layer dense v.size softmax
            train adam lr 0.05 epochs 2 batch 4 on data quiet
            generate from "1 +" length 3
            """)
        XCTAssertEqual(sums.errors, [])
        let out = sums.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(out.first, "words words 5")
        XCTAssertEqual(out.last?.split(separator: " ").count, 5, sums.output)
        XCTAssertEqual(out.last?.hasPrefix("1 + "), true, sums.output)
    }

    /// The unit is saved with the model: a loaded character model generates as it did.
    func testTheUnitIsSavedWithTheModel() throws {
        let path = temporaryPath("abc-chars.safetensors")
        let o = runSeq(Self.perStepPrelude + """
            generate from "a" length 5
            save "\(path)"
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(try SafeTensors.read(from: path).metadata["vocabulary_unit"], "chars")
        let loaded = runSeq("""
            let m = load("\(path)")
            print(m.vocab.unit)
            generate m from "a" length 5
            """)
        XCTAssertEqual(loaded.errors, [])
        XCTAssertEqual(loaded.output, "chars\n" + o.output)
        XCTAssertEqual(o.output.count, 7, o.output)
        // The file's word is what a loaded vocabulary follows, even against its symbols.
        let file = try SafeTensors.read(from: path)
        var metadata = file.metadata
        metadata["vocabulary_unit"] = "words"
        let edited = temporaryPath("abc-words.safetensors")
        try SafeTensors.write(file.tensors.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }, metadata: metadata, to: edited)
        let words = runSeq("let m = load(\"\(edited)\")\nprint(m.vocab.unit)\ngenerate m from \"a\" length 5")
        XCTAssertEqual(words.errors, [])
        XCTAssertEqual(words.output.split(separator: "\n").last?.split(separator: " ").count, 6, words.output)
        metadata["vocabulary_unit"] = "bytes"
        let bad = temporaryPath("abc-bytes.safetensors")
        try SafeTensors.write(file.tensors.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }, metadata: metadata, to: bad)
        XCTAssertEqual(runSeq("load(\"\(bad)\")").errors.map { $0.contains("its vocabulary unit metadata is \"bytes\", not \"chars\" or \"words\"") }, [true])
    }

    // MARK: - A vocabulary that remembers lower-casing

    static let lowerPrelude = """
        let texts = ["the movie was great!", "The film was AWFUL.", "a great film", "an awful movie",
                     "great acting", "awful acting", "the movie is great", "the film is awful"]
        let labels = ["pos", "neg", "pos", "neg", "pos", "neg", "pos", "neg"]
        let syms = words(lower(texts))
        let vocab = vocabulary(syms)
        let data = sequences(encode(vocab, syms), labels, 6, "first", vocab)
        seed 2
        model critic
        input tokens 6 vocab vocab.size
        layer embedding 8
        layer lstm 8 last
        layer dense 2 softmax
        train adam lr 0.05 epochs 40 batch 4 on data quiet

        """

    func testAVocabularyOfLowerCasedTextLowerCasesWhatItLooksUp() {
        let o = runSeq("""
            let v = vocabulary(words(lower("The cat sat on the mat")))
            print(v.lower, encode(v, words("The CAT sat")) == encode(v, words("the cat sat")))
            let cased = vocabulary(words("The cat sat"))
            print(cased.lower, encode(cased, "the"))
            print(vocabulary(["1", "2", ","]).lower)
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, "true true\nfalse 1\nfalse\n")
        // Only the case-sensitive vocabulary warns: "the" is not its "The".
        XCTAssertEqual(warnings(o), ["4:20: encode: 1 symbol is not in the vocabulary and became <unk>: \"the\""])
    }

    func testPredictLowerCasesTextForAVocabularyOfLowerCasedText() {
        let o = runSeq(Self.lowerPrelude + """
            predict "The Movie was GREAT!"
            print(prediction.class)
            predict "AN AWFUL FILM."
            print(prediction.class)
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, "pos\nneg\n")
        // No word is unknown: the text is lower-cased and `GREAT!` cut as `words` cuts it.
        XCTAssertEqual(warnings(o).filter { $0.contains("<unk>") }, [])
    }

    func testTheLowerCasingIsSavedWithTheModel() {
        let path = temporaryPath("critic-lower.safetensors")
        let o = runSeq(Self.lowerPrelude + """
            save "\(path)"
            """)
        XCTAssertEqual(o.errors, [])
        // A new session: only the file.
        let loaded = runSeq("""
            let m = load("\(path)")
            print(m.vocab.lower, encode(m.vocab, words("The MOVIE")) == encode(m.vocab, ["the", "movie"]))
            predict m "The Movie was GREAT"
            print(prediction.class)
            """)
        XCTAssertEqual(loaded.errors, [])
        XCTAssertEqual(loaded.output, "true true\npos\n")
        XCTAssertEqual(warnings(loaded).filter { $0.contains("<unk>") }, [])
    }

    func testTheModelFileSaysTheNormalisation() throws {
        let path = temporaryPath("critic-normalisation.safetensors")
        XCTAssertEqual(runSeq(Self.lowerPrelude + "save \"\(path)\"").errors, [])
        let file = try SafeTensors.read(from: path)
        var metadata = file.metadata
        XCTAssertEqual(metadata["vocabulary_normalisation"], "lower")
        // The file's word is what a loaded vocabulary follows, even against its symbols.
        metadata["vocabulary_normalisation"] = "none"
        let edited = temporaryPath("critic-normalisation-none.safetensors")
        try SafeTensors.write(file.tensors.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }, metadata: metadata, to: edited)
        let loaded = runSeq("let m = load(\"\(edited)\")\nprint(m.vocab.lower)")
        XCTAssertEqual(loaded.errors, [])
        XCTAssertEqual(loaded.output, "false\n")
    }

    // MARK: - Met re-driving the newcomer's hour

    /// Keras' `Dense(2, activation="softmax")` typed as `activation softmax`: the message says
    /// the activation stands alone, from a run and from the check.
    func testTheKerasWordActivationIsNamedAsLeftOut() {
        let source = "model m\ninput sequence 4 features 2\nlayer lstm 8 last\nlayer dense 2 activation softmax"
        let message = "4:15: unknown option 'activation' for a dense layer; SeqLang writes the activation alone, without 'activation': linear, sigmoid, tanh, relu, softmax"
        XCTAssertEqual(runSeq(source).errors, [message])
        XCTAssertEqual(SeqInterpreter().check(source: source, file: "<check>").errors.map { "\($0.range.start): \($0.message)" }, [message])
    }

    /// `layer.weights` of a model never trained: its initial weights (as Keras builds them with
    /// the model), the same ones `predict` and `train` then start from; none while incomplete.
    func testTheWeightsOfAModelNeverTrainedAreItsInitialOnes() {
        let o = runSeq("""
            model m
            print(m.layers)
            input sequence 3 features 1
            layer lstm 2 last
            layer dense 1
            let w = m.layers[1].weights
            print(type(w), w.weight.shape, w.bias.shape)
            predict tensor([[1], [2], [3]])
            print(list(m.layers[1].weights.weight) == list(w.weight))
            let data = windows(tensor([[1], [2], [3], [4], [5], [6]]), 3)
            train sgd lr 0.1 epochs 1 on data quiet
            print(list(m.layers[1].weights.weight) == list(w.weight))
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, "[]\nrecord [1, 2] [1]\ntrue\nfalse\n")
    }

    /// `train Adam learning_rate 0.05`: the optimizer and the option are both reported, by the
    /// run and by the check.
    func testABadOptimizerAndABadOptionOnOneLineAreBothReported() {
        let source = tinyReviewsPrelude + "train Adam learning_rate 0.05 epochs 1 on data"
        let expected = ["13:7: unknown optimizer 'Adam'; did you mean 'adam'?",
                        "13:12: unknown option 'learning_rate' for `train`; did you mean 'lr'?"]
        XCTAssertEqual(runSeq(source).errors, expected)
        XCTAssertEqual(SeqInterpreter().check(source: source, file: "<check>").errors.map { "\($0.range.start): \($0.message)" }, expected)
    }

    /// `predict ["…", "…"]` as Keras predicts a batch: a list of the texts' results, a note they
    /// share given once.
    func testPredictOnAListOfTextsPredictsEach() {
        let o = runSeq(tinyReviewsPrelude + """
            train adam lr 0.05 epochs 30 batch 4 on data quiet
            predict ["truly fine", "a dull story", "the film is fine"]
            print(len(prediction), prediction[0].class, prediction[1].class, type(prediction[2].probability))
            predict "truly fine"
            print(prediction.class)
            """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, "3 pos neg number\npos\n")
        XCTAssertEqual(notes(o).filter { $0.hasPrefix("14:") }.count, 1, "\(notes(o))")
        XCTAssertEqual(runSeq(tinyReviewsPrelude + "predict [\"fine\", 3]").errors.first?.components(separatedBy: " (").first, "13:9: expected a list of token ids")
    }

    /// `plot val_loss`: the figure is named as a figure, with the statement to write; a missing
    /// dataset is not asked for as a number.
    func testAnUnboundWordWhereAHistoryOrADatasetBelongsSaysWhatToWrite() {
        let plot = runSeq(tinyReviewsPrelude + "train adam epochs 1 on data quiet\nplot val_loss")
        XCTAssertEqual(plot.errors, ["14:6: unknown name 'val_loss'"])
        XCTAssertEqual(plot.result.errors.first?.hint,
                       "'val_loss' is a figure of a history: write `plot history loss`, which draws val_loss beside loss when the training was validated")
        XCTAssertEqual(runSeq(tinyReviewsPrelude + "plot accuracy").result.errors.first?.hint,
                       "'accuracy' is a figure of a history: write `plot history accuracy`")
        let evaluate = runSeq(tinyReviewsPrelude + "evaluate on zzz")
        XCTAssertEqual(evaluate.result.errors.first?.hint,
                       "a dataset is needed here: make one with `windows`, `sequences`, `lm_batches`, `mnist` or `split` and bind it with `let`")
    }

    /// A REPL echoes a statement's value unless the statement printed it: `train`, `evaluate`
    /// and `generate` are not shown twice, and a history's figures echo as a plain list.
    func testStatementsThatPrintTheirResultAreNotEchoedAgain() {
        let c = NewcomerHourTests.Session()
        let o = c.run(Self.perStepPrelude + """
            evaluate on data
            generate from "ab" length 3
            predict [0, 1]
            history.epochs
            history.loss
            """)
        XCTAssertEqual(o.errors, [])
        let lines = o.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("{") || $0.hasPrefix("\"") }, [], o.output)
        XCTAssertEqual(lines.filter { $0.hasPrefix("abc") || $0.hasPrefix("ab") }.count, 1, o.output)
        XCTAssertTrue(lines.contains("3"), o.output)
        XCTAssertEqual(lines.last.map { $0.hasPrefix("[") && $0.components(separatedBy: ", ").count == 3 }, true, o.output)
        XCTAssertTrue(o.output.contains("tensor [time 2, class 3]"), o.output)
    }

    // MARK: - String options of built-ins, checked as at run time

    func testAMisspeltStringOptionIsReportedByTheCheckAsByTheRun() {
        let vocabularyWords = "\"open\" (the default: <pad> and <unk> reserved), \"closed\" (the corpus' symbols alone), \"chars\" (characters, joined without spaces) or \"words\" (words, joined with spaces)"
        for (source, message) in [
            ("vocabulary([\"a\"], \"clsoed\")",
             "vocabulary: argument 2 is \(vocabularyWords), not \"clsoed\"; did you mean 'closed'?"),
            ("vocabulary([\"a\"], 10, \"opne\")",
             "vocabulary: argument 3 is \(vocabularyWords), not \"opne\"; did you mean 'open'?"),
            ("vocabulary([\"a\"], 10, \"closed\", \"char\")",
             "vocabulary: argument 4 is \(vocabularyWords), not \"char\"; did you mean 'chars'?"),
            ("vocabulary([\"a\"], \"closed\", \"open\")",
             "vocabulary: arguments 2 and 3 both give the kind (\"closed\" and \"open\")"),
            ("sequences([[1, 2]], [\"a\"], 4, \"lats\")",
             "sequences: argument 4 is \"first\" (the default: a long sample's first symbols are kept) or \"last\" (its last symbols), not \"lats\"; did you mean 'last'?"),
        ] {
            let checked = SeqInterpreter().check(source: source, file: "<check>").errors.map { "\($0.range.start): \($0.message)" }
            XCTAssertEqual(checked, ["1:1: " + message], source)
            XCTAssertEqual(runSeq(source).errors, ["1:1: " + message], source)
        }
        // Well spelt, or not a literal, nothing is reported.
        XCTAssertEqual(SeqInterpreter().check(source: "let k = \"closed\"\nvocabulary([\"a\"], k)\nvocabulary([\"a\"], 3, \"open\")\nvocabulary([\"a\"], \"chars\", \"closed\")",
                                              file: "<check>").errors.map(\.message), [])
    }

    /// The run and the check read one list: every word a choice allows works at run time.
    func testEveryAllowedWordIsAcceptedAtRunTime() {
        for choice in FunctionChoices.all {
            for word in choice.allowed {
                let source = choice.function == "vocabulary" ? "vocabulary([\"a\"], \"\(word)\")"
                    : "sequences([[1, 2]], [\"a\"], 4, \"\(word)\")"
                XCTAssertEqual(runSeq(source).errors, [], source)
            }
        }
    }
}
