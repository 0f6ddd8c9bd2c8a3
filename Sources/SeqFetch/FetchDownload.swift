// FetchDownload.swift — one file's HTTP(S) download into a temporary file, hashed as it arrives.
//
// `FileDownload` runs a URLSession data task to completion on the calling thread: redirects are
// followed, a non-2xx status stops it before any byte is written, each chunk is appended to the
// temporary file and fed to SHA-256, and more bytes than the file's size stop it at once.
// Two limits apply: no data for `idleTimeout` seconds, and the whole transfer taking longer than
// `timeout` seconds (enforced by the session and, as a backstop, by the waiting thread). What
// happens to the temporary file afterwards — verify and rename, or remove — is the fetcher's.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What arrived: the byte count and the SHA-256 of the bytes.
struct DownloadResult {
    var bytes: Int
    var sha256: String
}

/// One download of `url` into the already-created file at `temporaryPath`.
final class FileDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let url: URL
    private let file: KnownFile
    private let temporaryPath: String
    private let timeout: TimeInterval
    private let idleTimeout: TimeInterval
    private let onBytes: @Sendable (Int) -> Void

    // Guarded by `lock`: the delegate queue writes, the waiting thread may abandon.
    private let lock = NSLock()
    private var handle: FileHandle?
    private var hasher = StreamDigest()
    private var received = 0
    private var failure: FetchError?
    private var finished = false
    private let completed = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - onBytes: Called with the total bytes received so far after each chunk, on the
    ///     session's serial delegate queue.
    init(url: URL, file: KnownFile, temporaryPath: String, timeout: TimeInterval, idleTimeout: TimeInterval,
         onBytes: @escaping @Sendable (Int) -> Void) {
        self.url = url
        self.file = file
        self.temporaryPath = temporaryPath
        self.timeout = timeout
        self.idleTimeout = idleTimeout
        self.onBytes = onBytes
    }

    /// Downloads the whole response body into the temporary file and closes it.
    /// Throws a `FetchError` on a failed connection, a bad status, a timeout, too many bytes, or
    /// a write error; the caller removes the temporary file then.
    func run() throws -> DownloadResult {
        guard let handle = FileHandle(forWritingAtPath: temporaryPath) else {
            throw FetchError.fileSystem(path: temporaryPath, reason: "cannot open the temporary file for writing")
        }
        self.handle = handle

        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeout
        configuration.timeoutIntervalForResource = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: idleTimeout)
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let task = session.dataTask(with: request)
        task.resume()

        // The session enforces both limits; this backstop stops a transfer it failed to stop.
        let backstopGrace: TimeInterval = 5
        if completed.wait(timeout: .now() + timeout + backstopGrace) == .timedOut {
            fail(.timedOut(file: file.path, url: url.absoluteString, idleSeconds: idleTimeout, totalSeconds: timeout))
            task.cancel()
        }
        session.invalidateAndCancel()

        lock.lock()
        defer { lock.unlock() }
        finished = true
        let closeError: Error?
        do { try handle.close(); closeError = nil } catch { closeError = error }
        self.handle = nil
        if let failure { throw failure }
        if let closeError {
            throw FetchError.fileSystem(path: temporaryPath, reason: closeError.localizedDescription)
        }
        return DownloadResult(bytes: received, sha256: hasher.hex())
    }

    /// Records the first failure and stops accepting bytes.
    private func fail(_ error: FetchError) {
        lock.lock()
        if failure == nil { failure = error }
        finished = true
        lock.unlock()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            fail(.httpStatus(file: file.path, url: url.absoluteString, status: http.statusCode))
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        guard !finished, let handle else { lock.unlock(); return }
        if received + data.count > file.size {
            failure = failure ?? .tooLarge(file: file.path, url: url.absoluteString, expected: file.size)
            finished = true
            lock.unlock()
            dataTask.cancel()
            return
        }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = failure ?? .fileSystem(path: temporaryPath, reason: error.localizedDescription)
            finished = true
            lock.unlock()
            dataTask.cancel()
            return
        }
        hasher.update(data)
        received += data.count
        let soFar = received
        lock.unlock()
        onBytes(soFar)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error {
            let nsError = error as NSError
            if nsError.domain == NSURLErrorDomain && nsError.code == NSURLErrorTimedOut {
                fail(.timedOut(file: file.path, url: url.absoluteString, idleSeconds: idleTimeout, totalSeconds: timeout))
            } else {
                fail(.connectionFailed(file: file.path, url: url.absoluteString, reason: error.localizedDescription))
            }
        }
        completed.signal()
    }
}
