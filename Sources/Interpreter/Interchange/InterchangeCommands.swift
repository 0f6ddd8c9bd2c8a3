// InterchangeCommands.swift — the ONNX statements (declared in CommandTable as `export onnx`
// and the `onnx` form of `load`).
//
//     export onnx [MODEL] PATH     the model (the current one by default) as an ONNX graph
//     load onnx PATH               an ONNX graph as a new model, made current and bound to its name
//
// `load(PATH)` (a call) stays the function that reads SeqLang's own model files, and
// `load weights` reads plain weights into a declared model (LoadWeightsStatement.swift).

import SeqLang
import Tensor

/// The statements that read and write other frameworks' files.
enum InterchangeCommands {
    /// Registers `load weights`, `load onnx` and `export onnx` with `registry`, acting on the
    /// training statements' `session` (its models, seed and file policy).
    static func install(into registry: CommandRegistry, session: TrainingSession) {
        registry.register(CommandTable.load) { request, context in
            request.args.first?.word == "onnx"
                ? try LoadONNXStatement.run(request, context, session)
                : try LoadWeightsStatement.run(request, context, session)
        }
        registry.register(CommandTable.export) { try ExportStatement.run($0, $1, session) }
    }
}

/// `export onnx [MODEL] PATH`
enum ExportStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        // StatementReader has checked the form against CommandTable.export.
        var args = StatementArguments(request, context)
        _ = args.next()
        let model = try session.model(&args, for: "export onnx", at: request.keywordRange)
        let (pathArg, path) = try PathArgument.read(&args, for: "export onnx", example: "export onnx \"model.onnx\"",
                                                    context, writing: true)
        let spec = try NetworkBridge.spec(of: model, for: "export onnx", at: request.keywordRange)
        if context.checkOnly { return .none }
        let trained = try NetworkBridge.network(of: model, session: session, statement: "export onnx",
                                                at: request.keywordRange)
        try ONNXExport.write(spec, trained, to: path, shownAs: pathArg.shown, at: pathArg.range)
        return .none
    }
}

/// `load onnx PATH`: the model an ONNX file describes, made current.
enum LoadONNXStatement {
    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        // StatementReader has checked the form against CommandTable.load: `onnx` and a path.
        var args = StatementArguments(request, context)
        _ = args.next()
        let pathArg = args.next()!
        guard case .string(let name)? = pathArg.value else { preconditionFailure("the reader checks the path") }
        let bytes = try DataFile.readBytes(name, context: context, at: pathArg.range)
        let contents = try ONNXImport.read(bytes, shownAs: name, at: pathArg.range) {
            try context.checkMemory($0, for: "the weights of '\(name)'", at: pathArg.range)
        }
        if context.checkOnly { return .none }
        let (model, _) = try ModelFile.model(from: contents, setup: TrainingSetup(), seed: session.seed, session: session,
                                             context: context, shownAs: name, at: pathArg.range)
        return .object(model)
    }
}
