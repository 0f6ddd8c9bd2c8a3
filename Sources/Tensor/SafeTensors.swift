// SafeTensors.swift — reads and writes weight files in the safetensors format (F32 only).
//
// Layout of a file:
//   bytes 0..<8        header length N, unsigned 64-bit little-endian
//   bytes 8..<8+N      JSON header: {"name": {"dtype": "F32", "shape": [...],
//                      "data_offsets": [begin, end]}, ..., "__metadata__": {string: string}}
//                      (may be padded at the end with spaces)
//   bytes 8+N..<end    raw little-endian data; offsets count from byte 8+N
//
// Writing is atomic (AtomicFile.swift): a crash mid-save leaves the previous file whole and no
// temporary file behind.
// Reading checks everything and reports the file and the byte offset of the first problem.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A problem reading or writing a weight file: which file, where in it (a byte offset, when
/// the problem has a place), what is wrong, and what to do about it.
package struct SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    package var path: String
    /// Byte offset from the start of the file where the problem was found, if it has one.
    package var offset: Int?
    package var message: String
    package var hint: String?

    package init(path: String, offset: Int? = nil, _ message: String, hint: String? = nil) {
        self.path = path
        self.offset = offset
        self.message = message
        self.hint = hint
    }

    package var description: String {
        var s = path
        if let offset { s += ": at byte \(offset)" }
        s += ": " + message
        if let hint { s += " (hint: \(hint))" }
        return s
    }
}

/// The safetensors weight-file format, as used by PyTorch, Hugging Face and others.
package enum SafeTensors {
    /// The one element type SeqLang reads and writes.
    package static let dtype = "F32"
    /// The key of the string-to-string metadata map in the header.
    package static let metadataKey = "__metadata__"
    /// Largest header accepted (the reference implementation uses the same limit).
    package static let maxHeaderLength = 100_000_000

    // MARK: - Writing

    /// Writes `tensors` (in the given order) and `metadata` to `path`, atomically.
    ///
    /// - Parameters:
    ///   - tensors: named tensors; names must be unique, non-empty and not `__metadata__`.
    ///   - metadata: free-form string pairs stored in the header (format version, model script…).
    ///   - path: the file to create or replace. The previous file stays intact if anything fails.
    /// - Throws: `SafeTensorsError` naming the file for a bad name or an I/O failure.
    package static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String],
                             to path: String) throws {
        let bytes = try encoded(tensors, metadata: metadata, shownAs: path)
        do {
            try AtomicFile.write(bytes, toPath: path)
        } catch let e as FileWriteError {
            throw SafeTensorsError(path: path, e.message, hint: e.hint)
        }
    }

    /// The complete file for `tensors` (in the given order) and `metadata`, for a caller that
    /// writes it itself (the interpreter, through its file sandbox).
    /// - Throws: `SafeTensorsError` naming `path` for an empty, reserved or repeated tensor name.
    package static func encoded(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String],
                               shownAs path: String) throws -> [UInt8] {
        var seen = Set<String>()
        for (name, _) in tensors {
            guard !name.isEmpty else {
                throw SafeTensorsError(path: path, "a tensor has an empty name", hint: "give every tensor a name")
            }
            guard name != metadataKey else {
                throw SafeTensorsError(path: path, "a tensor is named \"\(metadataKey)\", which the format reserves for metadata",
                                       hint: "rename the tensor")
            }
            guard seen.insert(name).inserted else {
                throw SafeTensorsError(path: path, "two tensors are named \"\(name)\"", hint: "tensor names must be unique")
            }
        }
        return encode(tensors, metadata: metadata)
    }

    /// The complete file contents for `tensors` and `metadata` (names already validated).
    static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) -> [UInt8] {
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(HeaderJSON.quote($0)):\(HeaderJSON.quote(metadata[$0]!))" }
            entries.append("\(HeaderJSON.quote(metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, t) in tensors {
            let end = offset + t.count * MemoryLayout<Float>.size
            entries.append("\(HeaderJSON.quote(name)):{\"dtype\":\"\(dtype)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while header.count % 8 != 0 { header.append(0x20) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for (_, t) in tensors {
            for x in t.scalars {
                withUnsafeBytes(of: x.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// Writes `bytes` to `path` atomically (AtomicFile): the old file or the new one, no
    /// temporary file left behind.
    package static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        do {
            try AtomicFile.write(bytes, toPath: path)
        } catch let e as FileWriteError {
            throw SafeTensorsError(path: path, e.message, hint: e.hint)
        }
    }

    // MARK: - Reading

    /// Reads every tensor and the metadata of a safetensors file.
    ///
    /// - Throws: `SafeTensorsError` naming the file and the byte offset of the first problem:
    ///   a missing or truncated file, a bad header length, invalid JSON, a dtype other than F32,
    ///   offsets out of range or overlapping, a shape that disagrees with its byte count.
    package static func read(from path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SafeTensorsError(path: path, exists ? "cannot read the file" : "no such file",
                                   hint: exists ? "check the file's permissions" : "check the path and the working folder")
        }
        return try decode([UInt8](data), path: path)
    }

    /// Parses the complete contents of a safetensors file (bytes the caller read, through the
    /// host's file check); `path` is only used in errors. `fits` is asked, once the header is
    /// checked against the file and before any value is decoded, whether the bytes of all the
    /// tensors it declares may be allocated (the interpreter's memory limit); `poll` is called
    /// before each mebibyte of values is decoded (a stop check).
    package static func decode(_ bytes: [UInt8], path: String, fits: (Int) throws -> Void = { _ in },
                               poll: () throws -> Void = {}) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        func fail(_ offset: Int?, _ message: String, hint: String? = nil) -> SafeTensorsError {
            SafeTensorsError(path: path, offset: offset, message, hint: hint)
        }
        guard bytes.count >= 8 else {
            throw fail(bytes.count, "the file is \(bytes.count) bytes long, too short for the 8-byte header length",
                       hint: "the file is truncated or not a safetensors file")
        }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(maxHeaderLength) else {
            throw fail(0, "header length \(headerLength) is larger than the \(maxHeaderLength)-byte limit",
                       hint: "the file is corrupt or not a safetensors file")
        }
        let n = Int(headerLength)
        guard n >= 2 else { throw fail(0, "header length \(n) is too short for a JSON object") }
        guard 8 + n <= bytes.count else {
            throw fail(bytes.count, "the header should end at byte \(8 + n) but the file ends at byte \(bytes.count)",
                       hint: "the file is truncated or not a safetensors file")
        }
        let root: HeaderJSON
        do {
            root = try HeaderJSON.parse(Array(bytes[8..<(8 + n)]))
        } catch let e as HeaderJSON.SyntaxError {
            throw fail(8 + e.offset, "invalid header JSON: \(e.message)", hint: "the file is corrupt")
        }
        guard case .object(let entries) = root.kind else {
            throw fail(8 + root.offset, "the header should be a JSON object but is \(root.typeName)")
        }
        let dataStart = 8 + n
        let dataLength = bytes.count - dataStart

        var metadata: [String: String] = [:]
        struct Entry { var name: String; var shape: [Int]; var begin: Int; var end: Int; var at: Int }
        var list: [Entry] = []
        for (name, value) in entries {
            let at = 8 + value.offset
            if name == metadataKey {
                guard case .object(let pairs) = value.kind else {
                    throw fail(at, "\"\(metadataKey)\" should be an object of strings but is \(value.typeName)")
                }
                for (k, v) in pairs {
                    guard case .string(let s) = v.kind else {
                        throw fail(8 + v.offset, "metadata value \"\(k)\" should be a string but is \(v.typeName)")
                    }
                    metadata[k] = s
                }
                continue
            }
            guard case .object(let fields) = value.kind else {
                throw fail(at, "tensor \"\(name)\" should be described by an object but is \(value.typeName)")
            }
            func field(_ key: String) throws -> HeaderJSON {
                guard let f = fields.first(where: { $0.key == key }) else {
                    throw fail(at, "tensor \"\(name)\" has no \"\(key)\" field")
                }
                return f.value
            }
            func integers(_ v: HeaderJSON, _ what: String) throws -> [Int] {
                guard case .array(let items) = v.kind else {
                    throw fail(8 + v.offset, "\(what) of tensor \"\(name)\" should be an array of integers but is \(v.typeName)")
                }
                return try items.map { item in
                    guard case .number(let text) = item.kind, let i = Int(text), i >= 0 else {
                        throw fail(8 + item.offset, "\(what) of tensor \"\(name)\" should hold non-negative integers")
                    }
                    return i
                }
            }
            let dtypeValue = try field("dtype")
            guard case .string(let dt) = dtypeValue.kind else {
                throw fail(8 + dtypeValue.offset, "dtype of tensor \"\(name)\" should be a string but is \(dtypeValue.typeName)")
            }
            guard dt == dtype else {
                throw fail(8 + dtypeValue.offset, "tensor \"\(name)\" has dtype \(dt); SeqLang reads F32 only",
                           hint: "convert the weights to float32 before saving (in PyTorch: tensor.float())")
            }
            let shape = try integers(try field("shape"), "shape")
            let offsetsValue = try field("data_offsets")
            let offsets = try integers(offsetsValue, "data_offsets")
            guard offsets.count == 2 else {
                throw fail(8 + offsetsValue.offset, "data_offsets of tensor \"\(name)\" should be [begin, end] but has \(offsets.count) numbers")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end, end <= dataLength else {
                throw fail(8 + offsetsValue.offset,
                           "data_offsets [\(begin), \(end)] of tensor \"\(name)\" fall outside the \(dataLength) data bytes (bytes \(dataStart)..<\(bytes.count) of the file)",
                           hint: "the file is truncated or corrupt")
            }
            var count = 1
            for d in shape {
                let (c, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, c <= Int(Int32.max) else { throw fail(at, "shape \(shape) of tensor \"\(name)\" is too large") }
                count = c
            }
            guard end - begin == count * 4 else {
                throw fail(8 + offsetsValue.offset,
                           "tensor \"\(name)\" of shape \(shape) needs \(count * 4) bytes but data_offsets [\(begin), \(end)] give \(end - begin)")
            }
            list.append(Entry(name: name, shape: shape, begin: begin, end: end, at: 8 + offsetsValue.offset))
        }
        // No two tensors may share bytes.
        let sorted = list.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.begin < a.end {
            throw fail(dataStart + b.begin,
                       "tensor \"\(b.name)\" (bytes \(b.begin)..<\(b.end) of the data) overlaps tensor \"\(a.name)\" (bytes \(a.begin)..<\(a.end))",
                       hint: "the file is corrupt")
        }
        try fits(list.reduce(0) { $0 + ($1.end - $1.begin) })
        var tensors: [String: Tensor] = [:]
        for e in list {
            let count = (e.end - e.begin) / 4
            var scalars = [Float](repeating: 0, count: count)
            let base = dataStart + e.begin
            for i in 0..<count {
                if i & 0x3FFFF == 0 { try poll() }
                let p = base + 4 * i
                let bits = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
                scalars[i] = Float(bitPattern: bits)
            }
            tensors[e.name] = Tensor(unchecked: e.shape, scalars)
        }
        return (tensors, metadata)
    }

    // MARK: - Parameter stores

    /// Saves every slot of `store` under its slot name (in slot order), atomically.
    package static func save(_ store: ParameterStore, metadata: [String: String] = [:], to path: String) throws {
        try write(store.namedTensors(), metadata: metadata, to: path)
    }

    /// Loads a file written by `save` into `store`, all or nothing, and returns the metadata.
    ///
    /// Every slot must be in the file with the same shape and the file must hold no other
    /// tensors; otherwise nothing is changed and the error lists each missing, extra and
    /// mismatched name. Tensors whose names start with one of `ignoringPrefixes` (optimizer
    /// state kept in the same checkpoint, say) are not counted as extra.
    @discardableResult
    package static func load(into store: ParameterStore, from path: String,
                            ignoringPrefixes: [String] = []) throws -> [String: String] {
        let (tensors, metadata) = try read(from: path)
        try assign(tensors, to: store, path: path, ignoringPrefixes: ignoringPrefixes)
        return metadata
    }

    /// Copies `tensors` into `store` by slot name after checking every name and shape.
    package static func assign(_ tensors: [String: Tensor], to store: ParameterStore, path: String,
                              ignoringPrefixes: [String] = []) throws {
        var missing: [String] = [], mismatched: [String] = []
        for slot in store.slots {
            guard let t = tensors[slot.name] else { missing.append(slot.name); continue }
            if t.shape != slot.shape { mismatched.append("\(slot.name) (expected \(slot.shape), file has \(t.shape))") }
        }
        let known = Set(store.slots.map(\.name))
        let extra = tensors.keys.filter { name in
            !known.contains(name) && !ignoringPrefixes.contains { name.hasPrefix($0) }
        }.sorted()
        guard missing.isEmpty, extra.isEmpty, mismatched.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("extra \(extra.joined(separator: ", "))") }
            if !mismatched.isEmpty { parts.append("shape mismatch \(mismatched.joined(separator: "; "))") }
            throw SafeTensorsError(path: path, "the weights do not fit this model: " + parts.joined(separator: "; "),
                                   hint: "load weights saved from a model with the same layers")
        }
        for slot in store.slots { try store.set(slot, to: tensors[slot.name]!) }
    }
}

extension ParameterStore {
    /// Every slot's values as a named tensor, in slot order (what a weight file holds).
    package func namedTensors() -> [(name: String, tensor: Tensor)] {
        slots.map { ($0.name, tensor($0)) }
    }
}
