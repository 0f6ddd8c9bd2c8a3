// SafeTensorsTests.swift — weight files: bit-exact round trips, files shared with an independent
// Python reader/writer (Reference/safetensors_reference.py), every corrupt-file error, atomic save.

import Foundation
import XCTest
@testable import Tensor

final class SafeTensorsTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "seqlang-st-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    static let referenceScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Reference/safetensors_reference.py").path

    /// Runs the Python reference script; returns its exit status and output.
    func runPython(_ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.referenceScript] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The tensors the Python script writes and expects.
    let reference: [(name: String, tensor: Tensor)] = [
        ("dense0.weight", Tensor(unchecked: [2, 3], [1.5, -2.25, 3.0, 0.1, 1e-8, -7.0])),
        ("dense0.bias", Tensor(unchecked: [2], [0.5, -0.5])),
        ("scalar", Tensor(unchecked: [], [42])),
        ("empty", Tensor(unchecked: [0, 4], [])),
    ]
    let referenceMetadata = ["format": "seqlang-weights", "version": "1", "note": "café \"quoted\""]

    func expectError(_ bytes: [UInt8], _ fragment: String, offset: Int?, file: StaticString = #filePath, line: UInt = #line) {
        let path = folder + "/bad.safetensors"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        XCTAssertThrowsError(try SafeTensors.read(from: path), file: file, line: line) { error in
            guard let e = error as? SafeTensorsError else { return XCTFail("unexpected \(error)", file: file, line: line) }
            XCTAssertEqual(e.path, path, file: file, line: line)
            XCTAssertEqual(e.offset, offset, "\(e)", file: file, line: line)
            XCTAssertTrue(e.description.contains(fragment), "\(e) does not mention \(fragment)", file: file, line: line)
            XCTAssertTrue(e.description.hasPrefix(path), file: file, line: line)
        }
    }

    /// The file offset of the first `needle` inside `header` (the header starts at byte 8).
    func at(_ header: String, _ needle: String) -> Int {
        8 + header.utf8.count - header.components(separatedBy: needle).dropFirst().joined(separator: needle).utf8.count - needle.utf8.count
    }

    /// A file from a header string and data bytes.
    func file(header: String, data: [UInt8]) -> [UInt8] {
        let h = Array(header.utf8)
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out += $0 }
        return out + h + data
    }

    func testRoundTripIsBitExactWithMetadata() throws {
        let odd: [Float] = [0, -0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1 / 3]
        let tensors: [(name: String, tensor: Tensor)] = [
            ("a", Tensor(unchecked: [2, 4], odd)),
            ("b.c/d \"q\"", Tensor(unchecked: [3], [1, 2, 3])),
            ("empty", Tensor(unchecked: [0], [])),
        ]
        let path = folder + "/w.safetensors"
        try SafeTensors.write(tensors, metadata: ["k": "v\n\"x\"", "ü": "✓"], to: path)
        let (back, meta) = try SafeTensors.read(from: path)
        XCTAssertEqual(meta, ["k": "v\n\"x\"", "ü": "✓"])
        XCTAssertEqual(Set(back.keys), Set(tensors.map(\.name)))
        for (name, t) in tensors {
            XCTAssertEqual(back[name]!.shape, t.shape)
            XCTAssertEqual(back[name]!.scalars.map(\.bitPattern), t.scalars.map(\.bitPattern), name)
        }
        // Header is padded so the data starts 8-byte aligned.
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        XCTAssertEqual(Int(bytes[0]) % 8, 0)
    }

    func testReadsFileWrittenByPython() throws {
        let path = folder + "/py.safetensors"
        let r = try runPython(["write", path])
        XCTAssertEqual(r.status, 0, r.output)
        let (back, meta) = try SafeTensors.read(from: path)
        XCTAssertEqual(meta, referenceMetadata)
        XCTAssertEqual(back.count, reference.count)
        for (name, t) in reference {
            XCTAssertEqual(back[name], t, name)
        }
    }

    func testPythonReadsFileWeWrite() throws {
        let path = folder + "/ours.safetensors"
        try SafeTensors.write(reference, metadata: referenceMetadata, to: path)
        let r = try runPython(["check", path])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.output.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
        // And the checker does fail on a different value.
        var changed = reference
        changed[1].tensor.scalars[0] = 0.25
        try SafeTensors.write(changed, metadata: referenceMetadata, to: path)
        XCTAssertNotEqual(try runPython(["check", path]).status, 0)
    }

    func testMissingFile() {
        XCTAssertThrowsError(try SafeTensors.read(from: folder + "/nope.safetensors")) { e in
            XCTAssertTrue("\(e)".contains("nope.safetensors: no such file"), "\(e)")
        }
    }

    func testTruncatedFiles() throws {
        expectError([1, 2, 3], "too short for the 8-byte header length", offset: 3)
        let goodHeader = #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let good = file(header: goodHeader, data: [0, 0, 128, 63, 0, 0, 0, 64])
        // Cut inside the header.
        expectError(Array(good.prefix(20)), "the header should end at byte \(good.count - 8)", offset: 20)
        // Cut inside the data.
        expectError(Array(good.dropLast(3)), "fall outside the 5 data bytes", offset: at(goodHeader, "[0,8]"))
        // The good file itself reads.
        let path = folder + "/good.safetensors"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(good)))
        XCTAssertEqual(try SafeTensors.read(from: path).tensors["x"], Tensor(unchecked: [2], [1, 2]))
    }

    func testCorruptHeader() {
        var huge: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1]
        huge += [UInt8](repeating: 0x20, count: 16)
        expectError(huge, "larger than the", offset: 0)
        let doubleComma = #"{"x": {"dtype": "F32",, }}"#
        expectError(file(header: doubleComma, data: []), "invalid header JSON: expected a quoted key", offset: at(doubleComma, ",,") + 1)
        expectError(file(header: #"[1, 2]"#, data: []), "should be a JSON object but is an array", offset: 8)
        expectError(file(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{}}"#, data: [0, 0, 0, 0]),
                    "duplicate key \"x\"", offset: 8 + 54)
        expectError(file(header: #"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                    "should hold non-negative integers", offset: 8 + 29)
        expectError(file(header: #"{"x":{"dtype":"F32","data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                    "tensor \"x\" has no \"shape\" field", offset: 8 + 5)
        let short = #"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        expectError(file(header: short, data: [UInt8](repeating: 0, count: 8)),
                    "needs 12 bytes but data_offsets [0, 8] give 8", offset: at(short, "[0,8]"))
    }

    func testOverlappingOffsets() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let bytes = file(header: header, data: [UInt8](repeating: 0, count: 12))
        expectError(bytes, "tensor \"b\" (bytes 4..<12 of the data) overlaps tensor \"a\"", offset: 8 + header.utf8.count + 4)
    }

    func testWrongDtype() {
        let header = #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        expectError(file(header: header, data: [0, 0, 0, 0]), "tensor \"h\" has dtype F16; SeqLang reads F32 only", offset: 8 + 14)
    }

    func testHeaderPaddedWithSpacesAndEmptyHeader() throws {
        let path = folder + "/p.safetensors"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(file(header: "{}      ", data: []))))
        let r = try SafeTensors.read(from: path)
        XCTAssertTrue(r.tensors.isEmpty)
        XCTAssertTrue(r.metadata.isEmpty)
    }

    func testFailedSaveLeavesPreviousFileIntact() throws {
        let path = folder + "/w.safetensors"
        try SafeTensors.write(reference, metadata: ["v": "1"], to: path)
        let before = FileManager.default.contents(atPath: path)
        // Duplicate names fail validation: nothing is written.
        let dup: [(name: String, tensor: Tensor)] = [("a", Tensor(zeros: [1])), ("a", Tensor(zeros: [2]))]
        XCTAssertThrowsError(try SafeTensors.write(dup, metadata: [:], to: path)) { e in
            XCTAssertTrue("\(e)".contains("two tensors are named \"a\""), "\(e)")
        }
        XCTAssertThrowsError(try SafeTensors.write([("__metadata__", Tensor(zeros: [1]))], metadata: [:], to: path))
        XCTAssertEqual(FileManager.default.contents(atPath: path), before)
        // No temporary files are left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["w.safetensors"])
        // Writing into a missing folder fails with the path named.
        XCTAssertThrowsError(try SafeTensors.write(reference, metadata: [:], to: folder + "/none/w.safetensors")) { e in
            XCTAssertTrue("\(e)".contains("cannot open the folder"), "\(e)")
        }
    }

    func testParameterStoreSaveLoadChecksNamesAndShapes() throws {
        let store = ParameterStore()
        let w = store.add("dense0.weight", shape: [2, 3])
        let b = store.add("dense0.bias", shape: [2])
        store.values = [1, 2, 3, 4, 5, 6, 7, 8]
        let path = folder + "/m.safetensors"
        try SafeTensors.save(store, metadata: ["format": "seqlang"], to: path)

        let other = ParameterStore()
        other.add("dense0.weight", shape: [2, 3])
        other.add("dense0.bias", shape: [2])
        XCTAssertEqual(try SafeTensors.load(into: other, from: path), ["format": "seqlang"])
        XCTAssertEqual(other.values, store.values)
        XCTAssertEqual(other.tensor(w), store.tensor(w))
        XCTAssertEqual(other.tensor(b).scalars, [7, 8])

        let wrong = ParameterStore()
        wrong.add("dense0.weight", shape: [3, 2])
        wrong.add("dense1.bias", shape: [2])
        XCTAssertThrowsError(try SafeTensors.load(into: wrong, from: path)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("missing dense1.bias"), text)
            XCTAssertTrue(text.contains("extra dense0.bias"), text)
            XCTAssertTrue(text.contains("shape mismatch dense0.weight (expected [3, 2], file has [2, 3])"), text)
        }
        XCTAssertEqual(wrong.values, [Float](repeating: 0, count: 8), "a failed load changes nothing")
        // Extra tensors under an ignored prefix are fine.
        try SafeTensors.write(store.namedTensors() + [("optimizer.step", Tensor(zeros: [1]))], metadata: [:], to: path)
        XCTAssertNoThrow(try SafeTensors.load(into: other, from: path, ignoringPrefixes: ["optimizer."]))
    }
}
