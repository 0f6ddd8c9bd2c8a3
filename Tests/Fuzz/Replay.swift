// Replay.swift — `seqfuzz FILE…`: runs each file through the fuzz target's checks (lexer,
// parser, checker), as libFuzzer would, so a finding can be replayed in an ordinary build.

#if !FUZZING
import Foundation

@main
enum Replay {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        if paths.isEmpty {
            FileHandle.standardError.write("usage: seqfuzz FILE...\n".data(using: .utf8)!)
            exit(2)
        }
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write("seqfuzz: cannot read '\(path)'\n".data(using: .utf8)!)
                exit(1)
            }
            fuzzOne([UInt8](data))
            print("\(path): ok")
        }
    }
}
#endif
