// Initializers.swift — how a parameter tensor gets its first values.
//
// Each initializer fills one `ParameterSlot` of a `ParameterStore` from a `SeededRandom`.
// Fan-in and fan-out follow PyTorch's convention for a weight of shape [out, in, …]:
// fanIn = in × receptive field, fanOut = out × receptive field. A fused LSTM weight
// [4H, I] therefore has fanIn I and fanOut 4H, the same numbers Keras uses for its [I, 4H]
// kernel, so Glorot limits agree with both.

/// A rule for the initial values of a parameter tensor.
package enum Initializer: Equatable, Sendable {
    /// All zeros (biases).
    case zeros
    /// Every value the same.
    case constant(Float)
    /// Uniform in [-scale, scale) (the PTB model's `init_scale`).
    case uniform(scale: Float)
    /// Glorot/Xavier uniform: uniform in ±sqrt(6 / (fanIn + fanOut)) (Keras's default kernel).
    case glorotUniform
    /// Normal with deviation `std`, resampled outside ±2 std.
    case truncatedNormal(std: Float)

    /// The fan-in and fan-out of a weight of `shape` (PyTorch's rule; see the file header).
    package static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        default:
            let receptive = shape.dropFirst(2).reduce(1, *)
            return (shape[1] * receptive, shape[0] * receptive)
        }
    }

    /// Fills `slot` of `store` with values drawn by this rule.
    package func apply(to slot: ParameterSlot, in store: ParameterStore, using rng: inout SeededRandom) {
        fill(slot.range, of: slot, in: store, using: &rng)
    }

    /// `apply`, asking `stop` before each 256 Ki values (a large embedding takes seconds to
    /// fill); the values are the same.
    package func apply(to slot: ParameterSlot, in store: ParameterStore, using rng: inout SeededRandom,
                       polling stop: StopSignal) throws {
        var start = slot.range.lowerBound
        while start < slot.range.upperBound {
            try stop.check()
            let end = min(slot.range.upperBound, start + (1 << 18))
            fill(start..<end, of: slot, in: store, using: &rng)
            start = end
        }
    }

    /// Draws the values of `range`, a part of `slot`.
    private func fill(_ range: Range<Int>, of slot: ParameterSlot, in store: ParameterStore, using rng: inout SeededRandom) {
        switch self {
        case .zeros:
            for i in range { store.values[i] = 0 }
        case .constant(let c):
            for i in range { store.values[i] = c }
        case .uniform(let scale):
            for i in range { store.values[i] = rng.uniform(in: -scale, scale) }
        case .glorotUniform:
            let (fanIn, fanOut) = Initializer.fans(of: slot.shape)
            let limit = (6 / Float(max(1, fanIn + fanOut))).squareRoot()
            for i in range { store.values[i] = rng.uniform(in: -limit, limit) }
        case .truncatedNormal(let std):
            for i in range { store.values[i] = rng.truncatedNormal(std: std) }
        }
    }
}
