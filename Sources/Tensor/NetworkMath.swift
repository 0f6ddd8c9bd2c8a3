// NetworkMath.swift — vectorised exponentials for the network's hot loops (softmax rows),
// with the plain `Foundation.exp` loop they are checked against.
//
// The 8-lane exponential is `LSTMVector.exp` (LSTM.swift): a Cephes polynomial with inputs
// clamped to [−87, 88], so e^(−∞) comes out as about 1e-38 instead of 0 — nothing a softmax
// sum notices — and a NaN stays NaN, so a broken row still shows in the loss.

import Foundation

public enum NetworkMath {
    private static let lanes = 8
    private typealias V = SIMD8<Float>

    /// e^x for 8 lanes: the LSTM gate kernel's polynomial (inputs clamped to [−87, 88]).
    @inline(__always)
    private static func exp8(_ x: V) -> V { LSTMVector.exp(x) }

    /// y[j] = exp(x[j] − shift) for `count` values; returns Σ y.
    @inline(__always)
    public static func expShifted(_ x: UnsafePointer<Float>, shift: Float, into y: UnsafeMutablePointer<Float>,
                                  count: Int) -> Float {
        var acc = V(repeating: 0)
        var j = 0
        let s = V(repeating: shift)
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        while j + lanes <= count {
            let v = exp8(rx.loadUnaligned(fromByteOffset: j * 4, as: V.self) - s)
            ry.storeBytes(of: v, toByteOffset: j * 4, as: V.self)
            acc += v
            j += lanes
        }
        var sum = acc.sum()
        while j < count {
            let e = Foundation.exp(x[j] - shift)
            y[j] = e
            sum += e
            j += 1
        }
        return sum
    }

    /// Σ exp(x[j] − shift) over `count` values, without storing them.
    @inline(__always)
    public static func sumExpShifted(_ x: UnsafePointer<Float>, shift: Float, count: Int) -> Float {
        var acc = V(repeating: 0)
        var j = 0
        let s = V(repeating: shift)
        let rx = UnsafeRawPointer(x)
        while j + lanes <= count {
            acc += exp8(rx.loadUnaligned(fromByteOffset: j * 4, as: V.self) - s)
            j += lanes
        }
        var sum = acc.sum()
        while j < count {
            sum += Foundation.exp(x[j] - shift)
            j += 1
        }
        return sum
    }

    /// exp of each value by `Foundation.exp`: the reference the vector version is tested against.
    public static func referenceExp(_ x: [Float]) -> [Float] { x.map { Foundation.exp($0) } }

    /// exp of each value by the vector kernel (tail values by `Foundation.exp`).
    public static func exp(_ x: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                _ = expShifted(px.baseAddress!, shift: 0, into: py.baseAddress!, count: x.count)
            }
        }
        return y
    }
}
