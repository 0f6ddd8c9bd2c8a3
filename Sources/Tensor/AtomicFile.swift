// AtomicFile.swift — writing a whole file so that a crash at any moment leaves either the old
// file or the new one under its name, and no temporary file behind.
//
// The bytes go into an unnamed file in the target's directory (O_TMPFILE), are fsynced, and
// only then get a name: linkat(2) gives it the target's name directly when there is no file
// there yet; over an existing file it is linked under a temporary name and renamed over the
// target (rename is the one atomic replace). A process killed while writing leaves nothing (an
// unnamed file vanishes with its last descriptor); one killed in the instant between link and
// rename leaves `.NAME.tmp-…`, which the next save of the same target removes first. Where the
// file system has no O_TMPFILE, the bytes go to such a named temporary from the start.
// The directory is given as an open descriptor, so a caller that resolved it safely (the
// interpreter's file sandbox) writes exactly there.

import CSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be written: what failed, and what to do about it.
package struct FileWriteError: Error, CustomStringConvertible, Sendable {
    package var message: String
    package var hint: String?
    package init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
    package var description: String { message + (hint.map { " (hint: \($0))" } ?? "") }
}

package enum AtomicFile {
    /// Writes `bytes` as `name` in the directory open as `directory` (any descriptor of a
    /// directory, O_PATH included), replacing a file of that name atomically.
    /// - Throws: `FileWriteError`; the previous file, if any, is then untouched.
    package static func write(_ bytes: [UInt8], name: String, in directory: Int32) throws {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else {
            throw FileWriteError("'\(name)' is not a file name", hint: "name a file, not a folder")
        }
        removeStaleTemporaries(of: name, in: directory)
        var unnamed = true
        var fd = openat(directory, ".", seq_o_tmpfile() | O_WRONLY | O_CLOEXEC, 0o666)
        var temporary: String?
        if fd < 0 {
            // No O_TMPFILE here (EOPNOTSUPP, EISDIR on old kernels): a named temporary instead.
            guard [EOPNOTSUPP, EISDIR, EINVAL].contains(errno) else { throw failure("cannot create the file") }
            unnamed = false
            temporary = temporaryName(for: name)
            fd = openat(directory, temporary!, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw failure("cannot create a temporary file") }
        }
        var placed = false
        defer {
            close(fd)
            if !placed, let temporary { unlinkat(directory, temporary, 0) }
        }
        try writeAll(bytes, to: fd)
        guard fsync(fd) == 0 else { throw failure("fsync failed") }
        if unnamed {
            // linkat needs a path to the unnamed file: /proc names it; AT_EMPTY_PATH works
            // without /proc but needs CAP_DAC_READ_SEARCH.
            let link: (String) -> Int32 = { target in
                if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", directory, target, AT_SYMLINK_FOLLOW) == 0 { return 0 }
                if errno == EEXIST { return EEXIST }
                if linkat(fd, "", directory, target, seq_at_empty_path()) == 0 { return 0 }
                return errno
            }
            var result = link(name)
            if result == 0 { placed = true }
            if result == EEXIST {
                temporary = temporaryName(for: name)
                result = link(temporary!)
            }
            guard result == 0 else {
                errno = result
                throw failure("cannot give the new file its name")
            }
        }
        if !placed {
            guard renameat(directory, temporary!, directory, name) == 0 else { throw failure("cannot replace the file") }
            placed = true
        }
        // The directory entry itself must reach the disk too.
        let dirFD = openat(directory, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// Writes `bytes` to `path` atomically (its folder opened by path, symlinks followed).
    package static func write(_ bytes: [UInt8], toPath path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let directory = open(folder.isEmpty ? "." : folder, seq_o_path() | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            throw FileWriteError("cannot open the folder \(folder): \(String(cString: strerror(errno)))",
                                 hint: "check that the folder exists and is writable")
        }
        defer { close(directory) }
        try write(bytes, name: url.lastPathComponent, in: directory)
    }

    /// The prefix of the temporary names used for `name`.
    static func temporaryPrefix(for name: String) -> String { "." + name + ".tmp-" }

    private static func temporaryName(for name: String) -> String {
        temporaryPrefix(for: name) + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// Removes the temporaries an interrupted save of `name` left in `directory`.
    static func removeStaleTemporaries(of name: String, in directory: Int32) {
        let listing = openat(directory, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard listing >= 0, let dir = fdopendir(listing) else {
            if listing >= 0 { close(listing) }
            return
        }
        defer { closedir(dir) }
        let prefix = temporaryPrefix(for: name)
        var stale: [String] = []
        while let entry = readdir(dir) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if entryName.hasPrefix(prefix) { stale.append(entryName) }
        }
        for entryName in stale { unlinkat(directory, entryName, 0) }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
        var written = 0
        let error: Int32? = bytes.withUnsafeBytes { raw -> Int32? in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return nil
        }
        if let error {
            errno = error
            throw failure("write failed after \(written) bytes")
        }
    }

    private static func failure(_ what: String) -> FileWriteError {
        let code = errno
        let hint: String? = code == EACCES || code == EPERM || code == EROFS ? "check that the folder is writable"
            : code == ENOSPC || code == EDQUOT ? "free some disk space" : nil
        return FileWriteError("\(what): \(String(cString: strerror(code)))", hint: hint)
    }
}
