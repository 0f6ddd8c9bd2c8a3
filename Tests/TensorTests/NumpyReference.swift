// NumpyReference.swift — runs a reference script of Reference/ (python3 with numpy) that writes
// a safetensors file, and reads the file back: how the numpy known-answer tests get their values.
// Missing python3 or numpy is a failure, not a skip.

import Foundation
@testable import Tensor

enum NumpyReference {
    /// `python3 Reference/SCRIPT ARGUMENTS… PATH` into a temporary PATH, then its tensors and metadata.
    static func run(_ script: String, _ arguments: [String] = []) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Reference/\(script)").path
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(script)_\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", scriptPath] + arguments + [path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw TensorError(script, "exited with status \(p.terminationStatus) (python3 with numpy is needed for this test): \(output)")
        }
        return try SafeTensors.read(from: path)
    }
}
