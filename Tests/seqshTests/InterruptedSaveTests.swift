// InterruptedSaveTests.swift — a save killed with SIGKILL at a random moment leaves the
// previous file whole and no temporary file behind.

import XCTest
import Foundation

final class InterruptedSaveTests: XCTestCase {
    func testSavesKilledMidWriteLeaveNoTemporaryFilesAndALoadableModel() throws {
        let folder = try Seqsh.temporaryFolder(for: self)
        let saver = try Seqsh.write("""
            model big
            input tokens 8 vocab 8000
            layer embedding 64
            layer lstm 32 last
            layer dense 2 softmax
            save "m.safetensors"
            print("first save done")
            while true { save "m.safetensors" }

            """, to: "saver.seq", in: folder)
        let binary = try Seqsh.binary()
        // Kill times spread over the save loop (seeded, so a failure repeats).
        var delays: [Double] = []
        var x: UInt64 = 0x5A7E
        for _ in 0..<10 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            delays.append(0.05 + Double(x >> 40) / Double(1 << 24) * 0.6)
        }
        var killed = 0
        for delay in delays {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [saver]
            process.currentDirectoryURL = folder
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait for the first save, then kill somewhere inside a later one.
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("first save done") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += chunk
            }
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            XCTAssertEqual(names, ["m.safetensors", "saver.seq"], "after a kill \(delay) s into the loop")
        }
        XCTAssertEqual(killed, delays.count)
        let check = try Seqsh.run(["-e", "let m = load(\"\(folder.path)/m.safetensors\")\nprint(m.name)"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stdout, "big\n")
    }
}
