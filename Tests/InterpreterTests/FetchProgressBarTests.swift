// FetchProgressBarTests.swift — the one-line progress bar seqsh draws while fetching.

import SeqFetch
import XCTest

final class FetchProgressBarTests: XCTestCase {
    func testBarPercentAndMegabytes() {
        XCTAssertEqual(ProgressBar.render(name: "ptb.train.txt", done: 2_660_000, total: 5_101_618, width: 10),
                       "ptb.train.txt  [#####     ]   52%  2.6/5.1 MB")
        XCTAssertEqual(ProgressBar.render(name: "ptb.train.txt", done: 0, total: 5_101_618, width: 10),
                       "ptb.train.txt  [          ]    0%  0.0/5.1 MB")
        XCTAssertEqual(ProgressBar.render(name: "ptb.train.txt", done: 5_101_618, total: 5_101_618, width: 10),
                       "ptb.train.txt  [##########]  100%  5.1/5.1 MB")
    }

    func testUnitsFollowTheTotal() {
        XCTAssertEqual(ProgressBar.render(name: "belling_the_cat.txt", done: 489, total: 978, width: 4),
                       "belling_the_cat.txt  [##  ]   50%  489/978 B")
        XCTAssertEqual(ProgressBar.render(name: "train-labels-idx1-ubyte.gz", done: 28_881, total: 28_881, width: 4),
                       "train-labels-idx1-ubyte.gz  [####]  100%  28.8/28.8 kB")
        XCTAssertEqual(ProgressBar.render(name: "big", done: 1_500_000_000, total: 3_000_000_000, width: 2),
                       "big  [# ]   50%  1.5/3.0 GB")
    }

    func testNeverShowsCompleteBeforeTheEnd() {
        let almost = ProgressBar.render(name: "f", done: 5_101_617, total: 5_101_618, width: 10)
        XCTAssertEqual(almost, "f  [######### ]   99%  5.1/5.1 MB")
    }

    func testOutOfRangeAndUnknownTotals() {
        XCTAssertEqual(ProgressBar.render(name: "f", done: 2_000, total: 1_000, width: 4), "f  [####]  100%  1.0/1.0 kB")
        XCTAssertEqual(ProgressBar.render(name: "f", done: -5, total: 1_000, width: 4), "f  [    ]    0%  0.0/1.0 kB")
        XCTAssertEqual(ProgressBar.render(name: "f", done: 1_200_000, total: 0, width: 4), "f  [    ]    ?%  1.2 MB")
        XCTAssertEqual(ProgressBar.render(name: "f", done: 1, total: 2, width: 0), "f  [ ]   50%  1/2 B")
    }

    func testRenderingAReport() {
        let report = FetchProgress(dataset: "ptb", file: "ptb/ptb.valid.txt", fileNumber: 2, fileCount: 3,
                                   bytesDone: 399_782, bytesTotal: 399_782, stage: .alreadyPresent)
        XCTAssertEqual(report.fileName, "ptb.valid.txt")
        XCTAssertEqual(ProgressBar.render(report, width: 5),
                       "ptb.valid.txt  [#####]  100%  399.7/399.7 kB  (already present)")
        var downloading = report
        downloading.stage = .downloading
        downloading.bytesDone = 100_000
        XCTAssertEqual(ProgressBar.render(downloading, width: 5), "ptb.valid.txt  [#    ]   25%  100.0/399.7 kB")
        XCTAssertEqual(ProgressBar.render(downloading).count, ProgressBar.render(name: "ptb.valid.txt", done: 100_000,
                                                                                   total: 399_782).count)
    }
}
