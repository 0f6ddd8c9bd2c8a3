// FileHeaderLimitsTests.swift — files are checked before they are read: a file larger than the
// memory limit is refused before its bytes are read, a header declaring more values than the
// limit allows (or than the file holds, or than an Int counts) is refused from the header, and
// gzip data is refused as it inflates past the limit — each a located `.limit` or `.io`
// diagnostic through the embedding API, never an allocation the process cannot make.

import Foundation
import XCTest
import SeqLang
@testable import Interpreter

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
}
