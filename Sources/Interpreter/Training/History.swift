// History.swift — what `train` returns: per-epoch figures as lists, and how they print.
//
// A history is a record `{loss, accuracy?, perplexity?, val_loss?, val_accuracy?,
// val_perplexity?, lr, epochs, steps, seconds, stopped_early, best_epoch?, interrupted}`: each
// figure a list with one number per epoch. `best_epoch` is there once early stopping chose
// one. A run stopped by Ctrl-C (or a time limit) still binds `history`, with `interrupted`
// true and the unfinished epoch's training figures so far as the last entries (`epochs`
// counts only the finished ones). Accuracy appears for classifiers (cross-entropy and binary cross-entropy),
// perplexity for language models (per-step softmax outputs); the `val_` lists only with
// `validate DATA`. A history also travels inside checkpoints as JSON, so a resumed run returns
// the whole history, not only its own epochs.

import Foundation

/// Which figures a model's training reports besides the loss.
struct FigureSet: Codable, Equatable {
    var accuracy: Bool
    var perplexity: Bool
}

/// One pass over data: summed loss and correct counts, turned into figures.
struct EpochTotals {
    var lossSum = 0.0
    var count = 0
    var correct = 0
    var meanLoss: Double { count == 0 ? .nan : lossSum / Double(count) }
    var accuracy: Double { count == 0 ? .nan : Double(correct) / Double(count) }
    var perplexity: Double { exp(meanLoss) }

    mutating func add(lossSum: Double, count: Int, correct: Int) {
        self.lossSum += lossSum
        self.count += count
        self.correct += correct
    }

    /// `loss`, `accuracy`, `perplexity` as `figures` asks, with `prefix` (`val_`).
    func named(_ figures: FigureSet, prefix: String = "") -> [(String, Double)] {
        var out = [(prefix + "loss", meanLoss)]
        if figures.accuracy { out.append((prefix + "accuracy", accuracy)) }
        if figures.perplexity { out.append((prefix + "perplexity", perplexity)) }
        return out
    }
}

/// Per-epoch figures of a training run.
struct TrainingHistory: Codable, Equatable {
    var figures: FigureSet
    var validated: Bool
    var loss: [Double] = []
    var accuracy: [Double] = []
    var perplexity: [Double] = []
    var valLoss: [Double] = []
    var valAccuracy: [Double] = []
    var valPerplexity: [Double] = []
    var learningRates: [Double] = []
    var steps = 0
    var seconds = 0.0
    var stoppedEarly = false
    /// The epoch early stopping found best (nil until it stopped).
    var bestEpoch: Int?
    /// Only in the history bound after an interruption (never in a checkpoint).
    var interrupted: Bool?
    var completedEpochs: Int?

    var epochs: Int { completedEpochs ?? loss.count }

    mutating func record(train: EpochTotals, validation: EpochTotals?, learningRate: Double) {
        loss.append(train.meanLoss)
        if figures.accuracy { accuracy.append(train.accuracy) }
        if figures.perplexity { perplexity.append(train.perplexity) }
        if let validation {
            valLoss.append(validation.meanLoss)
            if figures.accuracy { valAccuracy.append(validation.accuracy) }
            if figures.perplexity { valPerplexity.append(validation.perplexity) }
        }
        learningRates.append(learningRate)
    }

    /// The script value (see the file header).
    var value: Value {
        func list(_ xs: [Double]) -> Value { .object(FigureList(xs)) }
        var fields: [(key: String, value: Value)] = [("loss", list(loss))]
        if figures.accuracy { fields.append(("accuracy", list(accuracy))) }
        if figures.perplexity { fields.append(("perplexity", list(perplexity))) }
        if validated {
            fields.append(("val_loss", list(valLoss)))
            if figures.accuracy { fields.append(("val_accuracy", list(valAccuracy))) }
            if figures.perplexity { fields.append(("val_perplexity", list(valPerplexity))) }
        }
        // The learning rates are settings, not measurements: a plain list, shown as written.
        fields.append(("lr", .list(learningRates.map { .number($0) })))
        fields.append(("epochs", .int(epochs)))
        fields.append(("steps", .int(steps)))
        fields.append(("seconds", .number(seconds)))
        fields.append(("stopped_early", .bool(stoppedEarly)))
        if let bestEpoch { fields.append(("best_epoch", .int(bestEpoch))) }
        fields.append(("interrupted", .bool(interrupted == true)))
        return .record(fields)
    }
}

/// Short number formats for progress lines: `4.512`, `91.1`, `6,512`, `12.3s`.
enum Figures {
    /// Significant digits of every loss, accuracy and perplexity shown.
    static let significantDigits = 4

    /// Four significant digits (`4.512`, `0.6931`, `0.01234`, `111.2`); whole numbers from
    /// 1000 (`1234`); an exponent below 0.0001 (`1.234e-05`).
    static func short(_ v: Double) -> String {
        guard v.isFinite else { return formatNumber(v) }
        if v == 0 { return String(format: "%.\(significantDigits - 1)f", 0.0) }
        let magnitude = Int(floor(log10(abs(v))))
        if magnitude < -4 { return String(format: "%.\(significantDigits - 1)e", v) }
        let decimals = max(0, significantDigits - 1 - magnitude)
        return String(format: "%.\(decimals)f", v)
    }

    /// The column label of a figure: `loss`, `acc`, `ppl`, `val_loss`, `val_acc`, `val_ppl`.
    static func label(_ name: String) -> String {
        name.replacingOccurrences(of: "accuracy", with: "acc").replacingOccurrences(of: "perplexity", with: "ppl")
    }

    /// `loss 4.512  ppl 91.1`
    static func line(_ named: [(String, Double)]) -> String {
        named.map { "\(label($0.0)) \(short($0.1))" }.joined(separator: "  ")
    }

    /// `6,512`
    static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite else { return "-" }
        return groupedThousands(Int(perSecond.rounded()))
    }
}
