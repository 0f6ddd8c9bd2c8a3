// Random.swift — SeqLang's seeded random generator: xoshiro256** with splitmix64 seeding.
//
// Everything random in training (weight initialization, dropout masks, shuffling) draws from a
// `SeededRandom`, so a seed fixes a run. The generator uses integer arithmetic only, and the
// derived draws (uniform, shuffle, bounded integers) are defined here rather than borrowed from
// the standard library, whose algorithms may change between releases: the same seed gives the
// same integers and uniforms on every machine. Normals go through `log`, `sin` and `cos` in
// Double and are rounded to Float, so they agree across machines except in the rare case
// where the platform's math library differs in the last bit at a rounding boundary.
//
// `state` captures everything, including a cached second normal, so a checkpoint can resume
// a run exactly.

import Foundation

/// A small, fast, seedable pseudo-random generator (xoshiro256**, Blackman & Vigna 2018).
package struct SeededRandom: Sendable {
    /// The complete generator state: four 64-bit words and the spare normal Box–Muller made.
    package struct State: Equatable, Sendable {
        package var words: [UInt64]
        package var spareNormal: Double?

        package init(words: [UInt64], spareNormal: Double?) {
            self.words = words
            self.spareNormal = spareNormal
        }

        /// The state as text (`w0:w1:w2:w3[:spare]`, hexadecimal), for checkpoint metadata.
        package var text: String {
            var parts = words.map { String($0, radix: 16) }
            if let s = spareNormal { parts.append(String(s.bitPattern, radix: 16)) }
            return parts.joined(separator: ":")
        }

        /// Parses `text`; throws on anything that `text` could not have produced.
        package init(text: String) throws {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { UInt64($0, radix: 16) }
            guard parts.count == 4 || parts.count == 5, parts.allSatisfy({ $0 != nil }) else {
                throw TensorError("SeededRandom.State(text:)",
                                  "expected four or five hexadecimal words separated by ':' but got '\(text)'")
            }
            let words = parts.prefix(4).map { $0! }
            guard words.contains(where: { $0 != 0 }) else {
                throw TensorError("SeededRandom.State(text:)", "an all-zero state is not valid for xoshiro256**")
            }
            self.init(words: words, spareNormal: parts.count == 5 ? Double(bitPattern: parts[4]!) : nil)
        }
    }

    private var s0, s1, s2, s3: UInt64
    private var spareNormal: Double?

    /// A generator whose whole stream is determined by `seed`.
    package init(seed: UInt64) {
        // splitmix64 spreads any seed (even 0) over the four state words.
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    /// The complete state, to save in a checkpoint.
    package var state: State {
        get { State(words: [s0, s1, s2, s3], spareNormal: spareNormal) }
        set {
            precondition(newValue.words.count == 4 && newValue.words.contains { $0 != 0 }, "SeededRandom: invalid state")
            (s0, s1, s2, s3) = (newValue.words[0], newValue.words[1], newValue.words[2], newValue.words[3])
            spareNormal = newValue.spareNormal
        }
    }

    /// A generator resumed from a saved state.
    package init(state: State) {
        self.init(seed: 0)
        self.state = state
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inline(__always)
    package mutating func next() -> UInt64 {
        let result = SeededRandom.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = SeededRandom.rotl(s3, 45)
        return result
    }

    /// A Float uniform in [0, 1) with 24 random bits.
    @inline(__always)
    package mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A Double uniform in [0, 1) with 53 random bits.
    @inline(__always)
    package mutating func uniformDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A Float uniform in [low, high).
    package mutating func uniform(in low: Float, _ high: Float) -> Float { low + (high - low) * uniform() }

    /// An integer uniform in 0..<bound (bound > 0), without modulo bias (Lemire's method).
    package mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "SeededRandom.int(below:) needs a positive bound")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A standard normal sample (mean 0, deviation 1), by the Box–Muller transform; the second
    /// value of each pair is kept for the next call.
    package mutating func normalDouble() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        let u1 = 1 - uniformDouble()  // (0, 1]: log(u1) is finite
        let u2 = uniformDouble()
        let r = (-2 * Foundation.log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spareNormal = r * Foundation.sin(theta)
        return r * Foundation.cos(theta)
    }

    /// A normal sample with the given mean and standard deviation.
    package mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
        mean + std * Float(normalDouble())
    }

    /// A normal sample cut at two standard deviations: samples outside [mean ± 2 std] are drawn
    /// again (as TensorFlow's and Keras's truncated normal do).
    package mutating func truncatedNormal(mean: Float = 0, std: Float = 1) -> Float {
        while true {
            let z = normalDouble()
            if abs(z) <= 2 { return mean + std * Float(z) }
        }
    }

    /// Shuffles `array` in place (Fisher–Yates, from the end).
    package mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, int(below: i + 1))
        }
    }

    /// The numbers 0..<count in a random order.
    package mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        shuffle(&p)
        return p
    }
}
