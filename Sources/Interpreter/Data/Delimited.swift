// Delimited.swift — CSV and TSV tables: read_csv (float columns as a time series) and the rows
// behind read_labelled's label-column form.
//
// Fields are separated by tabs in `.tsv`/`.tab` files and by commas otherwise; a field may be
// quoted with `"` (a doubled `""` is a quote inside it). The first row is a header when any of
// its fields is not a number. Errors name the file and the line.

import Foundation
import SeqLang
import Tensor

struct DelimitedTable {
    var file: String
    /// Column names, when the first row is a header.
    var header: [String]?
    /// Data rows with their 1-based line numbers in the file.
    var rows: [(line: Int, fields: [String])]

    static func read(_ path: String, context: CommandContext, at range: SourceRange) throws -> DelimitedTable {
        let text = try DataFile.readText(path, context: context, at: range)
        let ext = (path as NSString).pathExtension.lowercased()
        let separator: Character = (ext == "tsv" || ext == "tab") ? "\t" : ","
        var rows: [(Int, [String])] = []
        for (k, line) in TextBuiltins.lines(of: text).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            rows.append((k + 1, try fields(of: line, separator: separator, file: path, line: k + 1, at: range)))
        }
        var header: [String]?
        if let first = rows.first, first.1.contains(where: { number($0) == nil }) {
            header = first.1.map { $0.trimmingCharacters(in: .whitespaces) }
            rows.removeFirst()
        }
        return DelimitedTable(file: path, header: header, rows: rows)
    }

    static func number(_ field: String) -> Double? {
        Double(field.trimmingCharacters(in: .whitespaces))
    }

    private static func fields(of line: String, separator: Character, file: String, line number: Int,
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
                throw args.valueError("column '\(name)' needs a header row, but the first line of '\(file)' is all numbers",
                                      hint: "choose columns by number (0 is the first)")
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
            let args = try Arguments("read_csv", values, context, range, names: ["path", "columns"], optional: 1)
            let path = try args.string(0, "a file path")
            let table = try DelimitedTable.read(path, context: context, at: range)
            let columns: [Int]
            if args.has(1) {
                columns = try args.list(1, "the columns").map { try table.column($0, argument: 1, args: args) }
            } else {
                columns = Array(0..<(table.header?.count ?? table.rows.first?.fields.count ?? 0))
            }
            guard !table.rows.isEmpty, !columns.isEmpty else {
                throw args.valueError("'\(path)' has no rows of numbers")
            }
            var scalars: [Float] = []
            scalars.reserveCapacity(table.rows.count * columns.count)
            for row in table.rows {
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
            return .tensor(Tensor(unchecked: [table.rows.count, columns.count], scalars))
        }
    }
}
