// FrontEndFuzzer.swift — the libFuzzer entry point for SeqLang's front end and checker: each
// input is decoded as UTF-8 (or rejected with a located diagnostic), lexed, parsed and checked
// by `SeqInterpreter.check`, and every diagnostic must lie inside the input. scripts/fuzz.sh
// builds it with `--sanitize=fuzzer --sanitize=address -DFUZZING`; a plain build makes the
// `seqfuzz` replay tool (Replay.swift), which runs files through the same function. Every
// input runs on one long-lived script thread.

import Interpreter
import SeqLang

/// One interpreter for every input: a check reads its globals but never changes them, runs
/// no command and opens no file.
nonisolated(unsafe) let fuzzInterpreter: SeqInterpreter = {
    var config = SeqInterpreter.Configuration()
    config.fileAccess = .none
    return SeqInterpreter(config)
}()

/// The one script thread every input is parsed and checked on (in place: neither the parser
/// nor the check starts a thread of its own).
let fuzzThread = ScriptThread.worker()

/// Lexes, parses and checks `bytes` on `fuzzThread`; stops the process (a finding) when a
/// diagnostic lies outside the input.
func fuzzOne(_ bytes: [UInt8]) {
    fuzzThread.run { fuzzOnThread(bytes) }
}

private func fuzzOnThread(_ bytes: [UInt8]) {
    let file = "fuzz.seq"
    guard let text = try? SourceText.decode(bytes, file: file) else { return }
    // Lines as the lexer counts them: "\r\n" is one Character, so count line-feed bytes.
    let lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).count
    func inside(_ diagnostics: [Diagnostic], _ stage: String) {
        for d in diagnostics where d.range.hasPosition && d.range.file == file {
            precondition(d.range.start.line >= 1 && d.range.start.line <= lines + 1 && d.range.start.column >= 1,
                         "\(stage) diagnostic outside the input: \(d)")
        }
    }
    let (_, parsed) = Parser.parse(text, file: file)
    inside(parsed, "parser")
    let report = fuzzInterpreter.check(source: text, file: file)
    inside(report.diagnostics, "checker")
    // The check reports the parser's syntax errors as they are.
    if parsed.contains(where: { $0.severity == .error }) {
        precondition(report.errors.count == parsed.filter { $0.severity == .error }.count,
                     "the check and the parser disagree on the syntax errors")
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzOne(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#endif
