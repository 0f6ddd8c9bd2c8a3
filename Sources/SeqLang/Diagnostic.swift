// Diagnostic.swift — the one error/warning type of every SeqLang phase, and its renderer.
//
// Lexer, parser, interpreter, shape checker, trainer and file loaders all report problems as
// `Diagnostic` values: a severity, a source range, a message that says what was expected and
// what was found, optional notes and a hint. `Diagnostic.render(sources:)` is the only place
// that turns one into text (`file:line:col: error: message`, the source line, a caret).

/// A position in a source file. Lines and columns count from 1; columns count characters.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// A span of source text: where it starts and how many characters it covers on that line.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    /// The file name as the user should see it (`"<repl>"`, `"<string>"` for snippets).
    public var file: String
    public var start: SourceLocation
    /// Length in characters on the start line (at least 1 for the caret).
    public var length: Int

    public init(file: String, start: SourceLocation, length: Int = 1) {
        self.file = file
        self.start = start
        self.length = max(1, length)
    }

    public init(file: String, line: Int, column: Int, length: Int = 1) {
        self.init(file: file, start: SourceLocation(line: line, column: column), length: length)
    }

    /// A range for problems that have no place in a script (a file on disk, the command line).
    public static func none(file: String) -> SourceRange {
        SourceRange(file: file, line: 0, column: 0, length: 1)
    }

    public var hasPosition: Bool { start.line > 0 }
    public var description: String { hasPosition ? "\(file):\(start)" : file }
}

/// One problem found in a script or its data.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }

    /// What phase or kind of problem this is; tools (the REPL) branch on it, never on text.
    public enum Kind: String, Sendable {
        case lexical, syntax, name, type, shape, runtime, io
        /// The input ended inside an unfinished block, list or call: a REPL asks for more.
        case incompleteInput
        case limit, cancelled, warning
    }

    public var severity: Severity
    public var kind: Kind
    public var range: SourceRange
    public var message: String
    public var notes: [String]
    public var hint: String?

    public init(_ severity: Severity = .error, kind: Kind, at range: SourceRange, _ message: String,
                notes: [String] = [], hint: String? = nil) {
        self.severity = severity
        self.kind = kind
        self.range = range
        self.message = message
        self.notes = notes
        self.hint = hint
    }

    public static func error(_ kind: Kind, at range: SourceRange, _ message: String,
                             hint: String? = nil, notes: [String] = []) -> Diagnostic {
        Diagnostic(.error, kind: kind, at: range, message, notes: notes, hint: hint)
    }

    public static func warning(at range: SourceRange, _ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(.warning, kind: .warning, at: range, message, hint: hint)
    }

    /// `file:line:col: error: message` — the first line of the rendering.
    public var description: String { "\(range): \(severity.rawValue): \(message)" }

    /// The full rendering: the header line, the offending source line with a caret under the
    /// range, then notes and the hint. `source` is the text of `range.file`, if known.
    public func render(source: String?, color: Bool = false) -> String {
        var out = ""
        let sev = severity.rawValue
        let colored = color ? (severity == .error ? "\u{1B}[1;31m\(sev)\u{1B}[0m" : "\u{1B}[1;35m\(sev)\u{1B}[0m") : sev
        out += "\(range): \(colored): \(message)\n"
        if range.hasPosition, let source, let line = Diagnostic.line(range.start.line, of: source) {
            let shown = line.replacingTabs()
            out += "  \(shown)\n"
            let pad = String(repeating: " ", count: max(0, range.start.column - 1))
            let maxLen = max(1, min(range.length, max(1, shown.count - range.start.column + 1)))
            out += "  \(pad)^\(String(repeating: "~", count: maxLen - 1))\n"
        }
        for note in notes { out += "  note: \(note)\n" }
        if let hint { out += "  hint: \(hint)\n" }
        return out
    }

    /// Line `n` (1-based) of `text`, without its line terminator.
    static func line(_ n: Int, of text: String) -> String? {
        guard n >= 1 else { return nil }
        var current = 1
        var lineStart = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == "\n" {
                if current == n { return String(text[lineStart..<i]).trimmingCR() }
                current += 1
                lineStart = text.index(after: i)
            }
            i = text.index(after: i)
        }
        return current == n ? String(text[lineStart...]).trimmingCR() : nil
    }
}

extension String {
    fileprivate func replacingTabs() -> String { String(map { $0 == "\t" ? " " : $0 }) }
    fileprivate func trimmingCR() -> String { hasSuffix("\r") ? String(dropLast()) : self }
}

/// Several diagnostics thrown together (a parse that found more than one error).
public struct DiagnosticList: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
