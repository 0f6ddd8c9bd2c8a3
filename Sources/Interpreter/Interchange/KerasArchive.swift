// KerasArchive.swift — one member of a `.keras` file (a zip: `config.json`, `metadata.json`,
// `model.weights.h5`), read from memory with libzip.
//
// The archive's bytes come from the caller (read through the host's file check), so libzip
// opens no path either. A member larger than `maxMember`, or than the caller's memory limit
// allows, is refused from the size its entry declares, before it is inflated.

import CZip
import Foundation

enum KerasArchive {
    struct Failure: Error {
        var message: String
    }

    static let maxMember: UInt64 = 1 << 31
    static let signature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]

    static func isZip(_ bytes: [UInt8]) -> Bool { bytes.starts(with: signature) }

    /// The bytes of member `name`, or nil when the archive has no such member; `fits` is asked
    /// whether its declared size may be allocated.
    static func member(_ name: String, of bytes: [UInt8], fits: (Int) throws -> Void = { _ in }) throws -> [UInt8]? {
        try bytes.withUnsafeBytes { raw -> [UInt8]? in
            var error = zip_error_t()
            zip_error_init(&error)
            defer { zip_error_fini(&error) }
            guard let source = zip_source_buffer_create(raw.baseAddress, zip_uint64_t(raw.count), 0, &error) else {
                throw Failure(message: "libzip cannot read it: " + String(cString: zip_error_strerror(&error)))
            }
            guard let archive = zip_open_from_source(source, ZIP_RDONLY, &error) else {
                zip_source_free(source)
                throw Failure(message: "it is not a readable zip archive: " + String(cString: zip_error_strerror(&error)))
            }
            defer { zip_discard(archive) }   // also frees the source
            let index = zip_name_locate(archive, name, 0)
            guard index >= 0 else { return nil }
            var stat = zip_stat_t()
            zip_stat_init(&stat)
            guard zip_stat_index(archive, zip_uint64_t(index), 0, &stat) == 0, stat.valid & zip_uint64_t(ZIP_STAT_SIZE) != 0 else {
                throw Failure(message: "the size of its member '\(name)' cannot be read")
            }
            guard stat.size <= maxMember else {
                throw Failure(message: "its member '\(name)' is \(stat.size) bytes, more than the \(maxMember)-byte limit")
            }
            guard let file = zip_fopen_index(archive, zip_uint64_t(index), 0) else {
                throw Failure(message: "its member '\(name)' cannot be opened: " + String(cString: zip_error_strerror(zip_get_error(archive))))
            }
            defer { zip_fclose(file) }
            let total = Int(stat.size)
            try fits(total)
            var out = [UInt8](repeating: 0, count: total)
            var done = 0
            while done < total {
                let n = out.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress! + done, zip_uint64_t(total - done)) }
                guard n > 0 else {
                    throw Failure(message: "its member '\(name)' is damaged: it ends after \(done) of \(total) bytes")
                }
                done += Int(n)
            }
            return out
        }
    }
}
