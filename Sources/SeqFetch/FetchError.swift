// FetchError.swift — what can go wrong while downloading a known data set, and how it reads.
//
// Each case carries where the problem came from: the data-set name a user typed, the file's
// path in the data folder, the URL it was fetched from, and what was expected against what
// arrived. `diagnostic` turns an error into SeqLang's one `Diagnostic` type (kind `.io`), so
// seqsh prints it like every other error.

import SeqLang

/// An error from `DatasetFetcher`.
public enum FetchError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No known data set has this name.
    case unknownDataset(name: String, known: [String])
    /// `SEQ_DATA_MIRROR` (or the mirror a host passed) is not an http(s) URL.
    case badMirror(value: String)
    /// The connection failed (no route, refused, TLS, DNS…).
    case connectionFailed(file: String, url: String, reason: String)
    /// No data for `idleSeconds`, or not all of the file within `totalSeconds`.
    case timedOut(file: String, url: String, idleSeconds: Double, totalSeconds: Double)
    /// The server answered with a status other than 2xx.
    case httpStatus(file: String, url: String, status: Int)
    /// The download ended with a different number of bytes than the file has.
    case sizeMismatch(file: String, url: String, expected: Int, actual: Int)
    /// The server kept sending after the file's size was reached.
    case tooLarge(file: String, url: String, expected: Int)
    /// The bytes arrived but their SHA-256 is not the file's.
    case checksumMismatch(file: String, url: String, expected: String, actual: String)
    /// The cache folder or a file in it could not be created, written or renamed.
    case fileSystem(path: String, reason: String)

    /// What went wrong, naming the file and URL, and what was expected against what was found.
    public var message: String {
        switch self {
        case .unknownDataset(let name, let known):
            return "unknown data set '\(name)'; expected one of: \(known.joined(separator: ", "))"
        case .badMirror(let value):
            return "\(KnownDatasets.mirrorVariable) must be an http:// or https:// base URL but is '\(value)'"
        case .connectionFailed(let file, let url, let reason):
            return "cannot download '\(file)' from \(url): \(reason)"
        case .timedOut(let file, let url, let idle, let total):
            return "downloading '\(file)' from \(url) timed out: no data for \(formatSeconds(idle)) seconds, "
                + "or not done within \(formatSeconds(total)) seconds"
        case .httpStatus(let file, let url, let status):
            return "cannot download '\(file)': the server answered \(status) (\(statusText(status))) for \(url)"
        case .sizeMismatch(let file, let url, let expected, let actual):
            return "'\(file)' from \(url) has the wrong size: expected \(expected) bytes but got \(actual)"
        case .tooLarge(let file, let url, let expected):
            return "'\(file)' from \(url) has the wrong size: expected \(expected) bytes but the server sent more"
        case .checksumMismatch(let file, let url, let expected, let actual):
            return "'\(file)' from \(url) has the wrong contents: expected sha256 \(expected) but got \(actual)"
        case .fileSystem(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        }
    }

    /// The likely fix, if there is one.
    public var hint: String? {
        switch self {
        case .unknownDataset(let name, let known):
            return didYouMean(name.lowercased(), among: known)
        case .badMirror:
            return "set it to a URL under which the files are served by their data-folder paths, "
                + "such as http://host/datasets (then http://host/datasets/ptb/ptb.train.txt must exist), or unset it"
        case .connectionFailed, .timedOut:
            return "check the network connection, or set \(KnownDatasets.mirrorVariable) to a reachable mirror"
        case .httpStatus(_, _, let status):
            return status == 404
                ? "the file is not at that address; if \(KnownDatasets.mirrorVariable) is set, check that the mirror serves the data-folder paths"
                : "try again later, or set \(KnownDatasets.mirrorVariable) to another mirror"
        case .sizeMismatch, .tooLarge, .checksumMismatch:
            return "nothing was kept; the source does not serve the expected file (try again, or use another mirror)"
        case .fileSystem:
            return "check that the cache folder is writable and the disk has room"
        }
    }

    /// The data-set file (or name) the error is about: the place a diagnostic names.
    public var subject: String {
        switch self {
        case .unknownDataset(let name, _): return name
        case .badMirror: return KnownDatasets.mirrorVariable
        case .connectionFailed(let file, _, _), .timedOut(let file, _, _, _), .httpStatus(let file, _, _),
             .sizeMismatch(let file, _, _, _), .tooLarge(let file, _, _), .checksumMismatch(let file, _, _, _):
            return file
        case .fileSystem(let path, _): return path
        }
    }

    /// The error as SeqLang's diagnostic (kind `.io`), placed at the file or name it is about.
    public var diagnostic: Diagnostic {
        .error(.io, at: .none(file: subject), message, hint: hint)
    }

    /// The message followed by the hint.
    public var description: String {
        hint.map { "\(message)\nhint: \($0)" } ?? message
    }
}

private func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(s)
}

private func statusText(_ status: Int) -> String {
    switch status {
    case 301, 302, 303, 307, 308: return "a redirect that was not followed"
    case 400: return "bad request"
    case 401: return "authentication required"
    case 403: return "forbidden"
    case 404: return "not found"
    case 410: return "gone"
    case 429: return "too many requests"
    case 500...599: return "server error"
    default: return "not a success"
    }
}
