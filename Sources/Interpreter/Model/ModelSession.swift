// ModelSession.swift — the model state of one interpreter: its models and the current one.
//
// `ModelCommands.install(into:)` creates one session per registry (interpreter) and returns
// it; statements installed by other parts of SeqLang (train, evaluate, save) reach the same
// session with `ModelCommands.session(for:)`.

import Foundation
import SeqLang

/// The models of one interpreter and the one later statements act on.
public final class ModelSession {
    /// The model the last `model` statement declared; `layer`, `train`, `save` act on it.
    public var current: Model?

    public init() {}

    /// The current model, or a `.name` diagnostic at `range` saying that `statement` needs one.
    public func requireCurrent(for statement: String, at range: SourceRange) throws -> Model {
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
    func checkNeeds(of declaration: CommandDeclaration, modelGiven: Bool, at range: SourceRange) throws {
        let needsModel = declaration.needs.contains(.currentModel) || declaration.needs.contains(.completeModel)
        guard needsModel, !modelGiven || declaration.form.positionals.first?.type != .model else { return }
        _ = try requireCurrent(for: ModelSession.statementName(declaration), at: range)
    }
}

extension ModelCommands {
    /// Sessions by registry. Entries hold their registry weakly, so an identifier reused by a
    /// new interpreter after the old one is gone does not find the old session.
    private struct Entry {
        weak var registry: AnyObject?
        let session: ModelSession
    }
    nonisolated(unsafe) private static var sessions: [ObjectIdentifier: Entry] = [:]
    private static let lock = NSLock()

    /// The model session `install(into:)` created for `registry`; a fresh, unattached session
    /// if the model statements were never installed there.
    public static func session(for registry: CommandRegistry) -> ModelSession {
        lock.lock()
        defer { lock.unlock() }
        if let entry = sessions[ObjectIdentifier(registry)], entry.registry === registry {
            return entry.session
        }
        let session = ModelSession()
        sessions[ObjectIdentifier(registry)] = Entry(registry: registry, session: session)
        return session
    }
}
