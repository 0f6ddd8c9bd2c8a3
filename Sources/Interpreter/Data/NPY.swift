// NPY.swift — numpy's `.npy` files: read_npy(path) gives a tensor, write_npy(path, tensor)
// writes one that `numpy.load` reads.
//
// Layout (format versions 1.0, 2.0, 3.0):
//   bytes 0..<6    magic "\x93NUMPY"          byte 6, 7: major, minor version
//   then           header length: uint16 LE (1.x) or uint32 LE (2.x, 3.x)
//   then           the header, a Python dict literal padded with spaces and ending in "\n":
//                  {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//   then           the values, row-major (or column-major when fortran_order is True)
// read_npy takes floats (f2 excluded), signed and unsigned integers and bools of either byte
// order, as float32; write_npy writes version 1.0, '<f4', row-major, atomically. Errors name
// the file and the byte offset.

import Foundation
import SeqLang
import Tensor

enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    static func install(into registry: CommandRegistry) {
        registry.register(function: "read_npy") { values, context, range in
            let args = try Arguments("read_npy", values, context, range, names: ["path"])
            let path = try args.string(0, "a file path")
            let bytes = try DataFile.readBytes(path, context: context, at: range)
            return .tensor(TensorValue(try decode(bytes, file: path, at: range,
                                                  fits: { try context.checkMemory($0, for: "the values of '\(path)'", at: range) },
                                                  poll: { try context.checkCancelled(at: range) })))
        }
        registry.register(function: "write_npy") { values, context, range in
            let args = try Arguments("write_npy", values, context, range, names: ["path", "tensor"])
            let path = try args.string(0, "a file path")
            guard case .tensor(let t) = args.values[1] else {
                throw args.typeError(1, "the values to write", expected: "a tensor", hint: "make one from a list with tensor(xs)")
            }
            _ = try context.authorize(path: path, writing: true, at: range)
            if context.checkOnly { return .none }
            try context.writeFile(path, contents: encode(t.tensor), at: range)
            return .none
        }
    }

    static func encode(_ t: Tensor) -> [UInt8] {
        let dims = t.shape.map(String.init)
        let shape = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = magic + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
        out.reserveCapacity(out.count + 4 * t.count)
        for x in t.scalars {
            let bits = x.bitPattern.littleEndian
            out += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
        }
        return out
    }

    /// The array of a .npy file, refused from its header when the shape it declares needs more
    /// bytes than the file holds or than `fits` allows (the memory limit), before anything is
    /// allocated. `poll` is asked every 64 Ki values (a stop check).
    static func decode(_ b: [UInt8], file: String, at range: SourceRange,
                       fits: (Int) throws -> Void = { _ in }, poll: () throws -> Void = {}) throws -> Tensor {
        func fail(_ offset: Int, _ message: String, hint: String? = nil) -> Diagnostic {
            .error(.io, at: range, "'\(file)' at byte \(offset): \(message)", hint: hint)
        }
        guard b.count >= 10, b.starts(with: magic) else {
            throw fail(0, "not a .npy file: it does not start with \\x93NUMPY",
                       hint: "write it with numpy.save; .npz archives hold several arrays and are not read")
        }
        let major = b[6]
        let lengthBytes: Int
        switch major {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default: throw fail(6, "format version \(major).\(b[7]) is not one SeqLang reads (1.0, 2.0, 3.0)")
        }
        var headerLength = 0
        for k in 0..<lengthBytes { headerLength |= Int(b[8 + k]) << (8 * k) }
        let start = 8 + lengthBytes
        guard start + headerLength <= b.count else {
            throw fail(8, "the header should end at byte \(start + headerLength) but the file ends at byte \(b.count)", hint: "the file is truncated")
        }
        let header = String(decoding: b[start..<(start + headerLength)], as: UTF8.self)
        func field(_ key: String) -> Substring? {
            guard let r = header.range(of: "'\(key)':") else { return nil }
            return header[r.upperBound...].drop { $0 == " " }
        }
        guard let d = field("descr"), d.first == "'", let close = d.dropFirst().firstIndex(of: "'") else {
            throw fail(start, "the header has no 'descr' (the element type)")
        }
        let descr = String(d[d.index(after: d.startIndex)..<close])
        guard let fo = field("fortran_order") else { throw fail(start, "the header has no 'fortran_order'") }
        let fortran = fo.hasPrefix("True")
        guard let s = field("shape"), s.first == "(", let end = s.firstIndex(of: ")") else {
            throw fail(start, "the header has no 'shape'")
        }
        var shape: [Int] = []
        for part in s[s.index(after: s.startIndex)..<end].split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let n = Int(text), n >= 0 else { throw fail(start, "the shape \(s[...end]) is not a tuple of sizes") }
            shape.append(n)
        }
        var count = 1
        for n in shape {
            let (c, o) = count.multipliedReportingOverflow(by: n)
            guard !o, c <= ValueMemory.maxCount * 10 else { throw fail(start, "the shape \(shape) is too large") }
            count = c
        }
        guard descr.count >= 3, let size = Int(descr.dropFirst(2)), let kind = descr.dropFirst().first else {
            throw fail(start, "element type '\(descr)' is not a number type")
        }
        let big = descr.first == ">"
        let supported: Bool
        switch kind {
        case "f": supported = size == 4 || size == 8
        case "i", "u": supported = [1, 2, 4, 8].contains(size)
        case "b": supported = size == 1
        default: supported = false
        }
        guard supported else {
            throw fail(start, "element type '\(descr)' is not one SeqLang reads",
                       hint: "save float32, float64, integers or bools: numpy.save(path, a.astype('float32'))")
        }
        let data = start + headerLength
        guard b.count - data >= count * size else {
            throw fail(b.count, "\(shape) of '\(descr)' needs \(count * size) bytes of values but the file has \(b.count - data)",
                       hint: "the file is truncated")
        }
        // The floats, beside the file's bytes still held, and a second array for column-major data.
        let floats = MemorySize.mul(count, MemoryLayout<Float>.stride)
        try fits(MemorySize.add(MemorySize.mul(floats, fortran && shape.count > 1 ? 2 : 1), b.count))
        // Appended as decoded, not zero-filled first: a stop comes before the pages are touched.
        var scalars: [Float] = []
        scalars.reserveCapacity(count)
        for i in 0..<count {
            if i & 0xFFFF == 0 { try poll() }
            var bits: UInt64 = 0
            for k in 0..<size {
                let byte = UInt64(b[data + i * size + k])
                bits |= byte << (8 * UInt64(big ? size - 1 - k : k))
            }
            switch (kind, size) {
            case ("f", 4): scalars.append(Float(bitPattern: UInt32(bits)))
            case ("f", _): scalars.append(Float(Double(bitPattern: bits)))
            case ("u", _), ("b", _): scalars.append(Float(bits))
            default:
                let shift = UInt64(64 - 8 * size)
                scalars.append(Float(Int64(bitPattern: bits << shift) >> Int64(shift)))
            }
        }
        guard fortran, shape.count > 1 else { return Tensor(unchecked: shape, scalars) }
        // Column-major: element (i0, i1, …) is at i0 + s0 * (i1 + s1 * …).
        var out = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        for c in 0..<count {
            if c & 0xFFFF == 0 { try poll() }
            var f = 0, stride = 1
            for k in 0..<shape.count { f += index[k] * stride; stride *= shape[k] }
            out[c] = scalars[f]
            var k = shape.count - 1
            while k >= 0 { index[k] += 1; if index[k] < shape[k] { break }; index[k] = 0; k -= 1 }
        }
        return Tensor(unchecked: shape, out)
    }
}
