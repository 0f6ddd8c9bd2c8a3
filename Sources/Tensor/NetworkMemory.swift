// NetworkMemorySize.swift — what a network's memory comes to, worked out before it is allocated,
// and its claims in a `MemoryBudget`.
//
// Parameters: every value and its gradient, 2 × 4 bytes per parameter, claimed once when the
// network is built. Working memory of a batch of B sequences × T steps (Floats, 4 bytes each;
// G = gates per unit × H, D directions):
//   input            T·B·F (float features, copied time-major)
//   embedding        T·B·E output, and with dropout in training its mask and masked output
//   recurrent cell   inference: gates T·B·G, output T·B·H, two state slots, packed weights
//                    training: gates and their gradient (GRU: twice), T+1 state slots (LSTM: h
//                    and c), tanh(c) or the GRU's cache T·B·H, output, input gradient T·B·I
//   bidirectional    the reversed input and outputs and the joined output, training their halves
//   stack layer      with dropout in training, its mask and masked output T·B·D·H
//   dense            output and pre-activation rows·C, training the gradient and rows·I
//   loss, output     the loss gradient and the batch-major probabilities, rows·C
// The layers keep their buffers at the largest batch seen, so a network claims the largest
// estimate of each mode (training, inference) so far and releases it with itself.

extension NetworkSpec {
    /// The parameters a network of this spec holds, worked out from the spec alone
    /// (saturating: a size too large to count comes out as Int.max).
    package var parameterCount: Int {
        var features: Int
        switch input {
        case .tokens(let v): features = v
        case .features(let f): features = f
        }
        var total = 0
        for layer in layers {
            let units = max(0, layer.units)
            switch layer.kind {
            case .embedding:
                total = MemorySize.add(total, MemorySize.mul(features, units))
                features = units
            case .lstm, .gru, .rnn:
                let g = MemorySize.mul(layer.kind.recurrentCell?.gatesPerUnit ?? 1, units)
                let directions = layer.bidirectional ? 2 : 1
                for k in 0..<max(1, layer.stack) {
                    let i = k == 0 ? features : directions * units
                    let one = MemorySize.add(MemorySize.mul(g, MemorySize.add(i, units)), MemorySize.mul(2, g))
                    total = MemorySize.add(total, MemorySize.mul(directions, one))
                }
                features = MemorySize.mul(directions, units)
            case .dense:
                total = MemorySize.add(total, MemorySize.mul(MemorySize.add(features, 1), units))
                features = units
            case .dropout:
                break
            }
        }
        return total
    }
}

extension Network {
    /// The bytes of the parameters of `spec` and their gradients.
    static func parameterBytes(_ spec: NetworkSpec) -> Int {
        MemorySize.mul(spec.parameterCount, 2 * MemoryLayout<Float>.size)
    }

    /// The bytes one batch of `batch` sequences × `steps` steps needs beyond the parameters:
    /// the outputs and working buffers of every stage, and in training the backward pass's.
    package func workingBytes(batch B: Int, steps T: Int, training: Bool) -> Int {
        let tb = MemorySize.mul(T, B)
        var floats = MemorySize.mul(tb, 2)  // targets and the loss mask
        var rows = tb, width = 0
        if case .features(let f) = spec.input {
            floats = MemorySize.add(floats, MemorySize.mul(tb, f))
            width = f
        }
        func add(_ terms: Int...) { for t in terms { floats = MemorySize.add(floats, t) } }
        for stage in stages {
            switch stage {
            case .embedding(let e, let dropout):
                add(MemorySize.mul(tb, MemorySize.mul(e.width, training && dropout.rate > 0 ? 3 : 1)))
                width = e.width
            case .recurrent(let s):
                let cellRows = s.cell.gatesPerUnit
                for cell in s.cells {
                    let i = cell.inputSize, h = cell.hiddenSize, g = cellRows * h
                    add(MemorySize.mul(g, MemorySize.add(i, h)))  // packed weights
                    if training {
                        let stateSlots = MemorySize.mul(MemorySize.add(T, 1), MemorySize.mul(B, h))
                        add(MemorySize.mul(tb, MemorySize.mul(g, s.cell == .gru ? 3 : 2)),
                            MemorySize.mul(stateSlots, s.cell == .lstm ? 2 : 1),
                            MemorySize.mul(tb, MemorySize.mul(h, 2)), MemorySize.mul(tb, i))
                    } else {
                        add(MemorySize.mul(tb, g), MemorySize.mul(tb, h), MemorySize.mul(4, MemorySize.mul(B, h)))
                    }
                    if s.bidirectional {
                        add(MemorySize.mul(tb, MemorySize.add(i, MemorySize.mul(3, h))))
                        if training { add(MemorySize.mul(tb, MemorySize.add(i, MemorySize.mul(2, h)))) }
                    }
                }
                let out = (s.bidirectional ? 2 : 1) * s.hidden
                let dropped = training ? s.masks.filter { $0.rate > 0 }.count : 0
                add(MemorySize.mul(MemorySize.mul(tb, out), MemorySize.mul(dropped, 2)))  // masks, masked outputs
                rows = s.returnSequences ? tb : B
                width = out
            case .dense(let d):
                add(MemorySize.mul(rows, MemorySize.mul(d.outputSize, training ? 3 : 2)))
                if training { add(MemorySize.mul(rows, d.inputSize)) }
                width = d.outputSize
            case .dropout:
                add(MemorySize.mul(rows, MemorySize.mul(width, training ? 2 : 1)))
            }
        }
        add(MemorySize.mul(rows, MemorySize.mul(width, 2)))  // the loss gradient, the probabilities
        return MemorySize.mul(floats, MemoryLayout<Float>.size)
    }

    /// Claims the working memory of a batch of `batch` × `steps` in `memoryBudget` (growing the
    /// claim of the mode to it when it is the largest so far), or throws `MemoryLimitExceeded`
    /// before anything runs.
    func reserveWorkingMemory(batch B: Int, steps T: Int, training: Bool) throws {
        guard let budget = memoryBudget else { return }
        let need = workingBytes(batch: B, steps: T, training: training)
        let claimed = training ? claimedTraining : claimedInference
        guard need > claimed else { return }
        // The claim is replaced by the larger one, so a refusal names the batch's whole need.
        budget.release(claimed)
        do {
            try budget.claim(need, for: "\(training ? "a training" : "an inference") batch of \(B) sequence\(B == 1 ? "" : "s") × \(T) step\(T == 1 ? "" : "s")")
        } catch {
            budget.hold(claimed)
            throw error
        }
        if training { claimedTraining = need } else { claimedInference = need }
    }

    /// All this network holds in its budget: parameters and the largest batches' working memory.
    package var claimedBytes: Int { claimedParameters + claimedTraining + claimedInference }
}
