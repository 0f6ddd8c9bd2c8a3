// TrainingFileTests.swift — model files: save → load → the same predictions; what a model
// file holds; damaged, foreign and mismatched files give `.io` diagnostics naming the file.

import XCTest
import SeqLang
import Tensor
@testable import Interpreter

final class TrainingFileTests: XCTestCase {
    func testSaveThenLoadGivesIdenticalPredictions() throws {
        let path = temporaryPath("roundtrip.safetensors")
        let trained = runSeq(nextWordPrelude + """
            train adam lr 0.02 epochs 10 batch 4 on data
            save "\(path)"
            predict "the cat sat"
            """)
        XCTAssertEqual(trained.errors, [])
        // A new interpreter knows nothing: the file carries architecture and vocabulary.
        let loaded = runSeq("""
            let m = load("\(path)")
            print(m.name, m.params)
            predict m "the cat sat"
            """)
        XCTAssertEqual(loaded.errors, [])
        XCTAssertEqual(loaded.output, "next 1889\n")
        XCTAssertEqual(numbers(field(loaded.result.value, "probabilities")).map(\.bitPattern),
                       numbers(field(trained.result.value, "probabilities")).map(\.bitPattern))
        XCTAssertEqual(field(loaded.result.value, "class")?.description, field(trained.result.value, "class")?.description)

        let (tensors, metadata) = try SafeTensors.read(from: path)
        XCTAssertEqual(metadata["format"], "seqlang")
        XCTAssertEqual(metadata["format_version"], "1")
        XCTAssertEqual(metadata["kind"], "model")
        XCTAssertTrue(metadata["vocabulary"]?.hasPrefix("[\"the\",\"cat\"") ?? false, metadata["vocabulary"] ?? "")
        XCTAssertNotNil(try ModelSpec(architectureJSON: metadata["architecture"] ?? ""))
        XCTAssertEqual(tensors.keys.sorted(), ["dense0.bias", "dense0.weight", "embedding0.weight", "lstm0.bias_hh_l0",
                                               "lstm0.bias_ih_l0", "lstm0.weight_hh_l0", "lstm0.weight_ih_l0"])
    }

    func testACheckpointHoldsTheOptimizerAndThePosition() throws {
        let path = temporaryPath("state.ckpt")
        XCTAssertEqual(runSeq(nextWordPrelude + "train adam epochs 2 batch 4 on data checkpoint \"\(path)\"").errors, [])
        let (tensors, metadata) = try SafeTensors.read(from: path)
        XCTAssertEqual(metadata["kind"], "checkpoint")
        XCTAssertNotNil(tensors["optimizer.adam.step"])
        XCTAssertEqual(tensors["optimizer.adam.step"]?.scalars, [8])
        let training = metadata["training"] ?? ""
        XCTAssertTrue(training.contains("\"epochsDone\":2"), training)
        XCTAssertTrue(training.contains("\"shuffleRandom\""), training)
        XCTAssertTrue(training.contains("\"dropoutRandom\""), training)
        // A checkpoint loads as a model too.
        XCTAssertEqual(runSeq("let m = load(\"\(path)\")\nprint(m.name)").output, "next\n")
    }

    func testDamagedAndForeignFilesAreIOErrorsNamingTheFile() throws {
        let good = temporaryPath("good.safetensors")
        XCTAssertEqual(runSeq(nextWordPrelude + "save \"\(good)\"").errors, [])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))

        let truncated = temporaryPath("truncated.safetensors")
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: truncated))
        let t = runSeq("load(\"\(truncated)\")")
        XCTAssertEqual(t.result.errors.first?.kind, .io)
        XCTAssertTrue(t.errors.first?.hasPrefix("1:1: cannot load '\(truncated)': at byte ") ?? false, "\(t.errors)")

        let garbage = temporaryPath("garbage.safetensors")
        try Data("this is not a weight file at all".utf8).write(to: URL(fileURLWithPath: garbage))
        let g = runSeq("load(\"\(garbage)\")")
        XCTAssertEqual(g.result.errors.first?.kind, .io)
        XCTAssertTrue(g.errors.first?.hasPrefix("1:1: cannot load '\(garbage)': at byte 0: ") ?? false, "\(g.errors)")

        let foreign = temporaryPath("foreign.safetensors")
        try SafeTensors.write([("w", Tensor(zeros: [2]))], metadata: [:], to: foreign)
        XCTAssertEqual(runSeq("load(\"\(foreign)\")").errors,
                       ["1:1: cannot load '\(foreign)': it is a safetensors file but not a SeqLang model: its metadata has no `format: seqlang`"])

        let (tensors, metadata) = try SafeTensors.read(from: good)
        var future = metadata
        future["format_version"] = "9"
        let newer = temporaryPath("newer.safetensors")
        try SafeTensors.write(tensors.map { ($0.key, $0.value) }, metadata: future, to: newer)
        XCTAssertEqual(runSeq("load(\"\(newer)\")").errors,
                       ["1:1: cannot load '\(newer)': it was written in format version 9, but this SeqLang reads up to version 1"])

        var missing = tensors
        missing["dense0.bias"] = nil
        let mismatched = temporaryPath("mismatched.safetensors")
        try SafeTensors.write(missing.map { ($0.key, $0.value) }, metadata: metadata, to: mismatched)
        XCTAssertEqual(runSeq("load(\"\(mismatched)\")").errors,
                       ["1:1: cannot load '\(mismatched)': the weights do not fit this model: missing dense0.bias"])

        XCTAssertEqual(runSeq("load(\"/nonexistent/m.safetensors\")").errors,
                       ["1:1: cannot read '/nonexistent/m.safetensors': no such file"])
        XCTAssertEqual(runSeq("load(3)").errors,
                       ["1:1: load(path) takes one string, the model file's path, got int"])
    }

    func testAFailedSaveKeepsThePreviousFile() throws {
        let path = temporaryPath("kept.safetensors")
        XCTAssertEqual(runSeq(nextWordPrelude + "save \"\(path)\"").errors, [])
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let denied = Captured { $0.fileAccess = .none }
        XCTAssertEqual(denied.run(nextWordPrelude + "save \"\(path)\"").result.errors.first?.kind, .io)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
    }
}
