// TensorValue.swift — a tensor as scripts and hosts hold it: a shape with named axes and its
// numbers, row by row.
//
// This is the value `Value.tensor` carries across the embedding boundary, so a host reads and
// builds tensors without importing the numeric core:
//
//     seq[global: "xs"] = .tensor(try TensorValue(sizes: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
//     if case .tensor(let t)? = seq[global: "ys"] { print(t.shape, t.scalars) }   // [row 2, column 3] …
//
// The axes are named by rank, as scripts see them: `[value n]`, `[row, column]`,
// `[sample, time, feature]`, `[axis0, axis1, …]` beyond.

import SeqLang
import Tensor

/// A tensor value: sizes with axis names, and `Float` numbers in row-major order.
public struct TensorValue: Equatable, CustomStringConvertible {
    /// The interpreter's tensor behind the value.
    let tensor: Tensor

    init(_ tensor: Tensor) { self.tensor = tensor }

    /// A tensor of the given axis sizes holding `scalars` row by row (the last axis varies
    /// fastest). Throws a `.shape` diagnostic when a size is negative or the number of scalars
    /// is not the product of the sizes.
    public init(sizes: [Int], scalars: [Float]) throws {
        guard sizes.allSatisfy({ $0 >= 0 }) else {
            throw Diagnostic.error(.shape, at: .none(file: "<host>"),
                                   "a tensor's sizes must not be negative, but they are \(sizes)")
        }
        let count = sizes.reduce(1, *)
        guard count == scalars.count else {
            throw Diagnostic.error(.shape, at: .none(file: "<host>"),
                                   "a tensor of sizes \(sizes) holds \(count) numbers, but \(scalars.count) were given")
        }
        self.init(Tensor(unchecked: sizes, scalars))
    }

    /// A tensor of one axis holding `scalars`.
    public init(_ scalars: [Float]) {
        self.init(Tensor(unchecked: [scalars.count], scalars))
    }

    /// The shape with each axis named and sized: `[row 2, column 3]`.
    public var shape: NamedShape { TensorMath.shape(tensor) }
    /// The sizes of the axes, outermost first: `[2, 3]`.
    public var sizes: [Int] { tensor.shape }
    /// The numbers, row by row.
    public var scalars: [Float] { tensor.scalars }
    /// How many numbers there are (the product of the sizes).
    public var count: Int { tensor.count }
    /// The number of axes.
    var rank: Int { tensor.rank }

    /// `tensor [row 2, column 3] [1.0, 2.0, …]`, as scripts print it.
    public var description: String { Value.tensor(self).description }
}
