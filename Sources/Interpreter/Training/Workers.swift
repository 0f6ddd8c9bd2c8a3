// Workers.swift — data-parallel training under `mpirun`: which rank this process is, and the
// sums over the ranks, through the SeqMPI plug-in (docs/distributed.md).
//
// `mpirun -n N seqsh script.seq` starts N processes that run the same script. Open MPI tells
// each its place in the environment (OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE); when there
// is more than one, the first `train` opens libSeqMPI.so (built beside seqsh; SEQ_MPI_LIBRARY
// names another) with dlopen, so a single-process user never needs MPI. Every rank then trains
// on its share of every batch and the gradients are summed before each update
// (Tensor/GradientExchange.swift). Rank 0 alone writes files (`save`, checkpoints, plots);
// seqsh prints only rank 0's output.
//
// MPI's world belongs to the process, not to an interpreter: it is opened once, and its calls
// are serialised (an embedding host may train on several threads).
//
// Overlap: the gradient sums run in buckets during the backward pass (Tensor/GradientOverlap.swift)
// or in one blocking sum after it, as SEQ_MPI_OVERLAP says — 1 overlapped, 0 blocking, unset
// or `auto`: overlapped when the ranks span more than one host (Open MPI's
// OMPI_COMM_WORLD_LOCAL_SIZE below the job's size), blocking when they share one machine's
// memory, where a sum is cheap (docs/distributed.md says why). Every rank must choose the
// same: a job whose ranks disagree stops at its first `train` with a message.

import Foundation
import Tensor

/// Where this process stands in an `mpirun` job, as Open MPI's environment says.
enum JobPlace {
    /// This process's rank and the job's size, or nil outside a job of two or more ranks.
    static var current: (rank: Int, size: Int)? {
        let env = ProcessInfo.processInfo.environment
        guard let size = env["OMPI_COMM_WORLD_SIZE"].flatMap({ Int($0) }), size > 1,
              let rank = env["OMPI_COMM_WORLD_RANK"].flatMap({ Int($0) }) else { return nil }
        return (rank, size)
    }

    /// True on every rank but the first of a job: such a rank writes no files.
    static var isFollower: Bool { (current?.rank ?? 0) != 0 }
}

/// The ranks of the job, summing buffers through the SeqMPI plug-in.
final class MPIWorkers: GradientExchange, @unchecked Sendable {
    typealias SumFloat = @convention(c) (UnsafeMutablePointer<Float>?, Int, UnsafeMutablePointer<CChar>?, Int32) -> Int32
    typealias SumDouble = @convention(c) (UnsafeMutablePointer<Double>?, Int, UnsafeMutablePointer<CChar>?, Int32) -> Int32
    typealias Initialize = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?,
                                           UnsafeMutablePointer<CChar>?, Int32) -> Int32
    typealias Version = @convention(c) () -> Int32
    typealias Progress = @convention(c) (UnsafeMutablePointer<CChar>?, Int32) -> Int32

    /// The version of the plug-in's interface this interpreter speaks (SEQ_MPI_ABI_VERSION in
    /// Sources/SeqMPI/include/SeqMPI.h).
    static let interfaceVersion: Int32 = 2

    let rank: Int
    let workers: Int
    let overlapsBackward: Bool
    private let sumFloat: SumFloat
    private let sumDouble: SumDouble
    private let startSumFloat: SumFloat
    private let progressSums: Progress
    private let waitAllSums: Progress
    private let lock = NSLock()

    /// The job's workers, opened on first use; nil outside a job; a message when the plug-in
    /// cannot be opened or MPI cannot start.
    static let world: Result<MPIWorkers?, MPIFailure> = {
        guard JobPlace.current != nil else { return .success(nil) }
        return Result { try MPIWorkers() }.mapError { $0 as? MPIFailure ?? MPIFailure(text: "\($0)") }
    }()

    struct MPIFailure: Error { let text: String }

    private init() throws {
        let place = JobPlace.current!
        var tried: [String] = []
        var handle: UnsafeMutableRawPointer?
        for path in MPIWorkers.pluginPaths() {
            tried.append(path)
            // RTLD_GLOBAL: Open MPI's own components, opened later, look up libmpi's symbols.
            if let h = dlopen(path, RTLD_NOW | RTLD_GLOBAL) { handle = h; break }
        }
        guard let handle else {
            let why = dlerror().map { String(cString: $0) } ?? "not found"
            throw MPIFailure(text: "this process is rank \(place.rank) of an mpirun job of \(place.size), but the SeqMPI plug-in could not be opened (tried \(tried.joined(separator: ", ")): \(why))")
        }
        func symbol<T>(_ name: String, as: T.Type) throws -> T {
            guard let p = dlsym(handle, name) else { throw MPIFailure(text: "the SeqMPI plug-in has no function \(name)") }
            return unsafeBitCast(p, to: T.self)
        }
        let overlap = try MPIWorkers.overlapChoice(place)
        // Version 1 had no seq_mpi_abi_version.
        let version = dlsym(handle, "seq_mpi_abi_version").map { unsafeBitCast($0, to: Version.self)() } ?? 1
        guard version == MPIWorkers.interfaceVersion else {
            throw MPIFailure(text: "the SeqMPI plug-in at \(tried.last!) implements interface version \(version) but this seqsh needs version \(MPIWorkers.interfaceVersion); rebuild it with seqsh (`swift build`)")
        }
        let initialize = try symbol("seq_mpi_init", as: Initialize.self)
        sumFloat = try symbol("seq_mpi_sum_float", as: SumFloat.self)
        sumDouble = try symbol("seq_mpi_sum_double", as: SumDouble.self)
        startSumFloat = try symbol("seq_mpi_start_sum_float", as: SumFloat.self)
        progressSums = try symbol("seq_mpi_progress", as: Progress.self)
        waitAllSums = try symbol("seq_mpi_wait_sums", as: Progress.self)
        var r: Int32 = 0, n: Int32 = 0
        var message = [CChar](repeating: 0, count: 512)
        let rc = initialize(&r, &n, &message, Int32(message.count))
        guard rc == 0 else { throw MPIFailure(text: "MPI did not start: \(String(cString: message))") }
        rank = Int(r)
        workers = Int(n)
        overlapsBackward = overlap
        // Every rank must sum the same way, or their collectives would not match.
        var choices: [Double] = [overlap ? 1 : 0]
        try choices.withUnsafeMutableBufferPointer { try sum($0) }
        guard choices[0] == 0 || choices[0] == Double(workers) else {
            throw MPIFailure(text: "\(Int(choices[0])) of the \(workers) ranks overlap the gradient sums with the backward pass and the others do not; give every rank the same SEQ_MPI_OVERLAP (`mpirun -x SEQ_MPI_OVERLAP`)")
        }
    }

    /// SEQ_MPI_OVERLAP: 1 overlapped, 0 blocking, unset or `auto` overlapped only when the job
    /// spans more than one host.
    static func overlapChoice(_ place: (rank: Int, size: Int)) throws -> Bool {
        let env = ProcessInfo.processInfo.environment
        switch env["SEQ_MPI_OVERLAP"] ?? "auto" {
        case "1": return true
        case "0": return false
        case "auto", "":
            let local = env["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? place.size
            return local < place.size
        case let other:
            throw MPIFailure(text: "SEQ_MPI_OVERLAP must be 1 (overlap the gradient sums with the backward pass), 0 (one blocking sum after it) or auto, but is '\(other)'")
        }
    }

    /// SEQ_MPI_LIBRARY, then libSeqMPI.so beside the running program, then the loader's paths.
    static func pluginPaths() -> [String] {
        var paths: [String] = []
        if let named = ProcessInfo.processInfo.environment["SEQ_MPI_LIBRARY"], !named.isEmpty { paths.append(named) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            paths.append((exe as NSString).deletingLastPathComponent + "/libSeqMPI.so")
        }
        paths.append("libSeqMPI.so")
        return paths
    }

    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        try call { sumFloat(values.baseAddress, values.count, $0, $1) }
    }

    func sum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        try call { sumDouble(values.baseAddress, values.count, $0, $1) }
    }

    func startSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        try call { startSumFloat(values.baseAddress, values.count, $0, $1) }
    }

    func progress() throws {
        try call { progressSums($0, $1) }
    }

    func waitSums() throws {
        try call { waitAllSums($0, $1) }
    }

    /// MPI's text for a failed call, written under `lock` (progress is polled many times a
    /// step, so nothing is allocated per call).
    private let message = UnsafeMutablePointer<CChar>.allocate(capacity: 512)

    private func call(_ body: (UnsafeMutablePointer<CChar>, Int32) -> Int32) throws {
        let failed: String? = lock.withLock {
            message[0] = 0
            return body(message, 512) == 0 ? nil : String(cString: message)
        }
        if let failed { throw MPIFailure(text: "the sum over the \(workers) ranks failed: \(failed)") }
    }
}
