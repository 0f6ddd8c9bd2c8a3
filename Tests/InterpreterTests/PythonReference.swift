// PythonReference.swift — runs a reference script of the test suite with python3 and returns
// what it printed; a failing run throws with its exit status, what it needs, and its output.
// The reference scripts' own tests call this (ONNXTests, InterchangeTests).

import Foundation

enum PythonReference {
    /// Runs `python3 script arguments…`; `needs` says which Python packages it wants (for the
    /// message when it fails). Standard output and standard error come back together.
    @discardableResult
    static func run(_ script: String, _ arguments: [String], needs: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script] + arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let name = (script as NSString).lastPathComponent
        guard p.terminationStatus == 0 else {
            throw NSError(domain: name, code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey:
                "\(name) \(arguments.joined(separator: " ")) exited with status \(p.terminationStatus) (python3 with \(needs) is needed; scripts/deps.sh installs them): \(output)"])
        }
        return output
    }
}
