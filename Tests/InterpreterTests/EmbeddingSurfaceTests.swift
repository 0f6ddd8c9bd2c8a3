// EmbeddingSurfaceTests.swift — the public surface is Embedding.swift and the value types it hands
// out, nothing else: no `public` declaration elsewhere, examples/embed and seqsh compile as
// clients outside the package (where `package` and internal declarations are hidden), and the
// embedding example links no FoundationNetworking.

import Foundation
import XCTest

final class EmbeddingSurfaceTests: XCTestCase {
    static let root = LibraryClient.root

    /// The files whose public declarations are the API (docs/embedding.md lists them): the API
    /// itself, and each value type it hands out. SeqFetch is a library of its own (docs/fetch.md).
    static let publicFiles: Set<String> = [
        "Sources/Interpreter/Embedding.swift",
        "Sources/Interpreter/Value.swift",                       // Value, NamedShape, ScriptObject
        "Sources/Interpreter/TensorValue.swift",                 // Value.tensor's payload
        "Sources/Interpreter/Commands.swift",                    // what a host's handler receives
        "Sources/Interpreter/Check/Completions.swift",           // what completions(line:) returns
        "Sources/Interpreter/Check/CheckReport.swift",           // what check(source:) returns
        "Sources/Interpreter/Training/TrainingProgress.swift",   // what onProgress receives
        "Sources/SeqLang/Diagnostic.swift",                      // Diagnostic and source positions
    ]
    static let publicFolders = ["Sources/SeqFetch/"]
    /// Every folder of Swift sources of the package's modules (each under Sources/ holding a
    /// .swift file): a public declaration in any of them, the generated ONNX messages included
    /// (generate.sh makes them `package`), fails the check. (The fuzz target in Tests/Fuzz is
    /// not a module a host links; its libFuzzer entry point is public.)
    static func sourceFolders() throws -> [String] {
        let modules = try FileManager.default.contentsOfDirectory(atPath: root + "/Sources").sorted()
            .filter { name in
                (FileManager.default.enumerator(atPath: root + "/Sources/" + name)?.contains {
                    ($0 as? String)?.hasSuffix(".swift") == true
                }) ?? false
            }
        return modules.map { "Sources/" + $0 }
    }

    /// Every line of Swift code (comments cut off) under `folder`, with its file and number.
    static func codeLines(under folder: String) throws -> [(file: String, line: Int, code: String)] {
        let base = root + "/" + folder
        let files = FileManager.default.enumerator(atPath: base)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }.sorted()
        var lines: [(String, Int, String)] = []
        for file in files {
            let text = try String(contentsOfFile: base + "/" + file, encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first
                    .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                lines.append((folder + "/" + file, n + 1, code))
            }
        }
        return lines
    }

    func testPublicDeclarationsOnlyInTheAPIFiles() throws {
        var offenders: [String] = []
        var seen = Set<String>()
        let folders = try EmbeddingSurfaceTests.sourceFolders()
        for module in ["Interpreter", "SeqLang", "Tensor", "SeqFetch", "seqsh", "seqbench", "ONNXFormat"] {
            XCTAssertTrue(folders.contains("Sources/" + module), module)
        }
        for folder in folders {
            for (file, n, code) in try EmbeddingSurfaceTests.codeLines(under: folder)
            where code.range(of: #"(^|[\s@)])public\s"#, options: .regularExpression) != nil
                || code.range(of: #"(^|\s)open\s+(class|func|var|subscript)\b"#, options: .regularExpression) != nil {
                seen.insert(file)
                let allowed = EmbeddingSurfaceTests.publicFiles.contains(file)
                    || EmbeddingSurfaceTests.publicFolders.contains { file.hasPrefix($0) }
                if !allowed { offenders.append("\(file):\(n): \(code)") }
            }
        }
        XCTAssertEqual(offenders, [], "public declarations outside the API files (docs/embedding.md)")
        // The check sees what it guards: each API file does declare public things.
        for file in EmbeddingSurfaceTests.publicFiles { XCTAssertTrue(seen.contains(file), file) }
    }

    /// examples/embed and seqsh type-check against the built library with no package access:
    /// each uses the public API alone. A program reaching for an internal or `package`
    /// declaration fails the same check, so the check can fail.
    func testEmbedExampleAndSeqshCompileAsClientsOutsideThePackage() throws {
        let client = try LibraryClient()
        let root = EmbeddingSurfaceTests.root
        let embed = try client.typecheck([root + "/examples/embed/Sources/EmbedDemo/main.swift"])
        XCTAssertEqual(embed.status, 0, embed.output)

        let seqsh = try FileManager.default.contentsOfDirectory(atPath: root + "/Sources/seqsh")
            .filter { $0.hasSuffix(".swift") }.sorted().map { root + "/Sources/seqsh/" + $0 }
        let shell = try client.typecheck(seqsh)
        XCTAssertEqual(shell.status, 0, shell.output)

        let scratch = NSTemporaryDirectory() + "seq-surface-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for (name, source, hidden) in [
            ("internal.swift", "import Interpreter\nlet t = CommandTable.declaration(\"layer\")\n", "CommandTable"),
            ("package.swift", "import Tensor\nlet t = Tensor(zeros: [2])\n", "Tensor"),
            ("parser.swift", "import Interpreter\nlet p = Parser.parse(\"1\", file: \"x\")\n", "Parser"),
            ("onnx.swift", "import ONNXFormat\nlet m = Onnx_ModelProto()\n", "Onnx_ModelProto"),
        ] {
            try source.write(toFile: scratch + "/" + name, atomically: true, encoding: .utf8)
            let outcome = try client.typecheck([scratch + "/" + name])
            XCTAssertNotEqual(outcome.status, 0, "\(name) must not compile outside the package")
            XCTAssertTrue(outcome.output.contains(hidden), outcome.output)
        }
    }

    /// The embedding example linked as an app links it (the SeqLang product's objects only):
    /// Foundation, yes; FoundationNetworking (URLSession, which only SeqFetch uses), no. (libcurl
    /// does appear: Debian's libhdf5_serial links it for its read-only S3 driver.)
    func testTheEmbedExampleLinksNoFoundationNetworking() throws {
        let client = try LibraryClient()
        let scratch = NSTemporaryDirectory() + "seq-embed-link-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let binary = scratch + "/EmbedDemo"
        let linked = try client.link([EmbeddingSurfaceTests.root + "/examples/embed/Sources/EmbedDemo/main.swift"], into: binary)
        XCTAssertEqual(linked.status, 0, linked.output)
        let ldd = try LibraryClient.run(["/usr/bin/ldd", binary])
        XCTAssertEqual(ldd.status, 0, ldd.output)
        XCTAssertTrue(ldd.output.contains("libFoundation.so"), ldd.output)
        XCTAssertTrue(ldd.output.contains("libopenblas"), ldd.output)
        XCTAssertFalse(ldd.output.contains("FoundationNetworking"), ldd.output)
        print("ldd \(binary):\n\(ldd.output)")
    }
}

/// Interpreter's folders depend one way (docs/embedding.md, "Inside the interpreter"): a file
/// names only types declared in its own layer or a lower one.
final class InterpreterLayeringTests: XCTestCase {
    /// Lowest first. The root files other than Embedding.swift are the core (values, commands,
    /// the evaluator); Embedding.swift, the API, is on top.
    static let layers = ["core", "Declarations", "Data", "Model", "Training", "Interchange", "Check", "api"]

    static func layer(of file: String) -> String {
        let relative = String(file.dropFirst("Sources/Interpreter/".count))
        if relative == "Embedding.swift" { return "api" }
        return relative.contains("/") ? String(relative.split(separator: "/")[0]) : "core"
    }

    func testFoldersDependOneWay() throws {
        let lines = try EmbeddingSurfaceTests.codeLines(under: "Sources/Interpreter")
        // Type names and the layers declaring them; a name declared in two layers (nested
        // `Kind`s, HDF5's `Dataset`) is left out rather than guessed.
        var declared: [String: Set<String>] = [:]
        let declaration = try NSRegularExpression(
            pattern: #"^(?:(?:public|final|indirect|private|fileprivate)\s+)*(?:class|struct|enum|protocol|typealias)\s+(\w+)"#)
        for (file, _, code) in lines {
            let range = NSRange(code.startIndex..., in: code)
            if let m = declaration.firstMatch(in: code, range: range), let r = Range(m.range(at: 1), in: code) {
                declared[String(code[r]), default: []].insert(InterpreterLayeringTests.layer(of: file))
            }
        }
        let owners = declared.compactMapValues { $0.count == 1 ? $0.first : nil }
        XCTAssertEqual(owners["ModelSession"], "Model")
        XCTAssertEqual(owners["TrainingSession"], "Training")
        XCTAssertEqual(owners["CommandTable"], "Declarations")
        let word = try NSRegularExpression(pattern: #"\b[A-Z]\w*\b"#)
        let string = try NSRegularExpression(pattern: #""(?:[^"\\]|\\.)*""#)
        var backEdges: [String] = []
        for (file, n, code) in lines {
            let own = InterpreterLayeringTests.layers.firstIndex(of: InterpreterLayeringTests.layer(of: file))!
            let text = string.stringByReplacingMatches(in: code, range: NSRange(code.startIndex..., in: code), withTemplate: "\"\"")
            for m in word.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let r = Range(m.range, in: text), let owner = owners[String(text[r])],
                      let level = InterpreterLayeringTests.layers.firstIndex(of: owner), level > own else { continue }
                // The core reads the configuration types the API declares for it, nothing else.
                let name = String(text[r])
                let qualified = text[..<r.lowerBound].hasSuffix("SeqInterpreter.") && ["Configuration", "FileAccess"].contains(name)
                let qualifier = name == "SeqInterpreter" && (text[r.upperBound...].hasPrefix(".Configuration")
                                                             || text[r.upperBound...].hasPrefix(".FileAccess"))
                if owner == "api", qualified || qualifier { continue }
                backEdges.append("\(file):\(n): \(text[r]) (\(owner))")
            }
        }
        XCTAssertEqual(backEdges, [], "uses of a higher layer")
    }
}
