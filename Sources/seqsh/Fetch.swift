// Fetch.swift — `seqsh fetch NAME…`: downloads known data sets into the data cache.
//
// The list of data sets and their sources lives in SeqFetch/KnownDatasets.swift;
// `DatasetFetcher` downloads, verifies sizes and sha256 sums, and never leaves a half-written
// file behind. This file only shows progress (a live bar on a terminal, a line per file
// otherwise) and renders failures as diagnostics.

import Foundation
import SeqFetch

enum FetchCommand {
    /// Fetches each named data set into `folder` (default: the per-user cache); stops at the
    /// first failure. Exit status 1 on a failure, 2 when no name is given.
    static func run(_ names: [String], into folder: String?, color: Bool) -> ExitStatus {
        guard !names.isEmpty else {
            Terminal.writeErr("usage: seqsh fetch NAME [NAME...]\nknown data sets:\n" + listing())
            return .usage
        }
        let live = isatty(STDERR_FILENO) == 1
        let fetcher = DatasetFetcher(
            cacheFolder: folder ?? DatasetFetcher.defaultCacheFolder,
            progress: { report($0, live: live) })
        for name in names {
            do {
                let paths = try fetcher.fetch(name)
                Terminal.writeOut("\(name): \(paths.count) file\(paths.count == 1 ? "" : "s") in \(fetcher.cacheFolder)\n")
            } catch let error as FetchError {
                if live { Terminal.writeErr("\n") }
                Terminal.writeErr(error.diagnostic.render(source: nil, color: color && Terminal.colorAllowed(on: STDERR_FILENO)))
                return .scriptError
            } catch {
                Terminal.writeErr("seqsh fetch: \(error)\n")
                return .scriptError
            }
        }
        return .success
    }

    /// One line per known data set: name, size, summary.
    static func listing() -> String {
        KnownDatasets.all.map { "  \($0.name.padding(toLength: 16, withPad: " ", startingAt: 0))\($0.summary)\n" }.joined()
    }

    /// A live bar redrawn in place on a terminal; otherwise one line when a file is done.
    private static func report(_ progress: FetchProgress, live: Bool) {
        switch progress.stage {
        case .downloading:
            if live { Terminal.writeErr("\r" + ProgressBar.render(progress)) }
        case .verified:
            Terminal.writeErr((live ? "\r" : "") + ProgressBar.render(progress) + "  sha256 ok\n")
        case .alreadyPresent:
            Terminal.writeErr("\(progress.fileName): already present and verified\n")
        }
    }
}
