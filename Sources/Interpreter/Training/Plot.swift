// Plot.swift — `plot HISTORY [PATH]`: loss curves as Unicode block columns, and as SVG.
//
//     plot history                  draws loss (and val_loss) in the output
//     plot history "loss.svg"       also writes the curves to an SVG file
//
// In the terminal each curve is a bar chart, one column per epoch (stretched to at least
// `minimumWidth` characters), `height` rows tall, every cell split into eighths with
// ▁▂▃▄▅▆▇█. The curves share one vertical scale, so train and validation loss compare at a
// glance. The SVG file has both curves as polylines on labelled axes.

import Foundation
import SeqLang

enum PlotStatement {
    static let height = 8
    static let minimumWidth = 20
    static let eighths: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `plot HISTORY [PATH]`
    static func run(_ request: CommandRequest, _ context: CommandContext) throws -> Value {
        var args = StatementArguments(request, context)
        guard let first = args.next() else {
            throw Diagnostic.error(.syntax, at: request.keywordRange, "expected a training history after `plot`",
                                   hint: "`train` binds its history to `history`: write `plot history`")
        }
        let value = try args.value(of: first, for: "a training history")
        let series = try curves(value, at: first.range, args: args)
        var path: String?
        if let p = args.next() {
            guard case .string(let s)? = p.value, !s.isEmpty else {
                throw Diagnostic.error(.type, at: p.range,
                    "expected the SVG file's path as a string, got \(p.value.map { args.shown($0, p) } ?? p.word ?? "?")",
                    hint: "for example `plot history \"loss.svg\"`")
            }
            _ = try context.authorize(path: s, writing: true, at: p.range)
            path = s
            if let extra = args.next() {
                throw Diagnostic.error(.syntax, at: extra.range, "unexpected argument after the path; `plot` takes a history and at most one path")
            }
        }
        if context.checkOnly { return .none }
        context.output(terminalChart(series))
        if let path, !JobPlace.isFollower {  // in an mpirun job the first rank alone writes
            try context.writeFile(path, contents: Array(svg(series).utf8), at: args.request.args[1].range)
        }
        return .none
    }

    /// The `loss` and `val_loss` lists of a history record.
    static func curves(_ value: Value, at range: SourceRange, args: StatementArguments) throws -> [(String, [Double])] {
        guard case .record(let fields) = value else {
            throw Diagnostic.error(.type, at: range, "expected a training history (the record `train` returns), got \(value.typeName)",
                                   hint: "`train` binds its history to `history`: write `plot history`")
        }
        var out: [(String, [Double])] = []
        for name in ["loss", "val_loss"] {
            guard let field = fields.first(where: { $0.key == name }) else { continue }
            guard case .list(let items) = field.value else {
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
        guard let loss = out.first, loss.0 == "loss" else {
            throw Diagnostic.error(.type, at: range, "the record has no `loss` list, so it is not a training history",
                                   hint: "`train` binds its history to `history`: write `plot history`")
        }
        guard !loss.1.isEmpty else {
            throw Diagnostic.error(.runtime, at: range, "the history is empty: no epoch was trained")
        }
        return out
    }

    /// The finite range of every curve (a flat curve gets a little room).
    static func bounds(_ series: [(String, [Double])]) -> (low: Double, high: Double) {
        let values = series.flatMap(\.1).filter(\.isFinite)
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high - low < 1e-12 { low -= 0.5; high += 0.5 }
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
