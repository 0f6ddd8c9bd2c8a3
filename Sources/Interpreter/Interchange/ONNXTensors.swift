// ONNXTensors.swift — ONNX tensors, attributes and value types to and from plain Swift values.
//
// Tensors are written with their values in `raw_data` (little-endian, as ONNX requires) and
// read from `raw_data` or the typed fields (`float_data`, `int64_data`, `int32_data`,
// `double_data`), whichever the writer used. Data kept outside the file (`data_location =
// EXTERNAL`) is refused with the tensor's name.

import Foundation
import ONNXFormat
import Tensor

/// A constant read from an ONNX file: its dimensions and its values as Float or Int64.
struct ONNXArray {
    enum Values {
        case floats([Float])
        case ints([Int64])
    }
    var dims: [Int]
    var values: Values

    var count: Int { dims.reduce(1, *) }

    var floats: [Float] {
        switch values {
        case .floats(let f): return f
        case .ints(let i): return i.map { Float($0) }
        }
    }

    var ints: [Int64]? {
        if case .ints(let i) = values { return i }
        return nil
    }
}

enum ONNXTensors {
    /// A dimension of a value's type: a number or a symbolic name.
    enum Dim: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
        case size(Int)
        case named(String)
        init(integerLiteral value: Int) { self = .size(value) }
        init(stringLiteral value: String) { self = .named(value) }
    }

    static func floats(_ name: String, _ dims: [Int], _ values: [Float]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = dims.map(Int64.init)
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        t.rawData = values.withUnsafeBufferPointer { p in
            Data(buffer: UnsafeBufferPointer(start: p.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) },
                                             count: p.count * 4))
        }
        littleEndianOnly()
        return t
    }

    static func int64s(_ name: String, _ dims: [Int], _ values: [Int64]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = dims.map(Int64.init)
        t.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        t.int64Data = values
        return t
    }

    /// This code writes raw_data from memory as it is, which is ONNX's byte order only on a
    /// little-endian machine (every platform Swift runs SeqLang on).
    @inline(__always) private static func littleEndianOnly() {
        precondition(1.littleEndian == 1, "ONNX raw_data needs a little-endian machine")
    }

    static func valueInfo(_ name: String, _ type: Onnx_TensorProto.DataType, _ dims: [Dim]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            switch d {
            case .size(let n): dim.dimValue = Int64(n)
            case .named(let s): dim.dimParam = s
            }
            return dim
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(type.rawValue)
        tensor.shape = shape
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensor
        return info
    }

    static func attribute(_ name: String, int value: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = value
        return a
    }

    static func attribute(_ name: String, ints values: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values
        return a
    }

    static func attribute(_ name: String, string value: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(value.utf8)
        return a
    }

    static func attribute(_ name: String, strings values: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .strings
        a.strings = values.map { Data($0.utf8) }
        return a
    }

    // MARK: - Reading

    /// Why a tensor could not be read (the caller adds which tensor).
    struct Unreadable: Error {
        var message: String
    }

    /// The bytes the values of `t` take once read (4 a float, 8 an integer), from its header:
    /// its shape and element type, counted without overflow.
    static func declaredBytes(_ t: Onnx_TensorProto) -> Int {
        let count = t.dims.reduce(1) { MemorySize.mul($0, Int(clamping: $1)) }
        let type = Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) ?? .undefined
        return MemorySize.mul(count, type == .float || type == .double ? 4 : 8)
    }

    /// The values of `t`, as Float (FLOAT, DOUBLE, FLOAT16 is refused) or Int64 (INT64, INT32,
    /// INT8/16, UINT8/16/32, BOOL).
    static func array(_ t: Onnx_TensorProto) throws -> ONNXArray {
        if t.dataLocation == .external {
            throw Unreadable(message: "its values are stored in a separate file (external data), which SeqLang does not read")
        }
        let dims = t.dims.map { Int($0) }
        guard dims.allSatisfy({ $0 >= 0 }) else { throw Unreadable(message: "it has a negative dimension \(dims)") }
        // Counted without overflow: a shape of absurd sizes is refused, not a trap.
        let count = dims.reduce(1, MemorySize.mul)
        let raw = t.hasRawData ? [UInt8](t.rawData) : nil
        func fromRaw<T>(_ type: T.Type, _ size: Int) throws -> [T] {
            guard let raw else { return [] }
            guard raw.count == MemorySize.mul(count, size) else {
                throw Unreadable(message: "it has \(raw.count) bytes of data but its shape \(dims) needs \(count == Int.max ? "more than an Int counts" : String(MemorySize.mul(count, size)))")
            }
            return raw.withUnsafeBytes { p in (0..<count).map { p.loadUnaligned(fromByteOffset: $0 * size, as: T.self) } }
        }
        let type = Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) ?? .undefined
        let values: ONNXArray.Values
        switch type {
        case .float: values = .floats(raw != nil ? try fromRaw(Float.self, 4) : t.floatData)
        case .double: values = .floats((raw != nil ? try fromRaw(Double.self, 8) : t.doubleData).map { Float($0) })
        case .int64: values = .ints(raw != nil ? try fromRaw(Int64.self, 8) : t.int64Data)
        case .int32: values = .ints((raw != nil ? try fromRaw(Int32.self, 4) : t.int32Data).map(Int64.init))
        case .int16: values = .ints(raw != nil ? try fromRaw(Int16.self, 2).map(Int64.init) : t.int32Data.map(Int64.init))
        case .int8: values = .ints(raw != nil ? try fromRaw(Int8.self, 1).map(Int64.init) : t.int32Data.map(Int64.init))
        case .uint8, .bool: values = .ints(raw != nil ? try fromRaw(UInt8.self, 1).map(Int64.init) : t.int32Data.map(Int64.init))
        case .uint16: values = .ints(raw != nil ? try fromRaw(UInt16.self, 2).map(Int64.init) : t.int32Data.map(Int64.init))
        case .uint32: values = .ints(raw != nil ? try fromRaw(UInt32.self, 4).map(Int64.init) : t.uint64Data.map { Int64(truncatingIfNeeded: $0) })
        default:
            throw Unreadable(message: "its element type \(type) (\(t.dataType)) is not one SeqLang reads (float, double or an integer type)")
        }
        let n: Int
        switch values {
        case .floats(let f): n = f.count
        case .ints(let i): n = i.count
        }
        guard n == count else { throw Unreadable(message: "it has \(n) values but its shape \(dims) needs \(count)") }
        return ONNXArray(dims: dims, values: values)
    }
}
