// GradientCheck.swift — central finite differences for the layer and loss tests.
//
// Each check perturbs one Float at a time by ±eps, evaluates a loss accumulated in Double,
// and compares (L(x+eps) − L(x−eps)) / 2eps with the analytic gradient. The error of one
// value is |a − n| / max(|a| + |n|, floor); the worst over a tensor is reported by name.

import XCTest
@testable import Tensor

struct GradientCheck {
    var eps: Float = 1e-2
    var floor: Double = 1e-2

    /// Numeric gradient of `loss` with respect to `values` (restored afterwards).
    func numeric(_ values: inout [Float], _ loss: ([Float]) throws -> Double) rethrows -> [Double] {
        var out = [Double](repeating: 0, count: values.count)
        for i in values.indices {
            let saved = values[i]
            values[i] = saved + eps
            let up = try loss(values)
            values[i] = saved - eps
            let down = try loss(values)
            values[i] = saved
            out[i] = (up - down) / (2 * Double(eps))
        }
        return out
    }

    /// The worst relative error between `analytic` and `numeric`.
    func worst(_ analytic: [Float], _ numeric: [Double]) -> Double {
        precondition(analytic.count == numeric.count)
        var w = 0.0
        for (a, n) in zip(analytic, numeric) {
            w = max(w, abs(Double(a) - n) / max(abs(Double(a)) + abs(n), floor))
        }
        return w
    }

    /// Asserts the worst relative error for `name` is below `tolerance`, naming the tensor.
    func assertClose(_ name: String, _ analytic: [Float], _ numeric: [Double], tolerance: Double = 1e-2,
                     file: StaticString = #filePath, line: UInt = #line) {
        let w = worst(analytic, numeric)
        XCTAssertLessThan(w, tolerance, "\(name): worst relative error \(w)", file: file, line: line)
        XCTAssertTrue(analytic.contains { $0 != 0 } || numeric.allSatisfy { abs($0) < 1e-6 },
                      "\(name): gradient is all zero", file: file, line: line)
    }
}

/// Σ y ⊙ r in Double: a loss whose gradient by y is r.
func weightedSum(_ y: [Float], _ r: [Float]) -> Double {
    zip(y, r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

func randomValues(_ count: Int, _ rng: inout SeededRandom, scale: Float = 1) -> [Float] {
    (0..<count).map { _ in rng.uniform(in: -scale, scale) }
}
