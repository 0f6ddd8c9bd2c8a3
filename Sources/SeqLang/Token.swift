// Token.swift — the tokens the lexer produces and the parser consumes, each with its place.
//
// A token carries its kind (with the literal value for numbers and strings), its exact
// spelling and its source range. Command keywords (`layer`, `train`, …) are ordinary
// identifiers here; the parser decides from the following token whether one starts a command.

/// One piece of a string literal: plain text, or the source of an interpolated `{expr}`.
package enum StringPart: Equatable, Sendable {
    case text(String)
    /// The text between `{` and `}` and where its first character sits in the file.
    case code(String, SourceRange)
}

/// What kind of token this is.
package enum TokenKind: Equatable, Sendable {
    case int(Int)
    case number(Double)
    case string([StringPart])
    case identifier(String)

    // Reserved words.
    case kwLet, kwFn, kwReturn, kwIf, kwElse, kwFor, kwIn, kwWhile, kwBreak, kwContinue
    case kwTrue, kwFalse, kwNone, kwAnd, kwOr, kwNot

    // Punctuation and operators.
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case comma, dot, colon
    case equal, plusEqual, minusEqual, starEqual, slashEqual
    case plus, minus, star, slash, percent, starStar
    case equalEqual, bangEqual, less, lessEqual, greater, greaterEqual

    /// The end of a statement (only emitted outside `()` and `[]`).
    case newline
    case eof
    /// A malformed token; the lexer has already reported it.
    case error
}

/// A token: its kind, its spelling in the source and where it is.
package struct Token: Equatable, Sendable {
    package var kind: TokenKind
    package var text: String
    package var range: SourceRange

    package init(_ kind: TokenKind, _ text: String, _ range: SourceRange) {
        self.kind = kind
        self.text = text
        self.range = range
    }

    /// The identifier's name, if this is an identifier.
    package var identifier: String? {
        if case .identifier(let name) = kind { return name }
        return nil
    }
}

/// The words of the language: reserved words, and the command keywords that start a
/// command statement (but may also be used as names).
package enum Keywords {
    /// Reserved words: never names.
    package static let reserved: [String: TokenKind] = [
        "let": .kwLet, "fn": .kwFn, "return": .kwReturn, "if": .kwIf, "else": .kwElse,
        "for": .kwFor, "in": .kwIn, "while": .kwWhile, "break": .kwBreak,
        "continue": .kwContinue, "true": .kwTrue, "false": .kwFalse, "none": .kwNone,
        "and": .kwAnd, "or": .kwOr, "not": .kwNot,
    ]

    /// Words that start a command statement `KEYWORD arg arg …` when not followed by
    /// `.`, `=`, `(`, `[` or a compound assignment.
    package static let commands: [String] = [
        "seed", "model", "input", "layer", "summary", "train", "evaluate", "predict",
        "generate", "save", "resume", "check", "plot", "export", "load",
    ]
}
