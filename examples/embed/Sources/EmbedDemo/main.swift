// main.swift — a host program that embeds SeqLang: it registers a native function, runs a
// script that defines a model, and reads the model's shapes and parameter count back; then
// it trains a tiny model while following its progress, reads a prediction back, and cancels
// a long training run from another thread.
// Exits 1 (with the diagnostics on stderr) if anything is not as expected.

import Foundation
import Interpreter   // the whole public API, Diagnostic included (docs/embedding.md)

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("embed demo: \(message)\n".utf8))
    exit(1)
}

// The host owns I/O: everything the script prints arrives here.
var printed: [String] = []
var config = SeqInterpreter.Configuration(output: { printed.append($0) })
config.fileAccess = .none        // this script needs no files
config.timeLimit = 30
let seq = SeqInterpreter(config)

// A host function the script can call: the hidden sizes this app wants.
seq.register(function: "app_units") { args, _, range in
    guard args.isEmpty else {
        throw Diagnostic.error(.type, at: range, "app_units() takes no arguments, got \(args.count)")
    }
    return .list([.int(128), .int(64)])
}

// The host sets a variable before the script runs.
seq[global: "vocab_size"] = .int(10000)

let script = """
model sentiment
input tokens 100 vocab vocab_size
layer embedding 64
layer lstm app_units() dropout 0.2 last
layer dense 1 sigmoid
let total = sentiment.params
print("built {sentiment.name} with {total} parameters")
"""

let result = seq.run(source: script, file: "app.seq")
for d in result.diagnostics {
    FileHandle.standardError.write(Data(seq.render(d).utf8))
}
guard result.succeeded else { fail("the script failed") }

// Read values back: a plain number, and members of the model object.
guard case .int(let total)? = seq[global: "total"] else { fail("no integer 'total' after the run") }
guard case .object(let model)? = seq[global: "sentiment"] else { fail("no model 'sentiment' after the run") }
guard case .shape(let input)? = model.member("input"), case .shape(let output)? = model.member("output") else {
    fail("the model has no input/output shape")
}
print(printed.joined(), terminator: "")
print("input shape:  \(input)")
print("output shape: \(output)")
print("parameters:   \(total)")

// 10000*64 + LSTM 128 (4*128*(64+128) + 8*128) + LSTM 64 (4*64*(128+64) + 8*64) + dense 65
let expected = 640_000 + 99_328 + 49_664 + 65
guard total == expected else { fail("expected \(expected) parameters, got \(total)") }

// Errors come back as values, with their place in the script.
let bad = seq.run(source: "layer lstn 32\n", file: "typo.seq")
guard let error = bad.errors.first, error.range.start.line == 1, error.range.start.column == 7 else {
    fail("expected an error at typo.seq:1:7, got \(bad.diagnostics)")
}
print("a typo is reported as: \(error)")

// Training: a tiny next-symbol model, with the host following progress through a callback.
final class Steps: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
let steps = Steps()
var trainConfig = SeqInterpreter.Configuration(output: { _ in })
trainConfig.fileAccess = .none
trainConfig.onProgress = { _ in steps.add() }
let trainer = SeqInterpreter(trainConfig)
let training = trainer.run(source: """
    let syms = tokens("a b c d a b c d a b c d a b c d")
    let vocab = vocabulary(syms)
    let data = windows(encode(vocab, syms), 2, vocab)
    model abcd
    input tokens 2 vocab vocab.size
    layer embedding 8
    layer lstm 16 last
    layer dense vocab.size softmax
    let h = train adam lr 0.05 epochs 40 batch 4 on data quiet
    let p = predict "b c"
    """, file: "train.seq")
for d in training.diagnostics { FileHandle.standardError.write(Data(trainer.render(d).utf8)) }
guard training.succeeded else { fail("the training script failed") }
guard case .record(let prediction)? = trainer[global: "p"],
      case .string(let next)? = prediction.first(where: { $0.key == "class" })?.value else {
    fail("no prediction record 'p' with a class after training, got \(String(describing: trainer[global: "p"]))")
}
print("after \(steps.value) training steps, the model says 'b c' is followed by '\(next)'")
guard next == "d" else { fail("expected 'd' after 'b c', got '\(next)'") }
guard steps.value > 0 else { fail("the progress callback was never called") }

// Cancelling from another thread: training stops after the current batch, weights kept.
let before = steps.value
DispatchQueue.global().async {
    while steps.value < before + 5 { usleep(1_000) }
    trainer.cancel()
}
let long = trainer.run(source: "train adam lr 0.01 epochs 100000 batch 1 on data quiet", file: "long.seq")
guard let stop = long.errors.first, stop.kind == .cancelled else {
    fail("expected the long run to be cancelled, got \(long.diagnostics)")
}
print("cancelled: \(stop.message)")
print("ok")
