// Delimited.swift — CSV and TSV tables: read_csv (float columns as a time series) and the rows
// behind read_labelled's label-column form.
//
// A field may be quoted with `"` (a doubled `""` is a quote inside it); lines may end in `\n`
// or `\r\n`. The separator and whether the first line is a header are the caller's to give
// (`TableLayout`) or are sniffed from the first lines (`TableSniffer.swift`). Errors name the
// file and the line.

import Foundation
import SeqLang
import Tensor

/// How a table is laid out: its separator and whether its first line names the columns; nil
/// for either means "find out from the file".
struct TableLayout {
    var separator: Character?
    var header: Bool?

    /// Reads the optional `delimiter` and `header` arguments at positions `d` and `h` (`none`
    /// or absent means "sniff").
    static func read(_ args: Arguments, delimiter d: Int, header h: Int) throws -> TableLayout {
        var layout = TableLayout()
        if args.given(d) {
            let text = try args.string(d, "the delimiter")
            guard text.count == 1, let c = text.first, c != "\"", c != "\n", c != "\r" else {
                throw args.valueError("the delimiter must be one character other than a quote or a line break but is \"\(text)\"",
                                      hint: "for a tab write \"\\t\"; for a comma \",\"")
            }
            layout.separator = c
        }
        if args.given(h) {
            guard case .bool(let b) = args.values[h] else {
                throw args.typeError(h, "whether the first line is a header", expected: "true, false or none")
            }
            layout.header = b
        }
        return layout
    }
}

struct DelimitedTable {
    var file: String
    /// Column names, when the first row is a header.
    var header: [String]?
    /// Data rows with their 1-based line numbers in the file.
    var rows: [(line: Int, fields: [String])]
    /// The separator the fields were split at.
    var separator: Character
    /// Why the first line was taken as a header, when nobody said it was one.
    var assumedHeader: String?

    /// Reads `path` laid out as `layout` says, sniffing what it leaves open; `wanted` are the
    /// column names the caller asks for (a first line holding them is a header).
    static func read(_ path: String, layout: TableLayout = TableLayout(), wanted: [String] = [],
                     context: CommandContext, at range: SourceRange) throws -> DelimitedTable {
        let text = try DataFile.readText(path, context: context, at: range)
        var pace = Pacer(context, at: range, building: "the table of '\(path)'")
        var lines: [(Int, String)] = []
        for (k, line) in try TextBuiltins.lines(of: text, pace: &pace).enumerated() {
            try pace.tick()
            if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                lines.append((k + 1, line))
                pace.add(bytes: MemoryLayout<(Int, String)>.stride + ValueMemory.string(line))
            }
        }
        let ext = (path as NSString).pathExtension.lowercased()
        let separator = layout.separator
            ?? TableSniffer.separator(of: lines.prefix(TableSniffer.sampleLines).map(\.1), preferTab: ext == "tsv" || ext == "tab")
        var rows: [(Int, [String])] = []
        for (number, line) in lines {
            try pace.tick()
            let row = try fields(of: line, separator: separator, file: path, line: number, at: range)
            pace.add(bytes: MemoryLayout<(Int, [String])>.stride + 32 + row.count * MemoryLayout<String>.stride
                         + row.reduce(0) { $0 + ValueMemory.string($1) })
            rows.append((number, row))
        }
        // What the sniffer reads: the first line and the lines below it it compares.
        let sample = rows.prefix(TableSniffer.sampleLines * 4 + 1).map(\.1)
        var header: [String]?
        var assumed: String?
        let isHeader: Bool
        if let given = layout.header {
            isHeader = given && !rows.isEmpty
        } else if TableSniffer.namesWanted(sample, wanted) {
            isHeader = true
        } else if let reason = TableSniffer.headerReason(sample) {
            isHeader = true
            assumed = reason
        } else {
            isHeader = false
        }
        if isHeader {
            header = rows[0].1.map { $0.trimmingCharacters(in: .whitespaces) }
            rows.removeFirst()
        }
        return DelimitedTable(file: path, header: header, rows: rows, separator: separator, assumedHeader: assumed)
    }

    static func number(_ field: String) -> Double? {
        Double(field.trimmingCharacters(in: .whitespaces))
    }

    static func fields(of line: String, separator: Character, file: String, line number: Int,
                               at range: SourceRange) throws -> [String] {
        var out: [String] = []
        var field = ""
        var quoted = false
        var chars = line.makeIterator()
        var atFieldStart = true
        while let c = chars.next() {
            if quoted {
                if c == "\"" {
                    if let n = chars.next() {
                        if n == "\"" { field.append("\"") } else if n == separator { quoted = false; out.append(field); field = ""; atFieldStart = true } else {
                            throw Diagnostic.error(.io, at: range, "\(file):\(number): expected a separator after a closing quote but found '\(n)'")
                        }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" && atFieldStart {
                quoted = true
                atFieldStart = false
            } else if c == separator {
                out.append(field); field = ""; atFieldStart = true
            } else {
                field.append(c)
                if !c.isWhitespace { atFieldStart = false }
            }
        }
        if quoted {
            throw Diagnostic.error(.io, at: range, "\(file):\(number): a quoted field is not closed before the end of the line")
        }
        out.append(field)
        return out
    }

    /// The index of a column given by name (needs a header) or by 0-based number.
    func column(_ selector: Value, argument: Int, args: Arguments) throws -> Int {
        let width = header?.count ?? rows.first?.fields.count ?? 0
        switch selector {
        case .int(let i):
            guard i >= 0 && i < width else {
                throw args.valueError("column \(i) is outside '\(file)', whose columns are 0 to \(width - 1)")
            }
            return i
        case .string(let name):
            guard let header else {
                throw args.valueError("column '\(name)' needs a header row, but the first line of '\(file)' was read as data",
                                      hint: "choose columns by number (0 is the first), or pass header true")
            }
            if let i = header.firstIndex(of: name) { return i }
            throw args.valueError("'\(file)' has no column '\(name)'; its columns are " + header.map { "'\($0)'" }.joined(separator: ", "))
        default:
            throw Diagnostic.error(.type, at: args.range, "\(args.function) expects a column name (string) or number (int) in argument \(argument + 1) but got \(selector.typeName)")
        }
    }

    /// Field `column` of a row, or an error naming the line when the row is too short.
    func field(_ row: (line: Int, fields: [String]), _ column: Int, args: Arguments) throws -> String {
        guard column < row.fields.count else {
            throw Diagnostic.error(.io, at: args.range,
                                   "\(file):\(row.line): expected at least \(column + 1) fields but the line has \(row.fields.count)")
        }
        return row.fields[column]
    }
}

enum DelimitedBuiltins {
    static func install(into registry: CommandRegistry) {
        registry.register(function: "read_csv") { values, context, range in
            let args = try Arguments("read_csv", values, context, range, names: ["path", "columns", "delimiter", "header"],
                                     optional: 3)
            let path = try args.string(0, "a file path")
            let layout = try TableLayout.read(args, delimiter: 2, header: 3)
            let wanted = args.given(1) ? try args.list(1, "the columns").compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } } : []
            let table = try DelimitedTable.read(path, layout: layout, wanted: wanted, context: context, at: range)
            let columns: [Int]
            if args.given(1) {
                columns = try args.list(1, "the columns").map { try table.column($0, argument: 1, args: args) }
            } else {
                columns = Array(0..<(table.header?.count ?? table.rows.first?.fields.count ?? 0))
            }
            guard !table.rows.isEmpty, !columns.isEmpty else {
                throw args.valueError("'\(path)' has no rows of numbers")
            }
            var pace = try args.pacer(building: "the numbers of '\(path)'",
                                      bytes: MemorySize.bytes(table.rows.count, columns.count, of: Float.self))
            var scalars: [Float] = []
            scalars.reserveCapacity(table.rows.count * columns.count)
            for row in table.rows {
                try pace.tick()
                for c in columns {
                    let text = try table.field(row, c, args: args)
                    guard let v = DelimitedTable.number(text) else {
                        let name = table.header.map { "column '\($0[c])'" } ?? "column \(c)"
                        throw Diagnostic.error(.io, at: range,
                                               "\(path):\(row.line): expected a number in \(name) but found '\(text)'",
                                               hint: "read_csv reads numeric columns; choose the columns to read with read_csv(path, [names])")
                    }
                    scalars.append(Float(v))
                }
            }
            return .tensor(TensorValue(Tensor(unchecked: [table.rows.count, columns.count], scalars)))
        }
    }
}
