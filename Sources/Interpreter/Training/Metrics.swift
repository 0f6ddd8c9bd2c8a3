// Metrics.swift — the figures `evaluate` adds to the loss that fit the model: MAE and RMSE for
// a regression, precision, recall and F1 (per class and their macro mean) and a confusion
// matrix for a classifier.
//
// They come from the predictions of one more pass over the data (dropout off), so they are
// exactly what `predict` would give. A classifier's predicted class is the likeliest (a single
// sigmoid output: 1 above 0.5); a class never predicted has precision 0, one never present has
// recall 0, and F1 is 0 when both are. The macro figures are the plain means over the classes.
// Models with an output at every step (language models) report perplexity instead: nothing is
// added for them, nor for the contiguous streams of `lm_batches`.
//
//     confusion[t][p]   samples of true class t predicted as class p     [class C, class C]

import Foundation
import SeqLang
import Tensor

/// Counts from which a classifier's figures are computed.
struct ClassifierMetrics {
    /// `confusion[t][p]`: samples of true class `t` predicted as `p`.
    var confusion: [[Int]]
    var names: [String]

    init(classes: Int, names: [String]) {
        confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        self.names = names
    }

    mutating func add(truth: Int, predicted: Int) {
        guard truth >= 0, truth < confusion.count, predicted >= 0, predicted < confusion.count else { return }
        confusion[truth][predicted] += 1
    }

    var classes: Int { confusion.count }
    func support(_ c: Int) -> Int { confusion[c].reduce(0, +) }
    func predictedCount(_ c: Int) -> Int { confusion.reduce(0) { $0 + $1[c] } }
    func precision(_ c: Int) -> Double { ratio(confusion[c][c], predictedCount(c)) }
    func recall(_ c: Int) -> Double { ratio(confusion[c][c], support(c)) }
    func f1(_ c: Int) -> Double {
        let p = precision(c), r = recall(c)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
    private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
    private func mean(_ f: (Int) -> Double) -> Double {
        classes == 0 ? 0 : (0..<classes).map(f).reduce(0, +) / Double(classes)
    }
    var macroPrecision: Double { mean(precision) }
    var macroRecall: Double { mean(recall) }
    var macroF1: Double { mean(f1) }

    /// The fields of `evaluation`, after the loss and accuracy.
    var fields: [(key: String, value: Value)] {
        func list(_ f: (Int) -> Double) -> Value { .list((0..<classes).map { .number(f($0)) }) }
        return [("precision", list(precision)), ("recall", list(recall)), ("f1", list(f1)),
                ("macro_precision", .number(macroPrecision)), ("macro_recall", .number(macroRecall)),
                ("macro_f1", .number(macroF1)),
                ("confusion", .list(confusion.map { .list($0.map { .int($0) }) })),
                ("classes", .list(names.map { .string($0) }))]
    }

    /// Classes beyond this many get only the macro figures printed (the fields hold them all).
    static let tableLimit = 12

    /// The per-class table and the confusion matrix, rounded as every figure is printed.
    var report: String {
        guard classes <= Self.tableLimit else {
            return "macro precision \(Figures.short(macroPrecision))  recall \(Figures.short(macroRecall))  f1 \(Figures.short(macroF1)) over \(classes) classes (per class: evaluation.precision, .recall, .f1, .confusion)\n"
        }
        let nameWidth = max(5, names.map(\.count).max() ?? 0)
        func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return right ? fill + s : s + fill
        }
        var out = pad("class", nameWidth) + "  precision  recall  f1      support\n"
        for c in 0..<classes {
            out += pad(names[c], nameWidth) + "  " + pad(Figures.short(precision(c)), 9) + "  " + pad(Figures.short(recall(c)), 6)
                + "  " + pad(Figures.short(f1(c)), 6) + "  " + String(support(c)) + "\n"
        }
        out += pad("macro", nameWidth) + "  " + pad(Figures.short(macroPrecision), 9) + "  " + pad(Figures.short(macroRecall), 6)
            + "  " + pad(Figures.short(macroF1), 6) + "  " + String((0..<classes).map(support).reduce(0, +)) + "\n"
        let cellWidth = max(names.map(\.count).max() ?? 1, String(confusion.flatMap { $0 }.max() ?? 0).count)
        out += "confusion (rows: true class, columns: predicted)\n"
        out += pad("", nameWidth) + names.map { "  " + pad($0, cellWidth, right: true) }.joined() + "\n"
        for t in 0..<classes {
            out += pad(names[t], nameWidth) + confusion[t].map { "  " + pad(String($0), cellWidth, right: true) }.joined() + "\n"
        }
        return out
    }
}

/// Sums from which a regression's figures are computed.
struct RegressionMetrics {
    var absoluteSum = 0.0
    var squaredSum = 0.0
    var count = 0

    mutating func add(predicted: Float, target: Float) {
        let e = Double(predicted) - Double(target)
        absoluteSum += abs(e)
        squaredSum += e * e
        count += 1
    }

    var mae: Double { count == 0 ? .nan : absoluteSum / Double(count) }
    var rmse: Double { count == 0 ? .nan : (squaredSum / Double(count)).squareRoot() }
    var named: [(String, Double)] { [("mae", mae), ("rmse", rmse)] }
}

/// What `evaluate` measures besides the loss, for the kind of model it is.
enum EvaluationMetrics {
    case classifier(ClassifierMetrics)
    case regression(RegressionMetrics)

    /// The metrics of `network` on `data`, or nil for a model they do not fit (per-step
    /// outputs, streams).
    static func measure(_ network: Network, _ data: Dataset, classNames: [String]?, batchSize: Int,
                        at range: SourceRange) throws -> EvaluationMetrics? {
        guard !data.isContiguousStreams, !network.outputIsSequence, let targets = data.targets else { return nil }
        let c = network.outputSize
        var classifier: ClassifierMetrics?
        var regression: RegressionMetrics?
        switch (targets, network.loss) {
        case (.tokens, _): return nil
        case (.classes, .crossEntropy), (.classes, .binaryCrossEntropy):
            let count = c == 1 ? 2 : c
            let names = (0..<count).map { k in classNames.flatMap { k < $0.count ? $0[k] : nil } ?? String(k) }
            classifier = ClassifierMetrics(classes: count, names: names)
        default:
            regression = RegressionMetrics()
        }
        var start = 0
        while start < data.count {
            let indices = Array(start..<min(start + batchSize, data.count))
            let batch = data.batch(indices)
            let p: Tensor
            do {
                p = try network.predict(NetworkBridge.inputs(batch), lengths: batch.lengths)
            } catch let error as NetworkError {
                throw Diagnostic.error(.runtime, at: range, "evaluation failed: \(error)")
            }
            for (row, i) in indices.enumerated() {
                let out = Array(p.scalars[(row * c)..<((row + 1) * c)])
                switch targets {
                case .classes(let ids):
                    if classifier != nil {
                        var predicted = c == 1 && out[0] > 0.5 ? 1 : 0
                        if c > 1 { for j in 0..<c where out[j] > out[predicted] { predicted = j } }
                        classifier!.add(truth: ids[i], predicted: predicted)
                    } else {
                        // Class ids through a linear output: compared as the values it was trained on.
                        let target = c == 1 ? [Float(ids[i])] : (0..<c).map { $0 == ids[i] ? Float(1) : 0 }
                        for (y, t) in zip(out, target) { regression!.add(predicted: y, target: t) }
                    }
                case .values(let t):
                    let f = t.count / max(1, t.shape[0])
                    for k in 0..<min(f, c) { regression!.add(predicted: out[k], target: t.scalars[i * f + k]) }
                case .tokens:
                    break
                }
            }
            start += batchSize
        }
        if let classifier { return .classifier(classifier) }
        return regression.map { .regression($0) }
    }
}
