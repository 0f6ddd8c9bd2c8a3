// TrainingState.swift — where a training run stands: everything a checkpoint needs to resume it.
//
// At each epoch end the trainer's position (epochs and steps done), its history, the early-stop
// record, both random generators (shuffling and dropout) and the plan are kept here; a
// checkpoint stores this as JSON beside the weights and the optimizer's moments, so `resume`
// continues bit for bit as if the run had never stopped. A fingerprint of the training data
// lets `resume` refuse different data.

import Foundation
import Tensor

/// A cheap identity of a dataset: its size, shape and a checksum of its contents.
struct DataFingerprint: Codable, Equatable {
    var count: Int
    var shape: String
    var checksum: UInt64

    init(_ data: Dataset) {
        count = data.count
        shape = data.shape.description
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ v: UInt64) { h = (h ^ v) &* 0x100_0000_01B3 }
        switch data.inputs {
        case .tokens(let g): for id in g.ids { mix(UInt64(bitPattern: Int64(id))) }
        case .features(let t): for x in t.scalars { mix(UInt64(x.bitPattern)) }
        }
        switch data.targets {
        case .classes(let c)?: for v in c { mix(UInt64(bitPattern: Int64(v))) }
        case .tokens(let g)?: for v in g.ids { mix(UInt64(bitPattern: Int64(v))) }
        case .values(let t)?: for x in t.scalars { mix(UInt64(x.bitPattern)) }
        case nil: break
        }
        checksum = h
    }
}

/// A training run's position and record.
struct TrainingState: Codable {
    var plan: TrainPlan
    var seed: UInt64
    var epochsDone = 0
    var step = 0
    var history: TrainingHistory
    /// The best value of the early-stop metric so far, and the epochs since it improved.
    var best: Double?
    var epochsWithoutImprovement = 0
    /// The epoch (from 1) that gave `best`.
    var bestEpoch: Int?
    /// `SeededRandom.State.text` of the shuffling generator at the last epoch end.
    var shuffleRandom: String
    /// The same for the network's dropout generator.
    var dropoutRandom: String
    var data: DataFingerprint

    /// As JSON for checkpoint metadata.
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Plain structs of numbers and strings always encode (non-finite numbers as strings).
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    static func read(json: String) throws -> TrainingState {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(TrainingState.self, from: Data(json.utf8))
    }
}
