// NetworkMath.swift — vectorised exponentials for the network's hot loops (softmax rows),
// with the plain `Foundation.exp` loop they are checked against.
//
// exp(x) = 2^k · e^r with k = round(x / ln 2), r = x − k ln 2 in [−ln2/2, ln2/2], and e^r by a
// degree-6 polynomial (relative error below 2e-7, about one Float ulp). Inputs below −87.3
// give 0 and above 88.7 give +inf, as expf does; NaN stays NaN. (Inputs in (88, 88.7] are
// clamped to 88 so that 2^k stays a normal Float; softmax only ever feeds values ≤ 0.)

import Foundation

public enum NetworkMath {
    private static let lanes = 8
    private typealias V = SIMD8<Float>

    @inline(__always)
    private static func exp8(_ x: V) -> V {
        let log2e: Float = 1.442_695_04, ln2hi: Float = 0.693_359_375, ln2lo: Float = -2.121_944_4e-4
        let xc = x.clamped(lowerBound: V(repeating: -87.3), upperBound: V(repeating: 88.0))
        let k = (xc * log2e).rounded(.toNearestOrEven)
        let r = xc - k * ln2hi - k * ln2lo
        // e^r ≈ 1 + r + r²/2! + … + r⁶/6!  (Horner)
        var p = V(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let bits = (SIMD8<Int32>(k) &+ 127) &<< 23
        var y = p * unsafeBitCast(bits, to: V.self)
        // Out-of-range inputs: 0 below, +inf above, NaN through.
        y.replace(with: Float(0), where: x .< -87.3)
        y.replace(with: Float.infinity, where: x .> 88.7)
        y.replace(with: x, where: x .!= x)
        return y
    }

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
