// FileHeaderLimitsTests.swift — files are checked before they are read: a file larger than the
// memory limit is refused before its bytes are read, a header declaring more values than the
// limit allows (or than the file holds, or than an Int counts) is refused from the header, and
// gzip data is refused as it inflates past the limit — each a located `.limit` or `.io`
// diagnostic through the embedding API, never an allocation the process cannot make. The
// model-bearing files too: safetensors (model files for `load`, checkpoints for `resume`,
// `load weights`), HDF5 `.weights.h5` and `.keras` (crafted by Reference/crafted_headers.py)
// and ONNX, each refused from a header declaring more than the limit allows or more than the
// file holds.

import Foundation
import XCTest
import SeqLang
@testable import Interpreter
import ONNXFormat

final class FileHeaderLimitsTests: XCTestCase {
    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = temporaryPath(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// An idx header of four dimensions of 2^32 - 1 floats (more values than an Int counts)
    /// and one of 2^40 floats: refused from the header as more than the file holds.
    func testAnIDXHeaderClaimingAbsurdSizesIsRefusedFromTheHeader() throws {
        let huge = try write([0, 0, 0x0D, 4] + [UInt8](repeating: 0xFF, count: 16) + [1, 2, 3, 4], "limits-huge.idx")
        let tera = try write([0, 0, 0x0D, 2, 0, 0, 0x04, 0, 0, 0, 0x04, 0] + [UInt8](repeating: 0, count: 64), "limits-tera.idx")
        defer { for p in [huge, tera] { try? FileManager.default.removeItem(atPath: p) } }
        for path in [huge, tera] {
            let c = Captured { $0.memoryLimit = 100_000_000 }
            let outcome = c.run("let x = read_idx(\"\(path)\")")
            XCTAssertEqual(outcome.result.errors.map(\.kind), [.io], "\(outcome.errors)")
            XCTAssertTrue(outcome.errors.first?.hasPrefix("1:9: '\(path)' is not a valid idx file: dimensions ") == true, "\(outcome.errors)")
            XCTAssertEqual(c.run("print(1)").output, "1\n", "the interpreter runs on")
        }
    }

    /// A .npy file of 3,000,000 bytes whose values become 12 MB of floats: under a 10 MB limit
    /// it is refused from its header, before the floats are allocated; under 100 MB it reads.
    func testAnNPYFileWhoseValuesWouldPassTheLimitIsRefusedFromItsHeader() throws {
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3000000,), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let bytes = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
            + Array(header.utf8) + [UInt8](repeating: 7, count: 3_000_000)
        let path = try write(bytes, "limits-u1.npy")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let limited = Captured { $0.memoryLimit = 10_000_000 }
        let outcome = limited.run("let x = read_npy(\"\(path)\")")
        XCTAssertEqual(outcome.result.errors.map(\.kind), [.limit], "\(outcome.errors)")
        XCTAssertTrue(outcome.errors.first?.hasPrefix("1:9: the values of '\(path)' would need 15 MB") == true, "\(outcome.errors)")
        XCTAssertLessThan(limited.interpreter.memory.peak, 10_000_000)
        let roomy = Captured { $0.memoryLimit = 100_000_000 }
        XCTAssertEqual(roomy.run("let x = read_npy(\"\(path)\")").errors, [])
    }

    /// A file larger than the limit is refused before its bytes are read.
    func testAFileLargerThanTheLimitIsRefusedBeforeItIsRead() throws {
        let path = try write([UInt8](repeating: 0x61, count: 6_000_000), "limits-big.txt")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = Captured { $0.memoryLimit = 5_000_000 }
        let outcome = c.run("let x = read_npy(\"\(path)\")")
        XCTAssertEqual(outcome.errors, ["1:9: the file '\(path)' would need 6 MB, past the memory limit of 5 MB"])
        XCTAssertEqual(outcome.result.errors.map(\.kind), [.limit])
    }

    /// 200 MB of zeros gzipped to about 200 KB: inflating stops at the limit.
    func testAGzipBombIsRefusedAsItInflates() throws {
        let path = temporaryPath("limits-bomb.idx.gz")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "head -c 200000000 /dev/zero | gzip -1 -c > '\(path)'"]
        try gzip.run()
        gzip.waitUntilExit()
        XCTAssertEqual(gzip.terminationStatus, 0)
        let c = Captured { $0.memoryLimit = 50_000_000 }
        let outcome = c.run("let x = read_idx(\"\(path)\")")
        XCTAssertEqual(outcome.result.errors.map(\.kind), [.limit], "\(outcome.errors)")
        XCTAssertTrue(outcome.errors.first?.hasPrefix("1:9: the inflated contents of '\(path)' would need ") == true, "\(outcome.errors)")
        XCTAssertLessThan(c.interpreter.memory.peak, 50_000_000)
    }

    // MARK: - Model-bearing files

    /// A safetensors file of one F32 tensor `shape` with `data` bytes after its header.
    func safetensors(shape: [Int], end: Int, data: Int, _ name: String) throws -> String {
        var header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[0,\(end)]},\"__metadata__\":{\"format\":\"seqlang\"}}"
        while header.utf8.count % 8 != 0 { header += " " }
        let length = UInt64(header.utf8.count)
        return try write((0..<8).map { UInt8((length >> (8 * UInt64($0))) & 0xFF) } + Array(header.utf8) + [UInt8](repeating: 0, count: data),
                         name)
    }

    static let model = "model m\ninput sequence 10 features 4\nlayer lstm 4 last\nlayer dense 2\n"

    /// The three statements that read safetensors: `load`, `resume` (checkpoints), `load weights`.
    func safetensorsReaders(_ path: String) -> [(String, String)] {
        [("let m = load(\"\(path)\")", "1:9"),
         (FileHeaderLimitsTests.model + "let d = windows([1, 2, 3, 4, 5, 6, 7, 8], 3)\nresume \"\(path)\" on d", "6:8"),
         (FileHeaderLimitsTests.model + "load weights \"\(path)\"", "5:14")]
    }

    /// A header claiming 2^40 floats in a 64-byte file: refused from the header.
    func testASafetensorsHeaderClaimingMoreThanTheFileHoldsIsRefused() throws {
        let path = try safetensors(shape: [1 << 20, 1 << 20], end: 4 << 40, data: 64, "limits-tera.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (source, place) in safetensorsReaders(path) {
            let c = Captured { $0.memoryLimit = 100_000_000 }
            let outcome = c.run(source)
            XCTAssertEqual(outcome.result.errors.map(\.kind), [.io], "\(source): \(outcome.errors)")
            XCTAssertTrue(outcome.errors.first?.hasPrefix(place + ": ") == true, "\(source): \(outcome.errors)")
            XCTAssertTrue(outcome.errors.first?.contains("data_offsets [0, 4398046511104] of tensor \"w\" fall outside the 64 data bytes") == true,
                          "\(outcome.errors)")
            XCTAssertEqual(c.run("print(1)").output, "1\n")
        }
    }

    /// 6 MB of floats fit a 10 MB limit as a file, but not beside their decoded copy.
    func testSafetensorsWhoseValuesWouldPassTheLimitAreRefusedBeforeTheyAreDecoded() throws {
        let path = try safetensors(shape: [1_500_000], end: 6_000_000, data: 6_000_000, "limits-six.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (source, place) in safetensorsReaders(path) {
            let c = Captured { $0.memoryLimit = 10_000_000 }
            let outcome = c.run(source)
            XCTAssertEqual(outcome.result.errors.map(\.kind), [.limit], "\(source): \(outcome.errors)")
            XCTAssertEqual(outcome.errors.first.map { String($0.prefix(while: { $0 != " " })) }, place + ":", "\(outcome.errors)")
            XCTAssertTrue(outcome.errors.first?.hasSuffix("the weights of '\(path)' would need 12 MB, past the memory limit of 10 MB") == true,
                          "\(outcome.errors)")
            XCTAssertLessThan(c.interpreter.memory.peak, 10_000_000)
        }
    }

    /// The HDF5 and .keras files of Reference/crafted_headers.py.
    func craftedWeightFiles() throws -> String {
        let folder = temporaryPath("limits-crafted")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/crafted_headers.py").path
        try PythonReference.run(script, [folder], needs: "h5py and numpy")
        return folder
    }

    func testHDF5AndKerasHeadersThatDeclareTooMuchAreRefusedBeforeAllocating() throws {
        let folder = try craftedWeightFiles()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let load = { (file: String) in FileHeaderLimitsTests.model + "load weights \"\(folder)/\(file)\"" }
        // 1 GiB declared, nothing stored: refused from the header even without a limit.
        let unstored = Captured().run(load("unstored.weights.h5"))
        XCTAssertEqual(unstored.result.errors.map(\.kind), [.io], "\(unstored.errors)")
        XCTAssertTrue(unstored.errors.first?.hasPrefix("5:14: cannot load weights from '\(folder)/unstored.weights.h5': dataset 'layers/dense/vars/0' of shape [268435456] declares 1073741824 bytes of values but the file is ") == true,
                      "\(unstored.errors)")
        // 12 MB of compressed floats, and a .keras member that inflates to 12 MB, under 10 MB.
        for (file, what) in [("packed.weights.h5", "the weights of '\(folder)/packed.weights.h5' would need 12"),
                             ("packed.keras", "the weights of '\(folder)/packed.keras' would need 12")] {
            let c = Captured { $0.memoryLimit = 10_000_000 }
            let outcome = c.run(load(file))
            XCTAssertEqual(outcome.result.errors.map(\.kind), [.limit], "\(file): \(outcome.errors)")
            XCTAssertTrue(outcome.errors.first?.hasPrefix("5:14: " + what) == true, "\(file): \(outcome.errors)")
            XCTAssertTrue(outcome.errors.first?.hasSuffix("past the memory limit of 10 MB") == true, "\(outcome.errors)")
            XCTAssertLessThan(c.interpreter.memory.peak, 10_000_000)
        }
    }

    /// An ONNX file of one initializer `dims` with no values.
    func onnx(dims: [Int64], _ name: String) throws -> String {
        var t = Onnx_TensorProto()
        t.name = "w"
        t.dims = dims
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        var model = Onnx_ModelProto()
        model.graph.initializer = [t]
        model.graph.name = "g"
        return try write([UInt8](try model.serializedBytes() as [UInt8]), name)
    }

    func testONNXInitializersDeclaringTooMuchAreRefusedFromTheirShapes() throws {
        let twelve = try onnx(dims: [3_000_000], "limits-twelve.onnx")
        let absurd = try onnx(dims: [1 << 32, 1 << 32, 1 << 32], "limits-absurd.onnx")
        defer { for p in [twelve, absurd] { try? FileManager.default.removeItem(atPath: p) } }
        let c = Captured { $0.memoryLimit = 10_000_000 }
        let outcome = c.run("load onnx \"\(twelve)\"")
        XCTAssertEqual(outcome.result.errors.map(\.kind), [.limit], "\(outcome.errors)")
        XCTAssertTrue(outcome.errors.first?.hasPrefix("1:11: the weights of '\(twelve)' would need 12 MB") == true, "\(outcome.errors)")
        // More values than an Int counts, without a limit: refused, not a trap.
        let unlimited = Captured().run("load onnx \"\(absurd)\"")
        XCTAssertEqual(unlimited.result.errors.map(\.kind), [.io], "\(unlimited.errors)")
        XCTAssertTrue(unlimited.errors.first?.contains("initializer 'w' cannot be read") == true, "\(unlimited.errors)")
    }
}
