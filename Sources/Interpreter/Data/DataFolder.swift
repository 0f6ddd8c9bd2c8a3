// DataFolder.swift — where `data_path("ptb/ptb.train.txt")` looks for a data set file.
//
// A relative data-set name is tried, in order, under: the folder the host set for this
// interpreter (`SeqInterpreter.Configuration.dataFolder`, which seqsh's `--data DIR` sets),
// the `SEQ_DATA` environment variable, and `~/.cache/seqlang/datasets`. A name that is missing everywhere is an `.io` diagnostic
// that lists every place that was tried and says how to get the data.

import Foundation
import SeqLang

/// The search path for data-set files of one interpreter.
final class DataFolder: @unchecked Sendable {
    private let lock = NSLock()
    private var _explicitFolder: String?
    private var _environment: [String: String]?

    /// - Parameters:
    ///   - explicitFolder: A folder tried before `SEQ_DATA` (seqsh `--data DIR`).
    ///   - environment: The variables to read `SEQ_DATA` and `HOME` from; nil means the process
    ///     environment at the time of each lookup.
    init(explicitFolder: String? = nil, environment: [String: String]? = nil) {
        _explicitFolder = explicitFolder
        _environment = environment
    }

    /// A folder tried first (seqsh's `--data DIR`); nil to rely on `SEQ_DATA` and the cache.
    var explicitFolder: String? {
        get { lock.lock(); defer { lock.unlock() }; return _explicitFolder }
        set { lock.lock(); defer { lock.unlock() }; _explicitFolder = newValue }
    }

    /// The folders tried for a relative name, in order, each with why it is on the list.
    var searchFolders: [(folder: String, origin: String)] {
        lock.lock()
        let explicit = _explicitFolder
        let env = _environment ?? ProcessInfo.processInfo.environment
        lock.unlock()
        var folders: [(String, String)] = []
        if let explicit, !explicit.isEmpty { folders.append((explicit, "the data folder set by the host (--data)")) }
        if let seqData = env["SEQ_DATA"], !seqData.isEmpty { folders.append((seqData, "SEQ_DATA")) }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        folders.append(((home as NSString).appendingPathComponent(".cache/seqlang/datasets"), "the download cache"))
        return folders
    }

    /// The path of data-set file `name`: an absolute name as it is, a relative one in the first
    /// search folder that has it. Throws an `.io` diagnostic at `range` listing every place tried.
    /// `exists` says whether a candidate is a file that may be used (the interpreter passes its
    /// sandbox's answer, so files outside the allowed folders count as missing).
    func resolve(_ name: String, at range: SourceRange,
                        exists: (String) -> Bool = FileSandbox.isFile) throws -> String {
        if name.isEmpty {
            throw Diagnostic.error(.io, at: range, "expected a data-set file name but got an empty string",
                                   hint: "name a file relative to the data folder, such as \"ptb/ptb.train.txt\"")
        }
        if name.hasPrefix("/") {
            if exists(name) { return name }
            throw Diagnostic.error(.io, at: range, "data-set file '\(name)' does not exist",
                                   hint: DataFolder.fetchHint(for: name))
        }
        var tried: [String] = []
        for (folder, origin) in searchFolders {
            let candidate = (folder as NSString).appendingPathComponent(name)
            if exists(candidate) { return candidate }
            tried.append("\(candidate) (\(origin))")
        }
        throw Diagnostic.error(
            .io, at: range,
            "data-set file '\(name)' was not found; looked in: " + tried.joined(separator: "; "),
            hint: DataFolder.fetchHint(for: name))
    }

    /// How to get a missing data set: the three ways a folder reaches the search path.
    static func fetchHint(for name: String) -> String {
        let setName = name.split(separator: "/").first.map(String.init) ?? name
        return "set SEQ_DATA to the folder holding the data sets, pass --data DIR to seqsh, "
            + "or download it with 'seqsh fetch \(setName)'"
    }
}
