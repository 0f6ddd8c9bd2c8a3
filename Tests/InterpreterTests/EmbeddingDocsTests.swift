// EmbeddingDocsTests.swift — docs/embedding.md's worked host is a real program: every ```swift
// block, joined in order, compiles against the library as an app outside the package, runs and
// exits 0 (each snippet checks what the page says about it); and every public declaration of
// the API files is named in the page's list.

import Foundation
import XCTest

final class EmbeddingDocsTests: XCTestCase {
    static let page = LibraryClient.root + "/docs/embedding.md"

    /// The ```swift blocks of `markdown`, in order.
    static func swiftBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    func testEverySnippetCompilesAndTheWorkedHostRuns() throws {
        let blocks = EmbeddingDocsTests.swiftBlocks(try String(contentsOfFile: EmbeddingDocsTests.page, encoding: .utf8))
        XCTAssertGreaterThanOrEqual(blocks.count, 7, "the worked host's blocks")
        let scratch = NSTemporaryDirectory() + "seq-embedding-doc-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let program = scratch + "/main.swift"
        try blocks.joined(separator: "\n\n").write(toFile: program, atomically: true, encoding: .utf8)
        let client = try LibraryClient()
        let built = try client.link([program], into: scratch + "/host")
        XCTAssertEqual(built.status, 0, built.output)
        guard built.status == 0 else { return }
        let ran = try LibraryClient.run([scratch + "/host"])
        XCTAssertEqual(ran.status, 0, ran.output)
        XCTAssertTrue(ran.output.contains("embedding.md: every snippet ran"), ran.output)
    }

    /// Each name a `public` line of an API file declares appears in the page (as `name`,
    /// `name(` or `.name`), so the list of public declarations stays whole.
    func testThePageListsEveryPublicDeclaration() throws {
        let page = try String(contentsOfFile: EmbeddingDocsTests.page, encoding: .utf8)
        let list = try XCTUnwrap(page.range(of: "## Every public declaration")).upperBound
        let listed = String(page[list...])
        var missing: [String] = []
        for file in EmbeddingSurfaceTests.publicFiles.sorted() {
            let folder = (file as NSString).deletingLastPathComponent
            for (path, n, code) in try EmbeddingSurfaceTests.codeLines(under: folder)
            where path == file && (code.hasPrefix("public ") || code.hasPrefix("@discardableResult public ")) {
                let pattern = #"public (?:static |final |indirect |mutating )*(?:func|var|let|struct|enum|class|protocol|typealias|init|subscript)\s*(\w*)"#
                guard let match = code.range(of: pattern, options: .regularExpression) else { continue }
                let declared = String(code[match])
                let name = declared.split(separator: " ").last.map(String.init) ?? ""
                if declared.hasSuffix("init") || declared.hasSuffix("subscript") {
                    if !listed.contains(declared.hasSuffix("init") ? "init" : "subscript(") { missing.append("\(file):\(n)") }
                } else if !name.isEmpty && !listed.contains("`\(name)") && !listed.contains(".\(name)") {
                    missing.append("\(file):\(n): \(name)")
                }
            }
        }
        XCTAssertEqual(missing, [], "public declarations missing from docs/embedding.md's list")
    }
}
