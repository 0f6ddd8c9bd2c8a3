// DataFile.swift — reading a data file's bytes: the host's access check, gzip, UTF-8.
//
// Every file a data built-in reads goes through `CommandContext.readFile`, which resolves it
// beneath the host's allowed folders. Gzip input (detected by its magic bytes, not its name) is inflated with zlib.
// Problems become `.io` diagnostics at the script call that asked for the file, naming the
// file and the byte offset where the trouble is.

import CZlib
import Foundation
import SeqLang
import Tensor

enum DataFile {
    /// The raw bytes of `path`, read through the host's file sandbox.
    static func readBytes(_ path: String, context: CommandContext, at range: SourceRange) throws -> [UInt8] {
        try context.readFile(path, at: range)
    }

    /// The bytes of `path`, inflated when they start with the gzip magic (1F 8B).
    static func readMaybeGzip(_ path: String, context: CommandContext, at range: SourceRange) throws -> [UInt8] {
        let bytes = try readBytes(path, context: context, at: range)
        guard bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B else { return bytes }
        // A few kilobytes of gzip may claim gigabytes: the output is checked as it grows,
        // beside the compressed bytes still held.
        return try gunzip(bytes, file: path, at: range) {
            try context.checkMemory(MemorySize.add($0, bytes.count), for: "the inflated contents of '\(path)'", at: range)
        }
    }

    /// The text of `path`, which must be UTF-8 (a leading byte-order mark is dropped).
    static func readText(_ path: String, context: CommandContext, at range: SourceRange) throws -> String {
        var bytes = try readMaybeGzip(path, context: context, at: range)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        // The text is a second copy of the bytes while it is made.
        try context.checkMemory(MemorySize.mul(bytes.count, 2), for: "the text of '\(path)'", at: range)
        return try decodeUTF8(bytes, file: path, at: range) { try context.checkCancelled(at: range) }
    }

    /// Decodes UTF-8, or throws naming the byte offset (and line) of the first invalid byte.
    /// `poll` is called every mebibyte while the bytes are checked, and between the 16 MiB
    /// pieces a large text is made of (a stop check).
    static func decodeUTF8(_ bytes: [UInt8], file: String, at range: SourceRange,
                           poll: () throws -> Void = {}) throws -> String {
        if let offset = try firstInvalidUTF8Offset(bytes, poll: poll) {
            let line = bytes[..<offset].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            let hex = String(format: "0x%02X", bytes[offset])
            throw Diagnostic.error(
                .io, at: range,
                "'\(file)' is not valid UTF-8: byte \(hex) at byte offset \(offset) (line \(line)) does not start or continue a UTF-8 character",
                hint: "convert the file to UTF-8 first (for example: iconv -f WINDOWS-1252 -t UTF-8)")
        }
        let piece = 1 << 24
        if bytes.count <= piece { return String(decoding: bytes, as: UTF8.self) }
        var text = ""
        text.reserveCapacity(bytes.count)
        var start = 0
        while start < bytes.count {
            try poll()
            // A piece ends before a byte that starts a character, never inside one.
            var end = min(bytes.count, start + piece)
            while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
            text += String(decoding: bytes[start..<end], as: UTF8.self)
            start = end
        }
        return text
    }

    /// The offset of the first byte that is not part of a well-formed UTF-8 sequence, or nil.
    static func firstInvalidUTF8Offset(_ b: [UInt8], poll: () throws -> Void = {}) rethrows -> Int? {
        var i = 0, nextPoll = 1 << 20
        let n = b.count
        while i < n {
            if i >= nextPoll {
                try poll()
                nextPoll += 1 << 20
            }
            let lead = b[i]
            if lead < 0x80 { i += 1; continue }
            let need: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF   // allowed range of the second byte
            switch lead {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return i
            }
            for k in 1...need {
                guard i + k < n else { return i }
                let c = b[i + k]
                let (l, h) = k == 1 ? (lo, hi) : (UInt8(0x80), UInt8(0xBF))
                if c < l || c > h { return i }
            }
            i += need + 1
        }
        return nil
    }

    /// Inflates gzip data (one or more members) with zlib. `fits` is asked before the output
    /// grows to a size (the memory limit), so a gzip bomb is refused, not inflated.
    static func gunzip(_ input: [UInt8], file: String, at range: SourceRange,
                       fits: (Int) throws -> Void = { _ in }) throws -> [UInt8] {
        var stream = z_stream()
        let gzipWindowBits: Int32 = 15 + 16   // 32 KiB window, gzip header expected
        guard inflateInit2_(&stream, gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Diagnostic.error(.io, at: range, "cannot read '\(file)': zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        let chunkSize = 1 << 18
        try fits(MemorySize.mul(input.count, 4))
        output.reserveCapacity(input.count * 4)
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var consumed = 0
        try input.withUnsafeBufferPointer { inBuf in
            var status: Int32 = Z_OK
            while true {
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + consumed)
                stream.avail_in = UInt32(inBuf.count - consumed)
                let before = stream.total_in
                status = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(chunkSize)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                consumed += Int(stream.total_in - before)
                let produced = chunkSize - Int(stream.avail_out)
                if output.count + produced > output.capacity { try fits(max(output.count + produced, output.capacity * 2)) }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_OK:
                    if stream.avail_in == 0 && stream.avail_out != 0 {
                        throw Diagnostic.error(
                            .io, at: range,
                            "'\(file)' is a truncated gzip file: the compressed data ends at byte offset \(consumed) after \(output.count) uncompressed bytes",
                            hint: "download the file again; the copy on disk is incomplete")
                    }
                case Z_STREAM_END:
                    // Another gzip member may follow (concatenated files); anything else is an error.
                    if consumed == inBuf.count { return }
                    if inBuf.count - consumed >= 2, inBuf[consumed] == 0x1F, inBuf[consumed + 1] == 0x8B {
                        inflateReset(&stream)
                        continue
                    }
                    throw Diagnostic.error(
                        .io, at: range,
                        "'\(file)' has \(inBuf.count - consumed) unexpected bytes after the gzip data at byte offset \(consumed)")
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw Diagnostic.error(
                        .io, at: range,
                        "'\(file)' is a truncated gzip file: the compressed data ends at byte offset \(consumed) after \(output.count) uncompressed bytes",
                        hint: "download the file again; the copy on disk is incomplete")
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw Diagnostic.error(
                        .io, at: range,
                        "'\(file)' has corrupt gzip data near byte offset \(consumed): \(reason)",
                        hint: "download the file again")
                }
            }
        }
        return output
    }
}
