// Tensor.swift — a dense Float32 tensor: a shape and contiguous row-major storage.
//
// Value semantics come from the backing Swift array (copy on write). Kernels get raw
// buffers through `withUnsafeBufferPointer` / `withUnsafeMutableBufferPointer`; the hot
// paths (LSTM, dense, losses) work on preallocated buffers and never allocate per step.

/// A shape mismatch or bad argument found by a tensor operation: what was expected,
/// what came, and which operation saw it. User input never reaches a `precondition`.
package struct TensorError: Error, CustomStringConvertible, Equatable, Sendable {
    package var operation: String
    package var message: String
    package init(_ operation: String, _ message: String) {
        self.operation = operation
        self.message = message
    }
    package var description: String { "\(operation): \(message)" }

    package static func shape(_ operation: String, expected: [Int], got: [Int]) -> TensorError {
        TensorError(operation, "expected shape \(expected) but got \(got)")
    }
}

package struct Tensor: Equatable, CustomStringConvertible, Sendable {
    package private(set) var shape: [Int]
    package var scalars: [Float]
    /// Names of the axes for display and for naming an axis in a script (`[batch, class]` of a
    /// prediction), one per axis; nil when the tensor is named by its rank. A label only: it
    /// takes no part in arithmetic or equality, and a new tensor starts without it.
    package var axisNames: [String]? {
        didSet { precondition(axisNames == nil || axisNames!.count == shape.count, "Tensor: one axis name per axis") }
    }

    package static func == (a: Tensor, b: Tensor) -> Bool { a.shape == b.shape && a.scalars == b.scalars }

    /// A tensor of `shape` filled with `value`.
    package init(zeros shape: [Int], value: Float = 0) {
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor from its scalars; throws if their count does not match the shape.
    package init(shape: [Int], scalars: [Float]) throws {
        let count = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError("Tensor(shape:scalars:)", "negative dimension in shape \(shape)")
        }
        guard count == scalars.count else {
            throw TensorError("Tensor(shape:scalars:)",
                              "shape \(shape) needs \(count) values but \(scalars.count) were given")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor from scalars whose count is known to match (internal invariant).
    package init(unchecked shape: [Int], _ scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count, "Tensor: shape/scalar count mismatch")
        self.shape = shape
        self.scalars = scalars
    }

    package var count: Int { scalars.count }
    package var rank: Int { shape.count }

    /// The same scalars under another shape with the same element count.
    package func reshaped(to newShape: [Int]) throws -> Tensor {
        guard newShape.reduce(1, *) == count else {
            throw TensorError("reshape", "cannot reshape \(shape) (\(count) values) to \(newShape)")
        }
        return Tensor(unchecked: newShape, scalars)
    }

    package subscript(flat i: Int) -> Float {
        get { scalars[i] }
        set { scalars[i] = newValue }
    }

    package var description: String {
        let preview = scalars.prefix(6).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(preview)\(count > 6 ? ", …" : "")]"
    }

    /// True when every scalar is finite (no NaN, no infinity).
    package var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
