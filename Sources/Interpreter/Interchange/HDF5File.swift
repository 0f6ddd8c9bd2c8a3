// HDF5File.swift — every dataset of an HDF5 file held in memory, through Debian's libhdf5.
//
// The bytes come from the caller (read through the host's file check like every other
// file), and HDF5 opens them as a file image with its memory driver and no backing store, so
// the library itself never opens a path; links to other files and datasets whose values live
// in other files (external storage, virtual datasets) are refused, not followed. A dataset's
// size is checked from its header before its values are allocated: an unfiltered one must
// have them stored in the file, and all of them together must fit the caller's `fits` (the
// interpreter's memory limit). The serial
// library is not thread-safe; one lock keeps two interpreters from entering it at once.

import CHDF5
import Foundation
import Tensor

enum HDF5File {
    /// A dataset: its path in the file (`layers/lstm/cell/vars/0`) and its values as floats.
    struct Dataset {
        var path: String
        var tensor: Tensor
    }

    struct Failure: Error {
        var message: String
    }

    private static let lock = NSLock()

    /// The 8-byte signature every HDF5 file starts with (at offset 0 for the files Keras writes).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    static func isHDF5(_ bytes: [UInt8]) -> Bool { bytes.starts(with: signature) }

    /// Every dataset of the file, in path order. Integer and float64 data are read as floats.
    /// `fits` is asked, before each dataset's floats are allocated, whether the floats of it and
    /// of those before it may be held.
    static func datasets(in bytes: [UInt8], fits: (Int) throws -> Void = { _ in }) throws -> [Dataset] {
        lock.lock()
        defer { lock.unlock() }
        let file = bytes.withUnsafeBytes { seqlang_h5_open_image($0.baseAddress, $0.count) }
        guard file >= 0 else {
            throw Failure(message: "it is not a readable HDF5 file (the HDF5 library cannot open it)")
        }
        defer { H5Fclose(file) }
        var out: [Dataset] = []
        var total = 0
        try walk(file, path: "", depth: 0, into: &out, fileSize: bytes.count) { bytes in
            total = MemorySize.add(total, bytes)
            try fits(total)
        }
        return out
    }

    private static func walk(_ group: hid_t, path: String, depth: Int, into out: inout [Dataset],
                             fileSize: Int, fits: (Int) throws -> Void) throws {
        guard depth < 32 else { throw Failure(message: "groups are nested more than 32 deep at '\(path)'") }
        var info = H5G_info_t()
        guard H5Gget_info(group, &info) >= 0 else { throw Failure(message: "cannot list the group '\(path.isEmpty ? "/" : path)'") }
        for i in 0..<info.nlinks {
            let length = seqlang_h5_link_name(group, i, nil, 0)
            guard length >= 0 else { throw Failure(message: "cannot read a link name in '\(path.isEmpty ? "/" : path)'") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = seqlang_h5_link_name(group, i, &buffer, buffer.count)
            let name = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let child = path.isEmpty ? name : path + "/" + name
            guard seqlang_h5_is_hard_link(group, buffer) == 1 else {
                throw Failure(message: "'\(child)' is a soft or external link; SeqLang reads only objects stored in the file itself")
            }
            let object = seqlang_h5_open_object(group, buffer)
            guard object >= 0 else { continue }   // a dangling or external link: nothing to read
            defer { H5Oclose(object) }
            switch H5Iget_type(object) {
            case H5I_GROUP:
                try walk(object, path: child, depth: depth + 1, into: &out, fileSize: fileSize, fits: fits)
            case H5I_DATASET:
                guard seqlang_h5_is_self_contained(object) == 1 else {
                    throw Failure(message: "dataset '\(child)' keeps its values in other files (external or virtual storage); SeqLang reads only values stored in the file itself")
                }
                out.append(Dataset(path: child, tensor: try read(object, path: child, fileSize: fileSize, fits: fits)))
            default:
                continue
            }
        }
    }

    private static func read(_ dataset: hid_t, path: String, fileSize: Int, fits: (Int) throws -> Void) throws -> Tensor {
        let type = H5Dget_type(dataset)
        defer { H5Tclose(type) }
        let typeClass = H5Tget_class(type)
        guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER else {
            throw Failure(message: "dataset '\(path)' does not hold numbers")
        }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 && rank <= 8 else { throw Failure(message: "dataset '\(path)' has an unreadable shape") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }
        let shape = dims.map { Int($0) }
        var count = 1
        for d in shape {
            let (c, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, c <= Int(Int32.max) else { throw Failure(message: "dataset '\(path)' of shape \(shape) is too large") }
            count = c
        }
        // Values of an unfiltered dataset are stored as they are: a header declaring more than
        // its storage, or the file, holds is corrupt (compressed ones are bounded by `fits`).
        let plist = H5Dget_create_plist(dataset)
        let filters = plist >= 0 ? H5Pget_nfilters(plist) : 0
        if plist >= 0 { H5Pclose(plist) }
        let declared = MemorySize.mul(count, Int(H5Tget_size(type)))
        let stored = Int(H5Dget_storage_size(dataset))
        if filters == 0, count > 0, stored < declared || declared > fileSize {
            throw Failure(message: "dataset '\(path)' of shape \(shape) declares \(declared) bytes of values but \(declared > fileSize ? "the file is \(fileSize) bytes long" : "the file stores \(stored) of them")")
        }
        try fits(MemorySize.bytes(count, 1, of: Float.self))
        var scalars = [Float](repeating: 0, count: count)
        if count > 0 {
            guard scalars.withUnsafeMutableBufferPointer({ seqlang_h5_read_floats(dataset, $0.baseAddress) }) >= 0 else {
                throw Failure(message: "cannot read the values of dataset '\(path)'")
            }
        }
        return Tensor(unchecked: shape, scalars)
    }
}
