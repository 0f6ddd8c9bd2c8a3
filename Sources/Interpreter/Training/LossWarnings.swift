// LossWarnings.swift — a loss that cannot be what the user meant, said before training starts.
//
// The loss follows the last layer (softmax: cross-entropy, sigmoid: binary cross-entropy,
// no activation: mean squared error). With class ids as targets, a last `layer dense N` with
// no activation trains them as numbers (class 2 "between" 1 and 3), and a sigmoid with more
// than two classes treats each output as its own yes/no: both train, badly and silently. The
// warning points at the last layer's statement and names the fix; `loss NAME` written out
// says the choice was deliberate and silences it.

import SeqLang
import Tensor

enum LossWarnings {
    /// The warning for training `model` (whose network `network` uses its default loss) on
    /// `data`, if its targets are class ids the loss does not fit; nil otherwise.
    static func check(_ model: Model, _ network: Network, _ data: Dataset, plan: TrainPlan,
                      at keyword: SourceRange) -> Diagnostic? {
        guard plan.loss == nil, case .classes(let ids)? = data.targets, let last = model.layers.last else { return nil }
        let classes = (ids.max() ?? 0) + 1
        let at = last.statement ?? keyword
        let layer = "`layer \(last.spec.summaryText)`"
        switch network.loss {
        case .meanSquaredError:
            let fix = classes <= 2 && network.outputSize == 1 ? "layer dense 1 sigmoid" : "layer dense \(max(classes, network.outputSize)) softmax"
            return .warning(at: at,
                "the data's targets are class ids (0 to \(classes - 1)), but \(layer) has no activation, so training uses mean squared error and learns the ids as numbers",
                hint: "for classes end the model with `\(fix)` (cross-entropy); write `loss mse` on `train` if numbers were meant")
        case .binaryCrossEntropy where classes > 2:
            return .warning(at: at,
                "the data has \(classes) classes, but \(layer) ends in a sigmoid, which treats each output as a separate yes/no",
                hint: "for one class out of \(classes) write `layer dense \(max(classes, network.outputSize)) softmax`; write `loss binary_cross_entropy` on `train` if several labels per example were meant")
        default:
            return nil
        }
    }
}
