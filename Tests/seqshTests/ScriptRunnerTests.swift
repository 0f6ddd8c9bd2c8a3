// ScriptRunnerTests.swift — seqsh as a script runner: files, -e, stdin, --check, exit codes
// and the form of its diagnostics on stderr.

import XCTest

final class ScriptRunnerTests: XCTestCase {
    func testScriptRunsAndSeesItsArguments() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write("print(args)\nprint(len(args))\n", to: "args.seq", in: folder)
        let outcome = try Seqsh.run([script, "one", "--two"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(outcome.stdout, "[\"one\", \"--two\"]\n2\n")
        XCTAssertEqual(outcome.stderr, "")
    }

    func testScriptErrorExitsOneWithFileLineColumnAndCaret() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write("let x = 1\nprint(missing)\nprint(2)\n", to: "bad.seq", in: folder)
        let outcome = try Seqsh.run([script])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertEqual(outcome.stdout, "", "the run stops at the error")
        let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.first, "\(script):2:7: error: unknown name 'missing'")
        XCTAssertEqual(lines.dropFirst().first, "  print(missing)")
        XCTAssertEqual(lines.dropFirst(2).first, "        ^~~~~~~")
        XCTAssertFalse(outcome.stderr.contains("\u{1B}["), "no colour when stderr is not a terminal")
    }

    func testAnEightHundredKilobyteSumRunsAndChecks() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let sum = Array(repeating: "1", count: 200_000).joined(separator: " + ")
        let script = try Seqsh.write("print(\(sum))\n", to: "sum.seq", in: folder)
        let run = try Seqsh.run([script])
        XCTAssertEqual(run.status, 0, String(run.stderr.prefix(400)))
        XCTAssertEqual(run.stdout, "200000\n")
        let check = try Seqsh.run(["--check", script])
        XCTAssertEqual(check.status, 0, String(check.stderr.prefix(400)))
    }

    func testAnUnterminatedStringIsReportedOnItsOwnLine() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write("print(\"hello world\nprint(\"next\")\n", to: "open.seq", in: folder)
        let outcome = try Seqsh.run([script])
        XCTAssertEqual(outcome.status, 1)
        let lines = outcome.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "\(script):1:7: error: unterminated string: expected a closing '\"' before the end of the line")
        XCTAssertEqual(lines.dropFirst(2).first, "        ^")
        XCTAssertEqual(outcome.stderr.components(separatedBy: "error:").count, 2, outcome.stderr)
    }

    func testMissingScriptFileIsAScriptError() throws {
        let outcome = try Seqsh.run(["/nonexistent/never.seq"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("cannot read the script '/nonexistent/never.seq'"), outcome.stderr)
    }

    func testBadCommandLineExitsTwo() throws {
        let unknown = try Seqsh.run(["--frobnicate"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("unknown option '--frobnicate'"), unknown.stderr)
        let missingValue = try Seqsh.run(["-e"])
        XCTAssertEqual(missingValue.status, 2)
        XCTAssertFalse(missingValue.stderr.isEmpty)
    }

    func testHelpAndVersionGoToStdoutAndExitZero() throws {
        let version = try Seqsh.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("seqsh "), version.stdout)
        let help = try Seqsh.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("USAGE: seqsh"), help.stdout)
        XCTAssertTrue(help.stdout.contains("--check"), help.stdout)
    }

    func testSnippet() throws {
        let ok = try Seqsh.run(["-e", "let a = 20\nprint(a + 1)", "x"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "21\n")
        let bad = try Seqsh.run(["-e", "print(1 +)"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.hasPrefix("<string>:1:"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("  print(1 +)\n"), bad.stderr)
    }

    func testPipedStandardInputRunsWithoutPrompts() throws {
        let piped = try Seqsh.run([], input: "let n = 6\nprint(n * 7)\n")
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stdout, "42\n", "no prompt, no echo")
        let dash = try Seqsh.run(["-", "a", "b"], input: "print(args)\nprint(nope)\n")
        XCTAssertEqual(dash.status, 1)
        XCTAssertEqual(dash.stdout, "[\"a\", \"b\"]\n")
        XCTAssertTrue(dash.stderr.hasPrefix("<stdin>:2:7: error: unknown name 'nope'"), dash.stderr)
    }

    func testWarningsArePrintedButDoNotChangeTheExitStatus() throws {
        let outcome = try Seqsh.run(["-e", "model m\ninput tokens 10 vocab 50\nlayer embedding 8\nlayer lstm 8 dropout 0.8\nprint(\"built\")"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(outcome.stdout, "built\n")
        XCTAssertTrue(outcome.stderr.contains("<string>:4:22: warning: dropout 0.8"), outcome.stderr)
    }

    func testCheckAcceptsAGoodScript() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write("""
            model m
            input tokens 10 vocab 100
            layer embedding 8
            layer lstm 16 last
            layer dense 2 softmax

            """, to: "good.seq", in: folder)
        let outcome = try Seqsh.run(["--check", script])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(outcome.stderr, "")
    }

    func testCheckReportsEverySyntaxError() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write("let = 5\nprint(1)\nlet y = )\nprint(2)\n", to: "bad.seq", in: folder)
        let outcome = try Seqsh.run(["--check", script])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("\(script):1:5: error:"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("\(script):3:9: error:"), outcome.stderr)
        XCTAssertEqual(outcome.stdout, "", "a script with syntax errors runs nothing")
    }

    func testCheckReportsAModelErrorAtItsPlace() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write("model m\ninput tokens 10 vocab 100\nlayer embeding 8\n", to: "kind.seq", in: folder)
        let outcome = try Seqsh.run(["--check", script])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("\(script):3:7: error: unknown layer kind 'embeding'; did you mean 'embedding'?"),
                      outcome.stderr)
    }

    func testDataFolderOption() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        _ = try Seqsh.write("hello\n", to: "corpus.txt", in: folder)
        let outcome = try Seqsh.run(["--data", folder.path, "-e", "print(data_path(\"corpus.txt\"))"],
                                    environment: ["SEQ_DATA": ""])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(outcome.stdout, folder.appendingPathComponent("corpus.txt").path + "\n")
    }
}
