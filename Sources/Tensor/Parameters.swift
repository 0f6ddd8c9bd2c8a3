// Parameters.swift — every trainable tensor of a network in one flat buffer, with its gradient.
//
// Layers register their tensors here and keep the returned `ParameterSlot` (an offset and a
// shape); optimizers, clipping, gradient checks and weight files walk `values` and `grads` as
// plain arrays. Names follow PyTorch where a PyTorch layer exists (`weight_ih_l0`, …) so weight
// files load there unchanged.

package struct ParameterSlot: Hashable, Sendable {
    package var name: String
    package var shape: [Int]
    package var offset: Int
    package var count: Int { shape.reduce(1, *) }
    package var range: Range<Int> { offset..<(offset + count) }
}

package final class ParameterStore {
    package private(set) var slots: [ParameterSlot] = []
    /// All parameter values, slot after slot.
    package var values: [Float] = []
    /// Gradients, same layout as `values`; layers accumulate into them (`+=`).
    package var grads: [Float] = []

    package init() {}

    /// Adds a zero-filled parameter tensor and returns its slot. Names must be unique.
    @discardableResult
    package func add(_ name: String, shape: [Int]) -> ParameterSlot {
        precondition(!slots.contains { $0.name == name }, "duplicate parameter name \(name)")
        let slot = ParameterSlot(name: name, shape: shape, offset: values.count)
        values += [Float](repeating: 0, count: slot.count)
        grads += [Float](repeating: 0, count: slot.count)
        slots.append(slot)
        return slot
    }

    package func slot(named name: String) -> ParameterSlot? { slots.first { $0.name == name } }

    package var count: Int { values.count }

    package func zeroGrads() {
        grads.withUnsafeMutableBufferPointer { g in
            g.update(repeating: 0)
        }
    }

    /// The values of one slot as a tensor (a copy).
    package func tensor(_ slot: ParameterSlot) -> Tensor {
        Tensor(unchecked: slot.shape, Array(values[slot.range]))
    }

    /// Replaces the values of one slot; throws if the shape differs.
    package func set(_ slot: ParameterSlot, to t: Tensor) throws {
        guard t.shape == slot.shape else {
            throw TensorError.shape("ParameterStore.set(\(slot.name))", expected: slot.shape, got: t.shape)
        }
        values.replaceSubrange(slot.range, with: t.scalars)
    }
}
