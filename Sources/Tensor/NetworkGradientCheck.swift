// NetworkGradientCheck.swift — a user-facing check of a whole network's gradients by central
// finite differences on one (small) batch.
//
// For each parameter tensor, some of its values are nudged by ±ε and the loss recomputed:
//   numeric  n = (L(p + ε) − L(p − ε)) / 2ε        analytic  a = the backward pass's dL/dp
//   error    |a − n| / max(|a| + |n|, floor)
// The values checked are the ones with the largest |a| (half of `samples`) and the rest drawn
// at random, so a sparse gradient (an embedding's) is still checked where it is not zero.
// Dropout masks are drawn once and kept for every evaluation; a stateful network starts each
// evaluation from the state it had before the check, and gets that state back afterwards.
// The loss is recomputed in Float, so ε must be well above Float rounding: ε = 1e-2 by default.

extension Network {
    /// The worst relative error between the backward pass's gradient and central finite
    /// differences, per parameter tensor, on `batch` (keep it small: each value checked costs
    /// two forward passes).
    /// - Parameters:
    ///   - samples: values checked per parameter tensor (every value when it has fewer).
    ///   - epsilon: the nudge ε.
    ///   - floor: the smallest denominator of the relative error (gradients much below it count as absolute).
    /// - Returns: `(parameter, worstRelativeError)` in the store's order; trainable parameters only.
    package func checkGradients(_ batch: NetworkBatch, samples: Int = 8, epsilon: Float = 1e-2,
                               floor: Double = 1e-3) throws -> [(parameter: String, worstRelativeError: Double)] {
        guard let targets = batch.targets else { throw NetworkError.badBatch("a gradient check needs targets but the batch has none") }
        let savedState = carried
        let savedGrads = store.grads
        defer {
            frozenMasks = false
            carried = savedState
            store.grads = savedGrads
        }
        let B = batch.inputs.batch, T = batch.inputs.steps

        func lossValue() throws -> Double {
            carried = savedState
            let output = try runForward(batch.inputs, lengths: batch.lengths, training: true, stateful: spec.stateful)
            return try computeLoss(output, targets, lengths: batch.lengths, batch: B, steps: T, gradient: false).value
        }

        // Analytic gradients, drawing the dropout masks every later pass reuses.
        frozenMasks = false
        carried = savedState
        store.zeroGrads()
        let output = try runForward(batch.inputs, lengths: batch.lengths, training: true, stateful: spec.stateful)
        _ = try computeLoss(output, targets, lengths: batch.lengths, batch: B, steps: T, gradient: true)
        try runBackward(lossGradient)
        let analytic = store.grads
        frozenMasks = true

        var pick = SeededRandom(seed: 0x6772_6164)
        var report: [(parameter: String, worstRelativeError: Double)] = []
        for slot in store.slots where isTrainable(slot) {
            var indices: [Int]
            if slot.count <= samples {
                indices = Array(slot.range)
            } else {
                let byMagnitude = slot.range.sorted { abs(analytic[$0]) > abs(analytic[$1]) }
                indices = Array(byMagnitude.prefix(samples / 2))
                while indices.count < samples { indices.append(slot.offset + pick.int(below: slot.count)) }
            }
            var worst = 0.0
            for i in indices {
                let saved = store.values[i]
                defer { store.values[i] = saved }   // also when a stop ends the check here
                store.values[i] = saved + epsilon
                let up = try lossValue()
                store.values[i] = saved - epsilon
                let down = try lossValue()
                let numeric = (up - down) / (2 * Double(epsilon))
                let a = Double(analytic[i])
                worst = max(worst, abs(a - numeric) / max(abs(a) + abs(numeric), floor))
            }
            report.append((slot.name, worst))
        }
        return report
    }

    private func isTrainable(_ slot: ParameterSlot) -> Bool {
        for stage in stages {
            if case .embedding(let e, _) = stage, e.weight == slot { return e.trainable }
        }
        return true
    }
}
