// DocsTests.swift — every ```seq block of docs/language.md runs and matches its
// `# expect: …` and `# expect error L:C: …` comments.

import XCTest
import Foundation

/// The ```seq code blocks of a Markdown text, with the line each starts on.
func seqBlocks(in markdown: String) -> [(line: Int, code: String)] {
    var blocks: [(Int, String)] = []
    var current: [String]? = nil
    var start = 0
    for (i, line) in markdown.components(separatedBy: "\n").enumerated() {
        if current == nil, line == "```seq" {
            current = []
            start = i + 2
        } else if current != nil, line == "```" {
            blocks.append((start, current!.joined(separator: "\n")))
            current = nil
        } else if current != nil {
            current!.append(line)
        }
    }
    return blocks
}

final class DocsTests: XCTestCase {
    func testEveryExampleInTheLanguageReferenceRuns() throws {
        let url = ScriptExpectations.root.appendingPathComponent("docs/language.md")
        let blocks = seqBlocks(in: try String(contentsOf: url, encoding: .utf8))
        XCTAssertGreaterThanOrEqual(blocks.count, 12, "expected the examples of docs/language.md")
        for block in blocks {
            if let problem = ScriptExpectations.check(block.code, file: "language.md:\(block.line)") {
                XCTFail(problem)
            }
        }
    }
}
