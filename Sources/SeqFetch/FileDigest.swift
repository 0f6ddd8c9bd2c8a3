// FileDigest.swift — the SHA-256 the fetcher checks every file against, as lower-case hex.
//
// The hashing itself is swift-crypto's `SHA256` (BoringSSL's on Linux); this file only feeds
// it a file in chunks or a download as it arrives, and spells the digest the way
// `KnownDatasets` writes it: 64 lower-case hexadecimal digits.

import Crypto
import Foundation

/// Hex SHA-256 digests of byte arrays, files and streams.
public enum FileDigest {
    /// The lower-case hexadecimal SHA-256 of `bytes`.
    public static func hex(of bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// The lower-case hexadecimal SHA-256 of the file at `path`, read in 1 MiB chunks, or nil
    /// if the file cannot be opened or read.
    public static func hex(ofFileAt path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            // `read(upToCount:)` gives nil or empty data at the end of the file.
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(data: chunk)
            }
        } catch {
            return nil
        }
        return hex(hasher.finalize())
    }

    /// The 64 digits of a finished digest.
    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 0x10 ? "0" + text : text
        }.joined()
    }
}

/// A SHA-256 fed piece by piece (a download as its chunks arrive).
struct StreamDigest {
    private var hasher = SHA256()

    mutating func update(_ data: Data) { hasher.update(data: data) }

    /// The digest of everything fed so far, as hex (the hasher is not reused afterwards).
    func hex() -> String { FileDigest.hex(hasher.finalize()) }
}
