// LibraryClient.swift — compiles Swift source the way an app outside this package does: against
// the interpreter library this test run was built with, seeing only its public declarations.
//
// The compiler flags (module and header search paths, the C modules' module maps, the library
// paths) are the ones the package build gave seqsh, read from the build's own plan
// (`.build/debug.yaml`), less `-package-name`: without it `package` declarations are as hidden
// as internal ones, so what compiles here compiles in an app. Linking takes the object files
// of the SeqLang library product's targets alone, as an app that depends on that product links.

import Foundation
import XCTest

struct LibraryClient {
    /// The targets an app depending on the `SeqLang` product links: the product's targets and
    /// the modules they depend on (Package.swift).
    static let libraryTargets = ["Interpreter", "SeqLang", "Tensor", "CKernels", "CSystem", "ONNXFormat", "SwiftProtobuf"]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// `<scratch>/<triple>/<configuration>`: the folder of the running test binary.
    let buildFolder: String
    /// seqsh's compile flags, without what names its module, package, sources and outputs.
    let compileFlags: [String]
    /// seqsh's library search paths and libraries.
    let linkFlags: [String]
    /// The compiler the build used.
    let compiler: String

    init() throws {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        buildFolder = (exe as NSString).deletingLastPathComponent
        let configuration = (buildFolder as NSString).lastPathComponent
        let triple = ((buildFolder as NSString).deletingLastPathComponent as NSString).lastPathComponent
        let scratch = ((buildFolder as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        let plan = try String(contentsOfFile: "\(scratch)/\(configuration).yaml", encoding: .utf8)
        func args(of command: String) throws -> [String] {
            let lines = plan.split(separator: "\n")
            let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("  \"\(command)\":") }, "\(command) in the build plan")
            let line = try XCTUnwrap(lines[start...].first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("args:") })
            let json = line.trimmingCharacters(in: .whitespaces).dropFirst("args:".count)
            return try JSONDecoder().decode([String].self, from: Data(json.utf8))
        }
        let compile = try args(of: "C.seqsh-\(triple)-\(configuration).module")
        compiler = compile[0]
        var flags: [String] = []
        var i = 1
        while i < compile.count {
            let a = compile[i]
            if ["-I", "-Xcc", "-target", "-module-cache-path", "-swift-version"].contains(a), i + 1 < compile.count {
                flags += [a, compile[i + 1]]
                i += 2
                continue
            }
            if a.hasPrefix("-I") || a.hasPrefix("-D") { flags.append(a) }
            i += 1
        }
        compileFlags = flags
        let link = try args(of: "C.seqsh-\(triple)-\(configuration).exe")
        var libraries: [String] = []
        i = 1
        while i < link.count {
            if link[i] == "-L", i + 1 < link.count { libraries += ["-L", link[i + 1]]; i += 2; continue }
            if link[i].hasPrefix("-L") || link[i].hasPrefix("-l") { libraries.append(link[i]) }
            i += 1
        }
        linkFlags = libraries
    }

    /// The compiler's exit status and messages.
    struct Outcome {
        var status: Int32
        var output: String
    }

    /// Type-checks `files` as a program outside the package.
    func typecheck(_ files: [String]) throws -> Outcome {
        try swiftc(["-typecheck"] + compileFlags + files)
    }

    /// Compiles `files` into the executable `output`, linked with the library's objects only.
    func link(_ files: [String], into output: String) throws -> Outcome {
        var objects: [String] = []
        for target in LibraryClient.libraryTargets {
            let folder = "\(buildFolder)/\(target).build"
            let found = try Self.objectFiles(in: folder)
            XCTAssertFalse(found.isEmpty, "no object files in \(folder)")
            objects += found
        }
        return try swiftc(["-emit-executable", "-o", output] + compileFlags + linkFlags + files + objects)
    }

    /// A target's object files as its latest build wrote them. A Swift target's come from its
    /// output-file-map.json (objects of sources since removed may still lie in the folder, and
    /// would define their symbols twice), with the module's own wrapper object; a C target's
    /// folder holds only its sources' objects.
    static func objectFiles(in folder: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        let map = URL(fileURLWithPath: folder + "/output-file-map.json")
        guard let data = try? Data(contentsOf: map),
              let entries = try JSONSerialization.jsonObject(with: data) as? [String: [String: String]] else {
            return names.filter { $0.hasSuffix(".o") }.sorted().map { "\(folder)/\($0)" }
        }
        let wrappers = names.filter { $0.hasSuffix(".swiftmodule.o") }.map { "\(folder)/\($0)" }
        return (entries.values.compactMap { $0["object"] } + wrappers).sorted()
    }

    /// Runs `arguments[0]` with the rest, returning its exit status and stdout and stderr together.
    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    private func swiftc(_ arguments: [String]) throws -> Outcome {
        try LibraryClient.run([compiler] + arguments)
    }
}
