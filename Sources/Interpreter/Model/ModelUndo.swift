// ModelUndo.swift — taking back the last layer of a model (the REPL's `:undo`).
//
// A model is built one statement at a time, so an interactive host wants to take back the
// last `layer` without declaring the model again. Removing a layer changes the architecture
// like adding one does: the revision moves on and any trained network is dropped.

extension Model {
    /// Removes the last layer and returns it; nil (and no change) when the model has none.
    @discardableResult
    func removeLastLayer() -> ModelLayer? {
        guard let removed = layers.popLast() else { return nil }
        revision += 1
        network = nil
        return removed
    }
}
