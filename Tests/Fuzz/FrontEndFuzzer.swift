// FrontEndFuzzer.swift — the libFuzzer entry point for SeqLang's front end: each input is
// decoded as UTF-8 (or rejected with a located diagnostic), lexed and parsed, and every
// diagnostic must lie inside the input. Built and run by scripts/fuzz.sh, not by swift build.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let text = try? SourceText.decode(bytes, file: "fuzz.seq") else { return 0 }
    let (program, diagnostics) = Parser.parse(text, file: "fuzz.seq")
    // Lines as the lexer counts them: "\r\n" is one Character, so count line-feed bytes.
    let lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).count
    for d in diagnostics where d.range.hasPosition {
        precondition(d.range.start.line >= 1 && d.range.start.line <= lines + 1 && d.range.start.column >= 1,
                     "diagnostic outside the input: \(d)")
    }
    // Walk every expression the way tools do, without recursion.
    var count = 0
    for statement in program.statements {
        if case .expression(let e) = statement.kind { e.forEachNode { _ in count += 1; return true } }
    }
    _ = count
    return 0
}
