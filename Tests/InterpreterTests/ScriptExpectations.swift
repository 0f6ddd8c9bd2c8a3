// ScriptExpectations.swift — reads `# expect: …` and `# expect error L:C: …` comments from a
// script and checks a run against them: the exact output lines and the exact errors.

import Foundation
import XCTest
import Interpreter

enum ScriptExpectations {
    /// The repository root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Expected output lines and expected errors (`line:col: message`) written in `source`.
    static func parse(_ source: String) -> (output: [String], errors: [String]) {
        var output: [String] = [], errors: [String] = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if let r = line.range(of: "# expect: ") {
                output.append(String(line[r.upperBound...]))
            } else if line.hasSuffix("# expect:") {
                output.append("")
            } else if let r = line.range(of: "# expect error ") {
                errors.append(String(line[r.upperBound...]))
            }
        }
        return (output, errors)
    }

    /// Runs `source` in a fresh interpreter (no file access beyond `folder`, a time limit) and
    /// returns what differs from its expectations, or nil when it matches.
    static func check(_ source: String, file: String, folder: String? = nil) -> String? {
        let expected = parse(source)
        let captured = Captured {
            $0.fileAccess = folder.map { .folders([$0]) } ?? .none
            $0.timeLimit = 20
        }
        let outcome = captured.run(source, file: file)
        var lines = outcome.output.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var problems: [String] = []
        if lines != expected.output {
            problems.append("output:\n  expected \(expected.output)\n  got      \(lines)")
        }
        if outcome.errors != expected.errors {
            problems.append("errors:\n  expected \(expected.errors)\n  got      \(outcome.errors)")
        }
        return problems.isEmpty ? nil : "\(file): " + problems.joined(separator: "\n")
    }
}
