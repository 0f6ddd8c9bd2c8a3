// SandboxTests.swift — the file sandbox holds: every statement and built-in that reads or
// writes a file, given `.folders([ok])`, is refused every way out of `ok` — a symlinked
// folder (absolute and relative), `..`, an absolute path, /proc/self/root, a symlinked file,
// a symlink swapped in after the path was checked — with openat2 and with the O_NOFOLLOW walk
// used where the kernel lacks it; nothing appears outside; `.none` says the same whether a
// file exists or not; saves leave no temporary files.

import XCTest
import SeqLang
@testable import Interpreter

final class SandboxTests: XCTestCase {
    private var root = ""
    private var ok: String { root + "/ok" }
    private var outside: String { root + "/outside" }
    private let fm = FileManager.default

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "seqlang-sandbox-\(UUID().uuidString)"
        try fm.createDirectory(atPath: ok + "/sub", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
        for name in ["tiny.txt", "tiny-labels.idx", "series.csv", "reviews.tsv"] {
            try fm.copyItem(atPath: fixtures + "/" + name, toPath: ok + "/" + name)
            try fm.copyItem(atPath: fixtures + "/" + name, toPath: outside + "/" + name)
        }
        try fm.createSymbolicLink(atPath: ok + "/link", withDestinationPath: outside)
        try fm.createSymbolicLink(atPath: ok + "/rel", withDestinationPath: "../outside")
        try fm.createSymbolicLink(atPath: ok + "/proc", withDestinationPath: "/proc/self/root")
        try fm.createSymbolicLink(atPath: ok + "/file-link", withDestinationPath: outside + "/tiny.txt")
        try fm.createSymbolicLink(atPath: ok + "/inner", withDestinationPath: "sub")
    }

    override func tearDownWithError() throws {
        try? fm.removeItem(atPath: root)
    }

    /// Every way out of `ok` to the outside copy of `name`.
    private func escapes(_ name: String) -> [String] {
        ["link/\(name)", "rel/\(name)", "../outside/\(name)", "sub/../../outside/\(name)", outside + "/" + name,
         ok + "/link/\(name)", "/proc/self/root" + outside + "/" + name, "proc" + outside + "/" + name,
         ok + "/../outside/\(name)"]
    }

    private func sandboxed() -> Captured {
        let folder = ok
        return Captured {
            $0.fileAccess = .folders([folder])
            $0.workingDirectory = folder
        }
    }

    private func outsideListing() -> [String] {
        (try? fm.contentsOfDirectory(atPath: outside).sorted()) ?? []
    }

    private func assertRefused(_ o: Outcome, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(o.result.errors.map(\.kind), [.io], "\(what): \(o.errors)", file: file, line: line)
        let message = o.result.errors.first?.message ?? ""
        XCTAssertTrue(message.contains("outside the folders"), "\(what): \(message)", file: file, line: line)
        XCTAssertFalse(o.output.contains("cat"), "\(what) printed the outside file", file: file, line: line)
    }

    func testEveryReadingBuiltInIsRefusedEveryWayOut() {
        let c = sandboxed()
        XCTAssertEqual(c.run(nextWordPrelude).errors, [])
        var calls = 0
        for path in escapes("tiny.txt") + ["file-link"] {
            for call in ["print(read_text(\"\(path)\"))", "print(read_lines(\"\(path)\"))", "print(read_csv(\"\(path)\"))",
                         "print(read_labelled([\"\(path)\"], [\"a\"]))", "print(load(\"\(path)\"))", "resume \"\(path)\" on data",
                         "print(data_path(\"\(path)\"))"] {
                let o = c.run(call)
                if call.hasPrefix("print(data_path") {
                    // data_path searches only what may be read: the file is simply not found.
                    XCTAssertEqual(o.result.errors.map(\.kind), [.io], "\(call): \(o.errors)")
                    XCTAssertFalse(o.output.contains(outside), call)
                } else {
                    assertRefused(o, call)
                }
                calls += 1
            }
        }
        for path in escapes("tiny-labels.idx") {
            assertRefused(c.run("print(read_idx(\"\(path)\"))"), "read_idx \(path)")
        }
        for path in escapes("reviews.tsv") {
            assertRefused(c.run("print(read_labelled(\"\(path)\", \"label\"))"), "read_labelled \(path)")
            assertRefused(c.run("print(read_npy(\"\(path)\"))"), "read_npy \(path)")
            assertRefused(c.run("load weights \"\(path)\""), "load weights \(path)")
        }
        XCTAssertEqual(calls, 70)
        // What is inside stays usable, through a symlink that stays inside too.
        XCTAssertEqual(c.run("print(read_lines(\"tiny.txt\").count)").errors, [])
        XCTAssertEqual(c.run("print(read_lines(\"inner/../tiny.txt\").count)").errors, [])
        XCTAssertEqual(c.run("print(read_lines(\"\(ok)/tiny.txt\").count)").errors, [])
    }

    func testEveryWritingStatementIsRefusedEveryWayOutAndNothingAppearsOutside() {
        let c = sandboxed()
        XCTAssertEqual(c.run(nextWordPrelude + "train adam epochs 1 batch 4 on data quiet").errors, [])
        let before = outsideListing()
        for path in escapes("x.safetensors") {
            assertRefused(c.run("save \"\(path)\""), "save \(path)")
            assertRefused(c.run("train adam epochs 1 batch 4 on data quiet checkpoint \"\(path)\""), "checkpoint \(path)")
            assertRefused(c.run("plot history \"\(path)\""), "plot \(path)")
            assertRefused(c.run("write_npy(\"\(path)\", tensor([1, 2]))"), "write_npy \(path)")
        }
        XCTAssertEqual(outsideListing(), before)
        // Inside, each works, and a save leaves no temporary file beside its target.
        XCTAssertEqual(c.run("save \"sub/m.safetensors\"\nsave \"sub/m.safetensors\"\nplot history \"sub/p.svg\"").errors, [])
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: ok + "/sub").sorted(), ["m.safetensors", "p.svg"])
    }

    func testASymlinkSwappedInAfterTheCheckpointPathWasCheckedIsRefused() throws {
        let box = SwapBox(folder: ok + "/sub", target: outside)
        let folder = ok
        let c = Captured {
            $0.fileAccess = .folders([folder])
            $0.workingDirectory = folder
            $0.onProgress = { _ in box.swap() }
        }
        let o = c.run(nextWordPrelude + "train adam epochs 1 batch 4 on data quiet checkpoint \"sub/c.ckpt\"")
        XCTAssertTrue(box.swapped)
        assertRefused(o, "checkpoint after the swap")
        XCTAssertFalse(fm.fileExists(atPath: outside + "/c.ckpt"))
    }

    /// The same paths through the component walk used where openat2 is missing.
    func testTheWalkWithoutOpenat2RefusesTheSameWaysOut() throws {
        let walk = FileSandbox(access: .folders([ok]), workingDirectory: ok, usesOpenat2: false)
        let at = SourceRange.none(file: "t")
        for path in escapes("tiny.txt") + ["file-link"] {
            XCTAssertThrowsError(try walk.read(path, at: at), path) { e in
                XCTAssertTrue((e as? Diagnostic)?.message.contains("outside the folders") ?? false, "\(path): \(e)")
            }
        }
        for path in escapes("w.new") {
            XCTAssertThrowsError(try walk.write([1, 2, 3], to: path, at: at), path)
        }
        XCTAssertEqual(try walk.read("sub/../tiny.txt", at: at).count, try walk.read("tiny.txt", at: at).count)
        try walk.write([1, 2, 3], to: "sub/w.bin", at: at)
        XCTAssertEqual(try walk.read("sub/w.bin", at: at), [1, 2, 3])
        XCTAssertEqual(outsideListing().filter { $0.hasSuffix(".new") }, [])
    }

    func testNoFileAccessSaysTheSameWhetherAFileExistsOrNot() {
        let c = Captured { $0.fileAccess = .none }
        for call in ["read_text", "read_lines", "read_csv", "read_idx", "load", "data_path"] {
            let existing = c.run("\(call)(\"\(ok)/tiny.txt\")").result.errors.map(\.message)
            let missing = c.run("\(call)(\"\(ok)/no-such.txt\")").result.errors.map(\.message)
            XCTAssertEqual(existing.map { $0.replacingOccurrences(of: "tiny.txt", with: "X") },
                           missing.map { $0.replacingOccurrences(of: "no-such.txt", with: "X") }, call)
            XCTAssertTrue(existing.first?.contains("no file access") ?? false, "\(call): \(existing)")
        }
        XCTAssertTrue(c.run(nextWordPrelude + "save \"\(ok)/m.safetensors\"").result.errors.first?.message.contains("no file access") ?? false)
    }
}

/// Replaces a folder with a symlink to `target` the first time it is asked to.
private final class SwapBox: @unchecked Sendable {
    let folder: String
    let target: String
    var swapped = false
    init(folder: String, target: String) {
        self.folder = folder
        self.target = target
    }
    func swap() {
        guard !swapped else { return }
        swapped = true
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.createSymbolicLink(atPath: folder, withDestinationPath: target)
    }
}
