// Activation.swift — elementwise and row-wise activations, forward and backward.
//
// Shapes: Z, Y, dY, dZ are [N, C] row-major (softmax works along each row of C).
// Backward is written in terms of the forward output Y, which every activation here allows:
//   sigmoid  dZ = dY · Y (1 − Y)
//   tanh     dZ = dY · (1 − Y²)
//   relu     dZ = dY · [Y > 0]
//   softmax  dZ_j = Y_j (dY_j − Σ_k dY_k Y_k)

import Foundation

/// The function a layer applies to its output.
package enum Activation: String, CaseIterable, Sendable {
    case none, sigmoid, tanh, relu, softmax

    /// A numerically stable logistic sigmoid.
    @inline(__always)
    package static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    /// Y = f(Z) for `rows` rows of `columns` values; `z` and `y` may be the same buffer.
    package func forward(_ z: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        let n = rows * columns
        switch self {
        case .none:
            if UnsafePointer(y) != z { y.update(from: z, count: n) }
        case .sigmoid:
            for i in 0..<n { y[i] = Activation.sigmoid(z[i]) }
        case .tanh:
            for i in 0..<n { y[i] = Foundation.tanh(z[i]) }
        case .relu:
            for i in 0..<n { y[i] = max(z[i], 0) }
        case .softmax:
            for r in 0..<rows {
                let zr = z + r * columns, yr = y + r * columns
                var m = -Float.infinity
                for j in 0..<columns { m = max(m, zr[j]) }
                var sum: Float = 0
                for j in 0..<columns {
                    let e = Foundation.exp(zr[j] - m)
                    yr[j] = e
                    sum += e
                }
                let inv = 1 / sum
                for j in 0..<columns { yr[j] *= inv }
            }
        }
    }

    /// dZ = dY · f'(Z), from the forward output `y`; `dy` and `dz` may be the same buffer.
    package func backward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dz: UnsafeMutablePointer<Float>,
                         rows: Int, columns: Int) {
        let n = rows * columns
        switch self {
        case .none:
            if UnsafePointer(dz) != dy { dz.update(from: dy, count: n) }
        case .sigmoid:
            for i in 0..<n { dz[i] = dy[i] * y[i] * (1 - y[i]) }
        case .tanh:
            for i in 0..<n { dz[i] = dy[i] * (1 - y[i] * y[i]) }
        case .relu:
            for i in 0..<n { dz[i] = y[i] > 0 ? dy[i] : 0 }
        case .softmax:
            for r in 0..<rows {
                let yr = y + r * columns, dyr = dy + r * columns, dzr = dz + r * columns
                var dot: Float = 0
                for j in 0..<columns { dot += dyr[j] * yr[j] }
                for j in 0..<columns { dzr[j] = yr[j] * (dyr[j] - dot) }
            }
        }
    }
}
