// DataFit.swift — does this dataset fit this model? Checked before any batch runs.
//
// The model's input shape (`[batch, time 100]`, `[batch, time 28, feature 28]`) is compared
// with the data's (`[sample 500, time 100]`), token ids with the vocabulary, and the targets
// with what the output layer gives (one class per example, one per step, or values). Every
// mismatch is a `.shape` diagnostic at the data argument naming both shapes.

import SeqLang
import Tensor

enum DataFit {
    /// Throws a `.shape` diagnostic at `range` if `data` does not fit `spec` trained by `network`.
    /// `needsTargets` is false for `predict`, which reads inputs only.
    /// The first id outside 0 ..< `bound`, read in blocks between which the network's stop
    /// signal is polled (a large data set is checked before `predict` or `train` runs).
    static func firstOutside(_ ids: [Int], _ bound: Int, _ network: Network) throws -> Int? {
        try ids.withUnsafeBufferPointer { p in
            var start = 0
            while start < p.count {
                if network.stopSignal?.isRaised == true { throw StopSignal.Stopped() }
                let end = min(p.count, start + 65536)
                for i in start..<end where p[i] < 0 || p[i] >= bound { return p[i] }
                start = end
            }
            return nil
        }
    }

    static func check(_ data: Dataset, _ spec: ModelSpec, _ network: Network, needsTargets: Bool = true,
                      at range: SourceRange) throws {
        let modelShape = spec.input.shape
        func mismatch(_ why: String, hint: String? = nil) -> Diagnostic {
            Diagnostic.error(.shape, at: range, "expected \(modelShape) but the data gives \(data.shape)\(why)", hint: hint)
        }
        guard data.count > 0 else {
            throw Diagnostic.error(.shape, at: range, "the data holds no samples")
        }
        switch (spec.input.kind, data.inputs) {
        case (.tokens, .features):
            throw mismatch(": the model reads token ids, the data has vectors of numbers",
                           hint: "declare `input sequence \(data.shape.axes.count > 1 ? "\(data.shape.axes[1].size ?? 0) " : "")features \(data.shape.axes.last?.size ?? 0)` for this data")
        case (.sequence, .tokens):
            throw mismatch(": the model reads vectors of numbers, the data has token ids",
                           hint: "declare `input tokens vocab V` and an embedding for this data")
        case (.tokens, .tokens(let grid)):
            if let length = spec.input.length, length != grid.steps {
                throw mismatch(": \(grid.steps) time steps where the model reads \(length)")
            }
            let vocabulary: Int
            if case .tokens(let v) = network.spec.input { vocabulary = v } else { vocabulary = 0 }
            if let bad = try firstOutside(grid.ids, vocabulary, network) {
                throw Diagnostic.error(.shape, at: range,
                    "the data holds token id \(bad), but the model's vocabulary has \(vocabulary) ids (0 to \(vocabulary - 1))",
                    hint: "give the embedding the data's vocabulary size (`input tokens vocab V` with V = vocab.size)")
            }
        case (.sequence, .features(let t)):
            let steps = t.shape.count > 1 ? t.shape[1] : 1
            let features = t.shape.count > 2 ? t.shape[2] : 1
            if let length = spec.input.length, length != steps {
                throw mismatch(": \(steps) time steps where the model reads \(length)")
            }
            if features != spec.input.features {
                throw mismatch(": \(features) features at each step where the model reads \(spec.input.features ?? 0)")
            }
        }
        guard needsTargets else { return }
        try checkTargets(data, spec, network, at: range)
    }

    static func checkTargets(_ data: Dataset, _ spec: ModelSpec, _ network: Network, at range: SourceRange) throws {
        let out = spec.outputShape
        guard let targets = data.targets else {
            throw Diagnostic.error(.shape, at: range, "the data has inputs but no targets to learn",
                                   hint: "datasets from `windows`, `sequences`, `lm_batches` and `mnist` have targets")
        }
        let c = network.outputSize
        func wrong(_ what: String, hint: String? = nil) -> Diagnostic {
            Diagnostic.error(.shape, at: range, "the model gives \(out) but the data's targets are \(data.targetShape?.description ?? "?"): \(what)", hint: hint)
        }
        switch targets {
        case .classes(let classes):
            if network.outputIsSequence {
                throw wrong("one class per example, where the model predicts at every step",
                            hint: "end the recurrent part with `last` for one prediction per example")
            }
            let top = classes.max() ?? 0
            if let low = classes.min(), low < 0 { throw wrong("class id \(low) is negative") }
            switch network.loss {
            case .crossEntropy where top >= c:
                throw wrong("class ids go up to \(top) but the output has \(c) classes",
                            hint: "make the last layer `layer dense \(top + 1) softmax`")
            case .binaryCrossEntropy where c == 1 && top > 1, .meanSquaredError where c == 1 && top > 1:
                throw wrong("a single sigmoid output needs 0/1 targets, but the data has class \(top)",
                            hint: "for \(top + 1) classes make the last layer `layer dense \(top + 1) softmax`")
            case .binaryCrossEntropy where c > 1 && top >= c, .meanSquaredError where c > 1 && top >= c:
                throw wrong("class ids go up to \(top) but the output has \(c) values")
            default: break
            }
        case .tokens(let grid):
            guard network.outputIsSequence else {
                throw wrong("one target per step, where the model predicts once per example",
                            hint: "predict at every step: remove `last` and write `layer dense V softmax per step`")
            }
            guard network.loss == .crossEntropy else {
                throw wrong("per-step token ids need a softmax output", hint: "write `layer dense V softmax per step`")
            }
            if let bad = try firstOutside(grid.ids, c, network) {
                throw wrong("target id \(bad) is outside the output's \(c) classes")
            }
        case .values(let t):
            let per = t.shape.dropFirst().reduce(1, *)
            if network.loss == .crossEntropy {
                throw wrong("a softmax output learns class ids, but the targets are numbers",
                            hint: "use `layer dense \(per)` (linear) for numeric targets")
            }
            if network.outputIsSequence || per != c {
                throw wrong("\(per) values per example where the output gives \(c)")
            }
        }
    }
}
