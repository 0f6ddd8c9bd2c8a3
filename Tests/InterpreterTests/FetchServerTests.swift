// FetchServerTests.swift — DatasetFetcher against HTTP servers on loopback only.
//
// Each test starts `python3 -m http.server` bound to 127.0.0.1 on a port the system picks,
// serving either the shared data folder (SEQ_DATA, else ../shared/data beside the repository;
// missing data fails the tests) or a temporary folder with wrong or missing files, and uses it
// as the mirror. The server is stopped in tearDown. No test reaches beyond loopback.

import Foundation
@testable import Interpreter
@testable import SeqFetch
import SeqLang
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class FetchServerTests: XCTestCase {
    private var servers: [LoopbackHTTPServer] = []
    private var listeners: [SilentListener] = []
    private var scratch: [URL] = []

    override func tearDown() {
        servers.forEach { $0.stop() }
        listeners.forEach { $0.close() }
        scratch.forEach { try? FileManager.default.removeItem(at: $0) }
        servers = []
        listeners = []
        scratch = []
        super.tearDown()
    }

    // MARK: - Helpers

    /// A new empty temporary folder, removed in tearDown.
    private func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("seqlang-fetch-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        scratch.append(url)
        return url
    }

    /// A server for `folder`, stopped in tearDown; its base URL is the mirror.
    private func serve(_ folder: String) throws -> String {
        let server = try LoopbackHTTPServer(serving: folder)
        servers.append(server)
        return server.baseURL
    }

    /// Every file under `folder`, as paths relative to it, sorted.
    private func filesUnder(_ folder: URL) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var files: [String] = []
        while let path = e.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory),
               !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// The FetchError `body` throws (failing the test if it throws none or another error).
    private func fetchError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> FetchError? {
        do {
            try body()
            XCTFail("expected a FetchError, but the fetch succeeded", file: file, line: line)
        } catch let error as FetchError {
            return error
        } catch {
            XCTFail("expected a FetchError but got \(error)", file: file, line: line)
        }
        return nil
    }

    // MARK: - Fetching real data

    func testFetchesAesopAndPTBFromAMirrorAndVerifiesThem() throws {
        let mirror = try serve(try DataTestHost.sharedData())
        let cache = try temporaryFolder("cache")
        let reports = Reports()
        let fetcher = DatasetFetcher(cacheFolder: cache.path, mirror: mirror, timeout: 60, progress: { reports.append($0) })

        let aesop = try fetcher.fetch("aesop")
        XCTAssertEqual(aesop, [cache.appendingPathComponent("aesop/belling_the_cat.txt").path])
        XCTAssertEqual(FileDigest.hex(ofFileAt: aesop[0]),
                       "e677bb907e5084c13cad6079c5de03d3acc21184619a1bedb52ef9b537ec25f2")
        XCTAssertEqual(reports.all.map(\.stage).last, .verified)

        let ptb = try fetcher.fetch("ptb")
        XCTAssertEqual(ptb.map { ($0 as NSString).lastPathComponent }, ["ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"])
        XCTAssertEqual(ptb.map { FileDigest.hex(ofFileAt: $0) }, [
            "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf",
            "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2",
            "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0",
        ])
        XCTAssertEqual(filesUnder(cache), [
            "aesop/belling_the_cat.txt", "ptb/ptb.test.txt", "ptb/ptb.train.txt", "ptb/ptb.valid.txt",
        ], "only the verified files, no temporary ones")

        // Progress: per file, a start at 0 bytes, growing counts, and a final verified report.
        let all = reports.all.filter { $0.dataset == "ptb" }
        XCTAssertEqual(Set(all.map(\.fileCount)), [3])
        for (number, name, size) in [(1, "ptb/ptb.train.txt", 5_101_618), (2, "ptb/ptb.valid.txt", 399_782),
                                     (3, "ptb/ptb.test.txt", 449_945)] {
            let forFile = all.filter { $0.file == name }
            XCTAssertEqual(Set(forFile.map(\.fileNumber)), [number])
            XCTAssertEqual(Set(forFile.map(\.bytesTotal)), [size])
            XCTAssertEqual(forFile.first?.stage, .downloading)
            XCTAssertEqual(forFile.first?.bytesDone, 0)
            XCTAssertEqual(forFile.last?.stage, .verified)
            XCTAssertEqual(forFile.last?.bytesDone, size)
            let counts = forFile.map(\.bytesDone)
            XCTAssertEqual(counts, counts.sorted(), "byte counts of \(name) never go back")
            XCTAssertTrue(counts.allSatisfy { $0 <= size })
        }
        // The 5 MB file arrives in many pieces, each reported.
        let trainCounts = Set(all.filter { $0.file == "ptb/ptb.train.txt" && $0.stage == .downloading }.map(\.bytesDone))
        XCTAssertGreaterThan(trainCounts.count, 3)
        XCTAssertTrue(trainCounts.contains(5_101_618))
        // Files come in order: all of train's reports before valid's, valid's before test's.
        XCTAssertEqual(all.map(\.fileNumber), all.map(\.fileNumber).sorted())
    }

    func testDataPathFindsAFetchedFileInTheCache() throws {
        let mirror = try serve(try DataTestHost.sharedData())
        let home = try temporaryFolder("home")
        let cache = DatasetFetcher.defaultCacheFolder(environment: ["HOME": home.path])
        XCTAssertEqual(cache, home.appendingPathComponent(".cache/seqlang/datasets").path)
        try DatasetFetcher(cacheFolder: cache, mirror: mirror).fetch("aesop")
        let folder = DataFolder(environment: ["HOME": home.path])
        XCTAssertEqual(try folder.resolve("aesop/belling_the_cat.txt", at: .none(file: "test")),
                       cache + "/aesop/belling_the_cat.txt")
    }

    func testFilesAlreadyPresentAreNotDownloadedAgain() throws {
        let mirror = try serve(try DataTestHost.sharedData())
        let cache = try temporaryFolder("cache")
        try DatasetFetcher(cacheFolder: cache.path, mirror: mirror).fetch("aesop")

        // A mirror nobody listens on: the fetch can only succeed without downloading.
        let closed = try SilentListener()
        let closedPort = closed.port
        closed.close()
        let reports = Reports()
        let offline = DatasetFetcher(cacheFolder: cache.path, mirror: "http://127.0.0.1:\(closedPort)",
                                     progress: { reports.append($0) })
        XCTAssertEqual(try offline.fetch("aesop"), [cache.appendingPathComponent("aesop/belling_the_cat.txt").path])
        XCTAssertEqual(reports.all.map(\.stage), [.alreadyPresent])
        XCTAssertEqual(reports.all.first?.bytesDone, 978)

        // A damaged copy in the cache is not "present": it is downloaded again and replaced.
        let path = cache.appendingPathComponent("aesop/belling_the_cat.txt").path
        try Data(repeating: 0x41, count: 978).write(to: URL(fileURLWithPath: path))
        let again = Reports()
        try DatasetFetcher(cacheFolder: cache.path, mirror: mirror, progress: { again.append($0) }).fetch("aesop")
        XCTAssertEqual(again.all.last?.stage, .verified)
        XCTAssertEqual(FileDigest.hex(ofFileAt: path), "e677bb907e5084c13cad6079c5de03d3acc21184619a1bedb52ef9b537ec25f2")
        XCTAssertEqual(filesUnder(cache), ["aesop/belling_the_cat.txt"])
    }

    // MARK: - Bad servers leave nothing behind

    func testACorruptedFileIsRejectedAndNotKept() throws {
        let served = try temporaryFolder("served")
        try FileManager.default.createDirectory(at: served.appendingPathComponent("aesop"), withIntermediateDirectories: true)
        // The right size with one byte changed: only the SHA-256 can tell.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try DataTestHost.sharedData() + "/aesop/belling_the_cat.txt")))
        bytes[500] ^= 0x20
        try Data(bytes).write(to: served.appendingPathComponent("aesop/belling_the_cat.txt"))
        let wrongHash = FileDigest.hex(of: bytes)
        let mirror = try serve(served.path)
        let cache = try temporaryFolder("cache")

        let error = fetchError { try DatasetFetcher(cacheFolder: cache.path, mirror: mirror).fetch("aesop") }
        XCTAssertEqual(error, .checksumMismatch(
            file: "aesop/belling_the_cat.txt", url: mirror + "/aesop/belling_the_cat.txt",
            expected: "e677bb907e5084c13cad6079c5de03d3acc21184619a1bedb52ef9b537ec25f2", actual: wrongHash))
        let message = error?.message ?? ""
        XCTAssertTrue(message.contains("aesop/belling_the_cat.txt"), message)
        XCTAssertTrue(message.contains("e677bb907e5084c13cad6079c5de03d3acc21184619a1bedb52ef9b537ec25f2"), message)
        XCTAssertTrue(message.contains(wrongHash), message)
        XCTAssertTrue(message.contains(mirror + "/aesop/belling_the_cat.txt"), message)
        XCTAssertEqual(error?.diagnostic.kind, .io)
        XCTAssertTrue(error?.diagnostic.render(source: nil).hasPrefix("aesop/belling_the_cat.txt: error: ") ?? false)
        XCTAssertEqual(filesUnder(cache), [], "neither the file nor a temporary copy is left")
    }

    func testAFileOfTheWrongSizeIsRejectedAndNotKept() throws {
        let served = try temporaryFolder("served")
        let folder = served.appendingPathComponent("aesop")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let mirror = try serve(served.path)
        let cache = try temporaryFolder("cache")
        let url = mirror + "/aesop/belling_the_cat.txt"

        try Data(repeating: 0x61, count: 500).write(to: folder.appendingPathComponent("belling_the_cat.txt"))
        let short = fetchError { try DatasetFetcher(cacheFolder: cache.path, mirror: mirror).fetch("aesop") }
        XCTAssertEqual(short, .sizeMismatch(file: "aesop/belling_the_cat.txt", url: url, expected: 978, actual: 500))
        XCTAssertEqual(filesUnder(cache), [])

        try Data(repeating: 0x61, count: 200_000).write(to: folder.appendingPathComponent("belling_the_cat.txt"))
        let long = fetchError { try DatasetFetcher(cacheFolder: cache.path, mirror: mirror).fetch("aesop") }
        XCTAssertEqual(long, .tooLarge(file: "aesop/belling_the_cat.txt", url: url, expected: 978))
        XCTAssertTrue(long?.message.contains("expected 978 bytes") ?? false)
        XCTAssertEqual(filesUnder(cache), [])
    }

    func testAMissingFileOnTheServerIsAClearErrorAndNothingHalfWritten() throws {
        // The mirror has rt-polarity.pos but not rt-polarity.neg (the second file): a 404.
        let served = try temporaryFolder("served")
        try FileManager.default.createDirectory(at: served.appendingPathComponent("rt-polarity"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: served.appendingPathComponent("rt-polarity/rt-polarity.pos").path,
            withDestinationPath: try DataTestHost.sharedData() + "/rt-polarity/rt-polarity.pos")
        let mirror = try serve(served.path)
        let cache = try temporaryFolder("cache")

        let error = fetchError { try DatasetFetcher(cacheFolder: cache.path, mirror: mirror).fetch("rt-polarity") }
        XCTAssertEqual(error, .httpStatus(file: "rt-polarity/rt-polarity.neg", url: mirror + "/rt-polarity/rt-polarity.neg",
                                          status: 404))
        let message = error?.message ?? ""
        XCTAssertTrue(message.contains("'rt-polarity/rt-polarity.neg'") && message.contains("404")
                      && message.contains("not found"), message)
        XCTAssertNotNil(error?.hint)
        XCTAssertEqual(filesUnder(cache), ["rt-polarity/rt-polarity.pos"],
                       "the verified first file stays; nothing of the failed one")
    }

    func testAServerThatNeverAnswersTimesOut() throws {
        let listener = try SilentListener()
        listeners.append(listener)
        let cache = try temporaryFolder("cache")
        let mirror = "http://127.0.0.1:\(listener.port)"
        let started = Date()
        let error = fetchError {
            try DatasetFetcher(cacheFolder: cache.path, mirror: mirror, timeout: 3, idleTimeout: 1).fetch("aesop")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 15, "the time limit holds")
        XCTAssertEqual(error, .timedOut(file: "aesop/belling_the_cat.txt", url: mirror + "/aesop/belling_the_cat.txt",
                                        idleSeconds: 1, totalSeconds: 3))
        XCTAssertEqual(filesUnder(cache), [])
    }

    func testARefusedConnectionNamesTheFileAndURL() throws {
        let closed = try SilentListener()
        let port = closed.port
        closed.close()
        let cache = try temporaryFolder("cache")
        let mirror = "http://127.0.0.1:\(port)"
        let error = fetchError { try DatasetFetcher(cacheFolder: cache.path, mirror: mirror).fetch("aesop") }
        guard case .connectionFailed(let file, let url, _)? = error else {
            return XCTFail("expected connectionFailed but got \(String(describing: error))")
        }
        XCTAssertEqual(file, "aesop/belling_the_cat.txt")
        XCTAssertEqual(url, mirror + "/aesop/belling_the_cat.txt")
        XCTAssertEqual(filesUnder(cache), [])
    }
}

/// Progress reports collected from the fetcher's callback thread.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [FetchProgress] = []
    func append(_ report: FetchProgress) { lock.lock(); reports.append(report); lock.unlock() }
    var all: [FetchProgress] { lock.lock(); defer { lock.unlock() }; return reports }
}

/// `python3 -m http.server` on 127.0.0.1 and a port the system picks, serving one folder.
final class LoopbackHTTPServer {
    private let process = Process()
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(serving folder: String) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-m", "http.server", "--bind", "127.0.0.1", "0", "--directory", folder]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()

        // Port 0 lets the system choose a free port; the server prints the one it got.
        let reader = output.fileHandleForReading
        let box = LineBox()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var text = ""
            while !text.contains("\n") {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            box.set(text)
            done.signal()
        }
        let startupLimit: TimeInterval = 20
        let line = done.wait(timeout: .now() + startupLimit) == .success ? box.get() : ""
        guard let range = line.range(of: #"port (\d+)"#, options: .regularExpression),
              let port = Int(line[range].dropFirst("port ".count)) else {
            process.terminate()
            throw ServerError(message: "python3 -m http.server did not start (it printed '\(line)'); is python3 installed?")
        }
        self.port = port
        // Wait until it answers a connection.
        let deadline = Date().addingTimeInterval(startupLimit)
        while !LoopbackHTTPServer.accepts(port: port) {
            guard Date() < deadline else {
                process.terminate()
                throw ServerError(message: "the test HTTP server on port \(port) never accepted a connection")
            }
            usleep(50_000)
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// True if something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}

/// A TCP socket on 127.0.0.1 that listens but never accepts or answers: connections complete
/// in the kernel's backlog and then hear nothing.
final class SilentListener {
    private var fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError(message: "cannot create a socket") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            Glibc.close(fd)
            throw ServerError(message: "cannot listen on 127.0.0.1")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: actual.sin_port))
    }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

private final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func set(_ value: String) { lock.lock(); text = value; lock.unlock() }
    func get() -> String { lock.lock(); defer { lock.unlock() }; return text }
}

struct ServerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
