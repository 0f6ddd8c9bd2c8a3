// ScriptTests.swift — runs every `.seq` file under Tests/Scripts and checks it against its
// `# expect: …` (output lines) and `# expect error L:C: …` comments.

import XCTest
import Foundation

final class ScriptTests: XCTestCase {
    func testEveryScriptMatchesItsExpectations() throws {
        let folder = ScriptExpectations.root.appendingPathComponent("Tests/Scripts")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".seq") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 10, "the scripts were not found in \(folder.path)")
        for name in files {
            let source = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            XCTAssertFalse(ScriptExpectations.parse(source) == ([], []), "\(name) expects nothing")
            if let problem = ScriptExpectations.check(source, file: name, folder: folder.path) {
                XCTFail(problem)
            }
        }
    }

    func testTheDriverNoticesAWrongExpectation() {
        XCTAssertNil(ScriptExpectations.check("print(1)\n# expect: 1", file: "ok.seq"))
        XCTAssertNotNil(ScriptExpectations.check("print(1)\n# expect: 2", file: "bad.seq"))
        XCTAssertNotNil(ScriptExpectations.check("print(x)\n# expect error 1:1: unknown name 'x'", file: "bad.seq"))
    }
}
