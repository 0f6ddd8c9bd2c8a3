// LanguageServerTests.swift — `seqsh lsp` spoken to over its stdin/stdout with Content-Length
// framing: initialize, diagnostics on open and change (0-based, UTF-16 columns, hints as
// related information), hover, completion, definition, document symbols, JSON-RPC errors for
// malformed messages, shutdown and exit; and Neovim's own LSP client reading the diagnostics.

import XCTest
import Foundation

final class LanguageServerTests: XCTestCase {
    /// A running `seqsh lsp` and the messages it sent.
    private final class Session {
        let process = Process()
        let stdin = Pipe(), stdout = Pipe()
        var buffer = Data()

        init() throws {
            process.executableURL = URL(fileURLWithPath: try Seqsh.binary())
            process.arguments = ["lsp"]
            process.standardInput = stdin
            process.standardOutput = stdout
            try process.run()
        }

        func send(raw body: Data) {
            stdin.fileHandleForWriting.write(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
        }

        func send(_ message: [String: Any]) throws {
            var m = message
            m["jsonrpc"] = "2.0"
            send(raw: try JSONSerialization.data(withJSONObject: m))
        }

        /// The next message from the server.
        func receive() throws -> [String: Any] {
            while true {
                if let end = buffer.range(of: Data("\r\n\r\n".utf8)) {
                    let header = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
                    let length = Int(header.components(separatedBy: ":")[1].trimmingCharacters(in: .whitespaces))!
                    if buffer.count - (end.upperBound - buffer.startIndex) >= length {
                        let body = buffer[end.upperBound..<(end.upperBound + length)]
                        buffer = Data(buffer[(end.upperBound + length)...])
                        return try JSONSerialization.jsonObject(with: body) as! [String: Any]
                    }
                }
                let chunk = stdout.fileHandleForReading.availableData
                if chunk.isEmpty { throw NSError(domain: "lsp", code: 1, userInfo: [NSLocalizedDescriptionKey: "the server closed its output"]) }
                buffer.append(chunk)
            }
        }

        func request(_ id: Int, _ method: String, _ params: [String: Any]) throws -> [String: Any] {
            try send(["id": id, "method": method, "params": params])
            return try receive()
        }
    }

    private let uri = "file:///tmp/errors.seq"
    private let text = """
        let x = 1
        print(missing)
        model m
        input tokens 10 vocab 100
        layer embedding 8
        layer lstm 16 last
        layer dense 2 softmax
        fn twice(a) {
          return a * 2
        }
        let é = "ü"
        print(twice(x), "😀" + twise, é)

        """

    private func at(_ line: Int, _ character: Int) -> [String: Any] {
        ["textDocument": ["uri": uri], "position": ["line": line, "character": character]]
    }

    func testTheProtocolThroughTheBuiltBinary() throws {
        let s = try Session()
        let initialized = try s.request(1, "initialize", ["capabilities": [:]])
        let capabilities = (initialized["result"] as? [String: Any])?["capabilities"] as? [String: Any]
        XCTAssertEqual(capabilities?["hoverProvider"] as? Bool, true)
        XCTAssertEqual(capabilities?["textDocumentSync"] as? Int, 1)
        try s.send(["method": "initialized", "params": [:]])

        try s.send(["method": "textDocument/didOpen", "params": ["textDocument": ["uri": uri, "languageId": "seqlang", "version": 1, "text": text]]])
        let published = try s.receive()
        XCTAssertEqual(published["method"] as? String, "textDocument/publishDiagnostics")
        let diagnostics = try XCTUnwrap((published["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]])
        let shown = diagnostics.map { d -> String in
            let start = (d["range"] as! [String: Any])["start"] as! [String: Int]
            return "\(start["line"]!):\(start["character"]!) \(d["message"]!)"
        }
        XCTAssertTrue(shown.contains("1:6 unknown name 'missing'"), "\(shown)")
        // Line 11 holds '😀' (two UTF-16 units) before the second error: character 22, UTF-16 column 23.
        XCTAssertTrue(shown.contains("11:23 unknown name 'twise'"), "\(shown)")
        XCTAssertTrue(diagnostics.contains { ($0["relatedInformation"] as? [[String: Any]])?.contains { ($0["message"] as? String)?.hasPrefix("hint: ") == true } == true },
                      "hints travel as related information: \(diagnostics)")

        let hoverLayer = try s.request(2, "textDocument/hover", at(5, 3))
        let layerText = (((hoverLayer["result"] as? [String: Any])?["contents"]) as? [String: Any])?["value"] as? String ?? ""
        XCTAssertTrue(layerText.contains("[batch, feature 16]") && layerText.contains("1,664"), layerText)
        let hoverName = try s.request(3, "textDocument/hover", at(11, 13))
        let nameText = (((hoverName["result"] as? [String: Any])?["contents"]) as? [String: Any])?["value"] as? String ?? ""
        XCTAssertTrue(nameText.hasPrefix("`x`: int"), nameText)

        let definition = try s.request(4, "textDocument/definition", at(11, 8))
        let target = ((definition["result"] as? [String: Any])?["range"] as? [String: Any])?["start"] as? [String: Int]
        XCTAssertEqual(target, ["line": 7, "character": 3])

        let symbols = try XCTUnwrap(try s.request(5, "textDocument/documentSymbol", ["textDocument": ["uri": uri]])["result"] as? [[String: Any]])
        XCTAssertEqual(symbols.map { $0["name"] as? String }, ["m", "twice"])
        XCTAssertEqual((symbols[0]["children"] as? [[String: Any]])?.count, 3)

        let options = try s.request(6, "textDocument/completion", at(5, 14))
        let labels = ((options["result"] as? [String: Any])?["items"] as? [[String: Any]])?.compactMap { $0["label"] as? String } ?? []
        // After a layer's size: its options (a name would be an unknown option there).
        XCTAssertTrue(labels.contains("dropout") && labels.contains("bidirectional") && !labels.contains("x"), "\(labels.prefix(20))")
        let kinds = try s.request(7, "textDocument/completion", at(6, 6))
        let kindLabels = ((kinds["result"] as? [String: Any])?["items"] as? [[String: Any]])?.compactMap { $0["label"] as? String } ?? []
        XCTAssertTrue(kindLabels.contains("lstm") && kindLabels.contains("dense"), "\(kindLabels.prefix(20))")

        try s.send(["method": "textDocument/didChange", "params": ["textDocument": ["uri": uri, "version": 2], "contentChanges": [["text": "print(\"open\nprint(1)\n"]]]])
        let changed = try XCTUnwrap((try s.receive()["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]])
        XCTAssertEqual(changed.count, 1)
        XCTAssertEqual((changed.first?["message"] as? String)?.hasPrefix("unterminated string"), true)

        s.send(raw: Data("{not json".utf8))
        XCTAssertEqual((try s.receive()["error"] as? [String: Any])?["code"] as? Int, -32700)
        let badParams = try s.request(8, "textDocument/hover", ["nothing": 1])
        XCTAssertEqual((badParams["error"] as? [String: Any])?["code"] as? Int, -32602)
        let unknown = try s.request(9, "workspace/nothing", [:])
        XCTAssertEqual((unknown["error"] as? [String: Any])?["code"] as? Int, -32601)

        let shutdown = try s.request(10, "shutdown", [:])
        XCTAssertTrue(shutdown.keys.contains("result"))
        try s.send(["method": "exit"])
        s.process.waitUntilExit()
        XCTAssertEqual(s.process.terminationStatus, 0)
    }

    /// Completion through the protocol is the interpreter's (the one seqsh's Tab uses), with the
    /// names the checker found in the document: options, optimizers, members after `.`.
    func testCompletionThroughTheProtocolIsTheInterpretersWithTheDocumentsNames() throws {
        let s = try Session()
        _ = try s.request(1, "initialize", ["capabilities": [:]])
        let doc = "file:///tmp/complete.seq"
        let text = """
            let parts = split([1, 2, 3, 4], [0.5, 0.5])
            model m
            input tokens 3 vocab 10
            train adam ep
            print(m.pa, parts.tr)
            train 
            layer lstm dr
            train adam learning_rate 0.1 batch_size 2 on parts
            """
        try s.send(["method": "textDocument/didOpen", "params": ["textDocument": ["uri": doc, "languageId": "seqlang", "version": 1, "text": text]]])
        // The diagnostics: every bad option of the last line, with the Keras spellings' did-you-mean.
        let published = try XCTUnwrap((try s.receive()["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]])
        let messages = published.compactMap { $0["message"] as? String }
        XCTAssertTrue(messages.contains("unknown option 'learning_rate' for `train`; did you mean 'lr'?"), "\(messages)")
        XCTAssertTrue(messages.contains("unknown option 'batch_size' for `train`; did you mean 'batch'?"), "\(messages)")
        func labels(_ id: Int, _ line: Int, _ character: Int) throws -> [String] {
            let answer = try s.request(id, "textDocument/completion", ["textDocument": ["uri": doc], "position": ["line": line, "character": character]])
            return ((answer["result"] as? [String: Any])?["items"] as? [[String: Any]])?.compactMap { $0["label"] as? String } ?? []
        }
        XCTAssertEqual(try labels(2, 3, 13), ["epochs"])
        XCTAssertEqual(try labels(3, 4, 10), ["params"])
        XCTAssertEqual(try labels(4, 4, 20), ["train"])
        XCTAssertEqual(try labels(5, 5, 6), ["sgd", "adam", "rmsprop", "adagrad"])
        XCTAssertEqual(try labels(6, 6, 13), ["dropout"])
        let shutdown = try s.request(7, "shutdown", [:])
        XCTAssertTrue(shutdown.keys.contains("result"))
        try s.send(["method": "exit"])
        s.process.waitUntilExit()
    }

    /// Neovim (headless, its built-in client) opens a script with errors and reports the
    /// diagnostics it received.
    func testNeovimReceivesTheDiagnostics() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write("let x = 1\nprint(missing)\nprint(x + \"a\")\n", to: "errors.seq", in: folder)
        let lua = try Seqsh.write(Self.neovimClient, to: "check.lua", in: folder)
        let result = folder.appendingPathComponent("diagnostics.txt").path
        let nvim = Process()
        nvim.executableURL = URL(fileURLWithPath: "/usr/bin/nvim")
        nvim.arguments = ["--headless", "--clean", "-c", "luafile \(lua)"]
        var environment = ProcessInfo.processInfo.environment
        environment["SEQ_LSP_OUT"] = result
        environment["SEQ_LSP_SCRIPT"] = script
        environment["SEQ_LSP_SEQSH"] = try Seqsh.binary()
        nvim.environment = environment
        nvim.standardOutput = FileHandle.nullDevice
        nvim.standardError = FileHandle.nullDevice
        try nvim.run()
        let deadline = Date().addingTimeInterval(60)
        while nvim.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if nvim.isRunning { nvim.terminate(); XCTFail("nvim did not finish") }
        nvim.waitUntilExit()
        let received = try String(contentsOfFile: result, encoding: .utf8)
        XCTAssertTrue(received.contains("1:6 unknown name 'missing'"), received)
        XCTAssertTrue(received.contains("2:8 '+' expects"), received)
    }

    /// The client: Neovim's built-in LSP (the calls exist from Neovim 0.7 on), waiting for the
    /// published diagnostics and writing them one per line as `line:column message` (0-based).
    static let neovimClient = """
        local out = os.getenv('SEQ_LSP_OUT')
        vim.cmd('edit ' .. os.getenv('SEQ_LSP_SCRIPT'))
        local id = vim.lsp.start_client({ name = 'seqsh', cmd = { os.getenv('SEQ_LSP_SEQSH'), 'lsp' }, root_dir = vim.fn.getcwd() })
        vim.lsp.buf_attach_client(0, id)
        vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
        local lines = {}
        for _, d in ipairs(vim.diagnostic.get(0)) do
          table.insert(lines, string.format('%d:%d %s', d.lnum, d.col, d.message))
        end
        table.sort(lines)
        vim.fn.writefile(lines, out)
        vim.cmd('qall!')
        """
}
