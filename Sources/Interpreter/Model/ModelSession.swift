// ModelSession.swift — the model state of one interpreter: its models and the current one.
//
// Each `SeqInterpreter` owns one session and hands it to the statements it installs
// (`ModelCommands.install(into:session:)`, `TrainingCommands.install(into:models:host:)`), so
// a session, its models and their weights live exactly as long as the interpreter does.

import SeqLang

/// The models of one interpreter and the one later statements act on.
final class ModelSession {
    /// The model the last `model` statement declared; `layer`, `train`, `save` act on it.
    var current: Model?
    /// Builds a model's network with its initial weights when it has none yet (the training
    /// statements set it): what `layer.weights` of a model never trained shows, as Keras
    /// builds a model's weights with it. Nil when the model is not complete.
    var makeNetwork: ((Model) -> TrainedNetwork?)?

    init() {}

    /// The current model, or a `.name` diagnostic at `range` saying that `statement` needs one.
    func requireCurrent(for statement: String, at range: SourceRange) throws -> Model {
        guard let current else {
            throw Diagnostic.error(.name, at: range,
                "`\(statement)` needs a model, but no model has been declared yet",
                hint: "start with `model NAME` (for example `model sentiment`), then `input` and `layer`")
        }
        return current
    }
}

extension ModelSession {
    /// The statement's name in messages: `train`, `check gradients`.
    static func statementName(_ declaration: CommandDeclaration) -> String {
        declaration.variants.count == 1 ? "\(declaration.keyword) \(declaration.variantWords[0])" : declaration.keyword
    }

    /// Throws when `declaration` needs a current model and none is declared (unless the
    /// statement names its model).
    func checkNeeds(of declaration: CommandDeclaration, word: String?, modelGiven: Bool, at range: SourceRange) throws {
        let needs = declaration.needs(for: word)
        let needsModel = needs.contains(.currentModel) || needs.contains(.completeModel)
        guard needsModel, !modelGiven || declaration.form.positionals.first?.type != .model else { return }
        let variant = word.flatMap { w in declaration.variantWords.contains(w) ? "\(declaration.keyword) \(w)" : nil }
        _ = try requireCurrent(for: variant ?? ModelSession.statementName(declaration), at: range)
    }
}
