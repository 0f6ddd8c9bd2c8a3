// ExprChain.swift — walking expressions without native recursion per term.
//
// Left-associative operators and postfix operations build left-leaning trees: the sum
// `1 + 1 + … + 1` nests 400,000 binary nodes down its left side, `a.b.c(1)[0]` nests member,
// call and index nodes. Anything that walks such a tree recursively (an evaluator, a checker,
// an editor's lookup) overflows its stack on a long chain. These helpers walk the left spine
// with a loop instead: `foldLeftSpine` for bottom-up passes that compute a value per node
// (evaluation, type inference), `forEachNode` for visits in source order (find the name
// under a cursor, collect names). The right operands of a chain are ordinary subtrees whose
// nesting the parser bounds (`Parser.maxDepth`), so a walker may recurse into them.

extension Expr {
    /// The left operand of a binary expression, the callee of a call, the base of an index or
    /// member: the child a chain continues through. Nil for every other kind.
    package var chainBase: Expr? {
        switch kind {
        case .binary(_, let left, _): return left
        case .call(let callee, _): return callee
        case .index(let base, _): return base
        case .member(let base, _): return base
        default: return nil
        }
    }

    /// The left spine: the innermost expression that does not continue the chain, and the
    /// chain's nodes above it, innermost first (`1 + 2 + 3` gives `1`, then `1 + 2`, then
    /// `(1 + 2) + 3`).
    package var leftSpine: (base: Expr, links: [Expr]) {
        var links: [Expr] = []
        var e = self
        while let inner = e.chainBase {
            links.append(e)
            e = inner
        }
        return (e, links.reversed())
    }

    /// Computes a result bottom-up along the left spine without recursing per link: `leaf`
    /// gives the result of the spine's base, then `link` combines the result so far (the
    /// value of the node's `chainBase`) with each node above it, innermost first.
    package func foldLeftSpine<T>(leaf: (Expr) throws -> T, link: (T, Expr) throws -> T) rethrows -> T {
        guard let base = chainBase else { return try leaf(self) }
        if base.chainBase == nil { return try link(try leaf(base), self) }
        let (bottom, links) = leftSpine
        var result = try leaf(bottom)
        for node in links { result = try link(result, node) }
        return result
    }

    /// The expressions directly inside this one, in source order (a function literal's body
    /// holds statements, not subexpressions, and is not included).
    package var children: [Expr] { Expr.children(of: kind) }

    /// The expressions directly inside an expression of this kind, in source order.
    package static func children(of kind: Kind) -> [Expr] {
        switch kind {
        case .int, .number, .string, .bool, .none, .variable, .function: return []
        case .interpolated(let parts):
            return parts.compactMap { if case .expr(let e) = $0 { return e } else { return nil } }
        case .list(let elements): return elements
        case .unary(_, let operand): return [operand]
        case .binary(_, let l, let r): return [l, r]
        case .call(let callee, let args): return [callee] + args
        case .index(let base, let key): return [base, key]
        case .member(let base, _): return [base]
        }
    }

    /// Visits this expression and every expression inside it, each before its children and
    /// children in source order, with an explicit stack (no recursion at any depth).
    /// `body` returns false to skip a node's children.
    package func forEachNode(_ body: (Expr) throws -> Bool) rethrows {
        var pending = [self]
        while let e = pending.popLast() {
            if try body(e) { pending += e.children.reversed() }
        }
    }
}
