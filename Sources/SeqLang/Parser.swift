// Parser.swift — turns tokens into a `Program`, reporting every syntax error in one pass.
//
// A recursive-descent parser in the jlox style (`peek`/`advance`/`check`/`match`/`consume`);
// each parse function starts with the grammar rule it reads. Statements end at a newline, a
// `}` or the end of input. After an error the parser skips to the next line (or the closing
// brace) and carries on, so one run reports all syntax errors; `.error` tokens were already
// reported by the lexer and are skipped silently. An error at the end of input inside an open
// block or bracket is `.incompleteInput`, which the REPL answers with a continuation prompt.
// Binary operators are read by precedence climbing, so a bracket costs a handful of native
// frames whatever the precedence levels; nesting deeper than `Parser.maxDepth` (each bracket,
// call, index, block, `else if`, prefix `-`/`not`, `**` and interpolation counts one level) is
// a `.limit` diagnostic at the opening token, the construct is skipped and parsing goes on, so
// no input can overflow even a small thread stack.

package struct Parser {
    /// The deepest nesting of blocks and expressions the parser accepts.
    package static let maxDepth = 200

    private enum Failure: Error {
        /// A diagnostic was recorded (or the lexer already reported the token): resynchronise.
        case reported
    }

    private var tokens: [Token]
    private var current = 0
    private var depth: Int
    /// Loops and functions around the current statement (`break` needs a loop, `return` a function).
    private var loopDepth = 0
    private var functionDepth = 0
    private let file: String
    /// Problems found so far (lexer diagnostics first, then the parser's, in source order).
    package private(set) var diagnostics: [Diagnostic]

    /// A parser over `tokens`, with the diagnostics the lexer produced for them.
    package init(tokens: [Token], lexerDiagnostics: [Diagnostic] = [], depth: Int = 0) {
        self.tokens = tokens.isEmpty ? [Token(.eof, "", .none(file: "<string>"))] : tokens
        self.file = self.tokens[0].range.file
        self.diagnostics = lexerDiagnostics
        self.depth = depth
    }

    /// Lexes and parses `source`: the program (statements that parsed) and all diagnostics.
    /// Runs on a thread with `DeepStack.parserStack` bytes of stack (in place on one that has
    /// them), so the deepest nesting the parser accepts fits whatever thread calls it.
    package static func parse(_ source: String, file: String) -> (program: Program, diagnostics: [Diagnostic]) {
        var program = Program(statements: [])
        var diagnostics: [Diagnostic] = []
        DeepStack.run(bytes: DeepStack.parserStack) {
            let (tokens, lexed) = Lexer.tokenize(source, file: file)
            var parser = Parser(tokens: tokens, lexerDiagnostics: lexed)
            program = parser.parseProgram()
            diagnostics = parser.diagnostics
        }
        let sorted = diagnostics.enumerated().sorted { a, b in
            let (x, y) = (a.element.range.start, b.element.range.start)
            return (x.line, x.column, a.offset) < (y.line, y.column, b.offset)
        }.map(\.element)
        return (program, sorted)
    }

    // MARK: - Statements

    /// program -> (statement? NEWLINE)* statement? EOF
    package mutating func parseProgram() -> Program {
        var statements: [Stmt] = []
        while true {
            skipNewlines()
            if isAtEnd { break }
            if check(.rightBrace) {
                record(.syntax, at: peek.range, "unexpected '}': there is no open block to close",
                       hint: "remove it, or check the '{' it was meant to close")
                advance()
                continue
            }
            if let s = statementRecovering() { statements.append(s) }
        }
        return Program(statements: statements)
    }

    /// Parses one statement; on a syntax error, records it and skips to the next line.
    private mutating func statementRecovering() -> Stmt? {
        do {
            let s = try statement()
            try endOfStatement()
            return s
        } catch {
            synchronize()
            return nil
        }
    }

    /// statement -> letStmt | fnDecl | ifStmt | forStmt | whileStmt | returnStmt
    ///            | "break" | "continue" | command | assignment
    private mutating func statement() throws(Failure) -> Stmt {
        let token = peek
        switch token.kind {
        case .kwLet: return try letStatement()
        case .kwFn where peekNext.identifier != nil: return try functionDeclaration()
        case .kwIf: return try ifStatement()
        case .kwFor: return try forStatement()
        case .kwWhile: return try whileStatement()
        case .kwReturn: return try returnStatement()
        case .kwBreak, .kwContinue:
            advance()
            if loopDepth == 0 {
                record(.syntax, at: token.range, "'\(token.text)' outside a loop: expected it inside a 'for' or 'while' body")
                throw .reported
            }
            return Stmt(token.kind == .kwBreak ? .break : .continue, at: token.range)
        case .identifier(let name) where Keywords.commands.contains(name) && startsCommand:
            return try command()
        default:
            return try assignment()
        }
    }

    /// A command keyword starts a command unless it is used as a name (`model.params`, `input = 3`,
    /// `predict(x)`, `layer[0]`). A bracket after a space starts an argument: `predict [1, 2]`.
    private var startsCommand: Bool {
        switch peekNext.kind {
        case .dot, .equal, .plusEqual, .minusEqual, .starEqual, .slashEqual:
            return false
        case .leftParen, .leftBracket:
            let (word, next) = (peek.range, peekNext.range)
            return !(word.start.line == next.start.line && word.start.column + word.length == next.start.column)
        default:
            return true
        }
    }

    /// letStmt -> "let" IDENT "=" (command | expr)
    private mutating func letStatement() throws(Failure) -> Stmt {
        let keyword = advance()
        let name = try consumeIdentifier("a name after 'let'")
        try consume(.equal, "'=' after 'let \(name.text)'")
        if case .identifier(let word) = peek.kind, Keywords.commands.contains(word), startsCommand {
            let statement = try command()
            return Stmt(.letCommand(name.text, statement), at: span(keyword.range, name.range))
        }
        let value = try expression()
        return Stmt(.let(name.text, value), at: span(keyword.range, name.range))
    }

    /// fnDecl -> "fn" IDENT "(" params? ")" block
    private mutating func functionDeclaration() throws(Failure) -> Stmt {
        let keyword = advance()
        let name = try consumeIdentifier("a function name after 'fn'")
        let decl = try functionRest(name: name.text, range: name.range, keyword: keyword)
        return Stmt(.function(decl), at: span(keyword.range, name.range))
    }

    /// params -> "(" (IDENT ("," IDENT)* ","?)? ")" ; then the body block
    private mutating func functionRest(name: String, range: SourceRange, keyword: Token) throws(Failure) -> FunctionDecl {
        let open = try consume(.leftParen, "'(' to start the parameter list of '\(name)'")
        var params: [String] = []
        var ranges: [SourceRange] = []
        while !check(.rightParen) {
            let p = try consumeIdentifier("a parameter name")
            if let i = params.firstIndex(of: p.text) {
                record(.syntax, at: p.range, "duplicate parameter '\(p.text)' in function '\(name)'",
                       notes: ["first declared at \(ranges[i].start)"])
                throw .reported
            }
            params.append(p.text)
            ranges.append(p.range)
            if !match(.comma) { break }
        }
        try consume(.rightParen, "')' to close the parameter list opened at \(open.range.start)")
        let (savedLoops, savedFunctions) = (loopDepth, functionDepth)
        (loopDepth, functionDepth) = (0, functionDepth + 1)
        defer { (loopDepth, functionDepth) = (savedLoops, savedFunctions) }
        let body = try block(after: "the parameters of '\(name)'")
        return FunctionDecl(name: name, params: params, paramRanges: ranges, body: body, range: range)
    }

    /// ifStmt -> "if" expr block ("else" (ifStmt | block))?
    private mutating func ifStatement() throws(Failure) -> Stmt {
        let keyword = advance()
        let condition = try expression()
        let then = try block(after: "the 'if' condition")
        var orElse: [Stmt]? = nil
        if matchElse() {
            if check(.kwIf) {
                try enter(tokens[current - 1])
                defer { depth -= 1 }
                orElse = [try ifStatement()]
            } else {
                orElse = try block(after: "'else'")
            }
        }
        return Stmt(.if(condition, then, orElse: orElse), at: keyword.range)
    }

    /// `else` may follow the `}` on the same line or start the next line.
    private mutating func matchElse() -> Bool {
        var i = current
        while tokens[i].kind == .newline { i += 1 }
        guard tokens[i].kind == .kwElse else { return false }
        current = i + 1
        return true
    }

    /// forStmt -> "for" IDENT "in" expr block
    private mutating func forStatement() throws(Failure) -> Stmt {
        let keyword = advance()
        let name = try consumeIdentifier("a loop variable name after 'for'")
        try consume(.kwIn, "'in' after 'for \(name.text)'")
        let sequence = try expression()
        loopDepth += 1
        defer { loopDepth -= 1 }
        let body = try block(after: "the 'for' sequence")
        return Stmt(.for(name.text, sequence, body), at: keyword.range)
    }

    /// whileStmt -> "while" expr block
    private mutating func whileStatement() throws(Failure) -> Stmt {
        let keyword = advance()
        let condition = try expression()
        loopDepth += 1
        defer { loopDepth -= 1 }
        let body = try block(after: "the 'while' condition")
        return Stmt(.while(condition, body), at: keyword.range)
    }

    /// returnStmt -> "return" expr?
    private mutating func returnStatement() throws(Failure) -> Stmt {
        let keyword = advance()
        if functionDepth == 0 {
            record(.syntax, at: keyword.range, "'return' outside a function: expected it inside a 'fn' body")
            throw .reported
        }
        if atStatementEnd { return Stmt(.return(nil), at: keyword.range) }
        return Stmt(.return(try expression()), at: keyword.range)
    }

    /// command -> COMMAND_WORD commandArg*
    private mutating func command() throws(Failure) -> Stmt {
        let keyword = advance()
        var args: [Expr] = []
        while !atStatementEnd {
            args.append(try commandArgument())
        }
        return Stmt(.command(keyword.text, args), at: keyword.range)
    }

    /// commandArg -> "-" commandArg | postfix      (binary operators only inside parentheses)
    private mutating func commandArgument() throws(Failure) -> Expr {
        if check(.minus) {
            let minus = advance()
            try enter(minus)
            defer { depth -= 1 }
            let operand = try commandArgument()
            return negate(operand, minus: minus)
        }
        if check(.kwNot) {
            let token = advance()
            try enter(token)
            defer { depth -= 1 }
            let operand = try commandArgument()
            return Expr(.unary(.not, operand), at: token.range, extent: span(token.range, operand.extent))
        }
        return try postfix(inCommand: true)
    }

    /// assignment -> expr (("=" | "+=" | "-=" | "*=" | "/=") expr)?
    private mutating func assignment() throws(Failure) -> Stmt {
        let target = try expression()
        let op: BinaryOp?
        switch peek.kind {
        case .equal: op = nil
        case .plusEqual: op = .add
        case .minusEqual: op = .subtract
        case .starEqual: op = .multiply
        case .slashEqual: op = .divide
        default: return Stmt(.expression(target), at: target.range)
        }
        let equals = advance()
        switch target.kind {
        case .variable, .index: break
        default:
            record(.syntax, at: target.extent, "cannot assign to this expression: expected a name or an indexed name (x or x[i]) before '\(equals.text)'")
            throw .reported
        }
        if case .index(let base, _) = target.kind, !isAssignableBase(base) {
            record(.syntax, at: target.extent, "cannot assign to this expression: expected a name or an indexed name (x or x[i]) before '\(equals.text)'")
            throw .reported
        }
        let value = try expression()
        return Stmt(.assign(target: target, op: op, value: value), at: equals.range)
    }

    private func isAssignableBase(_ e: Expr) -> Bool {
        var e = e
        while case .index(let base, _) = e.kind { e = base }
        if case .variable = e.kind { return true }
        return false
    }

    /// block -> "{" (statement? NEWLINE)* statement? "}"
    private mutating func block(after what: String) throws(Failure) -> [Stmt] {
        let open = try consume(.leftBrace, "'{' to start a block after \(what)")
        try enter(open)
        defer { depth -= 1 }
        var statements: [Stmt] = []
        var exit: Stmt? = nil
        while true {
            skipNewlines()
            if match(.rightBrace) { return statements }
            if isAtEnd {
                report(expected: "'}' to close the block opened at \(open.range.start)")
                throw .reported
            }
            guard let s = statementRecovering() else { continue }
            if let exit {
                diagnostics.append(.warning(at: s.range, "this statement never runs: it follows the '\(exit.keyword)' at \(exit.range.start)",
                                            hint: "remove it or move it before the '\(exit.keyword)'"))
            }
            switch s.kind {
            case .return, .break, .continue: exit = exit ?? s
            default: break
            }
            statements.append(s)
        }
    }

    // MARK: - Expressions

    /// expr -> binary(or)
    ///
    /// `opener` is the bracket the expression sits in, which counts one level of nesting.
    private mutating func expression(in opener: Token? = nil) throws(Failure) -> Expr {
        guard let opener else { return try binary(.or) }
        try enter(opener)
        defer { depth -= 1 }
        return try binary(.or)
    }

    /// The binary operators' precedence levels, loosest first; `not` is a prefix operator
    /// between `and` and the comparisons (`not a == b` is `not (a == b)`).
    private enum Level: Int, Comparable {
        case or, and, not, comparison, sum, product
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var tighter: Level? { Level(rawValue: rawValue + 1) }
    }

    /// or -> and ("or" and)* ; and -> not ("and" not)* ; not -> "not" not | comparison ;
    /// comparison -> sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)? ;
    /// sum -> product (("+" | "-") product)* ; product -> unary (("*" | "/" | "%") unary)*
    ///
    /// Precedence climbing: the operators of `level` and tighter, left-associative, read in a
    /// loop; the right operand recurses only into a tighter level.
    private mutating func binary(_ level: Level) throws(Failure) -> Expr {
        var left: Expr
        if level <= .not && check(.kwNot) {
            let op = advance()
            try enter(op)
            defer { depth -= 1 }
            let operand = try binary(.not)
            left = Expr(.unary(.not, operand), at: op.range, extent: span(op.range, operand.extent))
        } else {
            left = try unary()
        }
        while let (op, opLevel) = binaryOperator(peek.kind), opLevel >= level {
            let token = advance()
            let right: Expr
            if let tighter = opLevel.tighter { right = try binary(tighter) } else { right = try unary() }
            if opLevel == .comparison, binaryOperator(peek.kind)?.level == .comparison {
                record(.syntax, at: peek.range, "comparisons do not chain: found '\(peek.text)' after '\(token.text)'",
                       hint: "combine them with 'and', e.g. 'a < b and b < c'")
                throw .reported
            }
            left = Expr(.binary(op, left, right), at: token.range, extent: span(left.extent, right.extent))
        }
        return left
    }

    private func binaryOperator(_ kind: TokenKind) -> (op: BinaryOp, level: Level)? {
        switch kind {
        case .kwOr: return (.or, .or)
        case .kwAnd: return (.and, .and)
        case .equalEqual: return (.equal, .comparison)
        case .bangEqual: return (.notEqual, .comparison)
        case .less: return (.less, .comparison)
        case .lessEqual: return (.lessEqual, .comparison)
        case .greater: return (.greater, .comparison)
        case .greaterEqual: return (.greaterEqual, .comparison)
        case .plus: return (.add, .sum)
        case .minus: return (.subtract, .sum)
        case .star: return (.multiply, .product)
        case .slash: return (.divide, .product)
        case .percent: return (.remainder, .product)
        default: return nil
        }
    }

    /// unary -> "-" unary | postfix ("**" unary)?     (`**` is right-associative and binds
    /// tighter than a leading minus: `-2 ** 2` is -4, `2 ** 3 ** 2` is 2 ** 9)
    private mutating func unary() throws(Failure) -> Expr {
        if check(.minus) {
            let minus = advance()
            try enter(minus)
            defer { depth -= 1 }
            let operand = try unary()
            return negate(operand, minus: minus)
        }
        let base = try postfix()
        guard check(.starStar) else { return base }
        let op = advance()
        try enter(op)
        defer { depth -= 1 }
        let exponent = try unary()
        return Expr(.binary(.power, base, exponent), at: op.range, extent: span(base.extent, exponent.extent))
    }

    /// A leading minus on a number literal is part of the literal (`-0.5`).
    private func negate(_ operand: Expr, minus: Token) -> Expr {
        let extent = span(minus.range, operand.extent)
        let adjacent = minus.range.start.line == operand.range.start.line
            && minus.range.start.column + 1 == operand.range.start.column
        switch operand.kind {
        case .int(let v) where adjacent && operand.range == operand.extent:
            return Expr(.int(-v), at: extent, extent: extent)
        case .number(let v) where adjacent && operand.range == operand.extent:
            return Expr(.number(-v), at: extent, extent: extent)
        default:
            return Expr(.unary(.negate, operand), at: minus.range, extent: extent)
        }
    }

    /// postfix -> primary ("(" arguments? ")" | "[" expr "]" | "." IDENT)*
    ///
    /// In a command argument a call's `(` or an index's `[` must touch what precedes it:
    /// `layer dense 1 (a + b)` has two arguments, `sizes[0]` and `f(2)` one each.
    private mutating func postfix(inCommand: Bool = false) throws(Failure) -> Expr {
        var e = try primary()
        while true {
            if inCommand && (check(.leftParen) || check(.leftBracket)) && !touchesPrevious {
                return e
            }
            if check(.leftParen) {
                let open = advance()
                var args: [Expr] = []
                while !check(.rightParen) {
                    args.append(try expression(in: open))
                    if !match(.comma) { break }
                }
                let close = try consume(.rightParen, "')' to close the call opened at \(open.range.start)")
                e = Expr(.call(e, args), at: e.range, extent: span(e.extent, close.range))
            } else if check(.leftBracket) {
                let open = advance()
                let index = try expression(in: open)
                let close = try consume(.rightBracket, "']' to close the index opened at \(open.range.start)")
                e = Expr(.index(e, index), at: span(open.range, close.range), extent: span(e.extent, close.range))
            } else if check(.dot) {
                advance()
                let name = try consumeIdentifier("a member name after '.'")
                e = Expr(.member(e, name.text), at: name.range, extent: span(e.extent, name.range))
            } else {
                return e
            }
        }
    }

    /// primary -> INT | NUMBER | STRING | "true" | "false" | "none" | IDENT
    ///          | "[" (expr ("," expr)* ","?)? "]" | "(" expr ")" | "fn" params block
    private mutating func primary() throws(Failure) -> Expr {
        let token = peek
        switch token.kind {
        case .int(let v):
            advance()
            return Expr(.int(v), at: token.range)
        case .number(let v):
            advance()
            return Expr(.number(v), at: token.range)
        case .string(let parts):
            advance()
            return try stringLiteral(parts, token: token)
        case .kwTrue, .kwFalse:
            advance()
            return Expr(.bool(token.kind == .kwTrue), at: token.range)
        case .kwNone:
            advance()
            return Expr(.none, at: token.range)
        case .identifier(let name):
            advance()
            return Expr(.variable(name), at: token.range)
        case .leftBracket:
            advance()
            var elements: [Expr] = []
            while !check(.rightBracket) {
                elements.append(try expression(in: token))
                if !match(.comma) { break }
            }
            let close = try consume(.rightBracket, "']' or ',' in the list opened at \(token.range.start)")
            return Expr(.list(elements), at: token.range, extent: span(token.range, close.range))
        case .leftParen:
            advance()
            let inner = try expression(in: token)
            let close = try consume(.rightParen, "')' to close the '(' at \(token.range.start)")
            return Expr(inner.kind, at: inner.range, extent: span(token.range, close.range))
        case .kwFn:
            advance()
            let decl = try functionRest(name: "<anonymous>", range: token.range, keyword: token)
            return Expr(.function(decl), at: token.range)
        default:
            report(expected: "an expression")
            throw .reported
        }
    }

    /// Parses the `{expr}` pieces of a string literal with a lexer placed at their position.
    private mutating func stringLiteral(_ parts: [StringPart], token: Token) throws(Failure) -> Expr {
        if parts.count == 1, case .text(let s) = parts[0] { return Expr(.string(s), at: token.range) }
        var pieces: [InterpolationPart] = []
        var failed = false
        for part in parts {
            switch part {
            case .text(let s):
                pieces.append(.text(s))
            case .code(let code, let range):
                try enter(token)
                defer { depth -= 1 }
                var lexer = Lexer(code, file: range.file, line: range.start.line, column: range.start.column)
                let tokens = lexer.tokenize().filter { $0.kind != .newline }
                var sub = Parser(tokens: tokens, lexerDiagnostics: lexer.diagnostics, depth: depth)
                do {
                    let e = try sub.expression()
                    if !sub.isAtEnd {
                        sub.report(expected: "'}' to end the interpolated expression")
                        failed = true
                    }
                    pieces.append(.expr(e))
                } catch {
                    failed = true
                }
                diagnostics += sub.diagnostics
            }
        }
        if failed { throw .reported }
        return Expr(.interpolated(pieces), at: token.range)
    }

    // MARK: - Helpers

    private var peek: Token { tokens[current] }
    /// True when the current token starts right where the previous one ended.
    private var touchesPrevious: Bool {
        guard current > 0 else { return false }
        let (a, b) = (tokens[current - 1].range, peek.range)
        return a.start.line == b.start.line && a.start.column + a.length == b.start.column
    }
    private var peekNext: Token { tokens[min(current + 1, tokens.count - 1)] }
    private var isAtEnd: Bool { peek.kind == .eof }
    private var atStatementEnd: Bool { check(.newline) || check(.rightBrace) || isAtEnd }

    private func check(_ kind: TokenKind) -> Bool { peek.kind == kind }

    @discardableResult
    private mutating func advance() -> Token {
        let t = tokens[current]
        if t.kind != .eof { current += 1 }
        return t
    }

    private mutating func match(_ kind: TokenKind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    @discardableResult
    private mutating func consume(_ kind: TokenKind, _ expected: String) throws(Failure) -> Token {
        if check(kind) { return advance() }
        report(expected: expected)
        throw .reported
    }

    private mutating func consumeIdentifier(_ expected: String) throws(Failure) -> Token {
        if peek.identifier != nil { return advance() }
        if case .error = peek.kind {} else if Keywords.reserved[peek.text] != nil {
            record(.syntax, at: peek.range, "expected \(expected) but found the reserved word '\(peek.text)'",
                   hint: "'\(peek.text)' cannot be used as a name")
            throw .reported
        }
        report(expected: expected)
        throw .reported
    }

    private mutating func skipNewlines() {
        while check(.newline) { advance() }
    }

    /// After a statement: a newline, a `}` (left for the block) or the end of input.
    private mutating func endOfStatement() throws(Failure) {
        if match(.newline) || check(.rightBrace) || isAtEnd { return }
        report(expected: "a new line after the statement")
        throw .reported
    }

    /// Skips to the start of the next line, or to a `}` that may close the current block.
    private mutating func synchronize() {
        while !isAtEnd {
            if match(.newline) { return }
            if check(.rightBrace) { return }
            advance()
        }
    }

    /// Counts the level of nesting `opener` (already read) starts. Past `maxDepth` it records
    /// a `.limit` diagnostic at the opener, skips what the opener started (a bracket or block
    /// to its closer, an `else if` chain to its end; the statement's line is skipped by the
    /// caller's recovery) and fails, so the parser goes on after the construct.
    private mutating func enter(_ opener: Token) throws(Failure) {
        guard depth < Parser.maxDepth else {
            let what = opener.kind == .leftBrace || opener.kind == .kwElse ? "blocks" : "expressions"
            record(.limit, at: opener.range, "\(what) nested more than \(Parser.maxDepth) deep",
                   hint: "split the expression with 'let' or move nested blocks into functions")
            switch opener.kind {
            case .leftParen, .leftBracket, .leftBrace:
                skipToCloser(ofOpen: 1)
                if opener.kind == .leftBrace { skipElseParts() }
            case .kwElse:
                skipToCloser(ofOpen: 0)
                skipElseParts()
            default:
                break
            }
            throw .reported
        }
        depth += 1
    }

    /// Skips tokens until `open` brackets (plus any opened on the way) are closed: with
    /// `open` 0, through the first `{ … }` block.
    private mutating func skipToCloser(ofOpen open: Int) {
        var open = open
        var sawBlock = open > 0
        while !isAtEnd {
            switch advance().kind {
            case .leftParen, .leftBracket: open += 1
            case .leftBrace: open += 1; sawBlock = true
            case .rightParen, .rightBracket, .rightBrace: open -= 1
            default: break
            }
            if open <= 0 && sawBlock { return }
        }
    }

    /// Skips `else if … { … }` and `else { … }` parts after a skipped block.
    private mutating func skipElseParts() {
        while matchElse() { skipToCloser(ofOpen: 0) }
    }

    /// Reports "expected X but found Y" at the current token. Error tokens were reported by the
    /// lexer; at the end of input inside an open construct this is `.incompleteInput`.
    private mutating func report(expected: String) {
        let token = peek
        switch token.kind {
        case .error:
            return
        case .eof:
            record(.incompleteInput, at: token.range, "expected \(expected) but the input ended")
        default:
            record(.syntax, at: token.range, "expected \(expected) but found \(describe(token))")
        }
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .newline: return "the end of the line"
        case .eof: return "the end of input"
        case .string: return "a string"
        case .int, .number: return "the number '\(token.text)'"
        case .identifier: return "the name '\(token.text)'"
        default: return "'\(token.text)'"
        }
    }

    private mutating func record(_ kind: Diagnostic.Kind, at range: SourceRange, _ message: String,
                                 hint: String? = nil, notes: [String] = []) {
        diagnostics.append(.error(kind, at: range, message, hint: hint, notes: notes))
    }

    /// A range from the start of `a` to the end of `b` when both are on one line; else `a`.
    private func span(_ a: SourceRange, _ b: SourceRange) -> SourceRange {
        guard a.start.line == b.start.line, b.start.column >= a.start.column else { return a }
        return SourceRange(file: a.file, start: a.start, length: b.start.column + b.length - a.start.column)
    }
}

extension Stmt {
    /// The keyword of a `return`, `break` or `continue` (for messages).
    fileprivate var keyword: String {
        switch kind {
        case .return: return "return"
        case .break: return "break"
        case .continue: return "continue"
        default: return "statement"
        }
    }
}
