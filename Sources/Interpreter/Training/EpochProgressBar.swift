// EpochProgressBar.swift — the live line a terminal shows while an epoch trains, and what the
// throughput counts.
//
//     epoch 2/5 ███████████░░░░░░░░░░░░░░░░░░░ 45/120  loss 0.6931  3,412 samples/s  left 0:07
//
// Drawn only when the host says its output is a terminal (`outputIsTerminal`; seqsh sets it
// when stdout is one), redrawn in place with `\r` at most `redrawInterval` apart, and erased
// before any other line is printed, so a pipe or a log never sees it. The loss is the mean of
// the epoch so far; the rate and the time left come from the epoch's own clock.

import Foundation
import SeqLang

/// What one unit of training throughput is: a predicted symbol of a language model (a word
/// when the vocabulary is of words), or a sample of anything else.
enum ThroughputUnit: String {
    case samples, words, symbols

    static func of(_ trained: TrainedNetwork) -> ThroughputUnit {
        guard trained.network.outputIsSequence else { return .samples }
        if let v = trained.vocabulary, !v.characters { return .words }
        return .symbols
    }

    var perSecond: String { rawValue + "/s" }
}

/// The live progress line of one epoch.
struct EpochProgressBar {
    static let width = 30
    /// Seconds between two redraws (every step would flood a slow terminal).
    static let redrawInterval = 0.1
    /// Moves to the line start and clears it.
    static let erase = "\r\u{1B}[K"

    let epoch: Int
    let epochs: Int
    let steps: Int
    let unit: ThroughputUnit
    let started = Date()
    private var lastDrawn: Date?

    init(epoch: Int, epochs: Int, steps: Int, unit: ThroughputUnit) {
        self.epoch = epoch
        self.epochs = epochs
        self.steps = steps
        self.unit = unit
    }

    /// The line after `done` steps of the epoch, or nil when the last redraw is too recent
    /// (the last step of an epoch is never drawn: the epoch line replaces it).
    mutating func redraw(done: Int, loss: Double, items: Int) -> String? {
        let now = Date()
        if let lastDrawn, now.timeIntervalSince(lastDrawn) < EpochProgressBar.redrawInterval { return nil }
        lastDrawn = now
        return EpochProgressBar.erase + EpochProgressBar.line(epoch: epoch, epochs: epochs, done: done, of: steps, loss: loss,
                                                    rate: Double(items) / max(now.timeIntervalSince(started), 1e-9),
                                                    unit: unit,
                                                    secondsLeft: now.timeIntervalSince(started) / Double(done) * Double(steps - done))
    }

    /// `epoch 2/5 █████░░░░░ 45/120  loss 0.6931  3,412 samples/s  left 0:07`
    static func line(epoch: Int, epochs: Int, done: Int, of total: Int, loss: Double, rate: Double,
                     unit: ThroughputUnit, secondsLeft: Double) -> String {
        // An epoch of no steps is complete.
        let bar = TextBar.cells(done: total == 0 ? 1 : done, total: max(total, 1), width: width, filled: "█", empty: "░")
        return "epoch \(epoch)/\(epochs) " + bar + " \(done)/\(total)"
            + "  loss \(Figures.short(loss))  \(Figures.rate(rate)) \(unit.perSecond)  left \(clock(secondsLeft))"
    }

    /// `0:07`, `12:30`, `1:02:03`
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        let s = Int(seconds.rounded())
        let h = s / 3600, m = (s % 3600) / 60, r = s % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, r) : String(format: "%d:%02d", m, r)
    }
}
