// CheckModeTests.swift — `seqsh --check` on the whole repository: every script that is
// expected to succeed passes with zero errors, with the data sets on the machine and without
// them; a script with several mistakes gets every one; the check opens no file but the script
// (seen with strace).

import XCTest
import Foundation

final class CheckModeTests: XCTestCase {
    static let repository = Seqsh.repository

    /// Every script of the repository that is expected to succeed, with the arguments to check
    /// it with: the examples (in each mode), the ```seq blocks of docs/*.md, and the test
    /// scripts without `# expect error`.
    func corpus() throws -> [(path: String, arguments: [String])] {
        let fm = FileManager.default
        var out: [(String, [String])] = []
        let examples = Self.repository.appendingPathComponent("examples")
        for name in try fm.contentsOfDirectory(atPath: examples.path).sorted() where name.hasSuffix(".seq") {
            let path = examples.appendingPathComponent(name).path
            out.append((path, []))
            out.append((path, ["quick"]))
            if name == "ptb.seq" { out += [(path, ["medium"]), (path, ["large"])] }
        }
        let scripts = Self.repository.appendingPathComponent("Tests/Scripts")
        for name in try fm.contentsOfDirectory(atPath: scripts.path).sorted() where name.hasSuffix(".seq") {
            let path = scripts.appendingPathComponent(name).path
            if try !String(contentsOfFile: path, encoding: .utf8).contains("# expect error") { out.append((path, [])) }
        }
        let folder = try Seqsh.temporaryFolder(for: self)
        let docs = Self.repository.appendingPathComponent("docs")
        for name in try fm.contentsOfDirectory(atPath: docs.path).sorted() where name.hasSuffix(".md") {
            let text = try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)
            for (line, code) in Self.seqBlocks(in: text) where !code.contains("# expect error") {
                out.append((try Seqsh.write(code + "\n", to: "\(name)-\(line).seq", in: folder), []))
            }
        }
        return out
    }

    static func seqBlocks(in markdown: String) -> [(Int, String)] {
        var blocks: [(Int, String)] = []
        var current: [String]?
        var start = 0
        for (i, line) in markdown.components(separatedBy: "\n").enumerated() {
            if current == nil, line == "```seq" { current = []; start = i + 2 }
            else if current != nil, line == "```" { blocks.append((start, current!.joined(separator: "\n"))); current = nil }
            else { current?.append(line) }
        }
        return blocks
    }

    /// The data sets' folder, as the example runs find it.
    func dataFolder() throws -> String { try ExamplesQuickTests.dataFolder() }

    func checkEveryScript(environment: [String: String], _ label: String) throws {
        let scripts = try corpus()
        XCTAssertGreaterThan(scripts.count, 20, "expected the examples, docs blocks and test scripts")
        for (path, arguments) in scripts {
            let outcome = try Seqsh.run(["--check", path] + arguments, environment: environment)
            XCTAssertEqual(outcome.status, 0, "\(label): seqsh --check \(path) \(arguments.joined(separator: " ")):\n\(outcome.stderr)")
            XCTAssertFalse(outcome.stderr.contains("error:"), "\(label): \(path)\n\(outcome.stderr)")
            XCTAssertEqual(outcome.stdout, "", "\(label): --check runs nothing, so it prints nothing: \(path)")
        }
    }

    func testEveryRepositoryScriptPassesWithoutTheData() throws {
        let empty = try Seqsh.temporaryFolder(for: self)
        // HOME too, so the download cache under ~/.cache is empty as well.
        try checkEveryScript(environment: ["SEQ_DATA": empty.path, "HOME": empty.path], "without data")
    }

    func testEveryRepositoryScriptPassesWithTheData() throws {
        try checkEveryScript(environment: ["SEQ_DATA": try dataFolder()], "with data")
    }

    func testAMissingDataSetIsAWarning() throws {
        let empty = try Seqsh.temporaryFolder(for: self)
        let script = Self.repository.appendingPathComponent("examples/mnist_rows.seq").path
        let outcome = try Seqsh.run(["--check", script], environment: ["SEQ_DATA": empty.path, "HOME": empty.path])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("warning: data-set file 'mnist/t10k-images-idx3-ubyte.gz' was not found"), outcome.stderr)
    }

    func testEveryIndependentErrorIsReportedOnce() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write("""
            let syms = tokens("the cat sat on the mat the cat ate")
            let vocab = vocabulary(syms)
            let data = windows(encode(vocab, syms), 3, vocab)
            let units = 32
            print(unitz)
            model lm
            input tokens 3 vocab vocab.size
            layer embedding 16
            layer lstm units dropuot 0.2 last
            layer dense vocab.size softmax
            summary
            train adam epocs 3 on data
            print(history.loss)

            """, to: "three.seq", in: folder)
        let outcome = try Seqsh.run(["--check", script])
        XCTAssertEqual(outcome.status, 1)
        let errors = outcome.stderr.components(separatedBy: "\n").filter { $0.contains(": error: ") }
        XCTAssertEqual(errors, [
            "\(script):5:7: error: unknown name 'unitz'",
            "\(script):9:18: error: unknown option 'dropuot' for an lstm layer; did you mean 'dropout'?",
            "\(script):12:12: error: unknown option 'epocs' for `train`; did you mean 'epochs'?",
        ], outcome.stderr)
        XCTAssertEqual(outcome.stdout, "")
    }

    /// strace records every file the check opens: the script, and nothing of the data, the
    /// paths the script names, or for writing.
    func testCheckOpensNoFileButTheScript() throws {
        let strace = "/usr/bin/strace"
        guard FileManager.default.isExecutableFile(atPath: strace) else {
            return XCTFail("strace is missing: scripts/deps.sh installs it")
        }
        let data = try dataFolder()
        let folder = try Seqsh.temporaryFolder(for: self)
        for example in ["ptb.seq", "chars.seq", "sentiment.seq", "mnist_rows.seq", "aesop.seq"] {
            let script = Self.repository.appendingPathComponent("examples/\(example)").path
            let log = folder.appendingPathComponent("\(example).strace").path
            let outcome = try Seqsh.run(["-f", "-qq", "-e", "trace=open,openat,openat2,creat", "-o", log,
                                         try Seqsh.binary(), "--check", script],
                                        environment: ["SEQ_DATA": data], executable: strace)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            let opens = try String(contentsOfFile: log, encoding: .utf8).components(separatedBy: "\n")
                .filter { $0.contains("open") || $0.contains("creat") }
            let paths = opens.compactMap { line -> (String, String)? in
                guard let q = line.firstIndex(of: "\""), let end = line[line.index(after: q)...].firstIndex(of: "\"") else { return nil }
                return (String(line[line.index(after: q)..<end]), line)
            }
            XCTAssertTrue(paths.contains { $0.0 == script }, "the script itself is read: \(example)")
            for (path, line) in paths where path != script {
                XCTAssertFalse(path.hasPrefix(data), "--check opened data: \(line)")
                XCTAssertFalse(path.hasPrefix(Self.repository.appendingPathComponent("examples").path), "--check opened \(line)")
                XCTAssertFalse(path.hasPrefix("/tmp/seqlang"), "--check opened a checkpoint or model path: \(line)")
                if line.contains("O_WRONLY") || line.contains("O_RDWR") || line.contains("O_CREAT") {
                    XCTAssertTrue(path.hasPrefix("/dev/"), "--check opened a file for writing: \(line)")
                }
            }
        }
    }
}
