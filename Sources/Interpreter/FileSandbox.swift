// FileSandbox.swift — every file a script reads or writes, resolved by the kernel beneath the
// folders the host allowed.
//
// Each allowed folder is opened once, when the interpreter is made. A script's path is made
// absolute against the working folder (as text: nothing is resolved yet) and matched to the
// allowed folder it names; the rest of it is then opened relative to that folder's descriptor
// with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so the kernel refuses every `..`,
// absolute symlink, symlink out of the folder and /proc magic link on the way — at the moment
// of the open, so a symlink swapped in after any earlier check changes nothing. Where openat2
// is missing (ENOSYS: kernels before 5.6, some seccomp filters), the path is walked one
// component at a time with O_NOFOLLOW, refusing every symlink and any `..` above the folder.
// A write resolves the file's folder that way and hands its descriptor to AtomicFile, which
// names the new file only when it is complete.
//
// `.none` answers every request with the same message before looking at the file system, so
// a script learns nothing about which files exist.

import CSystem
import Foundation
import SeqLang
import Tensor
#if canImport(Glibc)
import Glibc
#endif

final class FileSandbox {
    /// True when `path` is an existing file (not a folder), by path alone: for contexts without
    /// a sandbox and for candidates the sandbox has allowed.
    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// One allowed folder: its open descriptor and the spellings of its path a script's path
    /// may start with (as the host wrote it, made absolute, and with its symlinks resolved).
    private struct Folder {
        let shown: String
        let prefixes: [String]
        let descriptor: Int32
    }

    private let access: SeqInterpreter.FileAccess
    private let workingDirectory: String?
    private let folders: [Folder]
    /// False to walk paths component by component even where openat2 exists (tests).
    let usesOpenat2: Bool

    init(access: SeqInterpreter.FileAccess, workingDirectory: String?, usesOpenat2: Bool = true) {
        self.access = access
        self.workingDirectory = workingDirectory
        self.usesOpenat2 = usesOpenat2
        var folders: [Folder] = []
        if case .folders(let list) = access {
            let base = workingDirectory ?? FileManager.default.currentDirectoryPath
            for folder in list {
                let absolute = FileSandbox.lexicallyAbsolute(folder, base: base)
                var prefixes = [absolute]
                if let real = realpath(absolute, nil) {
                    prefixes.append(String(cString: real))
                    free(real)
                }
                let fd = Glibc.open(absolute, seq_o_path() | O_DIRECTORY | O_CLOEXEC)
                folders.append(Folder(shown: folder, prefixes: prefixes, descriptor: fd))
            }
        }
        self.folders = folders
    }

    deinit {
        for folder in folders where folder.descriptor >= 0 { close(folder.descriptor) }
    }

    // MARK: - What scripts call

    /// The whole file at `path` (as the script wrote it).
    /// `fits` is asked, before any byte is read, whether the file's size may be held (the
    /// interpreter's memory limit), and again as a file of no fixed size (a pipe) grows;
    /// `poll` is called before each mebibyte is read (a stop check).
    func read(_ path: String, at range: SourceRange, fits: (Int) throws -> Void = { _ in },
              poll: () throws -> Void = {}) throws -> [UInt8] {
        let fd = try open(path, flags: O_RDONLY, verb: "read", at: range)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path, "read", errno, at: range) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw Diagnostic.error(.io, at: range, "cannot read '\(path)': it is a folder, expected a file")
        }
        let regular = (info.st_mode & S_IFMT) == S_IFREG
        var bytes: [UInt8] = []
        if regular {
            try fits(Int(info.st_size))
            bytes.reserveCapacity(Int(info.st_size))
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            try poll()
            if !regular || bytes.count >= Int(info.st_size) { try fits(bytes.count + chunk.count) }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path, "read", errno, at: range)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// Writes `bytes` as the file `path`, atomically (AtomicFile).
    func write(_ bytes: [UInt8], to path: String, at range: SourceRange) throws {
        let (folder, name) = try parent(of: path, at: range)
        defer { close(folder) }
        do {
            try AtomicFile.write(bytes, name: name, in: folder)
        } catch let e as FileWriteError {
            throw Diagnostic.error(.io, at: range, "cannot write '\(path)': \(e.message)", hint: e.hint)
        }
    }

    /// False under `.none`.
    var canUseFiles: Bool {
        if case .none = access { return false }
        return true
    }

    /// True when `path` is a file the script may read (false for anything refused or missing).
    func isReadableFile(_ path: String) -> Bool {
        guard let fd = try? open(path, flags: O_RDONLY, verb: "read", at: .none(file: "")) else { return false }
        defer { close(fd) }
        var info = stat()
        return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The check made when a path is named before it is used (a checkpoint written at the
    /// end of each epoch): refuses what the policy refuses outright and returns the path made
    /// absolute, so a later change of working folder does not move it. The kernel still
    /// resolves it at each use.
    func authorize(_ path: String, writing: Bool, at range: SourceRange) throws -> String {
        let verb = writing ? "write" : "read"
        switch access {
        case .all:
            return FileSandbox.lexicallyAbsolute(path, base: base)
        case .none:
            throw noAccess(path, verb, at: range)
        case .folders:
            let (folder, _) = try locate(path, verb: verb, at: range)
            _ = folder
            return FileSandbox.lexicallyAbsolute(path, base: base)
        }
    }

    // MARK: - Resolving

    private var base: String { workingDirectory ?? FileManager.default.currentDirectoryPath }

    /// `path` made absolute against `base` as text, with empty and `.` components dropped
    /// (`..` is kept: only the kernel may decide where it leads).
    static func lexicallyAbsolute(_ path: String, base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        let parts = joined.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }

    /// The allowed folder `path` lies in and the rest of the path below it.
    private func locate(_ path: String, verb: String, at range: SourceRange) throws -> (Folder, String) {
        let absolute = FileSandbox.lexicallyAbsolute(path, base: base)
        for folder in folders {
            for prefix in folder.prefixes {
                let rest: String
                if absolute == prefix {
                    rest = "."
                } else if absolute.hasPrefix(prefix == "/" ? "/" : prefix + "/") {
                    rest = String(absolute.dropFirst(prefix == "/" ? 1 : prefix.count + 1))
                } else {
                    continue
                }
                // A `..` that climbs above the folder in the text itself is refused here with
                // the plain message; the kernel refuses every other way out.
                var depth = 0
                for component in rest.split(separator: "/") {
                    depth += component == ".." ? -1 : 1
                    if depth < 0 { throw outside(path, verb, at: range) }
                }
                guard folder.descriptor >= 0 else {
                    throw Diagnostic.error(.io, at: range, "cannot \(verb) '\(path)': the allowed folder '\(folder.shown)' could not be opened",
                                           hint: "the host program names the folders scripts may use; this one is missing or unreadable")
                }
                return (folder, rest)
            }
        }
        throw outside(path, verb, at: range)
    }

    /// Opens `path` with `flags` under the policy.
    private func open(_ path: String, flags: Int32, verb: String, at range: SourceRange) throws -> Int32 {
        let fd: Int32
        switch access {
        case .none:
            throw noAccess(path, verb, at: range)
        case .all:
            fd = Glibc.open(FileSandbox.lexicallyAbsolute(path, base: base), flags | O_CLOEXEC)
        case .folders:
            let (folder, rest) = try locate(path, verb: verb, at: range)
            fd = beneath(folder.descriptor, rest, flags: flags | O_CLOEXEC)
        }
        guard fd >= 0 else { throw failure(path, verb, errno, at: range) }
        return fd
    }

    /// The folder `path` names its file in (an O_PATH descriptor the caller closes) and the
    /// file's name.
    private func parent(of path: String, at range: SourceRange) throws -> (Int32, String) {
        let absolute = FileSandbox.lexicallyAbsolute(path, base: base)
        let name = String(absolute.split(separator: "/").last ?? "")
        guard !name.isEmpty, name != ".." else {
            throw Diagnostic.error(.io, at: range, "cannot write '\(path)': it names a folder, not a file")
        }
        let folderPath = String(absolute.dropLast(name.count))
        let directoryFlags = seq_o_path() | O_DIRECTORY | O_CLOEXEC
        let fd: Int32
        switch access {
        case .none:
            throw noAccess(path, "write", at: range)
        case .all:
            fd = Glibc.open(folderPath.isEmpty ? "/" : folderPath, directoryFlags)
        case .folders:
            let (folder, rest) = try locate(path, verb: "write", at: range)
            guard rest != "." else { throw Diagnostic.error(.io, at: range, "cannot write '\(path)': it is an allowed folder, not a file") }
            let restFolder = rest.contains("/") ? String(rest.dropLast(name.count + 1)) : "."
            fd = beneath(folder.descriptor, restFolder, flags: directoryFlags)
        }
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw Diagnostic.error(.io, at: range, "cannot write '\(path)': its folder does not exist",
                                       hint: "create the folder first, or save into one that exists")
            }
            throw failure(path, "write", code, at: range)
        }
        return (fd, name)
    }

    /// Opens `rest` beneath the folder `root`: openat2 where the kernel has it, else a walk.
    private func beneath(_ root: Int32, _ rest: String, flags: Int32) -> Int32 {
        if usesOpenat2 {
            let fd = seq_openat2(root, rest, flags, 0, seq_resolve_beneath())
            if fd >= 0 || errno != ENOSYS { return fd }
        }
        return FileSandbox.walk(root, rest, flags: flags)
    }

    /// Opens `rest` beneath `root` one component at a time, following no symlink and no `..`
    /// above `root`. Sets errno and returns -1 on refusal (EXDEV for a way out).
    static func walk(_ root: Int32, _ rest: String, flags: Int32) -> Int32 {
        let components = rest.split(separator: "/").map(String.init).filter { $0 != "." }
        var chain: [Int32] = [dup(root)]   // the folders walked through; chain[0] is the root
        defer { for fd in chain { close(fd) } }
        func refuse(_ code: Int32) -> Int32 { errno = code; return -1 }
        for (i, component) in components.enumerated() {
            let last = i == components.count - 1
            if component == ".." {
                guard chain.count > 1 else { return refuse(EXDEV) }
                close(chain.removeLast())
                if last { break }
                continue
            }
            let componentFlags = last ? flags | O_NOFOLLOW : seq_o_path() | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
            let fd = openat(chain.last!, component, componentFlags)
            if fd < 0 {
                let code = errno
                var info = stat()
                if fstatat(chain.last!, component, &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
                    return refuse(EXDEV)   // a symlink: not followed in a walk
                }
                return refuse(code)
            }
            if last { return fd }
            chain.append(fd)
        }
        // The path ends at a folder (empty, `.` or `..`): open it as asked.
        return openat(chain.last!, ".", flags)
    }

    // MARK: - Messages

    /// The hint of a missing file.
    static func missingFileHint(_ path: String) -> String {
        "paths are relative to the current folder; for a data set use data_path(\"\(path)\"), which searches the data folder"
    }

    private func noAccess(_ path: String, _ verb: String, at range: SourceRange) -> Diagnostic {
        .error(.io, at: range, "cannot \(verb) '\(path)': this interpreter has no file access",
               hint: "the host program decides which files scripts may use")
    }

    private func outside(_ path: String, _ verb: String, at range: SourceRange) -> Diagnostic {
        let allowed = folders.map(\.shown).joined(separator: ", ")
        return .error(.io, at: range, "cannot \(verb) '\(path)': it is outside the folders this interpreter may use",
                      hint: "allowed: " + allowed)
    }

    private func failure(_ path: String, _ verb: String, _ code: Int32, at range: SourceRange) -> Diagnostic {
        switch code {
        case EXDEV, ELOOP:
            let allowed = folders.map(\.shown).joined(separator: ", ")
            return .error(.io, at: range,
                          "cannot \(verb) '\(path)': it leads outside the folders this interpreter may use (through a symlink or '..')",
                          hint: allowed.isEmpty ? nil : "allowed: " + allowed)
        case ENOENT:
            return .error(.io, at: range, "cannot \(verb) '\(path)': no such file", hint: FileSandbox.missingFileHint(path))
        case ENOTDIR:
            return .error(.io, at: range, "cannot \(verb) '\(path)': a part of the path is not a folder")
        case EISDIR:
            return .error(.io, at: range, "cannot \(verb) '\(path)': it is a folder, expected a file")
        case EACCES, EPERM:
            return .error(.io, at: range, "cannot \(verb) '\(path)': permission denied")
        default:
            return .error(.io, at: range, "cannot \(verb) '\(path)': \(String(cString: strerror(code)))")
        }
    }
}
