// DataScriptTests.swift — the data built-ins called from SeqLang scripts through the public
// embedding API: installation, member access, errors at the call's place, file-access policy.

import Foundation
import Interpreter
import SeqLang
import XCTest

final class DataScriptTests: XCTestCase {
    let fx = DataTestHost.fixtures

    func testTextToWindowsInAScript() {
        let o = runSeq("""
        let text = read_text("\(fx)/tiny.txt")
        let syms = words(text, "<eos>")
        let vocab = vocabulary(syms, "closed")
        print(vocab.size)
        let ids = encode(vocab, syms)
        print(decode(vocab, [ids[0], ids[1]]))
        let data = windows(ids, 3, vocab)
        print(data.count)
        print(data.shape)
        print(data.vocab.size)
        """)
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, "12\n[\"The\", \"cat\"]\n11\n[sample 11, time 3]\n12\n")
    }

    func testSplitStillSplitsStrings() {
        let o = runSeq("print(split(\"a b  c\"))\nprint(split(\"a,b\", \",\"))\nlet p = split([1, 2, 3, 4], [0.5, 0.5])\nprint(p.test)")
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, "[\"a\", \"b\", \"c\"]\n[\"a\", \"b\"]\n[3, 4]\n")
    }

    func testErrorsPointAtTheCall() {
        let o = runSeq("let a = 1\nlet t = read_idx(\"\(fx)/bad-magic.idx\")")
        XCTAssertEqual(o.errors, ["2:9: '\(fx)/bad-magic.idx' is not a valid idx file: bad magic number at byte offset 0: expected 0x00 0x00 but found 0x12 0x34"])
        XCTAssertEqual(o.result.errors.first?.kind, .io)
    }

    func testDataPathUsesTheHostFolder() {
        let o = Captured { $0.dataFolder = fx }.run("print(len(read_lines(data_path(\"reviews.neg\"))))")
        XCTAssertEqual(o.errors, [])
        XCTAssertEqual(o.output, "3\n")
    }

    func testReadsObeyTheFileAccessPolicy() {
        let o = Captured { $0.fileAccess = .none }.run("read_text(\"\(fx)/tiny.txt\")")
        XCTAssertEqual(o.errors, ["1:1: cannot read '\(fx)/tiny.txt': this interpreter has no file access"])
    }

    /// Every ```seq example in docs/data.md runs without errors (from the repository root,
    /// with the real data folder).
    func testDocumentationExamplesRun() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let doc = try String(contentsOfFile: root + "/docs/data.md", encoding: .utf8)
        let blocks = doc.components(separatedBy: "```seq\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        XCTAssertEqual(blocks.count, 13)
        let data = try DataTestHost.sharedData()
        for block in blocks {
            let o = Captured { $0.workingDirectory = root; $0.dataFolder = data }.run(block, file: "data.md")
            XCTAssertEqual(o.errors, [], block)
            XCTAssertFalse(o.output.isEmpty, block)
        }
    }
}
