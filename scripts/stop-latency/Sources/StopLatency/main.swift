// main.swift — how soon every long operation of SeqLang stops after its time limit and after
// cancel(), in a release build, through the public embedding API alone.
//
// Each operation runs twice in a fresh interpreter on inputs large enough to take seconds:
// once under `Configuration.timeLimit`, once cancelled from another thread at the same moment.
// The table gives the seconds from the limit (or the cancel() call) to the return of `run`,
// and the kind of diagnostic that ended it; an operation that finished before its limit is
// shown as such (its input is too small for this machine). Exits 1 when a figure passes
// `--bound` (0.1 s) or an operation was not stopped.
//
//     scripts/stop-latency.sh [--limit 0.2] [--bound 0.1] [--only read_csv]

import Foundation
import Interpreter

// MARK: - Options

var limit = 0.2
var bound = 0.1
var only: String?
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    switch flag {
    case "--limit": limit = Double(arguments.popFirst() ?? "") ?? limit
    case "--bound": bound = Double(arguments.popFirst() ?? "") ?? bound
    case "--only": only = arguments.popFirst()
    default:
        FileHandle.standardError.write(Data("usage: StopLatency [--limit SECONDS] [--bound SECONDS] [--only NAME-PREFIX]\n".utf8))
        exit(2)
    }
}

func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

// MARK: - Inputs

/// A small deterministic generator (the inputs need only be the same on every run).
struct Mix {
    var state: UInt64
    mutating func next(below n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }
}

let folder = NSTemporaryDirectory() + "seq-stop-latency-\(getpid())"
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }

/// A text of `words` words on lines of ten.
func text(words: Int) -> String {
    let vocabulary = ["the", "fox", "jumps", "over", "a", "lazy", "dog", "and", "runs", "away"]
    var out = ""
    out.reserveCapacity(words * 5)
    for i in 0..<words { out += vocabulary[(i * 7 + i / 10) % 10] + (i % 10 == 9 ? "\n" : " ") }
    return out
}

/// `samples` id lists of `steps` ids below 50 and their labels.
func tokenSamples(_ samples: Int, steps: Int) -> (Value, Value) {
    var mix = Mix(state: 9)
    let rows = (0..<samples).map { _ in Value.list((0..<steps).map { _ in .int(mix.next(below: 50)) }) }
    return (.list(rows), .list((0..<samples).map { .int($0 % 2) }))
}

/// Runs `source` in a fresh interpreter without limits and returns its globals `names`.
func made(_ names: [String], by source: String, from globals: [String: Value] = [:]) -> [String: Value] {
    let seq = SeqInterpreter()
    for (name, value) in globals { seq[global: name] = value }
    let result = seq.run(source: source)
    guard result.succeeded else {
        note("setup failed: \(result.errors.map { seq.render($0) }.joined(separator: "\n"))")
        exit(1)
    }
    var out: [String: Value] = [:]
    for name in names { out[name] = seq[global: name] }
    return out
}

note("making the inputs …")
var globals: [String: Value] = [:]
do {
    let (s, l) = tokenSamples(64, steps: 4000)
    globals.merge(made(["batch"], by: "let batch = sequences(samples, labels, 4000)", from: ["samples": s, "labels": l])) { a, _ in a }
    let (ms, ml) = tokenSamples(50_000, steps: 200)
    globals.merge(made(["many"], by: "let many = sequences(samples, labels, 200)", from: ["samples": ms, "labels": ml])) { a, _ in a }
    let (ts, tl) = tokenSamples(2, steps: 3000)
    globals.merge(made(["two"], by: "let two = sequences(samples, labels, 3000)", from: ["samples": ts, "labels": tl])) { a, _ in a }
    var mix = Mix(state: 4)
    globals["series"] = .tensor(try TensorValue(sizes: [10_000, 200, 4], scalars: (0..<(10_000 * 200 * 4)).map { _ in Float(mix.next(below: 1000)) / 1000 }))
    globals["text"] = .string(text(words: 10_000_000))
    globals.merge(made(["symbols", "vocab"], by: "let symbols = tokens(text)\nlet vocab = vocabulary(symbols)", from: globals)) { a, _ in a }
    globals["ids"] = .list((0..<3_000_000).map { .int($0 % 50) })
    globals["longIds"] = .list((0..<20_000_000).map { .int($0 % 50) })
    globals["samples"] = .list((0..<300_000).map { i in .list((0..<(20 + i % 30)).map { .int(($0 + i) % 50) }) })
    globals["labels"] = .list((0..<300_000).map { .int($0 % 2) })
}

var files: [String: String] = [:]
do {
    // A table of 3,000,000 lines.
    var table = "a,b,c\n"
    table.reserveCapacity(45_000_000)
    for i in 0..<3_000_000 { table += "\(i % 97).5,\(i % 13),\(i % 7).25\n" }
    files["csv"] = folder + "/big.csv"
    try table.write(toFile: files["csv"]!, atomically: false, encoding: .utf8)
    // A text of 40,000,000 words (200 MB).
    files["text"] = folder + "/big.txt"
    try text(words: 40_000_000).write(toFile: files["text"]!, atomically: false, encoding: .utf8)
    // idx: 300,000 images of 28 × 28 bytes.
    var idx: [UInt8] = [0, 0, 0x08, 3]
    for size in [300_000, 28, 28] { idx += withUnsafeBytes(of: UInt32(size).bigEndian, Array.init) }
    idx += [UInt8](repeating: 7, count: 300_000 * 28 * 28)
    files["idx"] = folder + "/big.idx"
    FileManager.default.createFile(atPath: files["idx"]!, contents: Data(idx))
    // npy: 50,000,000 little-endian float32.
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (50000000,), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var npy: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    npy += withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
    npy += [UInt8](repeating: 0, count: 50_000_000 * 4)
    files["npy"] = folder + "/big.npy"
    FileManager.default.createFile(atPath: files["npy"]!, contents: Data(npy))
    // A model file of 128,000,000 embedding weights (512 MB).
    files["model"] = folder + "/big.safetensors"
    _ = made([], by: "model big\ninput tokens 10 vocab 2000000\nlayer embedding 64\nlayer lstm 8 last\nlayer dense 2 softmax\nsave \"\(files["model"]!)\"")
}

// MARK: - The operations

func model(_ layer: String, steps: Int = 200) -> String {
    "model m\ninput tokens \(steps) vocab 50\nlayer embedding 16\n\(layer)\nlayer dense 2 softmax\n"
}

let operations: [(String, String)] = [
    ("training batch, lstm", model("layer lstm 64 last", steps: 4000) + "train adam batch 64 steps 1 on batch"),
    ("training batch, gru", model("layer gru 64 last", steps: 4000) + "train adam batch 64 steps 1 on batch"),
    ("training batch, rnn", model("layer rnn 96 last", steps: 4000) + "train adam batch 64 steps 1 on batch"),
    ("training batch, bidirectional lstm", model("layer lstm 48 last bidirectional", steps: 4000) + "train adam batch 64 steps 1 on batch"),
    ("training batch, 2-layer gru", model("layer gru 48 layers 2 last", steps: 4000) + "train adam batch 64 steps 1 on batch"),
    ("predict, 50,000 samples", model("layer lstm 64 last") + "predict many"),
    ("predict, a [10000, 200, 4] tensor", "model m\ninput sequence 200 features 4\nlayer lstm 64 last\nlayer dense 1\npredict series"),
    ("evaluate, 50,000 samples", model("layer gru 64 last") + "evaluate on many batch 500"),
    ("check gradients, 3,000 steps", model("layer lstm 64 last", steps: 3000) + "check gradients on two"),
    ("tokens, 10,000,000 words", "let t = tokens(text, \"<eos>\")"),
    ("words, 10,000,000 words", "let t = words(text)"),
    ("chars, 10,000,000 words", "let t = chars(text)"),
    ("vocabulary, 10,000,000 symbols", "let v = vocabulary(symbols)"),
    ("encode, 10,000,000 symbols", "let e = encode(vocab, symbols)"),
    ("windows, 3,000,000 ids", "let w = windows(ids, 40)"),
    ("lm_batches, 20,000,000 ids", "let b = lm_batches(longIds, 20, 35)"),
    ("sequences, 300,000 samples", "let s = sequences(samples, labels, 40)"),
    ("read_csv, 3,000,000 lines", "let r = read_csv(\"\(files["csv"]!)\")"),
    ("read_text, 200 MB", "let r = read_text(\"\(files["text"]!)\")"),
    ("read_lines, 4,000,000 lines", "let r = read_lines(\"\(files["text"]!)\")"),
    ("read_idx, 235 MB", "let r = read_idx(\"\(files["idx"]!)\")"),
    ("read_npy, 200 MB", "let r = read_npy(\"\(files["npy"]!)\")"),
    ("load, a 512 MB model file", "let m = load(\"\(files["model"]!)\")"),
]

// MARK: - Measuring

/// A moment one thread marks and another reads.
final class Moment: @unchecked Sendable {
    private let lock = NSLock()
    private var marked: Date?
    func mark() { lock.withLock { marked = Date() } }
    var date: Date? { lock.withLock { marked } }
}

/// Runs `source` stopped by the time limit (`cancel` false) or by cancel() after `limit`
/// seconds; returns the seconds from that moment to the return, and how the run ended.
func measure(_ source: String, cancel: Bool) -> (Double, String) {
    var configuration = SeqInterpreter.Configuration()
    if !cancel { configuration.timeLimit = limit }
    let seq = SeqInterpreter(configuration)
    for (name, value) in globals { seq[global: name] = value }
    let moment = Moment()
    if cancel {
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: limit)
            moment.mark()
            seq.cancel()
        }
    }
    let start = Date()
    let result = seq.run(source: source)
    let end = Date()
    let from = cancel ? (moment.date ?? end) : start.addingTimeInterval(limit)
    let seconds = end.timeIntervalSince(from)
    guard let error = result.errors.first else {
        return (-1, "finished in \(String(format: "%.2f", end.timeIntervalSince(start))) s, before its limit")
    }
    let expected: Diagnostic.Kind = cancel ? .cancelled : .limit
    guard error.kind == expected else { return (-1, seq.render(error)) }
    return (seconds, "")
}

var failed = false
var rows: [String] = []
for (name, source) in operations where only.map({ name.hasPrefix($0) }) ?? true {
    var cells: [String] = []
    for cancel in [false, true] {
        let (seconds, problem) = measure(source, cancel: cancel)
        if problem.isEmpty {
            cells.append(String(format: "%.3f", seconds))
            if seconds > bound { failed = true }
        } else {
            cells.append(problem.replacingOccurrences(of: "\n", with: " "))
            failed = true
        }
    }
    let row = "| \(name) | \(cells[0]) | \(cells[1]) |"
    note(row)
    rows.append(row)
}
print("| operation | s after the time limit (\(limit) s) | s after cancel() |")
print("|---|---|---|")
for row in rows { print(row) }
let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "?"
print("\nload average \(load); bound \(bound) s: \(failed ? "PASSED BY SOME" : "every figure within it")")
try? FileManager.default.removeItem(atPath: folder)
exit(failed ? 1 : 0)
