// FetchSHA256Tests.swift — the SHA-256 the fetcher verifies with: FIPS 180-2 known answers,
// streaming in uneven pieces, and the digests of the real data files from the data folder's
// README (SEQ_DATA, else ../shared/data beside the repository; missing data fails the test).

import Foundation
import Interpreter
import XCTest

final class FetchSHA256Tests: XCTestCase {
    func testFIPS180Vectors() {
        XCTAssertEqual(SHA256.hexDigest(of: Array("abc".utf8)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hexDigest(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hexDigest(of: []),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testOneMillionAInUnevenPieces() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        XCTAssertEqual(SHA256.hexDigest(of: [UInt8](repeating: 0x61, count: 1_000_000)), expected)
        // Pieces of 1, 63, 64, 65, 1000 … bytes cross block boundaries in every way.
        var hasher = SHA256()
        var fed = 0
        let sizes = [1, 63, 64, 65, 0, 127, 1000, 4096, 55, 56, 57]
        var k = 0
        while fed < 1_000_000 {
            let n = min(sizes[k % sizes.count], 1_000_000 - fed)
            hasher.update([UInt8](repeating: 0x61, count: n))
            fed += n
            k += 1
        }
        XCTAssertEqual(hasher.hexDigest(), expected)
    }

    func testPaddingAroundTheBlockBoundary() {
        // Messages of 55, 56 and 64 bytes need one, two and two final blocks.
        // Known answers: python3 -c "import hashlib; print(hashlib.sha256(b'a' * n).hexdigest())".
        XCTAssertEqual(SHA256.hexDigest(of: [UInt8](repeating: 0x61, count: 55)),
                       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        XCTAssertEqual(SHA256.hexDigest(of: [UInt8](repeating: 0x61, count: 56)),
                       "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        XCTAssertEqual(SHA256.hexDigest(of: [UInt8](repeating: 0x61, count: 64)),
                       "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    func testFinalizeLeavesTheHasherUsable() {
        var hasher = SHA256()
        hasher.update(Array("ab".utf8))
        XCTAssertEqual(hasher.hexDigest(), SHA256.hexDigest(of: Array("ab".utf8)))
        hasher.update(Array("c".utf8))
        XCTAssertEqual(hasher.hexDigest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hasher.finalize().count, 32)
    }

    func testAMissingFileHasNoDigest() {
        XCTAssertNil(SHA256.hexDigest(ofFileAt: "/nonexistent/seqlang/file"))
    }

    /// Every file in the README's table hashes to the digest the README gives.
    func testRealDataFilesMatchTheREADME() throws {
        let folder = try DataTestHost.sharedData()
        let table = try readmeTable(folder)
        XCTAssertGreaterThanOrEqual(table.count, 11, "the README lists the data files")
        for row in table {
            let path = folder + "/" + row.path
            XCTAssertEqual(SHA256.hexDigest(ofFileAt: path), row.sha256, row.path)
        }
    }
}

/// The `| file | bytes | sha256 |` rows of the data folder's README.
func readmeTable(_ folder: String) throws -> [(path: String, size: Int, sha256: String)] {
    let text = try String(contentsOfFile: folder + "/README.md", encoding: .utf8)
    return text.split(separator: "\n").compactMap { line in
        let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        guard cells.count == 3, let size = Int(cells[1]), cells[2].count == 64 else { return nil }
        return (cells[0], size, cells[2])
    }
}
