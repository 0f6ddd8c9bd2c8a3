// Functions.swift — the two kinds of callable script values: functions written in SeqLang
// (closing over the scope they were declared in) and native functions (built-ins and
// functions the host registers).

import SeqLang

/// A function declared with `fn`, with the scope it closes over.
final class UserFunction: ScriptFunction {
    let declaration: FunctionDecl
    let closure: Scope

    init(_ declaration: FunctionDecl, closure: Scope) {
        self.declaration = declaration
        self.closure = closure
    }

    var name: String { declaration.name }
}

/// A function implemented in Swift: `(arguments, context, call site) throws -> Value`.
typealias NativeHandler = ([Value], CommandContext, SourceRange) throws -> Value

/// A built-in or host-registered function.
final class NativeFunction: ScriptFunction {
    let name: String
    let handler: NativeHandler

    init(_ name: String, _ handler: @escaping NativeHandler) {
        self.name = name
        self.handler = handler
    }
}
