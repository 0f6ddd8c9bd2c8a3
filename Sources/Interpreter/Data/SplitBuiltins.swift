// SplitBuiltins.swift — split and shuffle, deterministic for a given seed.
//
// The generator is SplitMix64 and the shuffle a Fisher–Yates pass written out here, so a seed
// gives the same order on every platform and Swift version.

import Foundation
import SeqLang
import Tensor

/// SplitMix64: a small, fast, well-mixed 64-bit generator whose output is fixed by its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: Int) { state = UInt64(bitPattern: Int64(seed)) }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in 0 ..< bound, without modulo bias.
    mutating func below(_ bound: Int) -> Int {
        let b = UInt64(bound)
        let limit = UInt64.max - UInt64.max % b
        while true {
            let r = next()
            if r < limit { return Int(r % b) }
        }
    }
}

enum SplitBuiltins {
    /// 0 ..< count in the order a Fisher–Yates shuffle with `seed` gives.
    static func permutation(_ count: Int, seed: Int) -> [Int] {
        var order = Array(0..<count)
        var rng = SeededGenerator(seed: seed)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, rng.below(i + 1))
            i -= 1
        }
        return order
    }

    static func install(into registry: CommandRegistry) {
        registry.register(function: "shuffle") { values, context, range in
            let args = try Arguments("shuffle", values, context, range, names: ["data", "seed"])
            let seed = try args.int(1, "the seed")
            return try select(args, args.values[0], order: { permutation($0, seed: seed) }).first!
        }
        registry.register(function: "split") { values, context, range in
            // `split(text [, separator])` keeps meaning what the core built-in of that name does.
            if case .string? = values.first { return try Builtins.splitText(values, context, range) }
            let args = try Arguments("split", values, context, range, names: ["data", "fractions", "seed"], optional: 1)
            let fractions = try args.list(1, "the fractions").enumerated().map { k, v -> Double in
                switch v {
                case .int(let x): return Double(x)
                case .number(let x): return x
                default:
                    throw Diagnostic.error(.type, at: range, "split expects fractions (numbers) as argument 2 but item \(k + 1) is \(v.typeName)")
                }
            }
            guard !fractions.isEmpty, fractions.allSatisfy({ $0 > 0 }) else {
                throw args.valueError("expected positive fractions such as [0.8, 0.1, 0.1] but got \(args.values[1].description)")
            }
            let total = fractions.reduce(0, +)
            guard abs(total - 1) < 1e-6 else {
                throw args.valueError("the fractions must add up to 1 but \(args.values[1].description) adds up to \(formatNumber(total))")
            }
            let seed = args.has(2) ? try args.int(2, "the seed") : nil
            let parts = try select(args, args.values[0], order: { n in
                seed.map { permutation(n, seed: $0) } ?? Array(0..<n)
            }, fractions: fractions)
            switch parts.count {
            case 2: return .record([("train", parts[0]), ("test", parts[1])])
            case 3: return .record([("train", parts[0]), ("val", parts[1]), ("test", parts[2])])
            default: return .list(parts)
            }
        }
    }

    /// Cuts `order(count)` at the cumulative fractions and picks each part out of `data`.
    private static func select(_ args: Arguments, _ data: Value, order: (Int) -> [Int],
                               fractions: [Double] = [1]) throws -> [Value] {
        let count: Int
        switch data {
        case .list(let items): count = items.count
        case .object(let o as Dataset):
            if o.isContiguousStreams {
                throw args.valueError("the dataset is \(o.streams!.streams) contiguous streams from lm_batches, which reordering would break",
                                      hint: "split or shuffle the ids before lm_batches, or use windows(ids, n) for independent samples")
            }
            count = o.count
        default:
            throw args.typeError(0, "the data", expected: "a dataset or a list")
        }
        // Every part together holds each sample once: that much is checked before any is made.
        let bytes: Int
        switch data {
        case .object(let o as Dataset): bytes = o.bytes(ofSamples: count)
        default: bytes = ValueMemory.list(count)
        }
        try ValueMemory.check(count: count, bytes: MemorySize.add(bytes, MemorySize.mul(count, MemoryLayout<Int>.stride)),
                              "\(args.function)'s copy of \(count) samples", in: args.context, at: args.range)
        let indices = order(count)
        var parts: [Value] = []
        var cumulative = 0.0
        var start = 0
        for (k, f) in fractions.enumerated() {
            cumulative += f
            let end = k == fractions.count - 1 ? count : min(count, Int((cumulative * Double(count)).rounded()))
            let slice = Array(indices[start..<max(start, end)])
            switch data {
            case .list(let items): parts.append(.list(slice.map { items[$0] }))
            case .object(let o as Dataset): parts.append(.object(o.subset(slice)))
            default: preconditionFailure("split: unchecked data kind")
            }
            start = max(start, end)
        }
        return parts
    }
}
