// LSPMessages.swift — the Language Server Protocol 3.17 messages `seqsh lsp` speaks, as Codable
// types: the JSON-RPC envelope, positions and ranges (0-based lines, UTF-16 columns), and the
// parameters and results of each request and notification the server handles.

import Foundation

/// A JSON-RPC request id: a number or a string.
enum RequestID: Codable, Equatable {
    case int(Int)
    case string(String)

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) { self = .int(i) } else { self = .string(try c.decode(String.self)) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        }
    }
}

/// What every incoming message has: an id (requests), a method (requests and notifications).
struct IncomingEnvelope: Decodable {
    var jsonrpc: String?
    var id: RequestID?
    var method: String?
}

/// The parameters of a message, decoded once the method is known.
struct IncomingParams<P: Decodable>: Decodable {
    var params: P
}

/// A response: `result` or `error`, for the request with `id` (null when it could not be read).
struct ResponseMessage<R: Encodable>: Encodable {
    var jsonrpc = "2.0"
    var id: RequestID?
    var result: R?
    var error: ResponseError?

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(jsonrpc, forKey: .jsonrpc)
        if let id { try c.encode(id, forKey: .id) } else { try c.encodeNil(forKey: .id) }
        if let error { try c.encode(error, forKey: .error) } else if let result { try c.encode(result, forKey: .result) } else { try c.encodeNil(forKey: .result) }
    }

    enum CodingKeys: String, CodingKey { case jsonrpc, id, result, error }
}

struct ResponseError: Encodable {
    var code: Int
    var message: String

    static let parseError = -32700, invalidRequest = -32600, methodNotFound = -32601, invalidParams = -32602
    static let serverNotInitialized = -32002, invalidRequestAfterShutdown = -32600
}

struct NotificationMessage<P: Encodable>: Encodable {
    var jsonrpc = "2.0"
    var method: String
    var params: P
}

// MARK: - Basic structures

struct Position: Codable, Equatable {
    var line: Int
    var character: Int
}

struct Range: Codable, Equatable {
    var start: Position
    var end: Position
}

struct Location: Codable, Equatable {
    var uri: String
    var range: Range
}

struct TextDocumentIdentifier: Codable { var uri: String }

struct TextDocumentItem: Codable {
    var uri: String
    var languageId: String?
    var version: Int?
    var text: String
}

struct VersionedTextDocumentIdentifier: Codable {
    var uri: String
    var version: Int?
}

struct TextDocumentPositionParams: Codable {
    var textDocument: TextDocumentIdentifier
    var position: Position
}

// MARK: - Lifecycle

struct InitializeResult: Encodable {
    struct ServerInfo: Encodable { var name: String; var version: String }
    struct Capabilities: Encodable {
        /// 1: full text on every change.
        var textDocumentSync = 1
        var hoverProvider = true
        var definitionProvider = true
        var documentSymbolProvider = true
        var completionProvider = CompletionOptions()
        var positionEncoding = "utf-16"
    }
    struct CompletionOptions: Encodable { var triggerCharacters = [" ", "."] }
    var capabilities = Capabilities()
    var serverInfo: ServerInfo
}

// MARK: - Documents

struct DidOpenTextDocumentParams: Codable { var textDocument: TextDocumentItem }

struct DidChangeTextDocumentParams: Codable {
    struct Change: Codable { var text: String }
    var textDocument: VersionedTextDocumentIdentifier
    var contentChanges: [Change]
}

struct DidCloseTextDocumentParams: Codable { var textDocument: TextDocumentIdentifier }

struct PublishDiagnosticsParams: Encodable {
    var uri: String
    var version: Int?
    var diagnostics: [LSPDiagnostic]
}

struct LSPDiagnostic: Encodable {
    struct Related: Encodable {
        var location: Location
        var message: String
    }
    var range: Range
    /// 1 error, 2 warning, 3 information, 4 hint.
    var severity: Int
    /// The diagnostic kind (`name`, `shape`, `syntax`, …).
    var code: String
    var source = "seqlang"
    var message: String
    var relatedInformation: [Related]?
}

// MARK: - Language features

struct Hover: Encodable {
    struct Content: Encodable { var kind = "markdown"; var value: String }
    var contents: Content
    var range: Range?
}

struct CompletionItem: Encodable {
    /// 14 keyword, 3 function, 6 variable, 10 property (an option), 12 value (a layer kind).
    var label: String
    var kind: Int
    var detail: String?
}

struct CompletionList: Encodable {
    var isIncomplete = false
    var items: [CompletionItem]
}

struct DocumentSymbol: Encodable {
    var name: String
    var detail: String?
    /// 5 class (a model), 8 field (a layer), 12 function.
    var kind: Int
    var range: Range
    var selectionRange: Range
    var children: [DocumentSymbol]?
}
