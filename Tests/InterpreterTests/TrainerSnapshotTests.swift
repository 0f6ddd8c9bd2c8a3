// TrainerSnapshotTests.swift — the trainer's non-finite guard without a copy per step: an
// update that makes a weight non-finite puts the last snapshot back; the finiteness check.

import XCTest
import SeqLang
import Tensor
@testable import Interpreter

final class TrainerSnapshotTests: XCTestCase {
    func testAllFiniteFindsEveryKindOfNonFiniteValueAnywhere() {
        XCTAssertTrue(Trainer.allFinite([]))
        XCTAssertTrue(Trainer.allFinite([Float](repeating: .greatestFiniteMagnitude, count: 37)))
        for count in [1, 15, 16, 17, 40] {
            for position in [0, count / 2, count - 1] {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var v = [Float](repeating: -.greatestFiniteMagnitude, count: count)
                    v[position] = bad
                    XCTAssertFalse(Trainer.allFinite(v), "\(bad) at \(position) of \(count)")
                }
            }
        }
    }

    /// After three good steps, an SGD step with an infinite learning rate makes every weight
    /// with a gradient non-finite: training stops and the weights it started from come back.
    func testAnUpdateGoneNonFiniteRestoresTheSnapshot() throws {
        let good = temporaryPath("snapshot-good.safetensors"), after = temporaryPath("snapshot-after.safetensors")
        let captured = Captured()
        XCTAssertEqual(captured.run(nextWordPrelude + "train sgd lr 0.1 steps 3 batch 4 on data\nsave \"\(good)\"").errors, [])
        let outcome = captured.run("train sgd lr 1e39 epochs 1 batch 4 shuffle off on data")
        XCTAssertEqual(outcome.errors, ["1:1: training stopped at step 1 (epoch 1, batch 1): the sgd update made a weight non-finite; the weights it started from are put back"])
        XCTAssertEqual(captured.run("save \"\(after)\"").errors, [])
        let a = try SafeTensors.read(from: good).tensors, b = try SafeTensors.read(from: after).tensors
        XCTAssertFalse(b.isEmpty)
        for (name, t) in a { XCTAssertEqual(b[name]?.scalars, t.scalars, name) }
    }
}
