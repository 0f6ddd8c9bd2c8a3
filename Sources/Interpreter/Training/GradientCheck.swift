// GradientCheck.swift — `check gradients [on DATA]`: the model's own backward pass against
// finite differences, on a tiny batch.
//
// The first few samples of DATA (at most `batchLimit`, and at most `stepLimit` steps of each
// when the model reads sequences of any length) go through the user's network with its
// current weights; for each parameter tensor some values are nudged both ways and the loss
// recomputed (`Network.checkGradients`). The worst relative error per tensor is printed and
// returned as a record `{lstm0.weight_ih_l0: 0.0012, …}`. Errors above `tolerance` are marked.

import Foundation
import SeqLang
import Tensor

enum GradientCheckStatement {
    static let batchLimit = 2
    /// Relative errors below this are what Float finite differences give for a correct gradient.
    static let tolerance = 0.05

    static func run(_ request: CommandRequest, _ context: CommandContext, _ session: TrainingSession) throws -> Value {
        var args = StatementArguments(request, context)
        guard let what = args.next(), what.word == "gradients" else {
            let found = args.request.args.first.map { $0.word.map { "'\($0)'" } ?? $0.value?.debugText ?? "?" } ?? "nothing"
            throw Diagnostic.error(.syntax, at: args.request.args.first?.range ?? request.keywordRange,
                "expected `gradients` after `check`, got \(found)", hint: "write `check gradients on data`")
        }
        var data: Dataset?, dataRange = request.keywordRange
        if let option = args.next() {
            guard option.word == "on" else { throw unknownOption(option, of: "`check gradients`", valid: ["on"]) }
            let arg = try args.optionValue(after: option, what: "a dataset", options: ["on"])
            data = try TrainPlanReader.dataset(arg, args, for: "on")
            dataRange = arg.range
            if let extra = args.next() {
                throw Diagnostic.error(.syntax, at: extra.range, "unexpected argument; `check gradients` takes at most `on DATA`")
            }
        }
        let model = try session.models.requireCurrent(for: "check gradients", at: request.keywordRange)
        let spec = try NetworkBridge.spec(of: model, for: "check gradients", at: request.keywordRange)
        let trained = try Inference.network(model, session, statement: "check gradients", at: request.keywordRange)
        let network = trained.network
        guard let data else {
            throw Diagnostic.error(.syntax, at: request.keywordRange, "`check gradients` needs data: add `on DATA`",
                                   hint: "a couple of samples are enough: `check gradients on data`")
        }
        try DataFit.check(data, spec, network, at: dataRange)
        if context.checkOnly { return .none }
        let batch = NetworkBridge.batch(data.batch(0..<min(batchLimit, data.count)), for: network)
        let report: [(parameter: String, worstRelativeError: Double)]
        do {
            report = try network.checkGradients(batch)
        } catch let e as NetworkError {
            throw Diagnostic.error(.runtime, at: request.keywordRange, "the gradient check failed: \(e)")
        }
        let width = report.map(\.parameter.count).max() ?? 0
        var text = "parameter" + String(repeating: " ", count: max(0, width - 9)) + "   worst relative error\n"
        for (name, error) in report {
            let flag = error > tolerance ? "   <- above \(formatNumber(tolerance))" : ""
            text += name + String(repeating: " ", count: width - name.count) + "   " + String(format: "%.2e", error) + flag + "\n"
        }
        context.output(text)
        let value = Value.record(report.map { (key: $0.parameter, value: .number($0.worstRelativeError)) })
        context.define("gradients", value)
        return value
    }
}
