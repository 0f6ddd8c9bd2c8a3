// TextBar.swift — the row of cells every progress line draws: training's live epoch bar
// (`███░░░`) and `seqsh fetch`'s download bar (`[###   ]`).
//
// It lives in the front-end module because every module that draws for the user (Interpreter
// for training, SeqFetch for downloads) depends on it; it is `package`, not public API.

/// A bar of `width` cells, the first `done * width / total` of them filled.
package enum TextBar {
    /// `done` is clamped to `0...total`; a total of zero or less (unknown) draws only empty cells.
    /// Filled cells never reach `width` before `done` reaches `total` (the count rounds down).
    /// - Parameters:
    ///   - done: Units done so far.
    ///   - total: Units in all.
    ///   - width: Cells in the bar (at least 1).
    ///   - filled: The glyph of a done cell.
    ///   - empty: The glyph of a cell still to come.
    package static func cells(done: Int, total: Int, width: Int, filled: Character, empty: Character) -> String {
        let cells = max(1, width)
        let count = total > 0 ? min(max(0, done), total) * cells / total : 0
        return String(repeating: filled, count: count) + String(repeating: empty, count: cells - count)
    }
}
