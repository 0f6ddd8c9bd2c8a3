// LanguageServer.swift — `seqsh lsp`: a Language Server Protocol server over stdin/stdout.
//
// Messages are JSON-RPC with `Content-Length` framing (LSPMessages.swift holds their types).
// Every open document is checked in full on open and on each change by the static checker
// (`SeqInterpreter.check`), and its diagnostics are published; hover, completion, definition
// and document symbols read the same `CheckReport`. Positions cross the boundary as 0-based
// lines and UTF-16 columns. A message that cannot be read gets a JSON-RPC error and the server
// goes on; only `exit` (or the end of stdin) stops it. One interpreter checks and completes for
// the whole session: a check as the user types builds no interpreter of its own.

import Foundation
import Interpreter
import SeqLang

final class LanguageServer {
    private struct Document {
        var text: String
        var version: Int?
        var lines: [Substring]
        var report: CheckReport
    }

    private var documents: [String: Document] = [:]
    private var shutdownRequested = false
    private let encoder = JSONEncoder()
    private let decoder = JSONDecoder()
    private var input = Data()
    private var inputEnded = false
    /// Checks every document and completes in them (a check changes none of its state).
    private let interpreter = SeqInterpreter()

    /// Serves until `exit` or the end of input; the exit status follows the protocol (0 after
    /// `shutdown`, 1 otherwise).
    func run() -> Int32 {
        while let body = readMessage() {
            if let status = handle(body) { return status }
        }
        return shutdownRequested ? 0 : 1
    }

    // MARK: - Framing

    /// The next message body, or nil at the end of input. A header without a usable
    /// `Content-Length` is answered with an error and skipped.
    private func readMessage() -> Data? {
        while true {
            guard let headerEnd = find(Data("\r\n\r\n".utf8)) else {
                if !fill() { return nil }
                continue
            }
            let header = String(decoding: input[input.startIndex..<headerEnd], as: UTF8.self)
            input.removeSubrange(input.startIndex..<(headerEnd + 4))
            var length: Int?
            for line in header.split(separator: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-length" {
                    length = Int(parts[1].trimmingCharacters(in: .whitespaces))
                }
            }
            guard let length, length >= 0 else {
                sendError(id: nil, code: ResponseError.parseError, "the message header has no valid Content-Length")
                continue
            }
            while input.count < length {
                if !fill() { return nil }
            }
            let body = input.prefix(length)
            input.removeFirst(length)
            return Data(body)
        }
    }

    private func find(_ pattern: Data) -> Int? {
        input.range(of: pattern).map(\.lowerBound)
    }

    /// Reads more of stdin; false at its end.
    private func fill() -> Bool {
        if inputEnded { return false }
        let chunk = FileHandle.standardInput.availableData
        if chunk.isEmpty { inputEnded = true; return false }
        input.append(chunk)
        return true
    }

    private func write<T: Encodable>(_ message: T) {
        guard let body = try? encoder.encode(message) else { return }
        var out = Data("Content-Length: \(body.count)\r\n\r\n".utf8)
        out.append(body)
        FileHandle.standardOutput.write(out)
    }

    private func send<R: Encodable>(id: RequestID?, _ result: R?) {
        write(ResponseMessage(id: id, result: result))
    }

    private func sendError(id: RequestID?, code: Int, _ message: String) {
        write(ResponseMessage<Int>(id: id, result: nil, error: ResponseError(code: code, message: message)))
    }

    // MARK: - Dispatch

    /// Handles one message; returns an exit status when the server should stop.
    private func handle(_ body: Data) -> Int32? {
        guard let envelope = try? decoder.decode(IncomingEnvelope.self, from: body) else {
            sendError(id: nil, code: ResponseError.parseError, "the message is not a JSON-RPC object")
            return nil
        }
        guard let method = envelope.method else {
            if envelope.id != nil { return nil }  // a response to nothing we sent: ignore it
            sendError(id: nil, code: ResponseError.invalidRequest, "the message has no method")
            return nil
        }
        let id = envelope.id
        func params<P: Decodable>(_ type: P.Type) -> P? {
            do {
                return try decoder.decode(IncomingParams<P>.self, from: body).params
            } catch {
                if id != nil { sendError(id: id, code: ResponseError.invalidParams, "invalid parameters for '\(method)': \(error)") }
                return nil
            }
        }
        if shutdownRequested && method != "exit" {
            if id != nil { sendError(id: id, code: ResponseError.invalidRequest, "the server is shutting down") }
            return nil
        }
        switch method {
        case "initialize":
            send(id: id, InitializeResult(serverInfo: .init(name: "seqsh", version: SeqInterpreter.version)))
        case "initialized", "$/setTrace", "$/cancelRequest", "workspace/didChangeConfiguration", "textDocument/didSave":
            break
        case "shutdown":
            shutdownRequested = true
            send(id: id, Optional<Int>.none)
        case "exit":
            return shutdownRequested ? 0 : 1
        case "textDocument/didOpen":
            guard let p = params(DidOpenTextDocumentParams.self) else { return nil }
            update(p.textDocument.uri, text: p.textDocument.text, version: p.textDocument.version)
        case "textDocument/didChange":
            guard let p = params(DidChangeTextDocumentParams.self), let text = p.contentChanges.last?.text else { return nil }
            update(p.textDocument.uri, text: text, version: p.textDocument.version)
        case "textDocument/didClose":
            guard let p = params(DidCloseTextDocumentParams.self) else { return nil }
            documents[p.textDocument.uri] = nil
            write(NotificationMessage(method: "textDocument/publishDiagnostics",
                                      params: PublishDiagnosticsParams(uri: p.textDocument.uri, version: nil, diagnostics: [])))
        case "textDocument/hover":
            guard let p = params(TextDocumentPositionParams.self) else { return nil }
            send(id: id, hover(p))
        case "textDocument/completion":
            guard let p = params(TextDocumentPositionParams.self) else { return nil }
            send(id: id, completion(p))
        case "textDocument/definition":
            guard let p = params(TextDocumentPositionParams.self) else { return nil }
            send(id: id, definition(p))
        case "textDocument/documentSymbol":
            struct SymbolParams: Decodable { var textDocument: TextDocumentIdentifier }
            guard let p = params(SymbolParams.self) else { return nil }
            send(id: id, documentSymbols(p.textDocument.uri))
        default:
            if id != nil { sendError(id: id, code: ResponseError.methodNotFound, "'\(method)' is not supported") }
        }
        return nil
    }

    // MARK: - Documents and diagnostics

    private func update(_ uri: String, text: String, version: Int?) {
        let file = URL(string: uri)?.path ?? uri
        let report = interpreter.check(source: text, file: file)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let document = Document(text: text, version: version, lines: lines, report: report)
        documents[uri] = document
        let diagnostics = report.diagnostics.filter { $0.severity != .note }.map { d -> LSPDiagnostic in
            let range = lspRange(d.range, in: document)
            var related: [LSPDiagnostic.Related] = d.notes.map { .init(location: Location(uri: uri, range: range), message: "note: \($0)") }
            if let hint = d.hint { related.append(.init(location: Location(uri: uri, range: range), message: "hint: \(hint)")) }
            return LSPDiagnostic(range: range, severity: d.severity == .error ? 1 : 2, code: d.kind.rawValue,
                                 message: d.message, relatedInformation: related.isEmpty ? nil : related)
        }
        write(NotificationMessage(method: "textDocument/publishDiagnostics",
                                  params: PublishDiagnosticsParams(uri: uri, version: version, diagnostics: diagnostics)))
    }

    // MARK: - Positions

    /// A SeqLang range (1-based line, character column, length in characters on that line) as
    /// an LSP range (0-based, UTF-16 columns).
    private func lspRange(_ r: SourceRange, in doc: Document) -> Range {
        guard r.hasPosition else { return Range(start: Position(line: 0, character: 0), end: Position(line: 0, character: 0)) }
        let line = r.start.line - 1
        let text = line < doc.lines.count ? doc.lines[line] : ""
        let start = utf16Column(text, characters: r.start.column - 1)
        let end = utf16Column(text, characters: r.start.column - 1 + r.length)
        return Range(start: Position(line: line, character: start), end: Position(line: line, character: end))
    }

    private func utf16Column(_ line: Substring, characters: Int) -> Int {
        line.prefix(max(0, characters)).utf16.count
    }

    /// The 1-based character column of an LSP position on its line.
    private func characterColumn(_ p: Position, in doc: Document) -> (line: Substring, column: Int)? {
        guard p.line >= 0, p.line < doc.lines.count else { return nil }
        let line = doc.lines[p.line]
        var units = 0, column = 1
        for c in line {
            if units >= p.character { break }
            units += c.utf16.count
            column += 1
        }
        return (line, column)
    }

    /// The name under (or just before) the cursor and where it starts.
    private func word(at p: Position, in doc: Document) -> (text: String, column: Int)? {
        guard let (line, column) = characterColumn(p, in: doc) else { return nil }
        let chars = Array(line)
        func isName(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        var start = min(column - 1, chars.count), end = start
        while start > 0 && isName(chars[start - 1]) { start -= 1 }
        while end < chars.count && isName(chars[end]) { end += 1 }
        guard start < end else { return nil }
        return (String(chars[start..<end]), start + 1)
    }

    // MARK: - Features

    private func hover(_ p: TextDocumentPositionParams) -> Hover? {
        guard let doc = documents[p.textDocument.uri] else { return nil }
        // A name shows its type; a command keyword (or anything else on a layer line) the line's result.
        if let (name, column) = word(at: p.position, in: doc), !SeqInterpreter.isKeyword(name),
           let info = doc.report.name(name, at: SourceLocation(line: p.position.line + 1, column: column)) {
            let range = lspRange(SourceRange(file: "", line: p.position.line + 1, column: column, length: name.count), in: doc)
            return Hover(contents: .init(value: "`\(name)`: \(info.type)"), range: range)
        }
        if let fact = doc.report.fact(onLine: p.position.line + 1) {
            var text = "`\(fact.text)`"
            if let shape = fact.shape { text += "\n\noutput shape: `\(shape)`" }
            if let params = fact.parameters { text += "\n\nparameters: \(params.formatted())" }
            return Hover(contents: .init(value: text), range: lspRange(fact.range, in: doc))
        }
        return nil
    }

    private func completion(_ p: TextDocumentPositionParams) -> CompletionList {
        guard let doc = documents[p.textDocument.uri], let (line, column) = characterColumn(p.position, in: doc) else {
            return CompletionList(items: [])
        }
        // The interpreter's completion (the one seqsh's Tab uses), knowing the names the
        // checker found in the document up to this line.
        let known = doc.report.names.filter { $0.range.start.line <= p.position.line + 1 }
        let result = interpreter.completions(line: String(line), cursor: column - 1, known: known)
        let items = result.candidates.map { c -> CompletionItem in
            let kind: Int
            switch c.kind {
            case .keyword, .command: kind = 14  // Keyword
            case .form, .word: kind = 20        // EnumMember
            case .option: kind = 10             // Property
            case .member: kind = 5              // Field
            case .name: kind = 6                // Variable
            case .function: kind = 3            // Function
            }
            return CompletionItem(label: c.text, kind: kind, detail: c.detail)
        }
        return CompletionList(items: items)
    }

    private func definition(_ p: TextDocumentPositionParams) -> Location? {
        guard let doc = documents[p.textDocument.uri], let (name, column) = word(at: p.position, in: doc),
              let info = doc.report.name(name, at: SourceLocation(line: p.position.line + 1, column: column)),
              info.range.hasPosition else { return nil }
        return Location(uri: p.textDocument.uri, range: lspRange(info.range, in: doc))
    }

    private func documentSymbols(_ uri: String) -> [DocumentSymbol] {
        guard let doc = documents[uri] else { return [] }
        var result: [DocumentSymbol] = []
        for symbol in doc.report.symbols {
            let range = lspRange(symbol.range, in: doc)
            switch symbol.kind {
            case .model:
                result.append(DocumentSymbol(name: symbol.name, detail: symbol.detail, kind: 5, range: range, selectionRange: range, children: []))
            case .function:
                result.append(DocumentSymbol(name: symbol.name, detail: symbol.detail, kind: 12, range: range, selectionRange: range, children: nil))
            case .layer:
                let entry = DocumentSymbol(name: symbol.name, detail: symbol.detail, kind: 8, range: range, selectionRange: range, children: nil)
                if let i = result.lastIndex(where: { $0.kind == 5 && $0.name == symbol.parent }) {
                    result[i].children?.append(entry)
                } else {
                    result.append(entry)
                }
            }
        }
        return result
    }
}
