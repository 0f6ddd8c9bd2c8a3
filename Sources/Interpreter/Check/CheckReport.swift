// CheckReport.swift — the public face of the static checker: `SeqInterpreter.check(source:file:)`
// and what it returns.
//
//     let report = SeqInterpreter().check(source: text, file: "main.seq")
//     for d in report.diagnostics { … }            // every independent error, each once
//     for f in report.facts { … }                  // each layer line: its output shape, params
//     report.names, report.symbols                  // for hover, completion, outline
//
// The checker reads the whole program without running it: no command runs for real, no data
// file is opened (paths are resolved, not read), no weight is allocated, nothing trains. Sizes
// known only from data are carried as names (`vocab.size`). It reports what it can prove;
// what depends on data is checked again when the script runs.

import Foundation
import SeqLang

/// What the checker found in one program.
public struct CheckReport: Sendable {
    /// Errors and warnings, in source order, each once.
    public var diagnostics: [Diagnostic]
    /// One entry per statement whose result the checker knows (each `layer`, `input`, `model`).
    public var facts: [StatementFact]
    /// Every name bound in the program: `let`, `fn`, parameters, loop variables, and the names
    /// command statements bind (`history`, the model's name).
    public var names: [NameInfo]
    /// Models (with their layers) and functions, in source order: an outline.
    public var symbols: [Symbol]

    /// The diagnostics of severity `.error`.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    /// The diagnostics of severity `.warning`.
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    /// True when there are no errors (there may be warnings).
    public var succeeded: Bool { errors.isEmpty }

    /// The name visible at `location` with this spelling: the latest definition at or before it.
    public func name(_ name: String, at location: SourceLocation) -> NameInfo? {
        names.last { $0.name == name && ($0.range.start.line < location.line
            || ($0.range.start.line == location.line && $0.range.start.column <= location.column)) }
            ?? names.first { $0.name == name }
    }

    /// The fact of the statement on `line`, if any.
    public func fact(onLine line: Int) -> StatementFact? {
        facts.first { $0.range.start.line == line }
    }
}

/// What the checker knows about one statement.
public struct StatementFact: Sendable {
    /// The statement's keyword: `layer`, `input`, `model`, `train`, …
    public var keyword: String
    /// From the keyword to the end of the statement's last argument.
    public var range: SourceRange
    /// The output shape with named axes, sizes from data by name: `[batch, time 3, class vocab.size]`.
    public var shape: String?
    /// The parameters the layer adds (nil when a size is known only from data).
    public var parameters: Int?
    /// One line as the REPL would show it: `layer lstm 128 -> [batch, time, feature 128]   99,328 params`.
    public var text: String
}

/// One bound name.
public struct NameInfo: Sendable {
    public var name: String
    /// Its type as a user reads it: `int`, `list of string`, `model`, `dataset [batch, time 3]`,
    /// `fn (a, b)`, `vocabulary (vocab.size symbols)`.
    public var type: String
    /// Where it is defined (the name in `let NAME`, `fn NAME`, the parameter, the statement).
    public var range: SourceRange
    /// True for globals; false inside a function or block.
    public var isGlobal: Bool
    /// The type name as `Value.typeName` spells it (`int`, `model`), nil when unknown.
    public var typeName: String? = nil
    /// Its members, as far as the type tells (a record's fields, a model's members): for
    /// completion after `NAME.`.
    public var members: [String] = []
}

/// An outline entry.
public struct Symbol: Sendable {
    public enum Kind: String, Sendable { case model, layer, function }
    public var kind: Kind
    public var name: String
    /// The statement or declaration.
    public var range: SourceRange
    /// `lstm 128 -> [batch, feature 128]`, `fn (a, b)`.
    public var detail: String
    /// The model a layer belongs to.
    public var parent: String?
}
