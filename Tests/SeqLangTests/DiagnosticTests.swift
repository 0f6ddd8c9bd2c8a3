import XCTest
import SeqLang

final class DiagnosticTests: XCTestCase {
    func testRenderPutsCaretUnderRange() {
        let src = "layer dense 1\nlayer lstn 128\n"
        let d = Diagnostic.error(.name, at: SourceRange(file: "m.seq", line: 2, column: 7, length: 4),
                                 "unknown layer kind 'lstn'", hint: "did you mean 'lstm'?")
        XCTAssertEqual(d.render(source: src),
                       "m.seq:2:7: error: unknown layer kind 'lstn'\n  layer lstn 128\n        ^~~~\n  hint: did you mean 'lstm'?\n")
    }
}
