// SequenceBuiltins.swift — windows, lm_batches, sequences: from ids to a training dataset.
//
// `windows(ids, n)` makes next-symbol samples (n ids in, the next one out); on a float series
// [T, F] it makes forecasting samples. `lm_batches(ids, batch, bptt)` cuts a corpus into
// parallel streams exactly as TensorFlow's PTB model (`ptb_producer`) does. `sequences`
// pads or truncates variable-length samples and records their lengths. Each may take a
// vocabulary as its last argument, which the dataset then carries (`data.vocab`). Each
// checks its dataset's size against the memory limit before building it, and builds it
// under a `Pacer` (a stop is seen within a few thousand samples).

import SeqLang
import Tensor

enum SequenceBuiltins {
    static func install(into registry: CommandRegistry) {
        registry.register(function: "windows") { values, context, range in
            let (rest, vocab) = splitVocabulary(values)
            let args = try Arguments("windows", rest, context, range, names: ["ids or series", "window length"])
            let n = try args.positiveInt(1, "the window length")
            if case .tensor(let series) = args.values[0], series.rank == 2 {
                return .object(try seriesWindows(args, series.tensor, n))
            }
            let ids = try args.ids(0, "the ids")
            guard ids.count > n else {
                throw args.valueError("\(ids.count) ids make no window of \(n) ids and a next one; need at least \(n + 1)")
            }
            let count = ids.count - n
            var pace = try args.pacer(building: "\(count) windows of \(n) ids", bytes: MemorySize.bytes(count, n + 1, of: Int.self))
            var inputs: [Int] = []
            inputs.reserveCapacity(count * n)
            for i in 0..<count {
                try pace.tick()
                inputs.append(contentsOf: ids[i..<(i + n)])
            }
            return .object(Dataset(inputs: .tokens(TokenGrid(ids: inputs, rows: count, steps: n)),
                                   targets: .classes(Array(ids[n...])), vocabulary: vocab))
        }
        registry.register(function: "lm_batches") { values, context, range in
            let (rest, vocab) = splitVocabulary(values)
            let args = try Arguments("lm_batches", rest, context, range, names: ["ids", "batch size", "steps"])
            let ids = try args.ids(0, "the corpus ids")
            let batch = try args.positiveInt(1, "the batch size (number of streams)")
            let bptt = try args.positiveInt(2, "the steps per batch")
            return .object(try lmBatches(args, ids, batch: batch, steps: bptt, vocabulary: vocab))
        }
        registry.register(function: "sequences") { values, context, range in
            let (rest, vocab) = splitVocabulary(values)
            let args = try Arguments("sequences", rest, context, range,
                                     names: ["samples", "labels", "max length", "keep \"first\" or \"last\""], optional: 1)
            let samples = try args.idLists(0, "the samples")
            let (labels, classes) = try LabelBuiltins.classLabels(args, 1)
            guard labels.count == samples.count else {
                throw args.valueError("expected one label per sample, but there are \(samples.count) samples and \(labels.count) labels")
            }
            let maxLength = try args.positiveInt(2, "the maximum length")
            let keepLast = try FunctionChoices.words(args, from: 3)[FunctionChoices.sequencesKeep.name] == "last"
            var pace = try args.pacer(building: "\(samples.count) sequences of \(maxLength) ids",
                                      bytes: MemorySize.bytes(samples.count, maxLength + 2, of: Int.self))
            let (grid, lengths) = try pad(samples, to: maxLength, keepLast: keepLast, pace: &pace)
            let data = Dataset(inputs: .tokens(grid), targets: .classes(labels), lengths: lengths,
                               vocabulary: vocab, classes: classes)
            data.keepsLast = keepLast
            return .object(data)
        }
    }

    /// Takes a trailing vocabulary argument off the argument list.
    static func splitVocabulary(_ values: [Value]) -> ([Value], Vocabulary?) {
        if case .object(let o)? = values.last, let v = o as? Vocabulary { return (Array(values.dropLast()), v) }
        return (values, nil)
    }

    /// Padded rows [N, maxLength] (padding id 0 after the tokens) and each row's length. A
    /// longer sample keeps its first (or, with `keepLast`, its last) `maxLength` tokens.
    static func pad(_ samples: [[Int]], to maxLength: Int, keepLast: Bool, pace: inout Pacer) throws -> (TokenGrid, [Int]) {
        var ids = [Int](repeating: 0, count: samples.count * maxLength)
        var lengths: [Int] = []
        lengths.reserveCapacity(samples.count)
        for (r, s) in samples.enumerated() {
            try pace.tick()
            let kept = s.count <= maxLength ? s[...] : (keepLast ? s.suffix(maxLength) : s.prefix(maxLength))
            for (k, id) in kept.enumerated() { ids[r * maxLength + k] = id }
            lengths.append(kept.count)
        }
        return (TokenGrid(ids: ids, rows: samples.count, steps: maxLength), lengths)
    }

    /// Forecasting windows of a series [T, F]: inputs [T - n, n, F], targets the next row [T - n, F].
    static func seriesWindows(_ args: Arguments, _ series: Tensor, _ n: Int) throws -> Dataset {
        let steps = series.shape[0], features = series.shape[1]
        guard steps > n else {
            throw args.valueError("a series of \(steps) steps makes no window of \(n) steps and a next one; need at least \(n + 1)")
        }
        let count = steps - n
        var pace = try args.pacer(building: "\(count) windows of \(n) steps",
                                  bytes: MemorySize.bytes(count, MemorySize.mul(n + 1, features), of: Float.self))
        var inputs: [Float] = []
        inputs.reserveCapacity(count * n * features)
        for i in 0..<count {
            try pace.tick()
            inputs.append(contentsOf: series.scalars[(i * features)..<((i + n) * features)])
        }
        let targets = Array(series.scalars[(n * features)...])
        return Dataset(inputs: .features(Tensor(unchecked: [count, n, features], inputs)),
                       targets: .values(Tensor(unchecked: [count, features], targets)))
    }

    /// TensorFlow's `ptb_producer`: `batch_len = len // batch`, the corpus as [batch, batch_len],
    /// `epoch_size = (batch_len - 1) // steps`; batch i is `x = data[:, i*steps:(i+1)*steps]`,
    /// `y` the same shifted by one. Sample `i * batch + s` is stream s of batch i.
    static func lmBatches(_ args: Arguments, _ ids: [Int], batch: Int, steps: Int, vocabulary: Vocabulary?) throws -> Dataset {
        let batchLength = ids.count / batch
        let epochSize = batchLength > 0 ? (batchLength - 1) / steps : 0
        guard epochSize > 0 else {
            throw args.valueError("\(ids.count) ids in \(batch) streams of \(batchLength) ids give no batch of \(steps) steps (each stream needs at least \(steps + 1) ids)",
                                  hint: "decrease the batch size or the steps")
        }
        let rows = epochSize * batch
        var pace = try args.pacer(building: "\(rows) language-model rows of \(steps) steps",
                                  bytes: MemorySize.bytes(rows, 2 * steps, of: Int.self))
        var x = [Int](repeating: 0, count: rows * steps)
        var y = [Int](repeating: 0, count: rows * steps)
        for i in 0..<epochSize {
            for s in 0..<batch {
                try pace.tick()
                let row = i * batch + s
                let start = s * batchLength + i * steps
                for t in 0..<steps {
                    x[row * steps + t] = ids[start + t]
                    y[row * steps + t] = ids[start + t + 1]
                }
            }
        }
        return Dataset(inputs: .tokens(TokenGrid(ids: x, rows: rows, steps: steps)),
                       targets: .tokens(TokenGrid(ids: y, rows: rows, steps: steps)),
                       vocabulary: vocabulary,
                       streams: StreamLayout(streams: batch, steps: steps, streamLength: batchLength,
                                             batchesPerEpoch: epochSize))
    }
}
