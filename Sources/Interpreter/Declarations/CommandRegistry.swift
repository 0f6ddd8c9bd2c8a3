// CommandRegistry.swift — where the statements of each folder (Data, Model, Training,
// Interchange) install their handlers and declarations; `SeqInterpreter` is the one registry.

import SeqLang

/// Where handlers are installed (the interpreter conforms; internal, the host registers through
/// `SeqInterpreter`'s own methods).
protocol CommandRegistry: AnyObject {
    func register(command keyword: String, handler: @escaping CommandHandler)
    /// Installs the handler of a command declared in `CommandTable`: its arguments are read
    /// against the declaration before the handler runs.
    func register(_ declaration: CommandDeclaration, handler: @escaping CommandHandler)
    /// A native function callable as `name(args…)` from scripts.
    func register(function name: String, handler: @escaping ([Value], CommandContext, SourceRange) throws -> Value)
}

extension CommandRegistry {
    /// A registry that does not read declarations installs the handler alone.
    func register(_ declaration: CommandDeclaration, handler: @escaping CommandHandler) {
        register(command: declaration.keyword, handler: handler)
    }
}
