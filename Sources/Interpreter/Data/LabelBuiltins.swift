// LabelBuiltins.swift — read_labelled: labelled text lines, and class ids from labels.
//
// Two forms: one file per class (`read_labelled([pos, neg], ["pos", "neg"])`, every line of a
// file a sample of that class), or one CSV/TSV table with a label column and a text column
// (`read_labelled("reviews.tsv", "label", "text" [, delimiter [, header]])`). Either gives a
// record `{text: [strings], label: [strings]}`, one entry per sample, in file order; a table
// whose first line was taken for a header without the script saying so adds `note`, which
// says why (TableSniffer.swift) and how to read it as data.
// Class ids are given to label names in sorted order (numerically when every name is an
// integer), so "neg" is 0 and "pos" is 1 whichever file came first.

import SeqLang

enum LabelBuiltins {
    static func install(into registry: CommandRegistry) {
        registry.register(function: "read_labelled") { values, context, range in
            let args = try Arguments("read_labelled", values, context, range,
                                     names: ["files or table", "labels or label column", "text column", "delimiter", "header"],
                                     optional: 3)
            var texts: [Value] = []
            var labels: [Value] = []
            if case .list = args.values[0] {
                guard !args.has(2) else {
                    throw args.valueError("with a list of files, expected 2 arguments (files, labels) but got \(args.count)")
                }
                let files = try args.strings(0, "the files, one per class")
                let names = try args.strings(1, "the label of each file")
                guard files.count == names.count, !files.isEmpty else {
                    throw args.valueError("expected one label per file, but there are \(files.count) files and \(names.count) labels")
                }
                var pace = Pacer(context, at: range, building: "the labelled lines")
                for (file, name) in zip(files, names) {
                    let text = try DataFile.readText(file, context: context, at: range)
                    for line in try TextBuiltins.lines(of: text, pace: &pace) {
                        texts.append(.string(line))
                        labels.append(.string(name))
                    }
                }
            } else {
                let path = try args.string(0, "a table file or a list of files")
                let wanted = [args.values[1], args.has(2) ? args.values[2] : .none].compactMap { v -> String? in
                    if case .string(let s) = v { return s } else { return nil }
                }
                let table = try DelimitedTable.read(path, layout: try TableLayout.read(args, delimiter: 3, header: 4),
                                                    wanted: wanted, context: context, at: range)
                let labelColumn = try table.column(args.values[1], argument: 1, args: args)
                let textColumn: Int
                if args.given(2) {
                    textColumn = try table.column(args.values[2], argument: 2, args: args)
                } else {
                    let width = table.header?.count ?? table.rows.first?.fields.count ?? 0
                    guard width == 2 else {
                        throw args.valueError("'\(path)' has \(width) columns, so the text column must be named",
                                              hint: "call it as read_labelled(path, label_column, text_column)")
                    }
                    textColumn = 1 - labelColumn
                }
                for row in table.rows {
                    labels.append(.string(try table.field(row, labelColumn, args: args).trimmingCharacters(in: .whitespaces)))
                    texts.append(.string(try table.field(row, textColumn, args: args)))
                }
                if let why = table.assumedHeader, let names = table.header {
                    let note = "the first line of '\(path)' was read as a header (" + names.joined(separator: ", ")
                        + ") because " + why + "; pass header false to read it as data"
                    return .record([("text", .list(texts)), ("label", .list(labels)), ("note", .string(note))])
                }
            }
            return .record([("text", .list(texts)), ("label", .list(labels))])
        }
    }

    /// Class ids from argument `i`: a list of ints (used as they are; no names) or of label
    /// strings (ids in sorted name order, with the names).
    static func classLabels(_ args: Arguments, _ i: Int) throws -> ([Int], [String]?) {
        let items = try args.list(i, "the labels")
        if items.allSatisfy({ if case .string = $0 { return true } else { return false } }) {
            let names = items.map { v -> String in if case .string(let s) = v { return s } else { return "" } }
            let classes = sortedClassNames(names)
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($0.element, $0.offset) })
            return (names.map { index[$0]! }, classes)
        }
        return (try args.ids(i, "the labels"), nil)
    }

    /// Distinct names, sorted numerically when all are integers, else as strings.
    static func sortedClassNames(_ names: [String]) -> [String] {
        let distinct = Array(Set(names))
        if distinct.allSatisfy({ Int($0) != nil }) { return distinct.sorted { Int($0)! < Int($1)! } }
        return distinct.sorted()
    }
}
