// SummaryTable.swift — the text `summary` prints: one row per layer with its output shape
// (named axes), parameter count and effective dropout rate, then the totals.
//
//     model sentiment
//     layer                      output shape                     params  dropout
//     input tokens vocab 10000   [batch, time 100]                     -        -
//     embedding 10000 64         [batch, time 100, feature 64]   640,000        -
//     …
//     total params: 789,057 (789,057 trainable)

struct SummaryTable {
    let model: Model

    var text: String {
        var rows: [[String]] = [["layer", "output shape", "params", "dropout"]]
        if let input = model.input {
            var spelled = "input \(input.kind.rawValue)"
            if let f = input.features { spelled += " features \(f)" }
            if let v = input.vocabulary { spelled += " vocab \(v)" }
            rows.append([spelled, input.shape.description, "-", "-"])
        } else {
            rows.append(["input (none yet)", "", "-", "-"])
        }
        for layer in model.layers {
            let s = layer.spec
            rows.append([s.summaryText, layer.shape.description,
                         groupedThousands(s.parameterCount),
                         s.dropout > 0 ? formatNumber(s.dropout) : "-"])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = "model \(model.name)\n"
        for row in rows {
            let line = pad(row[0], widths[0]) + "   " + pad(row[1], widths[1]) + "   "
                + pad(row[2], widths[2], right: true) + "   " + pad(row[3], widths[3], right: true)
            out += line + "\n"
        }
        let trainable = model.layers.filter(\.spec.trainable).reduce(0) { $0 + $1.spec.parameterCount }
        out += "total params: \(groupedThousands(model.parameterCount)) (\(groupedThousands(trainable)) trainable)\n"
        return out
    }

    private func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }
}
