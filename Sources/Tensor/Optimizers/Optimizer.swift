// Optimizer.swift — the protocol every optimizer follows, and the checks their state shares.
//
// An optimizer is a loop over the flat `store.values` / `store.grads` buffers. Its state
// (moments, step count) is exported as named tensors under `optimizer.<kind>.` so a checkpoint
// can hold it beside the weights, and imported back for an exact resume. Moments are sized on
// the first step (or import), so an optimizer can be made before the model is built.

/// Updates a store's values from its gradients.
package protocol Optimizer: AnyObject {
    /// Short lowercase name: "sgd", "adam", "rmsprop", "adagrad".
    var kind: String { get }
    /// The step size; may be changed between steps (schedules).
    var learningRate: Float { get set }
    /// How many steps have been taken.
    var stepCount: Int { get }
    /// One update of `store.values` from `store.grads` (gradients are left as they are).
    func step(_ store: ParameterStore)
    /// The optimizer's state as named tensors (names start with `optimizer.<kind>.`).
    func exportState() -> [(name: String, tensor: Tensor)]
    /// Restores state exported by the same kind of optimizer for a store of `parameterCount` values.
    /// - Throws: `TensorError` naming a missing tensor or one of the wrong size.
    func importState(_ tensors: [String: Tensor], parameterCount: Int) throws
}

extension Optimizer {
    /// The prefix of this optimizer's state tensor names.
    package var statePrefix: String { "optimizer.\(kind)." }
}

/// Helpers shared by the optimizers' state import and export.
enum OptimizerState {
    static func scalar(_ v: Int) -> Tensor { Tensor(unchecked: [1], [Float(v)]) }
    static func vector(_ v: [Float]) -> Tensor { Tensor(unchecked: [v.count], v) }

    /// The step count stored as `prefix + "step"` (a Float, exact up to 2^24 steps).
    static func step(_ tensors: [String: Tensor], prefix: String) throws -> Int {
        guard let t = tensors[prefix + "step"], t.count == 1, let v = Int(exactly: t.scalars[0]), v >= 0 else {
            throw TensorError("optimizer state", "expected \(prefix)step holding one non-negative whole number")
        }
        return v
    }

    /// A moment vector `prefix + name` of `count` values (or empty when saved before any step).
    static func vector(_ tensors: [String: Tensor], _ name: String, prefix: String, count: Int) throws -> [Float] {
        guard let t = tensors[prefix + name] else {
            throw TensorError("optimizer state", "missing \(prefix + name)")
        }
        guard t.count == count || t.count == 0 else {
            throw TensorError("optimizer state", "\(prefix + name) has \(t.count) values but the model has \(count) parameters")
        }
        return t.count == 0 ? [Float](repeating: 0, count: count) : t.scalars
    }
}
