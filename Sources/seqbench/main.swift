// main.swift — seqbench: the release-mode benchmark of the five reference LSTM configurations
// and the two recurrent variants of the sentiment model (B6 GRU, B7 bidirectional LSTM), timed
// the way ../shared/bench/harness.py times PyTorch and Keras, so the figures compare.
//
//   swift run -c release seqbench [--config NAME|all] [--seconds S]
//   seqbench --config NAME --steps N [--tokens T]   (untimed, for instruction counts)
//
// Each config trains (and evaluates) a `Network` on synthetic data of the reference shapes:
// a warm-up, then 3 timed repeats that each run the step until at least S seconds (default 5)
// have passed; the rate reported is the median of the 3. Latency is the median of 3 medians of
// 200 calls; B6 and B7 report train, eval and a batch-1 forward latency_ms each. One JSON object
// per line and config:
//   config, unit, train, eval, latency_ms, peak_rss_mib, final_loss, threads, gemm_peak_gflops
// With `all` (the default) every config runs in its own child process, so peak_rss_mib
// (getrusage's ru_maxrss at the end of the config) is that config's alone. The BLAS thread
// count is `BLAS.threads` (`SEQ_THREADS` overrides the core count).
// `--steps N` times nothing: after one warm-up call each, it runs N training steps in
// `countedTrainSteps`, N evaluation batches in `countedEvalBatches` and N batch-1 calls in
// `countedLatencyCalls`, so a profiler counts a phase by its function, e.g.
//   valgrind --tool=callgrind --toggle-collect='*countedTrainSteps*' seqbench --config bilstm-sentiment --steps 2 --tokens 25
// `--tokens T` shortens the sentiment family's 100-token sequences.

import Foundation
import Tensor

#if canImport(Glibc)
import Glibc
#endif

let configNames = ["ptb-small", "mnist-rows", "aesop", "sentiment", "latency", "gru-sentiment", "bilstm-sentiment"]

struct Options {
    var config = "all"
    var seconds = 5.0
    /// Untimed: run this many calls of each phase (nil: time them).
    var steps: Int?
    /// The sentiment family's sequence length.
    var tokens = 100
}

let usage = "usage: seqbench [--config \(configNames.joined(separator: "|"))|all] [--seconds S] [--steps N] [--tokens T]"

let options = parseOptions()

func parseOptions() -> Options {
    var options = Options()
    var args = CommandLine.arguments.dropFirst()
    func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("seqbench: \(message)\n\(usage)\n".utf8))
        exit(2)
    }
    while let arg = args.popFirst() {
        switch arg {
        case "--config":
            guard let v = args.popFirst() else { fail("--config needs a name") }
            guard v == "all" || configNames.contains(v) else { fail("unknown config '\(v)'") }
            options.config = v
        case "--seconds":
            guard let v = args.popFirst(), let s = Double(v), s > 0 else { fail("--seconds needs a positive number") }
            options.seconds = s
        case "--steps":
            guard let v = args.popFirst(), let n = Int(v), n > 0 else { fail("--steps needs a positive whole number") }
            options.steps = n
        case "--tokens":
            guard let v = args.popFirst(), let n = Int(v), n > 0 else { fail("--tokens needs a positive whole number") }
            options.tokens = n
        case "-h", "--help":
            print(usage)
            exit(0)
        default:
            fail("unknown argument '\(arg)'")
        }
    }
    return options
}

// MARK: - Timing

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

struct Rate {
    var median: Double
    var spreadPercent: Double
}

/// What a call of `throughput` or `latency` runs, for `--steps`.
enum Phase { case train, eval }

/// Untimed `--steps N` runs: each phase in a function of its own, so a profiler can count it alone.
@inline(never) func countedTrainSteps(_ n: Int, _ step: () throws -> Void) rethrows { for _ in 0..<n { try step() } }
@inline(never) func countedEvalBatches(_ n: Int, _ step: () throws -> Void) rethrows { for _ in 0..<n { try step() } }
@inline(never) func countedLatencyCalls(_ n: Int, _ step: () throws -> Void) rethrows { for _ in 0..<n { try step() } }

/// Warm-up, then 3 repeats of at least `seconds` each; the median units per second. With
/// `--steps N`: one warm-up call, then N untimed calls (the rate is nil).
func throughput(_ phase: Phase, seconds: Double, units: Double, warmup: Int, _ step: () throws -> Void) rethrows -> Rate? {
    if let n = options.steps {
        try step()
        try phase == .train ? countedTrainSteps(n, step) : countedEvalBatches(n, step)
        return nil
    }
    for _ in 0..<warmup { try step() }
    var rates: [Double] = []
    for _ in 0..<3 {
        var calls = 0
        let t0 = now()
        var elapsed = 0.0
        repeat {
            try step()
            calls += 1
            elapsed = now() - t0
        } while elapsed < seconds
        rates.append(Double(calls) * units / elapsed)
    }
    let m = median(rates)
    return Rate(median: m, spreadPercent: 100 * (rates.max()! - rates.min()!) / m)
}

/// Warm-up, then 3 repeats of 200 calls; the median of the per-repeat median milliseconds.
/// With `--steps N`: one warm-up call, then N untimed calls.
func latency(warmup: Int, calls: Int = 200, _ call: () throws -> Void) rethrows -> Rate? {
    if let n = options.steps {
        try call()
        try countedLatencyCalls(n, call)
        return nil
    }
    for _ in 0..<warmup { try call() }
    var medians: [Double] = []
    for _ in 0..<3 {
        var times: [Double] = []
        times.reserveCapacity(calls)
        for _ in 0..<calls {
            let t0 = now()
            try call()
            times.append((now() - t0) * 1e3)
        }
        medians.append(median(times))
    }
    let m = median(medians)
    return Rate(median: m, spreadPercent: 100 * (medians.max()! - medians.min()!) / m)
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024   // ru_maxrss is in KiB on Linux
}

/// OpenBLAS sgemm GFLOP/s at 2048³ (best of 5 after a warm-up).
func gemmPeak() -> Double {
    let n = 2048
    var rng = SeededRandom(seed: 1)
    let a = (0..<(n * n)).map { _ in rng.uniform(in: -1, 1) }
    let b = (0..<(n * n)).map { _ in rng.uniform(in: -1, 1) }
    var c = [Float](repeating: 0, count: n * n)
    var best = 0.0
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                for rep in 0..<6 {
                    let t0 = now()
                    BLAS.gemm(m: n, n: n, k: n, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                    let dt = now() - t0
                    if rep > 0 { best = max(best, 2 * Double(n * n * n) / dt / 1e9) }
                }
            }
        }
    }
    return best
}

// MARK: - Configs

/// Eight synthetic batches cycled in turn, like the reference scripts.
struct Batches {
    var batches: [NetworkBatch]
    var i = 0
    mutating func next() -> NetworkBatch {
        i = (i + 1) % batches.count
        return batches[i]
    }
}

func tokenBatches(vocabulary: Int, batch: Int, steps: Int, perStepTargets: Bool, classes: Int,
                  binary: Bool, rng: inout SeededRandom) -> Batches {
    Batches(batches: (0..<8).map { _ in
        let x = (0..<(batch * steps)).map { _ in Int32(rng.int(below: vocabulary)) }
        if binary {
            let y = (0..<batch).map { _ in Float(rng.int(below: 2)) }
            return NetworkBatch(tokens: x, batch: batch, steps: steps, values: y)
        }
        let y = (0..<(perStepTargets ? batch * steps : batch)).map { _ in Int32(rng.int(below: classes)) }
        return NetworkBatch(tokens: x, batch: batch, steps: steps, classes: y)
    })
}

func featureBatches(features: Int, batch: Int, steps: Int, classes: Int, rng: inout SeededRandom) -> Batches {
    Batches(batches: (0..<8).map { _ in
        let x = (0..<(batch * steps * features)).map { _ in rng.uniform() }
        let y = (0..<batch).map { _ in Int32(rng.int(below: classes)) }
        return NetworkBatch(features: x, batch: batch, steps: steps, featureCount: features, classes: y)
    })
}

let sentimentSpec = NetworkSpec(input: .tokens(vocabulary: 10000),
                                layers: [.embedding(64), .lstm(128), .lstm(64, returnSequences: false),
                                         .dense(1, activation: .sigmoid)])

/// B6: the sentiment model with GRU layers; B7: with bidirectional LSTM layers (the second
/// keeping forward and backward final h side by side).
let gruSentimentSpec = NetworkSpec(input: .tokens(vocabulary: 10000),
                                   layers: [.embedding(64), .gru(128), .gru(64, returnSequences: false),
                                            .dense(1, activation: .sigmoid)])
let bilstmSentimentSpec = NetworkSpec(input: .tokens(vocabulary: 10000),
                                      layers: [.embedding(64), .lstm(128, bidirectional: true),
                                               .lstm(64, returnSequences: false, bidirectional: true),
                                               .dense(1, activation: .sigmoid)])

struct Result {
    var unit: String
    var train: Rate?
    var eval: Rate?
    var latency: Rate?
    var finalLoss: Float?
}

func run(_ name: String, seconds: Double) throws -> Result {
    var rng = SeededRandom(seed: 0)
    switch name {
    case "ptb-small":
        let spec = NetworkSpec(input: .tokens(vocabulary: 10000),
                               layers: [.embedding(200), .lstm(200, layers: 2), .dense(10000, activation: .softmax, perStep: true)],
                               initialization: .uniform(scale: 0.1), reduction: .mean, stateful: true)
        let net = try Network(spec: spec, seed: 0)
        var data = tokenBatches(vocabulary: 10000, batch: 20, steps: 20, perStepTargets: true, classes: 10000, binary: false, rng: &rng)
        let sgd = SGD(learningRate: 1)
        var loss: Float = .nan
        let train = try throughput(.train, seconds: seconds, units: 400, warmup: 5) {
            loss = try net.trainStep(data.next(), optimizer: sgd, clipNorm: 5).loss
        }
        let eval = try throughput(.eval, seconds: seconds, units: 400, warmup: 5) { _ = try net.evaluate(data.next()) }
        return Result(unit: "words/s", train: train, eval: eval, finalLoss: loss)
    case "mnist-rows", "aesop":
        let mnist = name == "mnist-rows"
        let (F, T, H, C, B) = mnist ? (28, 28, 128, 10, 100) : (1, 3, 512, 112, 1)
        let spec = NetworkSpec(input: .features(F), layers: [.lstm(H, returnSequences: false), .dense(C, activation: .softmax)])
        let net = try Network(spec: spec, seed: 0)
        var data = featureBatches(features: F, batch: B, steps: T, classes: C, rng: &rng)
        let optimizer: Optimizer = mnist ? Adam(learningRate: 0.001) : RMSProp(learningRate: 0.001, rho: 0.9)
        var loss: Float = .nan
        let units = mnist ? Double(B) : 1
        let warmup = mnist ? 5 : 50
        let train = try throughput(.train, seconds: seconds, units: units, warmup: warmup) {
            loss = try net.trainStep(data.next(), optimizer: optimizer).loss
        }
        let eval = try throughput(.eval, seconds: seconds, units: units, warmup: warmup) {
            _ = try net.predict(data.next().inputs)
        }
        return Result(unit: mnist ? "samples/s" : "steps/s", train: train, eval: eval, finalLoss: loss)
    case "latency":
        let net = try Network(spec: sentimentSpec, seed: 0)
        let data = tokenBatches(vocabulary: 10000, batch: 1, steps: 100, perStepTargets: false, classes: 2, binary: true, rng: &rng)
        let inputs = data.batches[0].inputs
        var p: Float = .nan
        let lat = try latency(warmup: 20) { p = try net.predict(inputs).scalars[0] }
        return Result(unit: "ms", latency: lat, finalLoss: p.isFinite ? nil : p)
    case "sentiment", "gru-sentiment", "bilstm-sentiment":
        let spec = name == "sentiment" ? sentimentSpec : name == "gru-sentiment" ? gruSentimentSpec : bilstmSentimentSpec
        let net = try Network(spec: spec, seed: 0)
        var data = tokenBatches(vocabulary: 10000, batch: 64, steps: options.tokens, perStepTargets: false, classes: 2, binary: true, rng: &rng)
        let adam = Adam(learningRate: 0.001)
        var loss: Float = .nan
        let train = try throughput(.train, seconds: seconds, units: 64, warmup: 5) {
            loss = try net.trainStep(data.next(), optimizer: adam).loss
        }
        let eval = try throughput(.eval, seconds: seconds, units: 64, warmup: 5) { _ = try net.predict(data.next().inputs) }
        // B6 and B7 add a batch-1 forward latency (B4's is the separate `latency` config, B5).
        guard name != "sentiment" else { return Result(unit: "samples/s", train: train, eval: eval, finalLoss: loss) }
        let one = tokenBatches(vocabulary: 10000, batch: 1, steps: options.tokens, perStepTargets: false, classes: 2, binary: true, rng: &rng)
        let inputs = one.batches[0].inputs
        let lat = try latency(warmup: 20) { _ = try net.predict(inputs) }
        return Result(unit: "samples/s", train: train, eval: eval, latency: lat, finalLoss: loss)
    default:
        preconditionFailure("unknown config \(name)")
    }
}

func json(_ name: String, _ r: Result, rss: Double, gemm: Double?) -> String {
    func num(_ x: Double?, _ digits: Int = 2) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "null" }
    var fields = [
        "\"config\": \"\(name)\"",
        "\"unit\": \"\(r.unit)\"",
        "\"train\": \(num(r.train?.median, 1))",
        "\"eval\": \(num(r.eval?.median, 1))",
        "\"latency_ms\": \(num(r.latency?.median, 4))",
        "\"peak_rss_mib\": \(num(rss, 1))",
        "\"final_loss\": \(r.finalLoss.map { $0.isFinite ? String(format: "%.5f", $0) : "null" } ?? "null")",
        "\"threads\": \(BLAS.threads)",
        "\"gemm_peak_gflops\": \(num(gemm, 1))",
    ]
    if let t = r.train { fields.append("\"train_spread_pct\": \(num(t.spreadPercent, 1))") }
    if let e = r.eval { fields.append("\"eval_spread_pct\": \(num(e.spreadPercent, 1))") }
    if let l = r.latency { fields.append("\"latency_spread_pct\": \(num(l.spreadPercent, 1))") }
    return "{" + fields.joined(separator: ", ") + "}"
}

if options.config == "all" {
    // One child process per config, so each peak RSS is that config's own.
    for name in configNames {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if !FileManager.default.isExecutableFile(atPath: child.executableURL!.path) {
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        child.arguments = ["--config", name, "--seconds", String(options.seconds), "--tokens", String(options.tokens)]
            + (options.steps.map { ["--steps", String($0)] } ?? [])
        try child.run()
        child.waitUntilExit()
        if child.terminationStatus != 0 { exit(child.terminationStatus) }
    }
} else {
    do {
        let result = try run(options.config, seconds: options.seconds)
        let rss = peakRSSMiB()
        // After the RSS reading: the GEMM's 48 MB of matrices are not the config's.
        print(json(options.config, result, rss: rss, gemm: options.steps == nil ? gemmPeak() : nil))
        fflush(stdout)
    } catch {
        FileHandle.standardError.write(Data("seqbench: \(options.config): \(error)\n".utf8))
        exit(1)
    }
}
