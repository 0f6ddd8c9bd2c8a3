// FetchSHA256Tests.swift — the SHA-256 the fetcher verifies with (swift-crypto's, spelled as hex
// by `FileDigest`): FIPS 180-2 known answers, a file read in chunks, and the digests of the
// real data files from the data folder's README (SEQ_DATA, else ../shared/data beside the repository; missing data fails the test).

import Foundation
import SeqFetch
import XCTest

final class FetchSHA256Tests: XCTestCase {
    func testFIPS180Vectors() {
        XCTAssertEqual(FileDigest.hex(of: Array("abc".utf8)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(FileDigest.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(FileDigest.hex(of: []),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // A digest with leading zero nibbles keeps its zeros (python3 hashlib: sha256(b'a' * 55)).
        XCTAssertEqual(FileDigest.hex(of: [UInt8](repeating: 0x61, count: 55)),
                       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
    }

    /// A file longer than one read chunk (1 MiB): FIPS 180-2's million `a`s and one more MiB.
    func testAFileReadInChunks() throws {
        let path = NSTemporaryDirectory() + "seq-digest-\(getpid()).bin"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x61, count: 1_000_000).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(FileDigest.hex(ofFileAt: path), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let twoChunks = [UInt8](repeating: 0x62, count: (1 << 20) + 17)
        try Data(twoChunks).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(FileDigest.hex(ofFileAt: path), FileDigest.hex(of: twoChunks))
    }

    func testAMissingFileHasNoDigest() {
        XCTAssertNil(FileDigest.hex(ofFileAt: "/nonexistent/seqlang/file"))
    }

    /// Every file in the README's table hashes to the digest the README gives.
    func testRealDataFilesMatchTheREADME() throws {
        let folder = try DataTestHost.sharedData()
        let table = try readmeTable(folder)
        XCTAssertGreaterThanOrEqual(table.count, 11, "the README lists the data files")
        for row in table {
            let path = folder + "/" + row.path
            XCTAssertEqual(FileDigest.hex(ofFileAt: path), row.sha256, row.path)
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
