// FetchCommandTests.swift — `seqsh fetch NAME…` through the built binary: usage, unknown
// names, files already present (verified, not downloaded) and a failed download that leaves
// nothing behind. Downloads themselves are tested against a loopback server in
// InterpreterTests/FetchServerTests.swift; nothing here reaches the network (the mirror is a
// closed loopback port).

import Foundation
import XCTest

final class FetchCommandTests: XCTestCase {
    /// The shared data folder: SEQ_DATA, else ../shared/data beside the repository.
    private func sharedData() throws -> URL {
        if let env = ProcessInfo.processInfo.environment["SEQ_DATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = repo.deletingLastPathComponent().appendingPathComponent("shared/data")
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("aesop").path) else {
            XCTFail("no data folder: set SEQ_DATA or put the data at \(folder.path)")
            throw CocoaError(.fileNoSuchFile)
        }
        return folder
    }

    func testWithoutANameItListsTheKnownDataSets() throws {
        let out = try Seqsh.run(["fetch"])
        XCTAssertEqual(out.status, 2)
        XCTAssertTrue(out.stderr.hasPrefix("usage: seqsh fetch NAME [NAME...]\nknown data sets:\n"), out.stderr)
        for name in ["ptb", "mnist", "rt-polarity", "aesop", "tinyshakespeare"] {
            XCTAssertTrue(out.stderr.contains("  \(name) "), "\(name) missing from:\n\(out.stderr)")
        }
    }

    func testAnUnknownNameSuggestsTheClosest() throws {
        let out = try Seqsh.run(["fetch", "ptbx"])
        XCTAssertEqual(out.status, 1)
        XCTAssertEqual(out.stderr, """
            ptbx: error: unknown data set 'ptbx'; expected one of: ptb, mnist, rt-polarity, aesop, tinyshakespeare
              hint: did you mean 'ptb'?

            """)
    }

    func testFilesAlreadyPresentAreVerifiedNotDownloaded() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("aesop"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: try sharedData().appendingPathComponent("aesop/belling_the_cat.txt"),
                                         to: folder.appendingPathComponent("aesop/belling_the_cat.txt"))
        // A closed port as the mirror: any download attempt would fail.
        let out = try Seqsh.run(["--data", folder.path, "fetch", "aesop"], environment: ["SEQ_DATA_MIRROR": "http://127.0.0.1:9"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(out.stderr, "belling_the_cat.txt: already present and verified\n")
        XCTAssertEqual(out.stdout, "aesop: 1 file in \(folder.path)\n")
    }

    func testAFailedDownloadLeavesNothingBehind() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let out = try Seqsh.run(["--data", folder.path, "fetch", "aesop"], environment: ["SEQ_DATA_MIRROR": "http://127.0.0.1:9"])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.contains("aesop/belling_the_cat.txt: error:"), out.stderr)
        XCTAssertTrue(out.stderr.contains("http://127.0.0.1:9/aesop/belling_the_cat.txt"), out.stderr)
        let left = FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []
        XCTAssertTrue(left.allSatisfy { !$0.contains("belling") }, "left behind: \(left)")
    }
}
