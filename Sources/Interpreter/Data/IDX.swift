// IDX.swift — read_idx and mnist: the idx files MNIST is distributed in, plain or gzipped.
//
// An idx file is a 4-byte magic (0x00 0x00, a type code, the number of dimensions), one
// big-endian UInt32 per dimension, then the values in row-major order, big-endian. Offsets in
// error messages count bytes of the uncompressed content.
//
// `read_idx` gives a rank-1 file (labels) as a list of ints, and anything of higher rank as a
// tensor; unsigned-byte data of rank 2 or more (images) is scaled from 0...255 to 0...1 as it
// is decoded.

import Foundation
import SeqLang
import Tensor

enum IDX {
    /// The element types an idx file may hold: code, name, size in bytes.
    static let types: [UInt8: (name: String, size: Int)] = [
        0x08: ("unsigned byte", 1), 0x09: ("signed byte", 1), 0x0B: ("short", 2),
        0x0C: ("int", 4), 0x0D: ("float", 4), 0x0E: ("double", 8),
    ]
    static let headerMagicSize = 4
    static let pixelScale: Float = 255

    /// A decoded idx file: its dimensions and values as floats (unsigned bytes of rank 2 or more
    /// scaled to 0...1).
    struct Content {
        var dimensions: [Int]
        var typeCode: UInt8
        var values: [Float]
    }

    /// The content of an idx file, refused from its header when the dimensions it declares
    /// need more bytes than the file holds or than `fits` allows (the memory limit), before
    /// anything is allocated. `poll` is asked every 64 Ki values (a stop check).
    static func parse(_ bytes: [UInt8], file: String, at range: SourceRange,
                      fits: (Int) throws -> Void = { _ in }, poll: () throws -> Void = {}) throws -> Content {
        func fail(_ message: String, hint: String? = nil) -> Diagnostic {
            .error(.io, at: range, "'\(file)' is not a valid idx file: \(message)", hint: hint)
        }
        guard bytes.count >= headerMagicSize else {
            throw fail("it has \(bytes.count) bytes, fewer than the 4-byte magic number")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw fail(String(format: "bad magic number at byte offset 0: expected 0x00 0x00 but found 0x%02X 0x%02X", bytes[0], bytes[1]),
                       hint: "idx files (MNIST) start with two zero bytes; is this the right file?")
        }
        guard let type = types[bytes[2]] else {
            throw fail(String(format: "unknown element type 0x%02X at byte offset 2", bytes[2]) + "; expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw fail("the number of dimensions at byte offset 3 is 0; expected at least 1") }
        let headerSize = headerMagicSize + 4 * rank
        guard bytes.count >= headerSize else {
            throw fail("the header of \(rank) dimensions needs \(headerSize) bytes but the file ends at byte offset \(bytes.count)")
        }
        var dims: [Int] = []
        for d in 0..<rank {
            let o = headerMagicSize + 4 * d
            dims.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        // Saturating: four dimensions of 2^32 - 1 claim more values than an Int counts.
        let count = dims.reduce(1, MemorySize.mul)
        let expected = MemorySize.add(headerSize, MemorySize.mul(count, type.size))
        guard bytes.count >= expected else {
            throw fail("dimensions \(dims.map(String.init).joined(separator: "x")) of \(type.name)s need \(expected) bytes but the file ends at byte offset \(bytes.count)",
                       hint: "the file is truncated; download it again")
        }
        guard bytes.count == expected else {
            throw fail("dimensions \(dims.map(String.init).joined(separator: "x")) of \(type.name)s end at byte offset \(expected) but the file has \(bytes.count - expected) more bytes")
        }
        // The values as floats, beside the file's bytes still held (rank 1 becomes a list of
        // ints, larger still: `value(of:)` asks again).
        try fits(MemorySize.add(MemorySize.mul(count, MemoryLayout<Float>.stride), bytes.count))
        // Appended as decoded, not zero-filled first: a stop comes before the pages are touched.
        var values: [Float] = []
        values.reserveCapacity(count)
        let pixels = bytes[2] == 0x08 && rank >= 2
        try bytes.withUnsafeBufferPointer { b in
            let p = b.baseAddress! + headerSize
            let code = bytes[2]
            var start = 0
            while start < count {
                try poll()
                let end = min(count, start + (1 << 16))
                switch code {
                case 0x08 where pixels: for i in start..<end { values.append(Float(p[i]) / pixelScale) }
                case 0x08: for i in start..<end { values.append(Float(p[i])) }
                case 0x09: for i in start..<end { values.append(Float(Int8(bitPattern: p[i]))) }
                case 0x0B: for i in start..<end { values.append(Float(Int16(bitPattern: UInt16(p[2*i]) << 8 | UInt16(p[2*i+1])))) }
                case 0x0C: for i in start..<end { values.append(Float(Int32(bitPattern: bigEndian32(p + 4 * i)))) }
                case 0x0D: for i in start..<end { values.append(Float(bitPattern: bigEndian32(p + 4 * i))) }
                default:
                    for i in start..<end {
                        let hi = UInt64(bigEndian32(p + 8 * i)), lo = UInt64(bigEndian32(p + 8 * i + 4))
                        values.append(Float(Double(bitPattern: hi << 32 | lo)))
                    }
                }
                start = end
            }
        }
        return Content(dimensions: dims, typeCode: bytes[2], values: values)
    }

    private static func bigEndian32(_ p: UnsafePointer<UInt8>) -> UInt32 {
        UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3])
    }

    /// The script value of an idx file (see the header comment).
    static func value(of content: Content) -> Value {
        if content.dimensions.count == 1 {
            return .list(content.values.map { .int(Int($0)) })
        }
        return .tensor(TensorValue(Tensor(unchecked: content.dimensions, content.values)))
    }

    static func install(into registry: CommandRegistry) {
        registry.register(function: "read_idx") { values, context, range in
            let args = try Arguments("read_idx", values, context, range, names: ["path"])
            let path = try args.string(0, "a file path")
            let bytes = try DataFile.readMaybeGzip(path, context: context, at: range)
            let content = try parse(bytes, file: path, at: range,
                                    fits: { try context.checkMemory($0, for: "the values of '\(path)'", at: range) },
                                    poll: { try context.checkCancelled(at: range) })
            if content.dimensions.count == 1 {
                try context.checkMemory(ValueMemory.list(content.values.count), for: "the labels of '\(path)'", at: range)
            }
            return value(of: content)
        }
        registry.register(function: "mnist") { values, context, range in
            let args = try Arguments("mnist", values, context, range, names: ["images", "labels"])
            guard case .tensor(let images) = args.values[0], images.rank == 3 else {
                throw args.typeError(0, "the images", expected: "a tensor [count, rows, columns]",
                                     hint: "read them with read_idx(data_path(\"mnist/t10k-images-idx3-ubyte.gz\"))")
            }
            let labels = try args.ids(1, "the labels")
            guard labels.count == images.sizes[0] else {
                throw args.valueError("expected one label per image, but there are \(images.sizes[0]) images and \(labels.count) labels")
            }
            return .object(Dataset(inputs: .features(images.tensor), targets: .classes(labels),
                                   classes: (0...(labels.max() ?? 0)).map(String.init)))
        }
    }
}
