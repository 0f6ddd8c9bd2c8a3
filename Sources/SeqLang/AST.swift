// AST.swift — the syntax tree the parser builds and the interpreter walks.
//
// Every node keeps a source range: the place a diagnostic about it points to (an operator
// for a binary expression, the name for a call or a variable, the keyword for a statement).
// Command statements keep their arguments as a plain list; their meaning belongs to the
// handler registered for the keyword. An expression's parts live in a reference-counted node
// whose teardown is iterative, so freeing a 400,000-term sum does not recurse once per term
// (ExprChain.swift walks such chains without recursion too).

/// A binary operator.
package enum BinaryOp: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", power = "**"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case and, or
}

/// A unary operator.
package enum UnaryOp: String, Sendable {
    case negate = "-", not
}

/// An expression: what it is and where it was written.
package struct Expr: Sendable {
    package enum Kind: Sendable {
        case int(Int)
        case number(Double)
        case string(String)
        /// `"loss {x}"`: text pieces and expressions, in order.
        case interpolated([InterpolationPart])
        case bool(Bool)
        case none
        case variable(String)
        case list([Expr])
        case unary(UnaryOp, Expr)
        case binary(BinaryOp, Expr, Expr)
        case call(Expr, [Expr])
        case index(Expr, Expr)
        case member(Expr, String)
        /// `fn (a, b) { … }`: an anonymous function.
        case function(FunctionDecl)
    }

    fileprivate var node: ExprNode
    /// The place a diagnostic about this expression points to.
    package var range: SourceRange
    /// The whole expression's extent on its first line (used for command arguments).
    package var extent: SourceRange

    package init(_ kind: Kind, at range: SourceRange, extent: SourceRange? = nil) {
        self.node = ExprNode(kind)
        self.range = range
        self.extent = extent ?? range
    }

    /// What the expression is (a value type: setting it never changes another copy).
    package var kind: Kind {
        get { node.kind }
        set {
            if isKnownUniquelyReferenced(&node) {
                node.kind = newValue
            } else {
                node = ExprNode(newValue)
            }
        }
    }
}

/// The storage of one expression. Only an `Expr` that holds the sole reference mutates it, so
/// sharing it between threads is safe.
private final class ExprNode: @unchecked Sendable {
    var kind: Expr.Kind

    init(_ kind: Expr.Kind) { self.kind = kind }

    /// Frees the subtree with an explicit stack: each node whose last reference is here gives
    /// up its children before it is released, so no release recurses into a child.
    deinit {
        var pending = Expr.children(of: kind).map(\.node)
        kind = .none
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) {
                pending += Expr.children(of: node.kind).map(\.node)
                node.kind = .none
            }
        }
    }
}

/// One piece of an interpolated string.
package enum InterpolationPart: Sendable {
    case text(String)
    case expr(Expr)
}

/// A function's parameters and body: shared by `fn name(…) { }` and `fn (…) { }`.
package final class FunctionDecl: Sendable {
    package let name: String
    package let params: [String]
    package let paramRanges: [SourceRange]
    package let body: [Stmt]
    package let range: SourceRange

    package init(name: String, params: [String], paramRanges: [SourceRange], body: [Stmt], range: SourceRange) {
        self.name = name
        self.params = params
        self.paramRanges = paramRanges
        self.body = body
        self.range = range
    }
}

/// A statement: what it is and where it starts.
package struct Stmt: Sendable {
    package indirect enum Kind: Sendable {
        /// `let name = value`
        case `let`(String, Expr)
        /// `target = value`, `target += value` (`op` is nil for plain assignment).
        case assign(target: Expr, op: BinaryOp?, value: Expr)
        case expression(Expr)
        /// `if cond { } else if … { } else { }` — `orElse` holds the else branch (an `if` for `else if`).
        case `if`(Expr, [Stmt], orElse: [Stmt]?)
        case `for`(String, Expr, [Stmt])
        case `while`(Expr, [Stmt])
        case `break`
        case `continue`
        case `return`(Expr?)
        case function(FunctionDecl)
        /// `keyword arg arg …`
        case command(String, [Expr])
        /// `let name = keyword arg …`: binds the value a command statement gives (a training
        /// history, an evaluation record). The inner statement is always a `.command`.
        case letCommand(String, Stmt)
    }

    package var kind: Kind
    package var range: SourceRange

    package init(_ kind: Kind, at range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

/// A parsed file or snippet.
package struct Program: Sendable {
    package var statements: [Stmt]
    package init(statements: [Stmt]) { self.statements = statements }
}
