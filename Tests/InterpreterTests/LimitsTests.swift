// LimitsTests.swift — limits that stop everything, through the embedding API: a time limit of
// 0.3 s, or cancel() from another thread, stops every long operation — one training batch of
// each recurrent layer kind, predict on a dataset and on a tensor, evaluate, check gradients,
// and the data built-ins on big inputs — soon after the limit, with the statement's located
// `.limit`/`.cancelled` diagnostic; `memoryLimit` refuses a model, a batch or a data set that
// would pass it before allocating it; predict runs in chunks whose memory does not grow with
// the data set and gives the unchunked answer.
//
// The inputs are handed in as globals, so the runs spend their time in the operation under test;
// each would run for seconds in a debug build. A stop is seen once per time step, so the
// batches are kept narrow (64 sequences) and long (2,500 steps): on a loaded machine one step of
// a wide batch in a debug build takes a good part of the bound. The bound on how soon a run stops after its
// limit (`latencyBound`) is generous for a shared machine, far below what the work takes; the
// measured latencies are printed ("LimitsTests: …") and recorded in Tests/README.md.

import Foundation
import XCTest
import SeqLang
@testable import Interpreter
import Tensor

final class LimitsTests: XCTestCase {
    static let limit = 0.3
    static let latencyBound = 0.25

    // MARK: - Inputs

    /// `samples` token sequences of `steps` ids below `vocabulary`, labelled 0 or 1.
    func tokenData(samples: Int, steps: Int, vocabulary: Int = 50) -> Dataset {
        var rng = SeededRandom(seed: 9)
        let ids = (0..<(samples * steps)).map { _ in rng.int(below: vocabulary) }
        return Dataset(inputs: .tokens(TokenGrid(ids: ids, rows: samples, steps: steps)),
                       targets: .classes((0..<samples).map { $0 % 2 }))
    }

    func model(_ layer: String, steps: Int = 200) -> String {
        "model m\ninput tokens \(steps) vocab 50\nlayer embedding 16\n\(layer)\nlayer dense 2 softmax\n"
    }

    /// Runs `source` in `c` and returns the outcome and how long after `limit` seconds from the
    /// start it returned.
    func timed(_ c: Captured, _ source: String, limit: Double = LimitsTests.limit) -> (Outcome, Double) {
        let start = Date()
        let outcome = c.run(source)
        return (outcome, Date().timeIntervalSince(start) - limit)
    }

    func limited(_ globals: [String: Value] = [:]) -> Captured {
        let c = Captured { $0.timeLimit = LimitsTests.limit }
        for (name, value) in globals { c.interpreter[global: name] = value }
        return c
    }

    func assertStopped(_ outcome: Outcome, _ latency: Double, at place: String, _ what: String,
                       kind: Diagnostic.Kind = .limit, message: String? = nil, bound: Double = LimitsTests.latencyBound,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(outcome.result.errors.map(\.kind), [kind], "\(what): \(outcome.errors)", file: file, line: line)
        XCTAssertEqual(outcome.errors.first.map { String($0.prefix(while: { $0 != " " })) }, place + ":", "\(what): \(outcome.errors)",
                       file: file, line: line)
        if let message { XCTAssertEqual(outcome.errors.first, "\(place): \(message)", file: file, line: line) }
        print("LimitsTests: \(what) stopped \(String(format: "%.3f", latency)) s after its \(kind == .limit ? "time limit" : "cancel()")")
        XCTAssertLessThan(latency, bound, "\(what) stops soon after its limit", file: file, line: line)
    }

    static let timeLimitMessage = "the script ran longer than its time limit of 0.3 s"

    // MARK: - Time limit: training

    func testTheTimeLimitStopsOneTrainingBatchOfEachRecurrentLayer() throws {
        let layers = ["layer lstm 64 last", "layer gru 64 last", "layer rnn 96 last",
                      "layer lstm 48 last bidirectional", "layer gru 48 layers 2 last"]
        for layer in layers {
            let c = limited(["data": .object(tokenData(samples: 64, steps: 2500))])
            let (outcome, latency) = timed(c, model(layer, steps: 2500) + "train adam batch 64 steps 1 on data")
            assertStopped(outcome, latency, at: "6:1", layer,
                          message: "training stopped by the time limit of 0.3 s in epoch 1 during step 1 of 1, whose update was not applied; the weights learned so far are kept")
            guard case .record(let fields)? = c.interpreter[global: "history"],
                  case .bool(true)? = fields.first(where: { $0.key == "interrupted" })?.value else {
                return XCTFail("\(layer): history is bound, marked interrupted")
            }
        }
    }

    func testAStoppedTrainingStepKeepsTheWeightsOfTheLastFinishedStep() throws {
        let data = Value.object(tokenData(samples: 64, steps: 2500))
        let small = Value.object(tokenData(samples: 8, steps: 2500))
        let c = Captured()
        c.interpreter[global: "data"] = data
        c.interpreter[global: "small"] = small
        XCTAssertEqual(c.run(model("layer lstm 64 last", steps: 2500) + "train adam batch 8 steps 1 on small").errors, [])
        // The second run's one step is cancelled inside it.
        let (outcome, _) = cancelled(c, "train adam batch 64 steps 1 on data")
        XCTAssertEqual(outcome.result.errors.map(\.kind), [.cancelled])
        let stopped = temporaryPath("limits-stopped.safetensors"), one = temporaryPath("limits-one-step.safetensors")
        XCTAssertEqual(c.run("save \"\(stopped)\"").errors, [])
        let reference = Captured()
        reference.interpreter[global: "small"] = small
        XCTAssertEqual(reference.run(model("layer lstm 64 last", steps: 2500) + "train adam batch 8 steps 1 on small\nsave \"\(one)\"").errors, [])
        let a = try SafeTensors.read(from: stopped).tensors, b = try SafeTensors.read(from: one).tensors
        XCTAssertFalse(b.isEmpty)
        for (name, t) in b { XCTAssertEqual(a[name]?.scalars, t.scalars, name) }
    }

    // MARK: - Time limit: prediction, evaluation, gradient check

    func testTheTimeLimitStopsPredictOnADatasetAndOnATensor() {
        let c = limited(["data": .object(tokenData(samples: 20000, steps: 200))])
        let (outcome, latency) = timed(c, model("layer lstm 64 last") + "predict data")
        assertStopped(outcome, latency, at: "6:1", "predict on 20,000 samples", message: LimitsTests.timeLimitMessage)

        var rng = SeededRandom(seed: 4)
        let series = Tensor(unchecked: [4000, 200, 4], (0..<(4000 * 200 * 4)).map { _ in rng.uniform() })
        let t = limited(["x": .tensor(TensorValue(series))])
        let (tensorOutcome, tensorLatency) = timed(t, "model m\ninput sequence 200 features 4\nlayer lstm 64 last\nlayer dense 1\npredict x")
        assertStopped(tensorOutcome, tensorLatency, at: "5:1", "predict on a tensor of 4,000 samples", message: LimitsTests.timeLimitMessage)
    }

    func testTheTimeLimitStopsEvaluate() {
        let c = limited(["data": .object(tokenData(samples: 20000, steps: 200))])
        let (outcome, latency) = timed(c, model("layer gru 64 last") + "evaluate on data batch 500")
        assertStopped(outcome, latency, at: "6:1", "evaluate on 20,000 samples", message: LimitsTests.timeLimitMessage)
    }

    func testTheTimeLimitStopsCheckGradients() {
        let c = limited(["data": .object(tokenData(samples: 2, steps: 3000))])
        let (outcome, latency) = timed(c, model("layer lstm 64 last", steps: 3000) + "check gradients on data")
        assertStopped(outcome, latency, at: "6:1", "check gradients on sequences of 3,000 steps", message: LimitsTests.timeLimitMessage)
    }

    // MARK: - Time limit: data built-ins

    /// A text of `words` words on lines of ten.
    func bigText(words: Int) -> String {
        let vocabulary = ["the", "fox", "jumps", "over", "a", "lazy", "dog", "and", "runs", "away"]
        var text = ""
        text.reserveCapacity(words * 5)
        for i in 0..<words { text += vocabulary[(i * 7 + i / 10) % 10] + (i % 10 == 9 ? "\n" : " ") }
        return text
    }

    func testTheTimeLimitStopsTheDataBuiltins() throws {
        let text = Value.string(bigText(words: 3_000_000))
        let ids = Value.list((0..<3_000_000).map { .int($0 % 50) })
        let samples = Value.list((0..<100_000).map { i in .list((0..<(20 + i % 30)).map { .int(($0 + i) % 50) }) })
        let labels = Value.list((0..<100_000).map { .int($0 % 2) })
        let csv = temporaryPath("limits-big.csv")
        var table = "a,b,c\n"
        table.reserveCapacity(20_000_000)
        for i in 0..<1_000_000 { table += "\(i % 97).5,\(i % 13),\(i % 7).25\n" }
        try table.write(toFile: csv, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: csv) }

        let cases: [(String, String)] = [
            ("tokens of a 3,000,000-word text", "let t = tokens(text, \"<eos>\")"),
            ("words of a 3,000,000-word text", "let t = words(text)"),
            ("chars of a 3,000,000-word text", "let t = chars(text)"),
            ("vocabulary of 3,000,000 symbols", "let v = vocabulary(symbols)"),
            ("encode 3,000,000 symbols", "let e = encode(vocab, symbols)"),
            ("windows of 3,000,000 ids", "let w = windows(ids, 40)"),
            ("lm_batches of 3,000,000 ids", "let b = lm_batches(ids, 20, 35)"),
            ("sequences of 100,000 samples", "let s = sequences(samples, labels, 40)"),
            ("read_csv of 1,000,000 lines", "let r = read_csv(\"\(csv)\")"),
        ]
        // The symbols and their vocabulary, made once without a limit.
        let setup = Captured()
        setup.interpreter[global: "text"] = text
        XCTAssertEqual(setup.run("let symbols = tokens(text)\nlet vocab = vocabulary(symbols)").errors, [])
        let symbols = setup.interpreter[global: "symbols"]!, vocab = setup.interpreter[global: "vocab"]!
        for (what, line) in cases {
            let c = limited(["text": text, "ids": ids, "samples": samples, "labels": labels, "symbols": symbols, "vocab": vocab])
            let (outcome, latency) = timed(c, line)
            assertStopped(outcome, latency, at: "1:9", what, message: LimitsTests.timeLimitMessage)
        }
    }

    // MARK: - cancel() from another thread

    /// Runs `source` in `c`, cancelling it from another thread `after` seconds; returns the
    /// outcome and how long after cancel() the run returned.
    func cancelled(_ c: Captured, _ source: String, after delay: Double = 0.3) -> (Outcome, Double) {
        let interpreter = c.interpreter
        let moment = CancelMoment()
        let thread = Thread {
            Thread.sleep(forTimeInterval: delay)
            moment.mark()
            interpreter.cancel()
        }
        thread.start()
        let outcome = c.run(source)
        return (outcome, Date().timeIntervalSince(moment.date))
    }

    func testCancelFromAnotherThreadStopsEveryLongOperation() {
        let data = Value.object(tokenData(samples: 64, steps: 2500))
        let many = Value.object(tokenData(samples: 20000, steps: 200))
        let two = Value.object(tokenData(samples: 2, steps: 3000))
        let cases: [(String, String, String, String?)] = [
            ("a training batch", model("layer lstm 64 last", steps: 2500) + "train adam batch 64 steps 1 on data", "6:1",
             "training cancelled in epoch 1 during step 1 of 1, whose update was not applied; the weights learned so far are kept"),
            ("predict", model("layer lstm 64 last") + "predict many", "6:1", "the script was cancelled"),
            ("evaluate", model("layer rnn 96 last") + "evaluate on many batch 500", "6:1", "the script was cancelled"),
            ("check gradients", model("layer gru 48 last", steps: 3000) + "check gradients on two", "6:1", "the script was cancelled"),
            ("tokens", "let t = tokens(text)", "1:9", "the script was cancelled"),
            ("windows", "let w = windows(ids, 40)", "1:9", "the script was cancelled"),
        ]
        let text = Value.string(bigText(words: 3_000_000))
        let ids = Value.list((0..<3_000_000).map { .int($0 % 50) })
        for (what, source, place, message) in cases {
            let c = Captured()
            for (name, value) in ["data": data, "many": many, "two": two, "text": text, "ids": ids] {
                c.interpreter[global: name] = value
            }
            let (outcome, latency) = cancelled(c, source)
            assertStopped(outcome, latency, at: place, what, kind: .cancelled, message: message)
            XCTAssertTrue(c.run("print(1)").result.succeeded, "\(what): the interpreter runs on")
        }
    }

    // MARK: - Memory limit

    func testABatchThatWouldNeedGigabytesIsRefusedUpFront() {
        // The sentiment model of the README with one batch of 5,000 reviews of 100 tokens.
        let c = Captured { $0.memoryLimit = 200_000_000 }
        c.interpreter[global: "data"] = .object(tokenData(samples: 5000, steps: 100, vocabulary: 10000))
        let script = """
            model sentiment
            input tokens 100 vocab 10000
            layer embedding 64
            layer lstm 128 dropout 0.2
            layer lstm 64 last
            layer dense 1 sigmoid
            train adam batch 5000 steps 1 on data
            """
        let start = Date()
        let outcome = c.run(script)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "refused before the batch runs")
        XCTAssertEqual(outcome.result.errors.map(\.kind), [.limit])
        // Held: the 789,057 parameters with their gradients (6.31 MB) and Adam's state with the
        // snapshot of the weights and that state (15.8 MB).
        XCTAssertEqual(outcome.errors, ["7:1: a training batch of 5000 sequences × 100 steps would need 5.65 GB beside the 22.1 MB already held, past the memory limit of 200 MB"])
        XCTAssertEqual(outcome.result.errors.first?.hint?.contains("smaller `batch`"), true)
        // The interpreter (and the host) go on: a batch that fits trains.
        XCTAssertEqual(c.run("train adam batch 16 steps 1 on data").errors, [])
        XCTAssertLessThan(c.interpreter.memory.peak, 200_000_000)
    }

    func testAModelThatWouldNeedGigabytesIsRefusedUpFront() {
        let c = Captured { $0.memoryLimit = 200_000_000 }
        let outcome = c.run("model big\ninput tokens 10 vocab 100000000\nlayer embedding 64\nlayer lstm 8 last\nlayer dense 2 softmax\npredict [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]")
        XCTAssertEqual(outcome.errors, ["6:1: the 6400002386 parameters of the network and their gradients would need 51.2 GB, past the memory limit of 200 MB"])
        XCTAssertEqual(outcome.result.errors.map(\.kind), [.limit])
        XCTAssertEqual(c.interpreter.memory.held, 0)
    }

    func testDataBuiltinsPastTheLimitAreRefused() {
        let c = Captured { $0.memoryLimit = 50_000_000 }
        c.interpreter[global: "ids"] = .list((0..<1_000_000).map { .int($0 % 50) })
        c.interpreter[global: "text"] = .string(bigText(words: 3_000_000))
        XCTAssertEqual(c.run("let w = windows(ids, 50)").errors,
                       ["1:9: 999950 windows of 50 ids would need 408 MB, past the memory limit of 50 MB"])
        let tokens = c.run("let t = tokens(text)")
        XCTAssertEqual(tokens.result.errors.map(\.kind), [.limit])
        XCTAssertTrue(tokens.errors.first?.hasPrefix("1:9: the tokens of the text would need ") == true, "\(tokens.errors)")
        XCTAssertEqual(c.run("let small = windows([1, 2, 3, 4, 5], 2)\nprint(small.count)").output, "3\n")
    }

    func testAScriptUnderAGenerousLimitRuns() {
        let c = Captured { $0.memoryLimit = 1_000_000_000 }
        c.interpreter[global: "data"] = .object(tokenData(samples: 64, steps: 20))
        let outcome = c.run(model("layer lstm 32 last", steps: 20) + """
            train adam batch 16 epochs 2 on data
            evaluate on data
            predict data
            let w = windows([1, 2, 3, 4, 5, 6], 2)
            """)
        XCTAssertEqual(outcome.errors, [])
        XCTAssertGreaterThan(c.interpreter.memory.held, 0, "the model's parameters and buffers are counted")
        XCTAssertLessThan(c.interpreter.memory.peak, 1_000_000_000)
    }

    // MARK: - Predict in chunks

    func testPredictRunsInChunksThatGiveTheUnchunkedAnswerInBoundedMemory() throws {
        func run(samples: Int) throws -> (Tensor, Int, Network) {
            let c = Captured { $0.memoryLimit = 1_000_000_000 }
            c.interpreter[global: "data"] = .object(tokenData(samples: samples, steps: 30))
            let outcome = c.run(model("layer gru 24 last", steps: 30) + "predict data")
            guard case .tensor(let p)? = outcome.result.value else {
                XCTFail("no prediction: \(outcome.errors)")
                throw CancellationError()
            }
            let network = c.interpreter.models.current!.network!.network
            return (p.tensor, c.interpreter.memory.peak, network)
        }
        let (few, fewPeak, fewNetwork) = try run(samples: 200)
        let (many, manyPeak, network) = try run(samples: 20000)
        XCTAssertEqual(many.shape, [20000, 2])
        // The working memory claimed is one chunk's, whatever the number of samples; the peak
        // is the parameters, that chunk and the result.
        let chunk = network.workingBytes(batch: Inference.chunk, steps: 30, training: false)
        let parameters = network.store.count * 8
        XCTAssertEqual(network.claimedBytes, parameters + chunk)
        XCTAssertEqual(fewNetwork.claimedBytes, parameters + chunk)
        XCTAssertLessThanOrEqual(manyPeak, parameters + chunk + 20000 * 2 * MemoryLayout<Float>.size)
        XCTAssertLessThanOrEqual(fewPeak, manyPeak)
        // The same seed gives the same first 200 samples and weights.
        for (a, b) in zip(many.scalars.prefix(400), few.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // The chunks give what one pass over all 20,000 samples gives.
        let all = tokenData(samples: 20000, steps: 30)
        let whole = try network.predict(NetworkBridge.inputs(all.batch(0..<20000)))
        XCTAssertEqual(whole.shape, many.shape)
        for (a, b) in zip(whole.scalars, many.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }
}

/// A moment one thread marks and another reads.
final class CancelMoment: @unchecked Sendable {
    private let lock = NSLock()
    private var marked = Date.distantFuture
    func mark() { lock.withLock { marked = Date() } }
    var date: Date { lock.withLock { marked } }
}
