// NetworkMath.swift — vectorised exponentials for the network's hot loops (softmax rows),
// with the plain `Foundation.exp` loop they are checked against.
//
// The 8-lane exponential is Cephes' `expf` polynomial (the one CKernels' LSTM gates use) with
// inputs clamped to [−87, 88], so e^(−∞) comes out as about 1e-38 instead of 0 — nothing a
// softmax sum notices — and a NaN stays NaN, so a broken row still shows in the loss.

import Foundation

public enum NetworkMath {
    private static let lanes = 8
    private typealias V = SIMD8<Float>

    /// e^x for 8 lanes, x clamped to [-87, 88] so the result stays a normal finite Float.
    @inline(__always)
    static func exp8(_ v: SIMD8<Float>) -> SIMD8<Float> {
        var x = v.replacing(with: -87, where: v .< -87)
        x.replace(with: 88, where: x .> 88)
        // x = n ln2 + r with n = round(x / ln2), |r| <= ln2 / 2. Adding 1.5 * 2^23 rounds to an
        // integer and leaves n in the low mantissa bits; ln2 is split in a high and a low part.
        let magic: Float = 12_582_912
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * (r * r) + r + 1
        // 2^n: the exponent field (n + 127) << 23; the magic's own bits shift out.
        let bits = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &+ 127) &<< 23
        return er * unsafeBitCast(bits, to: V.self)
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
