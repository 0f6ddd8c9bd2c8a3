// TableSniffer.swift — guessing a table's separator and whether its first line is a header,
// from the first lines of the file, when the script does not say.
//
// Separator: the candidate (tab, comma, semicolon, bar; tab first for `.tsv`/`.tab`) that
// splits every sampled line into the same number of fields, more than one; failing that, the
// one that splits the most lines; a comma when nothing splits.
// Header: the first row is a header when the script asks for columns by names it holds (no
// guess), or when some column disagrees with the rows below it — text above numbers, or a word above a
// column of a few repeated labels that it is not one of. A first row that agrees with a
// column (a number above numbers, one of the labels above labels) keeps it data, and so
// does no evidence either way: a row is never dropped on a guess it cannot explain.

enum TableSniffer {
    /// How many lines are looked at.
    static let sampleLines = 50

    static func separator(of lines: [String], preferTab: Bool) -> Character {
        let candidates: [Character] = preferTab ? ["\t", ",", ";", "|"] : [",", "\t", ";", "|"]
        var best: (Character, Int)?
        for c in candidates {
            let counts = lines.map { fieldCount($0, separator: c) }
            if let first = counts.first, first > 1, counts.allSatisfy({ $0 == first }) { return c }
            let split = counts.filter { $0 > 1 }.count
            if split > (best?.1 ?? 0) { best = (c, split) }
        }
        return best?.0 ?? ","
    }

    /// Fields of `line` at `separator`, outside quotes.
    private static func fieldCount(_ line: String, separator: Character) -> Int {
        var count = 1, quoted = false
        for c in line {
            if c == "\"" { quoted.toggle() } else if c == separator && !quoted { count += 1 }
        }
        return count
    }

    /// Whether the first row holds every column name the script asks for (then it is the
    /// header, and nothing was guessed).
    static func namesWanted(_ rows: [[String]], _ wanted: [String]) -> Bool {
        guard let first = rows.first, !wanted.isEmpty else { return false }
        let names = first.map { $0.trimmingCharacters(in: .whitespaces) }
        return wanted.allSatisfy(names.contains)
    }

    /// Why `rows[0]` reads as a header (shown to the user), or nil when it reads as data.
    static func headerReason(_ rows: [[String]]) -> String? {
        guard let first = rows.first else { return nil }
        let names = first.map { $0.trimmingCharacters(in: .whitespaces) }
        let below = rows.dropFirst().prefix(sampleLines * 4)
        guard !below.isEmpty else { return nil }
        var reason: String?
        for (c, name) in names.enumerated() {
            let column = below.compactMap { c < $0.count ? $0[c].trimmingCharacters(in: .whitespaces) : nil }
            guard !column.isEmpty else { continue }
            let numeric = column.allSatisfy { DelimitedTable.number($0) != nil }
            let nameIsNumber = DelimitedTable.number(name) != nil
            if numeric {
                if nameIsNumber { return nil }
                reason = reason ?? "'\(name)' stands above a column of numbers"
                continue
            }
            let labels = Set(column)
            guard labels.count <= max(2, column.count / 2) else { continue }
            if labels.contains(name) { return nil }
            if !nameIsNumber {
                reason = reason ?? "'\(name)' stands above a column of the labels " + labels.sorted().prefix(4).map { "'\($0)'" }.joined(separator: ", ") + " and is not one of them"
            }
        }
        return reason
    }
}
