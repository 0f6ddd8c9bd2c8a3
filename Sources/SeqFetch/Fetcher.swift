// Fetcher.swift — downloads a known data set into the per-user cache, verified or not at all.
//
// `DatasetFetcher.fetch("ptb")` puts every file of the data set at its data-folder path under
// the cache folder (`~/.cache/seqlang/datasets/ptb/ptb.train.txt`), the last place
// `data_path` searches. A file already there with the right SHA-256 is kept. Any other file is
// downloaded (from its public source, or from `SEQ_DATA_MIRROR`) into a hidden temporary file
// beside its final place, checked for its exact size and SHA-256, and only then renamed into
// place. On any failure the temporary file is removed, so the cache never holds a half-written
// or unverified file under a data-set name. This is the library behind `seqsh fetch NAME`.

import Foundation
import Interpreter
#if canImport(Glibc)
import Glibc
#endif

/// Downloads known data sets (see `KnownDatasets`) into a cache folder.
///
///     let fetcher = DatasetFetcher(progress: { print(ProgressBar.render($0)) })
///     let paths = try fetcher.fetch("ptb")   // the three PTB files, verified
public final class DatasetFetcher: Sendable {
    /// The folder files are downloaded into; a data set's files go to their data-folder paths
    /// under it.
    public let cacheFolder: String
    /// The base URL files are fetched from instead of their sources, if set.
    public let mirror: String?
    /// The longest a single file's download may take, in seconds.
    public let timeout: TimeInterval
    /// The longest a download may go without receiving data, in seconds.
    public let idleTimeout: TimeInterval
    private let progress: (@Sendable (FetchProgress) -> Void)?

    /// The download cache `data_path` searches last: `~/.cache/seqlang/datasets`, from `HOME`.
    public static var defaultCacheFolder: String {
        defaultCacheFolder(environment: ProcessInfo.processInfo.environment)
    }

    /// The download cache for the given environment variables (`HOME` decides it).
    public static func defaultCacheFolder(environment: [String: String]) -> String {
        // The interpreter's own rule, so the fetcher and `data_path` agree on it by construction.
        SeqInterpreter.downloadCacheFolder(environment: environment)
    }

    /// The mirror named by `SEQ_DATA_MIRROR` in the process environment, if set and not empty.
    public static var environmentMirror: String? {
        ProcessInfo.processInfo.environment[KnownDatasets.mirrorVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// - Parameters:
    ///   - cacheFolder: Where files go; by default the per-user download cache.
    ///   - mirror: A base URL serving every file at its data-folder path
    ///     (`<mirror>/ptb/ptb.train.txt`); by default `SEQ_DATA_MIRROR`; nil or empty to use
    ///     each file's public source.
    ///   - timeout: The longest one file's download may take, in seconds.
    ///   - idleTimeout: The longest a download may go without data, in seconds.
    ///   - progress: Called for each file when it starts, as bytes arrive (growing `bytesDone`),
    ///     and when it is verified or found present. Calls come one at a time, possibly from a
    ///     background thread, before `fetch` returns.
    public init(cacheFolder: String = DatasetFetcher.defaultCacheFolder,
                mirror: String? = DatasetFetcher.environmentMirror,
                timeout: TimeInterval = 600,
                idleTimeout: TimeInterval = 30,
                progress: (@Sendable (FetchProgress) -> Void)? = nil) {
        self.cacheFolder = cacheFolder
        self.mirror = mirror.flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
        self.idleTimeout = min(idleTimeout, timeout)
        self.progress = progress
    }

    /// The known data set called `name` (case and surrounding spaces do not matter).
    /// Throws `FetchError.unknownDataset`, whose hint suggests the closest name.
    public static func dataset(named name: String) throws -> KnownDataset {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard let dataset = KnownDatasets.named(key) else {
            throw FetchError.unknownDataset(name: name, known: KnownDatasets.names)
        }
        return dataset
    }

    /// Where `file` is downloaded from: under the mirror if one is set, else its source.
    /// Throws `FetchError.badMirror` if the mirror is not an http(s) URL.
    public func sourceURL(for file: KnownFile) throws -> URL {
        guard let mirror else {
            guard let url = URL(string: file.source) else {
                preconditionFailure("KnownDatasets lists a malformed URL for \(file.path): \(file.source)")
            }
            return url
        }
        var base = mirror
        while base.hasSuffix("/") { base.removeLast() }
        guard let baseURL = URL(string: base),
              let scheme = baseURL.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = baseURL.host, !host.isEmpty,
              let url = URL(string: base + "/" + file.path) else {
            throw FetchError.badMirror(value: mirror)
        }
        return url
    }

    /// The path `file` has once fetched: its data-folder path under the cache folder.
    public func destination(of file: KnownFile) -> String {
        (cacheFolder as NSString).appendingPathComponent(file.path)
    }

    /// Downloads every file of the data set `name` that is not already in the cache with the
    /// right SHA-256, verifying each file's size and SHA-256 before it takes its place.
    /// - Returns: The paths of all the data set's files in the cache, in listing order.
    /// - Throws: `FetchError`: an unknown name, a bad mirror, a failed or timed-out download, a
    ///   bad HTTP status, a size or SHA-256 mismatch, or a file-system error. Files verified
    ///   before the error stay; the failing file leaves nothing behind.
    @discardableResult
    public func fetch(_ name: String) throws -> [String] {
        let dataset = try DatasetFetcher.dataset(named: name)
        let urls = try dataset.files.map { try sourceURL(for: $0) }
        var paths: [String] = []
        for (index, file) in dataset.files.enumerated() {
            let report: @Sendable (Int, FetchProgress.Stage) -> Void = { [progress] done, stage in
                progress?(FetchProgress(dataset: dataset.name, file: file.path, fileNumber: index + 1,
                                             fileCount: dataset.files.count, bytesDone: done,
                                             bytesTotal: file.size, stage: stage))
            }
            let destination = destination(of: file)
            try makeFolder((destination as NSString).deletingLastPathComponent)
            if isPresent(file, at: destination) {
                report(file.size, .alreadyPresent)
            } else {
                try download(file, from: urls[index], to: destination, report: report)
                report(file.size, .verified)
            }
            paths.append(destination)
        }
        return paths
    }

    /// True when `path` is a regular file with `file`'s size and SHA-256.
    private func isPresent(_ file: KnownFile, at path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              (attributes[.size] as? NSNumber)?.intValue == file.size else { return false }
        return FileDigest.hex(ofFileAt: path) == file.sha256
    }

    private func makeFolder(_ folder: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw FetchError.fileSystem(path: folder, reason: "it is a file, expected a folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FetchError.fileSystem(path: folder, reason: "cannot create the folder: \(error.localizedDescription)")
        }
    }

    /// Downloads `file` into a temporary file beside `destination`, verifies it, and renames it
    /// into place; the temporary file is gone afterwards whatever happens.
    private func download(_ file: KnownFile, from url: URL, to destination: String,
                          report: @escaping @Sendable (Int, FetchProgress.Stage) -> Void) throws {
        let folder = (destination as NSString).deletingLastPathComponent
        removeAbandonedTemporaryFiles(of: file, in: folder)
        let temporary = (folder as NSString).appendingPathComponent(
            DatasetFetcher.temporaryPrefix(of: file) + UUID().uuidString.prefix(8).lowercased()
                + DatasetFetcher.temporarySuffix)
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw FetchError.fileSystem(path: temporary, reason: "cannot create a temporary file in \(folder)")
        }
        var renamed = false
        defer { if !renamed { try? FileManager.default.removeItem(atPath: temporary) } }

        report(0, .downloading)
        let result = try FileDownload(url: url, file: file, temporaryPath: temporary, timeout: timeout,
                                      idleTimeout: idleTimeout, onBytes: { report($0, .downloading) }).run()
        guard result.bytes == file.size else {
            throw FetchError.sizeMismatch(file: file.path, url: url.absoluteString, expected: file.size, actual: result.bytes)
        }
        guard result.sha256 == file.sha256 else {
            throw FetchError.checksumMismatch(file: file.path, url: url.absoluteString,
                                              expected: file.sha256, actual: result.sha256)
        }
        // rename(2) replaces a stale or corrupt file at the destination in one step.
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            throw FetchError.fileSystem(path: destination, reason: "cannot move the verified download into place: \(reason)")
        }
        renamed = true
    }

    static let temporarySuffix = ".part"

    /// Temporary files of `file` start with this: hidden, and never a data-set file name.
    static func temporaryPrefix(of file: KnownFile) -> String {
        ".\(file.fileName)."
    }

    /// Removes temporary files of `file` left by a download that was killed, recognized by
    /// their name and by being older than any download still allowed to run.
    private func removeAbandonedTemporaryFiles(of file: KnownFile, in folder: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder) else { return }
        let prefix = DatasetFetcher.temporaryPrefix(of: file)
        let oldest = Date().addingTimeInterval(-(timeout + 60))
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(DatasetFetcher.temporarySuffix) {
            let path = (folder as NSString).appendingPathComponent(name)
            if let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < oldest {
                try? fm.removeItem(atPath: path)
            }
        }
    }
}
