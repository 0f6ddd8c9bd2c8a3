// Scope.swift — lexical scopes: one per block and per function call, chained to their parent.
//
// Names live in the innermost scope that declared them (`let`, a parameter, a loop variable,
// a `fn` declaration). Lookups and assignments walk outward; the global scope has no parent.
// Values are stored in place so `xs[i] = v` mutates a list without copying it.

final class Scope {
    private(set) var values: [String: Value] = [:]
    let parent: Scope?

    init(parent: Scope?) {
        self.parent = parent
    }

    /// Binds `name` in this scope (shadowing any outer binding).
    func define(_ name: String, _ value: Value) {
        values[name] = value
    }

    /// The value of `name` here or in an enclosing scope.
    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let s = scope {
            if let v = s.values[name] { return v }
            scope = s.parent
        }
        return nil
    }

    /// Rebinds an existing `name` in the scope that owns it; false if it is not bound.
    func assign(_ name: String, _ value: Value) -> Bool {
        var scope: Scope? = self
        while let s = scope {
            if s.values[name] != nil {
                s.values[name] = value
                return true
            }
            scope = s.parent
        }
        return false
    }

    /// Runs `body` on the stored value of `name` in place; nil if `name` is not bound.
    func modify<R>(_ name: String, _ body: (inout Value) throws -> R) rethrows -> R? {
        var scope: Scope? = self
        while let s = scope {
            if s.values[name] != nil { return try body(&s.values[name]!) }
            scope = s.parent
        }
        return nil
    }

    /// Every name visible from here (for "did you mean" and completion).
    var visibleNames: [String] {
        var names: [String] = []
        var scope: Scope? = self
        while let s = scope {
            names += s.values.keys
            scope = s.parent
        }
        return names
    }

    /// Removes a binding from this scope (used by the embedding API).
    func remove(_ name: String) {
        values[name] = nil
    }

    /// Unbinds every name of this scope (an interpreter going away).
    func removeAll() {
        values.removeAll()
    }
}
