// Dataset.swift — the `dataset` object the data built-ins make and the trainer consumes.
//
// A dataset holds N samples. Inputs are either token ids [N, T] (row-major `Int`s, for
// embedding layers) or float features [N, T, F] (a `Tensor`, for images read row by row and
// time series). Targets are class ids [N], per-step token ids [N, T] (language models), or
// float values [N, F] (forecasting). Variable-length samples carry `lengths` [N]; positions at
// or past a sample's length are padding (id 0 / value 0) and must be masked.
//
// A dataset from `lm_batches` is made of contiguous streams (`isContiguousStreams`): sample
// `i * streams + s` is steps `i*bptt ..< (i+1)*bptt` of stream `s`, so `streamBatch(i)` gives
// the i-th batch of every stream in order and a stateful trainer may carry its LSTM state from
// batch i to batch i + 1.

import SeqLang
import Tensor

/// A grid of token ids [rows, steps], row-major.
struct TokenGrid: Equatable, Sendable {
    var ids: [Int]
    var rows: Int
    var steps: Int
    init(ids: [Int], rows: Int, steps: Int) {
        precondition(ids.count == rows * steps, "TokenGrid: \(ids.count) ids for \(rows)x\(steps)")
        self.ids = ids
        self.rows = rows
        self.steps = steps
    }
    /// The rows at `indices`, in that order.
    func rows(_ indices: [Int]) -> TokenGrid {
        var out: [Int] = []
        out.reserveCapacity(indices.count * steps)
        for r in indices { out.append(contentsOf: ids[(r * steps)..<((r + 1) * steps)]) }
        return TokenGrid(ids: out, rows: indices.count, steps: steps)
    }
}

/// What a model reads.
enum DataInputs {
    /// Token ids [N, T].
    case tokens(TokenGrid)
    /// Float features [N, T, F].
    case features(Tensor)

    /// The number of samples (the first axis).
    var rowCount: Int {
        switch self {
        case .tokens(let g): return g.rows
        case .features(let t): return t.shape.first ?? 0
        }
    }
    func rows(_ indices: [Int]) -> DataInputs {
        switch self {
        case .tokens(let g): return .tokens(g.rows(indices))
        case .features(let t): return .features(selectRows(t, indices))
        }
    }
}

/// What a model should predict.
enum DataTargets {
    /// One class id per sample [N].
    case classes([Int])
    /// One token id per step [N, T] (next-symbol language modelling).
    case tokens(TokenGrid)
    /// Float values per sample [N, F] (or [N] when the tensor has rank 1).
    case values(Tensor)

    /// The number of samples (the first axis).
    var rowCount: Int {
        switch self {
        case .classes(let c): return c.count
        case .tokens(let g): return g.rows
        case .values(let t): return t.shape.first ?? 0
        }
    }
    func rows(_ indices: [Int]) -> DataTargets {
        switch self {
        case .classes(let c): return .classes(indices.map { c[$0] })
        case .tokens(let g): return .tokens(g.rows(indices))
        case .values(let t): return .values(selectRows(t, indices))
        }
    }
}

/// The first-axis slices of `t` at `indices`.
func selectRows(_ t: Tensor, _ indices: [Int]) -> Tensor {
    let rowSize = t.shape.dropFirst().reduce(1, *)
    var out: [Float] = []
    out.reserveCapacity(indices.count * rowSize)
    for r in indices { out.append(contentsOf: t.scalars[(r * rowSize)..<((r + 1) * rowSize)]) }
    return Tensor(unchecked: [indices.count] + Array(t.shape.dropFirst()), out)
}

/// How `lm_batches` cut a corpus: `streams` parallel streams of `streamLength` ids each, read
/// `steps` ids at a time, `batchesPerEpoch` batches (TensorFlow's PTB `epoch_size`).
struct StreamLayout: Equatable, Sendable {
    var streams: Int
    var steps: Int
    var streamLength: Int
    var batchesPerEpoch: Int
    init(streams: Int, steps: Int, streamLength: Int, batchesPerEpoch: Int) {
        self.streams = streams
        self.steps = steps
        self.streamLength = streamLength
        self.batchesPerEpoch = batchesPerEpoch
    }
}

/// Some samples of a dataset, ready for a forward pass.
struct DataBatch {
    var inputs: DataInputs
    var targets: DataTargets?
    /// Each sample's true length, when the samples were padded.
    var lengths: [Int]?
    init(inputs: DataInputs, targets: DataTargets?, lengths: [Int]? = nil) {
        self.inputs = inputs
        self.targets = targets
        self.lengths = lengths
    }
    var count: Int { inputs.rowCount }
}

/// Samples with their targets, as one script value.
final class Dataset: ScriptObject {
    let inputs: DataInputs
    let targets: DataTargets?
    let lengths: [Int]?
    /// The vocabulary the token ids come from, if known.
    let vocabulary: Vocabulary?
    /// Class names by id, when targets are classes that have names.
    let classes: [String]?
    /// Set for the contiguous streams of `lm_batches`.
    let streams: StreamLayout?
    /// For samples padded to one length by `sequences`: whether a longer sample kept its last
    /// symbols (true) or its first (false); nil for other data.
    internal(set) var keepsLast: Bool?

    /// Checks that every part has the same number of samples (an internal invariant).
    init(inputs: DataInputs, targets: DataTargets?, lengths: [Int]? = nil,
                vocabulary: Vocabulary? = nil, classes: [String]? = nil, streams: StreamLayout? = nil) {
        precondition(targets == nil || targets!.rowCount == inputs.rowCount, "Dataset: targets/inputs count mismatch")
        precondition(lengths == nil || lengths!.count == inputs.rowCount, "Dataset: lengths/inputs count mismatch")
        self.inputs = inputs
        self.targets = targets
        self.lengths = lengths
        self.vocabulary = vocabulary
        self.classes = classes
        self.streams = streams
    }

    /// The number of samples.
    var count: Int { inputs.rowCount }

    /// True for `lm_batches` data: samples are consecutive pieces of parallel streams.
    var isContiguousStreams: Bool { streams != nil }

    /// The input shape with named axes: `[sample N, time T]` for token ids,
    /// `[sample N, time T, feature F]` for features.
    var shape: NamedShape {
        switch inputs {
        case .tokens(let g):
            return NamedShape([.init("sample", g.rows), .init("time", g.steps)])
        case .features(let t):
            let names = ["sample", "time", "feature"]
            return NamedShape(t.shape.enumerated().map { .init($0.offset < names.count ? names[$0.offset] : "axis\($0.offset)", $0.element) })
        }
    }

    /// The target shape: `[sample N]` for class ids (their names are in `classes`),
    /// `[sample N, time T]` for per-step ids, `[sample N, value F]` for floats.
    var targetShape: NamedShape? {
        guard let targets else { return nil }
        switch targets {
        case .classes(let c): return NamedShape([.init("sample", c.count)])
        case .tokens(let g): return NamedShape([.init("sample", g.rows), .init("time", g.steps)])
        case .values(let t):
            return NamedShape(t.shape.enumerated().map { .init($0.offset == 0 ? "sample" : "value", $0.element) })
        }
    }

    /// The samples at `indices`, in that order.
    func batch(_ indices: [Int]) -> DataBatch {
        DataBatch(inputs: inputs.rows(indices), targets: targets?.rows(indices),
                  lengths: lengths.map { l in indices.map { l[$0] } })
    }

    /// The samples in `range`.
    func batch(_ range: Range<Int>) -> DataBatch { batch(Array(range)) }

    /// Batch `index` of the streams (0 ..< `streams.batchesPerEpoch`): row `s` holds steps
    /// `index*bptt ..< (index+1)*bptt` of stream `s`. Only for contiguous-stream datasets.
    func streamBatch(_ index: Int) -> DataBatch { batch(streamRows(index)) }

    /// The samples of stream batch `index`: one per stream, in stream order.
    func streamRows(_ index: Int) -> Range<Int> {
        guard let streams else { preconditionFailure("streamBatch on a dataset without streams") }
        precondition(index >= 0 && index < streams.batchesPerEpoch, "streamBatch index out of range")
        return (index * streams.streams)..<((index + 1) * streams.streams)
    }

    /// The bytes `samples` of its samples take (inputs, targets and lengths): what a subset of
    /// that many allocates.
    func bytes(ofSamples samples: Int) -> Int {
        guard count > 0 else { return 0 }
        var total: Int
        switch inputs {
        case .tokens(let g): total = MemorySize.bytes(g.rows, g.steps, of: Int.self)
        case .features(let t): total = MemorySize.bytes(t.count, 1, of: Float.self)
        }
        switch targets {
        case .classes(let c)?: total = MemorySize.add(total, MemorySize.bytes(c.count, 1, of: Int.self))
        case .tokens(let g)?: total = MemorySize.add(total, MemorySize.bytes(g.rows, g.steps, of: Int.self))
        case .values(let t)?: total = MemorySize.add(total, MemorySize.bytes(t.count, 1, of: Float.self))
        case nil: break
        }
        if lengths != nil { total = MemorySize.add(total, MemorySize.bytes(count, 1, of: Int.self)) }
        return MemorySize.mul(total / count + 1, samples)
    }

    /// A dataset of the samples at `indices` (streams are not kept: the order is new).
    func subset(_ indices: [Int]) -> Dataset {
        let part = Dataset(inputs: inputs.rows(indices), targets: targets?.rows(indices),
                           lengths: lengths.map { l in indices.map { l[$0] } },
                           vocabulary: vocabulary, classes: classes, streams: nil)
        part.keepsLast = keepsLast
        return part
    }

    // MARK: ScriptObject

    var typeName: String { "dataset" }

    var displayDescription: String {
        var text = "dataset of \(count) samples \(shape)"
        if let t = targetShape { text += " -> \(t)" }
        if let s = streams { text += ", \(s.streams) contiguous streams of \(s.streamLength) ids, \(s.batchesPerEpoch) batches of \(s.steps) steps" }
        if lengths != nil { text += ", padded (with lengths)" }
        return text
    }

    var memberNames: [String] { Members.dataset }

    func member(_ name: String) -> Value? {
        switch name {
        case "count": return .int(count)
        case "shape": return .shape(shape)
        case "target_shape": return targetShape.map { .shape($0) } ?? Value.none
        case "vocab": return vocabulary.map { .object($0) } ?? Value.none
        case "classes": return classes.map { .list($0.map { .string($0) }) } ?? Value.none
        case "lengths": return lengths.map { .list($0.map { .int($0) }) } ?? Value.none
        case "contiguous": return .bool(isContiguousStreams)
        case "streams": return streams.map { .int($0.streams) } ?? Value.none
        case "steps": return streams.map { .int($0.steps) } ?? Value.none
        case "batches": return streams.map { .int($0.batchesPerEpoch) } ?? Value.none
        default: return nil
        }
    }
}
