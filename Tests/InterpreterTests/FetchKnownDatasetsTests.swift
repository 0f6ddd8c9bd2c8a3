// FetchKnownDatasetsTests.swift — the list of known data sets against the data folder's README,
// name lookup with did-you-mean, mirror URLs, and the default cache folder.

import Foundation
@testable import Interpreter
@testable import SeqFetch
import SeqLang
import XCTest

final class FetchKnownDatasetsTests: XCTestCase {
    func testTheListMatchesTheREADME() throws {
        let table = try readmeTable(try DataTestHost.sharedData())
        let byPath = Dictionary(uniqueKeysWithValues: table.map { ($0.path, $0) })
        XCTAssertEqual(KnownDatasets.names, ["ptb", "mnist", "rt-polarity", "aesop", "tinyshakespeare"])
        XCTAssertEqual(KnownDatasets.all.map(\.files.count), [3, 4, 2, 1, 1])
        for dataset in KnownDatasets.all {
            XCTAssertFalse(dataset.summary.isEmpty)
            XCTAssertFalse(dataset.origin.isEmpty)
            for file in dataset.files {
                XCTAssertTrue(file.path.hasPrefix(dataset.name + "/"), file.path)
                let row = try XCTUnwrap(byPath[file.path], "\(file.path) is in the README")
                XCTAssertEqual(file.size, row.size, file.path)
                XCTAssertEqual(file.sha256, row.sha256, file.path)
                XCTAssertTrue(file.source.hasPrefix("https://"), file.source)
                XCTAssertTrue(file.source.hasSuffix("/" + file.fileName), file.source)
            }
        }
        XCTAssertEqual(KnownDatasets.named("ptb")?.totalSize, 5_101_618 + 399_782 + 449_945)
    }

    func testUnknownNamesListTheKnownOnesAndSuggestTheClosest() {
        let fetcher = DatasetFetcher(cacheFolder: NSTemporaryDirectory() + "/seqlang-unused", mirror: nil)
        for (typed, meant) in [("ptbb", "ptb"), ("mnst", "mnist"), ("tinyshakespear", "tinyshakespeare"),
                               ("rt_polarity", "rt-polarity"), ("aesopp", "aesop")] {
            XCTAssertThrowsError(try fetcher.fetch(typed)) { error in
                XCTAssertEqual(error as? FetchError, .unknownDataset(name: typed, known: KnownDatasets.names))
                let message = (error as? FetchError)?.message ?? ""
                XCTAssertEqual(message, "unknown data set '\(typed)'; expected one of: ptb, mnist, rt-polarity, aesop, tinyshakespeare")
                XCTAssertEqual((error as? FetchError)?.hint, "did you mean '\(meant)'?")
            }
        }
        XCTAssertThrowsError(try fetcher.fetch("imagenet")) { error in
            XCTAssertNil((error as? FetchError)?.hint, "nothing is close to imagenet")
            let rendered = (error as? FetchError)?.diagnostic.render(source: nil) ?? ""
            XCTAssertTrue(rendered.hasPrefix("imagenet: error: unknown data set 'imagenet'"), rendered)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: NSTemporaryDirectory() + "/seqlang-unused"),
                       "an unknown name creates nothing")
        XCTAssertEqual(try DatasetFetcher.dataset(named: " PTB ").name, "ptb")
    }

    func testMirrorURLsKeepTheDataFolderPaths() throws {
        let file = try XCTUnwrap(KnownDatasets.named("ptb")?.files.first)
        for base in ["http://mirror.example/data", "http://mirror.example/data/", "https://mirror.example/data//"] {
            let fetcher = DatasetFetcher(cacheFolder: "/tmp/unused", mirror: base)
            XCTAssertEqual(try fetcher.sourceURL(for: file).absoluteString,
                           base.hasPrefix("https") ? "https://mirror.example/data/ptb/ptb.train.txt"
                                                   : "http://mirror.example/data/ptb/ptb.train.txt")
        }
        XCTAssertEqual(try DatasetFetcher(cacheFolder: "/tmp/unused", mirror: nil).sourceURL(for: file).absoluteString,
                       file.source)
        XCTAssertEqual(try DatasetFetcher(cacheFolder: "/tmp/unused", mirror: "").sourceURL(for: file).absoluteString,
                       file.source, "an empty mirror means none")
        for bad in ["ftp://mirror.example/data", "mirror.example/data", "http://", "not a url"] {
            XCTAssertThrowsError(try DatasetFetcher(cacheFolder: "/tmp/unused", mirror: bad).fetch("ptb")) { error in
                XCTAssertEqual(error as? FetchError, .badMirror(value: bad))
                XCTAssertTrue((error as? FetchError)?.message.contains("SEQ_DATA_MIRROR") ?? false)
            }
        }
    }

    func testTheDefaultCacheIsTheFolderDataPathSearchesLast() {
        let environment = ["HOME": "/home/someone", "SEQ_DATA": "/data"]
        XCTAssertEqual(DatasetFetcher.defaultCacheFolder(environment: environment),
                       "/home/someone/.cache/seqlang/datasets")
        XCTAssertEqual(DataFolder(environment: environment).searchFolders.last?.folder,
                       DatasetFetcher.defaultCacheFolder(environment: environment))
    }

    func testACacheFolderThatIsAFileIsAClearError() throws {
        let file = (NSTemporaryDirectory() as NSString).appendingPathComponent("seqlang-fetch-not-a-folder-\(UUID().uuidString.prefix(8))")
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        defer { try? FileManager.default.removeItem(atPath: file) }
        // The folder check comes before any download, so no network is involved.
        XCTAssertThrowsError(try DatasetFetcher(cacheFolder: file, mirror: nil).fetch("aesop")) { error in
            guard case .fileSystem(let path, let reason)? = error as? FetchError else {
                return XCTFail("expected a file-system error but got \(error)")
            }
            XCTAssertEqual(path, file + "/aesop")
            XCTAssertTrue(reason.contains("cannot create the folder"), reason)
        }
    }
}
