// Plot.swift — `plot HISTORY [PATH] [FIGURE …]`: curves as Unicode block columns, and as SVG.
//
//     plot history                  draws loss (and val_loss) in the output
//     plot history accuracy         draws accuracy (and val_accuracy); also perplexity, lr
//     plot history "loss.svg"       also writes the curves to an SVG file (one per figure:
//                                   "loss.svg", "loss-accuracy.svg", … when several are named)
//
// In the terminal each curve is a bar chart, one column per epoch (stretched to at least
// `minimumWidth` characters), `height` rows tall, every cell split into eighths with
// ▁▂▃▄▅▆▇█. A figure's curves share one vertical scale, so train and validation compare at a
// glance, and it starts at zero (every figure here is at least 0; should one be below, at
// its least value), so a small change does not look like a large one. The SVG file has the
// curves as polylines on labelled axes.

import Foundation
import SeqLang

enum PlotStatement {
    static let height = 8
    static let minimumWidth = 20
    static let eighths: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `plot HISTORY [PATH] [FIGURE …]`
    static func run(_ request: CommandRequest, _ context: CommandContext) throws -> Value {
        var args = StatementArguments(request, context)
        guard let first = args.next() else {
            throw Diagnostic.error(.syntax, at: request.keywordRange, "expected a training history after `plot`",
                                   hint: "`train` binds its history to `history`: write `plot history`")
        }
        let value = try args.value(of: first, for: "a training history")
        var path: String?, pathIndex = 0
        var figures: [String] = []
        while let p = args.next() {
            if let word = p.word, CommandTable.plotFigures.contains(word), p.value == nil || !figures.isEmpty || path != nil {
                guard !figures.contains(word) else { throw Diagnostic.error(.syntax, at: p.range, "option '\(word)' is given twice") }
                figures.append(word)
                continue
            }
            guard path == nil, figures.isEmpty else {
                throw unknownOption(p, of: "`plot`", valid: CommandTable.plotFigures)
            }
            guard case .string(let s)? = p.value, !s.isEmpty else {
                throw Diagnostic.error(.type, at: p.range,
                    "expected the SVG file's path as a string, got \(p.value.map { args.shown($0, p) } ?? p.word ?? "?")",
                    hint: "for example `plot history \"loss.svg\"`")
            }
            path = s
            pathIndex = args.request.args.firstIndex { $0.range == p.range } ?? 1
        }
        if figures.isEmpty { figures = ["loss"] }
        let files = path.map { p in figures.indices.map { svgPath(p, figure: figures[$0], first: $0 == 0) } } ?? []
        for file in files { _ = try context.authorize(path: file, writing: true, at: args.request.args[pathIndex].range) }
        var charts: [[(String, [Double])]] = []
        for figure in figures { charts.append(try curves(value, figure, at: first.range, args: args)) }
        if context.checkOnly { return .none }
        for series in charts { context.output(terminalChart(series)) }
        if !JobPlace.isFollower {  // in an mpirun job the first rank alone writes
            for (file, series) in zip(files, charts) {
                try context.writeFile(file, contents: Array(svg(series).utf8), at: args.request.args[pathIndex].range)
            }
        }
        return .none
    }

    /// The file of the chart of `figure`: the path itself for the first, `NAME-FIGURE.svg` for the others.
    static func svgPath(_ path: String, figure: String, first: Bool) -> String {
        if first { return path }
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let base = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
        return base + "-" + figure + (ext.isEmpty ? "" : "." + ext)
    }

    /// The `FIGURE` and `val_FIGURE` lists of a history record.
    static func curves(_ value: Value, _ figure: String, at range: SourceRange, args: StatementArguments) throws -> [(String, [Double])] {
        guard case .record(let fields) = value else {
            throw Diagnostic.error(.type, at: range, "expected a training history (the record `train` returns), got \(value.typeName)",
                                   hint: "`train` binds its history to `history`: write `plot history`")
        }
        guard fields.contains(where: { $0.key == "loss" }) else {
            throw Diagnostic.error(.type, at: range, "the record has no `loss` list, so it is not a training history",
                                   hint: "`train` binds its history to `history`: write `plot history`")
        }
        guard fields.contains(where: { $0.key == figure }) else {
            let has = CommandTable.plotFigures.filter { f in fields.contains { $0.key == f } }
            throw Diagnostic.error(.type, at: range, "this history has no `\(figure)`: it has \(Suggestion.list(has))",
                                   hint: figure == "accuracy" ? "accuracy is measured for classifiers" : figure == "perplexity" ? "perplexity is measured for models with an output at every step" : nil)
        }
        var out: [(String, [Double])] = []
        for name in [figure, "val_" + figure] {
            guard let field = fields.first(where: { $0.key == name }) else { continue }
            guard case .list(let items) = field.value.plainList else {
                throw Diagnostic.error(.type, at: range, "the history's `\(name)` should be a list of numbers, but it is \(field.value.typeName)")
            }
            var numbers: [Double] = []
            for item in items {
                switch item {
                case .int(let v): numbers.append(Double(v))
                case .number(let v): numbers.append(v)
                default:
                    throw Diagnostic.error(.type, at: range, "the history's `\(name)` should hold numbers, but it holds \(item.typeName)")
                }
            }
            out.append((name, numbers))
        }
        guard let curve = out.first, !curve.1.isEmpty else {
            throw Diagnostic.error(.runtime, at: range, "the history is empty: no epoch was trained")
        }
        return out
    }

    /// The scale of a chart: from zero (or the least value, when one is below zero) to the
    /// greatest finite value (a flat curve gets a little room).
    static func bounds(_ series: [(String, [Double])]) -> (low: Double, high: Double) {
        let values = series.flatMap(\.1).filter(\.isFinite)
        var low = min(0, values.min() ?? 0), high = values.max() ?? 1
        if high - low < 1e-12 { high = low + 1 }
        return (low, high)
    }

    /// Each curve as rows of block characters, its name and the scale on the left.
    static func terminalChart(_ series: [(String, [Double])]) -> String {
        let (low, high) = bounds(series)
        let epochs = series.map(\.1.count).max() ?? 0
        let repeatEach = max(1, (minimumWidth + epochs - 1) / max(epochs, 1))
        let top = Figures.short(high), bottom = Figures.short(low)
        let labelWidth = max(top.count, bottom.count)
        var out = ""
        for (name, values) in series {
            out += "\(name) (epochs 1-\(values.count))\n"
            // Each value's height in eighths of a cell, at least one eighth so it shows.
            let levels = values.map { v -> Int in
                guard v.isFinite else { return 0 }
                return max(1, Int(((v - low) / (high - low) * Double(height * 8)).rounded()))
            }
            for row in stride(from: height - 1, through: 0, by: -1) {
                let label = row == height - 1 ? top : row == 0 ? bottom : ""
                var line = String(repeating: " ", count: labelWidth - label.count) + label + " ┤"
                for level in levels {
                    let fill = min(8, max(0, level - row * 8))
                    line += String(repeating: String(eighths[fill]), count: repeatEach)
                }
                while line.last == " " { line.removeLast() }
                out += line + "\n"
            }
            out += String(repeating: " ", count: labelWidth + 1) + "└" + String(repeating: "─", count: values.count * repeatEach) + "\n"
        }
        return out
    }

    /// Both curves as an SVG document: axes, the scale, one polyline per curve and a legend.
    static func svg(_ series: [(String, [Double])]) -> String {
        let width = 640.0, height = 400.0, left = 60.0, right = 20.0, top = 20.0, bottom = 40.0
        let (low, high) = bounds(series)
        let epochs = max(series.map(\.1.count).max() ?? 1, 1)
        func x(_ i: Int) -> Double { left + (epochs == 1 ? 0 : Double(i) / Double(epochs - 1)) * (width - left - right) }
        func y(_ v: Double) -> Double { top + (1 - (v - low) / (high - low)) * (height - top - bottom) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        let colors = ["#1f77b4", "#ff7f0e"]
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))">
        <rect width="100%" height="100%" fill="white"/>
        <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(height - bottom))" stroke="black"/>
        <line x1="\(f(left))" y1="\(f(height - bottom))" x2="\(f(width - right))" y2="\(f(height - bottom))" stroke="black"/>
        <text x="\(f(left - 6))" y="\(f(top + 4))" text-anchor="end" font-size="12">\(Figures.short(high))</text>
        <text x="\(f(left - 6))" y="\(f(height - bottom))" text-anchor="end" font-size="12">\(Figures.short(low))</text>
        <text x="\(f(left))" y="\(f(height - bottom + 16))" text-anchor="middle" font-size="12">1</text>
        <text x="\(f(width - right))" y="\(f(height - bottom + 16))" text-anchor="middle" font-size="12">\(epochs)</text>
        <text x="\(f((left + width - right) / 2))" y="\(f(height - 8))" text-anchor="middle" font-size="12">epoch</text>

        """
        for (k, (name, values)) in series.enumerated() {
            let points = values.enumerated().filter { $0.element.isFinite }
                .map { "\(f(x($0.offset))),\(f(y($0.element)))" }.joined(separator: " ")
            let color = colors[k % colors.count]
            s += "<polyline class=\"\(name)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            s += "<text x=\"\(f(width - right - 80))\" y=\"\(f(top + 16 + Double(k) * 16))\" fill=\"\(color)\" font-size=\"12\">\(name)</text>\n"
        }
        return s + "</svg>\n"
    }
}
