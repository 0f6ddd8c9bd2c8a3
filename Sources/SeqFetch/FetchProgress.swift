// FetchProgress.swift — how far a data-set download has come, and its one-line text bar.
//
// `DatasetFetcher` reports a `FetchProgress` for every file: when it starts, as bytes arrive,
// and once the file is verified (or found already present). `ProgressBar.render` turns one
// report into a line such as `ptb.train.txt  [##########          ]  52%  2.6/5.1 MB`; it is a
// pure function, so the host decides where and how often to draw it.

import SeqLang

/// One progress report of a data-set download.
public struct FetchProgress: Hashable, Sendable {
    /// Where a file stands.
    public enum Stage: Hashable, Sendable {
        /// Bytes are arriving; `bytesDone` grows toward `bytesTotal`.
        case downloading
        /// The file arrived, its size and SHA-256 matched, and it is in place.
        case verified
        /// The file was already in the cache with the right SHA-256; nothing was downloaded.
        case alreadyPresent
    }

    /// The data set's name (`ptb`).
    public var dataset: String
    /// The file's path in the data folder (`ptb/ptb.train.txt`).
    public var file: String
    /// Which file of the data set this is (from 1) and how many there are.
    public var fileNumber: Int
    public var fileCount: Int
    public var bytesDone: Int
    public var bytesTotal: Int
    public var stage: Stage

    public init(dataset: String, file: String, fileNumber: Int, fileCount: Int,
                bytesDone: Int, bytesTotal: Int, stage: Stage) {
        self.dataset = dataset
        self.file = file
        self.fileNumber = fileNumber
        self.fileCount = fileCount
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.stage = stage
    }

    /// The file's name without its folder (`ptb.train.txt`).
    public var fileName: String {
        file.split(separator: "/").last.map(String.init) ?? file
    }
}

/// Renders download progress as one line of text (its cells drawn by `TextBar`, as training's bar is).
public enum ProgressBar {
    /// The default number of cells between the brackets.
    public static let defaultWidth = 20

    /// `name  [#####     ]  52%  2.6/5.1 MB`: a bar of `width` cells, the percentage and the
    /// byte counts in the unit that suits `total`. `done` is clamped to `0...total`; a total of
    /// zero or less (unknown) draws an empty bar with `?%` and only the bytes done.
    /// - Parameters:
    ///   - name: What is being downloaded, shown first.
    ///   - done: Bytes received so far.
    ///   - total: Bytes expected in all.
    ///   - width: Cells in the bar (at least 1).
    public static func render(name: String, done: Int, total: Int, width: Int = defaultWidth) -> String {
        let bar = TextBar.cells(done: done, total: total, width: width, filled: "#", empty: " ")
        guard total > 0 else {
            return "\(name)  [\(bar)]    ?%  \(formatBytes(max(0, done), unitFor: max(0, done)))"
        }
        let clamped = min(max(0, done), total)
        let percent = clamped * 100 / total
        let percentText = String(repeating: " ", count: 3 - String(percent).count) + "\(percent)%"
        let unit = Unit(for: total)
        return "\(name)  [\(bar)]  \(percentText)  \(unit.format(clamped))/\(unit.format(total)) \(unit.symbol)"
    }

    /// The line for one progress report: the file name, the bar, and a note when the file was
    /// already present.
    public static func render(_ progress: FetchProgress, width: Int = defaultWidth) -> String {
        let line = render(name: progress.fileName, done: progress.bytesDone, total: progress.bytesTotal, width: width)
        return progress.stage == .alreadyPresent ? line + "  (already present)" : line
    }

    /// `bytes` with the unit that suits `reference`: `978 B`, `28.9 kB`, `5.1 MB`.
    static func formatBytes(_ bytes: Int, unitFor reference: Int) -> String {
        let unit = Unit(for: reference)
        return "\(unit.format(bytes)) \(unit.symbol)"
    }

    /// Decimal units, as download sizes are usually given.
    private struct Unit {
        let symbol: String
        let scale: Int

        init(for bytes: Int) {
            switch bytes {
            case ..<1_000: (symbol, scale) = ("B", 1)
            case ..<1_000_000: (symbol, scale) = ("kB", 1_000)
            case ..<1_000_000_000: (symbol, scale) = ("MB", 1_000_000)
            default: (symbol, scale) = ("GB", 1_000_000_000)
            }
        }

        /// Whole bytes, or one decimal of the larger units (rounded down, so 100% shows only
        /// when it is complete).
        func format(_ bytes: Int) -> String {
            guard scale > 1 else { return String(bytes) }
            let tenths = bytes * 10 / scale
            return "\(tenths / 10).\(tenths % 10)"
        }
    }
}
