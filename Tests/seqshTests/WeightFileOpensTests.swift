// WeightFileOpensTests.swift — `load weights` of Keras files opens nothing but the script and
// the weight files themselves (seen with strace): HDF5 and libzip read the bytes from memory,
// the one open() HDF5's memory driver makes fails in the kernel (ENAMETOOLONG), and an
// external link or external raw data in the file is refused without opening its target.
// The files come from Tests/InterpreterTests/Reference/interchange_reference.py.

import XCTest
import Foundation

final class WeightFileOpensTests: XCTestCase {
    func testKerasFilesOpenNoOtherPath() throws {
        let strace = "/usr/bin/strace"
        guard FileManager.default.isExecutableFile(atPath: strace) else {
            return XCTFail("strace is missing: scripts/deps.sh installs it")
        }
        let folder = try Seqsh.temporaryFolder(for: self)
        let reference = Seqsh.repository.appendingPathComponent("Tests/InterpreterTests/Reference/interchange_reference.py").path
        let made = try Seqsh.run(["python3", reference, folder.path], executable: "/usr/bin/env")
        XCTAssertEqual(made.status, 0, "python3 with numpy and h5py is needed (scripts/deps.sh): \(made.stderr)")
        let refusals = ["keras_external_link.weights.h5": "'layers/dense/vars/0' is a soft or external link",
                        "keras_external_data.weights.h5": "keeps its values in other files"]
        let system = ["/usr/", "/lib", "/etc/", "/proc/", "/sys/", "/dev/", "/opt/", "/root/.swiftpm", Seqsh.repository.path + "/.build"]
        for file in ["keras_lstm.weights.h5", "keras_lstm.keras"] + refusals.keys.sorted() {
            let weights = folder.path + "/" + file
            let script = try Seqsh.write("""
                model m
                input tokens 7 vocab 12
                layer embedding 5
                layer lstm 6 layers 2 last
                layer dense 3 softmax
                load weights "\(weights)"

                """, to: "\(file).seq", in: folder)
            let log = folder.appendingPathComponent("\(file).strace").path
            let outcome = try Seqsh.run(["-f", "-qq", "-e", "trace=open,openat,openat2,creat", "-o", log, try Seqsh.binary(), script],
                                        executable: strace)
            if let refusal = refusals[file] {
                XCTAssertEqual(outcome.status, 1, file)
                XCTAssertTrue(outcome.stderr.contains(refusal), outcome.stderr)
            } else {
                XCTAssertEqual(outcome.status, 0, outcome.stderr)
            }
            var probes = 0
            for line in try String(contentsOfFile: log, encoding: .utf8).components(separatedBy: "\n") where line.contains("open") {
                guard let q = line.firstIndex(of: "\""), let end = line[line.index(after: q)...].firstIndex(of: "\"") else { continue }
                let path = String(line[line.index(after: q)..<end])
                if path == script || path == weights { continue }
                if path.hasPrefix("xxxxxxxx") {
                    XCTAssertTrue(line.contains("ENAMETOOLONG"), line)
                    probes += 1
                    continue
                }
                XCTAssertFalse(path.contains("secret"), "an external target was opened: \(line)")
                XCTAssertTrue(system.contains { path.hasPrefix($0) }, "load weights opened \(line)")
            }
            XCTAssertEqual(probes, 1, "HDF5's memory driver probes the image's name once: \(file)")
        }
    }
}
