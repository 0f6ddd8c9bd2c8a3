// ModelWords.swift — the words the model statements understand, for a host's tab completion.
//
// Layer kinds, input kinds, activations, initializers and option names live with the
// statements that read them; this gathers them so a REPL can complete `lay<Tab> ls<Tab>`
// without keeping a copy of its own that could drift.

extension ModelCommands {
    /// Every layer kind, input kind, activation, initializer and option name of `model`,
    /// `input` and `layer`, sorted.
    public static var words: [String] {
        var words = Set(LayerStatement.kinds + LayerStatement.activations + LayerStatement.initializers)
        words.formUnion(ModelStatement.options)
        words.formUnion(["tokens", "sequence", "vocab", "features"])
        for kind in LayerSpec.Kind.allCases { words.formUnion(LayerStatement.options(for: kind)) }
        return words.sorted()
    }
}
