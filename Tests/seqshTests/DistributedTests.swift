// DistributedTests.swift — `mpirun -n 2 seqsh script.seq` on this machine: the same losses as
// one process, the same bits every run, the gradient sums overlapped with the backward pass or
// not giving the same bits, streams shared by the ranks, rank 0 alone printing and writing, a
// killed rank stopping the job with the checkpoint intact, and seqsh itself never linking MPI
// (docs/distributed.md).

import Foundation
import XCTest

final class DistributedTests: XCTestCase {
    /// Open MPI's launcher (Debian's openmpi-bin, installed by scripts/deps.sh).
    static let mpirun = "/usr/bin/mpirun"

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: DistributedTests.mpirun) else {
            XCTFail("mpirun is missing at \(DistributedTests.mpirun); scripts/deps.sh installs openmpi-bin")
            throw XCTSkip("mpirun missing")
        }
    }

    /// Runs `script` with its arguments under `mpirun -n ranks` (one slot per rank, whatever the
    /// cores; root allowed, as in CI).
    func mpirun(_ ranks: Int, _ arguments: [String], environment: [String: String] = [:]) throws -> Seqsh.Outcome {
        try Seqsh.run(["--allow-run-as-root", "--oversubscribe", "-n", String(ranks), try Seqsh.binary()] + arguments,
                      environment: environment, executable: DistributedTests.mpirun)
    }

    /// A next-word model on the Aesop fable in the repository: 100 Adam steps of batch 16, no
    /// dropout (each rank draws its own masks), the history printed in full and the model saved.
    static let windowsScript = """
        let syms = tokens(read_text("\(Seqsh.repository.path)/examples/data/belling_the_cat.txt"))
        let vocab = vocabulary(syms)
        let data = windows(encode(vocab, syms), 3, vocab)
        seed 1
        model m
        input tokens 3 vocab vocab.size
        layer embedding 16
        layer lstm 32 last
        layer dense vocab.size softmax
        train adam lr 0.01 steps 100 batch 16 on data
        print(history.loss)
        save args[0]

        """

    /// A stateful language model: 4 streams of 5 steps, the streams shared between the ranks.
    static let streamsScript = """
        let syms = tokens(read_text("\(Seqsh.repository.path)/examples/data/belling_the_cat.txt"))
        let vocab = vocabulary(syms)
        let data = lm_batches(encode(vocab, syms), 4, 5, vocab)
        seed 3
        model lm
        input tokens vocab vocab.size
        layer embedding 16
        layer lstm 24
        layer dense vocab.size softmax per step
        train sgd lr 1 epochs 4 bptt 5 stateful clip 5 loss sum on data
        print(history.loss)
        save args[0]

        """

    /// The numbers of the printed `[a, b, …]` line.
    static func numbers(_ output: String) -> [Double] {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("[") }) else { return [] }
        return line.dropFirst().dropLast().split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    func assertClose(_ a: [Double], _ b: [Double], relative: Double, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        XCTAssertFalse(a.isEmpty, what, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertLessThanOrEqual(abs(x - y), relative * max(abs(x), abs(y)), "\(what): \(a) against \(b)", file: file, line: line)
        }
    }

    func testTwoRanksMatchOneProcessAndRepeatBitForBit() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write(DistributedTests.windowsScript, to: "windows.seq", in: folder)
        let one = try Seqsh.run([script, folder.appendingPathComponent("one.safetensors").path])
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try mpirun(2, [script, folder.appendingPathComponent("two.safetensors").path])
        XCTAssertEqual(two.status, 0, two.stderr)
        let again = try mpirun(2, [script, folder.appendingPathComponent("again.safetensors").path])
        XCTAssertEqual(again.status, 0, again.stderr)

        let losses = DistributedTests.numbers(one.stdout)
        XCTAssertEqual(losses.count, 8, "100 steps of 13 per epoch: 8 epochs\n\(one.stdout)")
        XCTAssertLessThan(losses.last!, losses.first!, "the loss falls")
        assertClose(DistributedTests.numbers(two.stdout), losses, relative: 1e-5, "2 ranks against 1 process")
        XCTAssertEqual(DistributedTests.numbers(two.stdout), DistributedTests.numbers(again.stdout),
                       "the same loss bits for the same number of ranks")
        let bytes = { (name: String) in try Data(contentsOf: folder.appendingPathComponent(name)) }
        XCTAssertEqual(try bytes("two.safetensors"), try bytes("again.safetensors"), "the saved weights too")

        // Rank 0 alone prints: each epoch line once, the history once.
        XCTAssertEqual(two.stdout.components(separatedBy: "epoch 8/8").count - 1, 1, two.stdout)
        XCTAssertFalse(two.stdout.contains("\u{1B}["), "no live bar through mpirun's forwarded output")
    }

    func testStreamsAreSharedBetweenRanks() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write(DistributedTests.streamsScript, to: "streams.seq", in: folder)
        let one = try Seqsh.run([script, folder.appendingPathComponent("one.safetensors").path])
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try mpirun(2, [script, folder.appendingPathComponent("two.safetensors").path])
        XCTAssertEqual(two.status, 0, two.stderr)
        let losses = DistributedTests.numbers(one.stdout)
        XCTAssertEqual(losses.count, 4, one.stdout)
        assertClose(DistributedTests.numbers(two.stdout), losses, relative: 1e-5, "2 ranks carrying 2 streams each")
    }

    /// A model whose gradient buffer is cut into three buckets (Tensor/GradientOverlap.swift:
    /// the top LSTM layer with the dense layer, the lower LSTM layer, the embedding), so the
    /// overlapped sums start while the layers below still run.
    static let bucketsScript = windowsScript
        .replacingOccurrences(of: "layer lstm 32 last", with: "layer lstm 256 layers 2 last")
        .replacingOccurrences(of: "steps 100 batch 16", with: "steps 30 batch 16")

    func testOverlappedAndBlockingSumsGiveTheSameBits() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write(DistributedTests.bucketsScript, to: "buckets.seq", in: folder)
        var losses: [String: [Double]] = [:]
        for mode in ["1", "0"] {
            let outcome = try mpirun(2, [script, folder.appendingPathComponent("overlap\(mode).safetensors").path],
                                     environment: ["SEQ_MPI_OVERLAP": mode])
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            losses[mode] = DistributedTests.numbers(outcome.stdout)
        }
        XCTAssertEqual(losses["1"]?.count, 3, "30 steps of 13 per epoch: 3 epochs")
        XCTAssertEqual(losses["1"], losses["0"], "the same loss bits overlapped and blocking")
        let bytes = { (name: String) in try Data(contentsOf: folder.appendingPathComponent(name)) }
        XCTAssertEqual(try bytes("overlap1.safetensors"), try bytes("overlap0.safetensors"), "the same weights")

        // A value that means nothing, and ranks that disagree, stop at `train` with a message.
        let bad = try mpirun(2, [script, folder.appendingPathComponent("bad.safetensors").path],
                             environment: ["SEQ_MPI_OVERLAP": "yes"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("SEQ_MPI_OVERLAP must be 1") && bad.stderr.contains("'yes'"), bad.stderr)
        let seqsh = try Seqsh.binary()
        let split = try Seqsh.run(["--allow-run-as-root", "--oversubscribe",
                                   "-n", "1", "/usr/bin/env", "SEQ_MPI_OVERLAP=1", seqsh, script, folder.appendingPathComponent("a.safetensors").path, ":",
                                   "-n", "1", "/usr/bin/env", "SEQ_MPI_OVERLAP=0", seqsh, script, folder.appendingPathComponent("b.safetensors").path],
                                  executable: DistributedTests.mpirun)
        XCTAssertNotEqual(split.status, 0)
        XCTAssertTrue(split.stderr.contains("1 of the 2 ranks overlap"), split.stderr)
    }

    func testOnlyRankZeroWritesFiles() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let script = try Seqsh.write(DistributedTests.windowsScript, to: "windows.seq", in: folder)
        // mpirun's `:` gives each rank its own command line, so each would save its own file.
        let seqsh = try Seqsh.binary()
        let outcome = try Seqsh.run(["--allow-run-as-root", "--oversubscribe",
                                     "-n", "1", seqsh, script, folder.appendingPathComponent("rank0.safetensors").path, ":",
                                     "-n", "1", seqsh, script, folder.appendingPathComponent("rank1.safetensors").path],
                                    executable: DistributedTests.mpirun)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(written, ["rank0.safetensors", "windows.seq"])
    }

    func testSeqshDoesNotLinkMPI() throws {
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [try Seqsh.binary()]
        let pipe = Pipe()
        ldd.standardOutput = pipe
        try ldd.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        XCTAssertFalse(text.contains("libmpi"), text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: Seqsh.repository.appendingPathComponent(".build/debug/libSeqMPI.so").path),
                      "the plug-in is built beside seqsh")
    }
}

extension DistributedTests {
    /// The pid of the seqsh process of `rank` running `script`, from /proc (Open MPI puts the
    /// rank in each process's environment).
    static func pid(ofRank rank: Int, running script: String) -> Int32? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).contains(script),
                  let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }

    func testAKilledRankStopsTheJobAndResumeContinuesFromTheCheckpoint() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let checkpoint = folder.appendingPathComponent("run.ckpt").path
        let script = try Seqsh.write(DistributedTests.windowsScript
            .replacingOccurrences(of: "steps 100 batch 16 on data", with: "epochs 500 batch 16 checkpoint args[0] on data"),
            to: "long.seq", in: folder)
        let job = Process()
        job.executableURL = URL(fileURLWithPath: DistributedTests.mpirun)
        job.arguments = ["--allow-run-as-root", "--oversubscribe", "-n", "2", try Seqsh.binary(), script, checkpoint]
        let stderr = Pipe()
        job.standardOutput = FileHandle.nullDevice
        job.standardError = stderr
        try job.run()
        defer { if job.isRunning { job.terminate() } }

        // Kill rank 1 once a checkpoint has been written twice over (so one is complete on disk).
        let deadline = Date().addingTimeInterval(120)
        var epochsSeen = 0
        var lastModified: Date?
        while epochsSeen < 2, Date() < deadline, job.isRunning {
            if let modified = (try? FileManager.default.attributesOfItem(atPath: checkpoint))?[.modificationDate] as? Date,
               modified != lastModified {
                lastModified = modified
                epochsSeen += 1
            }
            usleep(20_000)
        }
        XCTAssertTrue(job.isRunning, "the job runs until a rank is killed")
        let victim = try XCTUnwrap(DistributedTests.pid(ofRank: 1, running: script), "rank 1's process")
        kill(victim, SIGKILL)
        let killed = Date()
        while job.isRunning, Date().timeIntervalSince(killed) < 30 { usleep(20_000) }
        let waited = Date().timeIntervalSince(killed)
        XCTAssertFalse(job.isRunning, "rank 0 did not stop within 30 s of rank 1's death")
        XCTAssertLessThan(waited, 10, "the job stops within seconds, not after a time-out")
        job.waitUntilExit()
        XCTAssertNotEqual(job.terminationStatus, 0)
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(message.contains("rank 1") && message.contains("signal 9"), message)

        // The checkpoint is whole, and `resume` goes on from it with one process or two.
        for ranks in [1, 2] {
            let copy = folder.appendingPathComponent("copy\(ranks).ckpt").path
            try FileManager.default.copyItem(atPath: checkpoint, toPath: copy)
            let script = try Seqsh.write("""
                let syms = tokens(read_text("\(Seqsh.repository.path)/examples/data/belling_the_cat.txt"))
                let vocab = vocabulary(syms)
                let data = windows(encode(vocab, syms), 3, vocab)
                resume "\(copy)" on data epochs 20
                print(history.steps)

                """, to: "resume\(ranks).seq", in: folder)
            let outcome = ranks == 1 ? try Seqsh.run([script]) : try mpirun(2, [script])
            XCTAssertEqual(outcome.status, 0, "resume with \(ranks) rank(s): \(outcome.stderr)")
            let steps = outcome.stdout.split(separator: "\n").last.flatMap { Int($0) }
            XCTAssertEqual(steps, 20 * 13, "resume with \(ranks) rank(s) trains on to epoch 20 (13 steps each)\n\(outcome.stdout)\(outcome.stderr)")
        }
    }
}

/// Two "hosts" on this machine: two network namespaces joined by a veth pair, each with its
/// own address, and mpirun starting the second rank in the other namespace (Open MPI's rsh
/// launcher, with `ip netns exec` in the place of ssh). The ranks talk TCP only (`btl tcp`),
/// so this is the multi-host path, not shared memory.
final class MultiHostTests: XCTestCase {
    func ip(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "ip", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey:
                "ip \(arguments.joined(separator: " ")): \(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))"])
        }
    }

    func testTwoRanksInTwoNetworkNamespacesOverTCP() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip"), "iproute2 is installed by scripts/deps.sh")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: DistributedTests.mpirun), "scripts/deps.sh installs openmpi-bin")
        let tag = String(getpid() % 100_000)
        let (a, b) = ("seqa\(tag)", "seqb\(tag)")
        let (addressA, addressB) = ("10.231.7.1", "10.231.7.2")
        try ip(["netns", "add", a])
        addTeardownBlock { try? self.ip(["netns", "del", a]) }
        try ip(["netns", "add", b])
        addTeardownBlock { try? self.ip(["netns", "del", b]) }
        try ip(["link", "add", "va\(tag)", "type", "veth", "peer", "name", "vb\(tag)"])
        try ip(["link", "set", "va\(tag)", "netns", a])
        try ip(["link", "set", "vb\(tag)", "netns", b])
        for (ns, dev, address) in [(a, "va\(tag)", addressA), (b, "vb\(tag)", addressB)] {
            try ip(["-n", ns, "addr", "add", "\(address)/24", "dev", dev])
            try ip(["-n", ns, "link", "set", dev, "up"])
            try ip(["-n", ns, "link", "set", "lo", "up"])
        }

        let folder = try Seqsh.temporaryFolder(for: self)
        let log = folder.appendingPathComponent("launched.log").path
        let agent = try Seqsh.write("""
            #!/bin/sh
            # Open MPI's rsh launcher calls this as `agent HOST COMMAND…`: run it in HOST's namespace.
            host="$1"; shift
            echo "$host" >> "\(log)"
            case "$host" in
              \(addressA)) ns=\(a) ;;
              \(addressB)) ns=\(b) ;;
              *) echo "no such test host: $host" >&2; exit 1 ;;
            esac
            exec /usr/sbin/ip netns exec "$ns" sh -c "$*"

            """, to: "agent.sh", in: folder)
        chmod(agent, 0o755)
        let script = try Seqsh.write(DistributedTests.windowsScript, to: "windows.seq", in: folder)
        let one = try Seqsh.run([script, folder.appendingPathComponent("one.safetensors").path])
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try Seqsh.run(["netns", "exec", a, DistributedTests.mpirun,
                                 "--allow-run-as-root", "-n", "2", "--host", "\(addressA):1,\(addressB):1",
                                 "--mca", "plm_rsh_agent", agent,
                                 "--mca", "btl", "tcp,self",
                                 "--mca", "btl_tcp_if_include", "10.231.7.0/24",
                                 "--mca", "oob_tcp_if_include", "10.231.7.0/24",
                                 try Seqsh.binary(), script, folder.appendingPathComponent("two.safetensors").path],
                                executable: "/usr/sbin/ip")
        XCTAssertEqual(two.status, 0, two.stderr)
        let launched = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertTrue(launched.contains(addressB), "rank 1 was started in the second namespace: \(launched)")
        let losses = DistributedTests.numbers(one.stdout)
        XCTAssertEqual(losses.count, 8, one.stdout)
        let remote = DistributedTests.numbers(two.stdout)
        XCTAssertEqual(remote.count, losses.count, two.stdout + two.stderr)
        for (x, y) in zip(remote, losses) { XCTAssertLessThanOrEqual(abs(x - y), 1e-5 * abs(y), "\(remote) against \(losses)") }
    }
}
