// KernelTests.swift — the C kernels (Sources/CKernels) against their reference loops: every
// optimizer update bit for bit on random data of awkward lengths (vector body and tail), and
// the single-threaded GEMVs against a Double product over shapes with row and column tails.

import CKernels
import XCTest
@testable import Tensor

final class KernelTests: XCTestCase {
    /// Lengths that exercise an empty call, a tail alone, whole vectors, and vectors plus a tail.
    let lengths = [0, 1, 3, 7, 8, 9, 16, 31, 64, 1000, 1027]

    /// Random values in [-scale, scale), with some exact zeros (a zero gradient must leave p as is).
    func values(_ n: Int, scale: Float, seed: UInt64) -> [Float] {
        var rng = LSTMTestRandom(seed: seed)
        return (0..<n).map { i in i % 5 == 3 ? 0 : rng.uniform(scale) }
    }

    /// Runs `fast` and `reference` on copies of the same buffers and requires equal bits.
    func assertSameBits(_ n: Int, buffers: Int, _ what: String,
                        fast: ([UnsafeMutablePointer<Float>]) -> Void,
                        reference: ([UnsafeMutablePointer<Float>]) -> Void,
                        file: StaticString = #filePath, line: UInt = #line) {
        // Buffer 0 is p, 1 is g, the rest are moments (kept non-negative where they are squares).
        var a = (0..<buffers).map { k in values(n, scale: k == 0 ? 2 : (k == 1 ? 0.5 : 0.3), seed: UInt64(n * 10 + k)) }
        for k in 2..<max(buffers, 2) { a[k] = a[k].map { abs($0) } }
        var b = a
        for _ in 0..<3 {   // three steps, so the moments carry over
            withPointers(&a, fast)
            withPointers(&b, reference)
        }
        for k in 0..<buffers {
            XCTAssertEqual(a[k].map(\.bitPattern), b[k].map(\.bitPattern), "\(what) n=\(n) buffer \(k)", file: file, line: line)
        }
        XCTAssertTrue(a[0].allSatisfy(\.isFinite), "\(what) n=\(n)", file: file, line: line)
    }

    func withPointers(_ arrays: inout [[Float]], _ body: ([UnsafeMutablePointer<Float>]) -> Void) {
        let pointers = arrays.map { array -> UnsafeMutablePointer<Float> in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(array.count, 1))
            p.initialize(from: array, count: array.count)
            return p
        }
        body(pointers)
        for k in arrays.indices {
            arrays[k] = Array(UnsafeBufferPointer(start: pointers[k], count: arrays[k].count))
            pointers[k].deallocate()
        }
    }

    func testOptimizerUpdatesMatchTheirReferencesBitForBit() {
        for n in lengths {
            assertSameBits(n, buffers: 2, "sgd",
                           fast: { seq_sgd_update($0[0], $0[1], n, 0.1) },
                           reference: { seq_sgd_update_reference($0[0], $0[1], n, 0.1) })
            for first: Int32 in [0, 1] {
                assertSameBits(n, buffers: 3, "momentum first=\(first)",
                               fast: { seq_sgd_momentum_update($0[0], $0[1], $0[2], n, 0.1, 0.9, first) },
                               reference: { seq_sgd_momentum_update_reference($0[0], $0[1], $0[2], n, 0.1, 0.9, first) })
            }
            assertSameBits(n, buffers: 3, "rmsprop",
                           fast: { seq_rmsprop_update($0[0], $0[1], $0[2], n, 1e-3, 0.9, 1e-7) },
                           reference: { seq_rmsprop_update_reference($0[0], $0[1], $0[2], n, 1e-3, 0.9, 1e-7) })
            assertSameBits(n, buffers: 4, "adam",
                           fast: { seq_adam_update($0[0], $0[1], $0[2], $0[3], n, 1e-3, 0.9, 0.999, 1e-8, 0.19, 0.002998) },
                           reference: { seq_adam_update_reference($0[0], $0[1], $0[2], $0[3], n, 1e-3, 0.9, 0.999, 1e-8, 0.19, 0.002998) })
            assertSameBits(n, buffers: 3, "adagrad",
                           fast: { seq_adagrad_update($0[0], $0[1], $0[2], n, 0.01, 1e-10) },
                           reference: { seq_adagrad_update_reference($0[0], $0[1], $0[2], n, 0.01, 1e-10) })
        }
    }

    /// The reference loops compute the documented formulas (known answers in Float).
    func testReferenceUpdatesGiveKnownAnswers() {
        // RMSProp, ρ 0.9, ε 1e-7, lr 0.1, from p 1, a 0, g 0.5: a = 0.025, p = 1 − 0.05 / (√0.025 + 1e-7).
        var p: [Float] = [1], g: [Float] = [0.5], a: [Float] = [0]
        seq_rmsprop_update_reference(&p, g, &a, 1, 0.1, 0.9, 1e-7)
        XCTAssertEqual(Double(a[0]), 0.025, accuracy: 1e-8)
        XCTAssertEqual(Double(p[0]), 0.6837724339830356, accuracy: 1e-6)
        // Adagrad from s 0: s = g², p = 1 − 0.1 · 0.5 / (0.5 + 1e-10) = 0.9.
        p = [1]; a = [0]
        seq_adagrad_update_reference(&p, g, &a, 1, 0.1, 1e-10)
        XCTAssertEqual(p[0], 0.9, accuracy: 1e-7)
        XCTAssertEqual(a[0], 0.25)
        // Momentum: first step b = g, later b = μ b + g.
        p = [1]; a = [0]
        seq_sgd_momentum_update_reference(&p, g, &a, 1, 0.1, 0.9, 1)
        seq_sgd_momentum_update_reference(&p, g, &a, 1, 0.1, 0.9, 0)
        XCTAssertEqual(a[0], 0.95, accuracy: 1e-7)
        XCTAssertEqual(p[0], 1 - 0.05 - 0.095, accuracy: 1e-6)
    }

    /// y += A x and y += Aᵀ x in Double, the ground truth for both GEMVs.
    func doubleGEMV(transposed: Bool, m: Int, n: Int, _ A: [Float], lda: Int, _ x: [Float], _ y: [Float]) -> [Double] {
        var out = y.map(Double.init)
        for i in 0..<m {
            for j in 0..<n {
                let a = Double(A[i * lda + j])
                if transposed { out[j] += a * Double(x[i]) } else { out[i] += a * Double(x[j]) }
            }
        }
        return out
    }

    func testGEMVsMatchADoubleProductOverShapesWithTails() {
        for m in [1, 2, 3, 4, 5, 8, 13, 64, 2048] {
            for n in [1, 3, 7, 8, 9, 17, 64, 130, 512] where m * n <= 1 << 20 {
                let lda = n + (m % 3)   // padded rows too
                let A = values(m * lda, scale: 1, seed: UInt64(m * 1000 + n))
                let xn = values(n, scale: 1, seed: UInt64(n + 7)), xm = values(m, scale: 1, seed: UInt64(m + 11))
                let yn = values(m, scale: 1, seed: 3), yt = values(n, scale: 1, seed: 5)
                for transposed in [false, true] {
                    let x = transposed ? xm : xn, y0 = transposed ? yt : yn
                    let want = doubleGEMV(transposed: transposed, m: m, n: n, A, lda: lda, x, y0)
                    var fast = y0, reference = y0
                    if transposed {
                        seq_gemv_t(m, n, A, lda, x, &fast)
                        seq_gemv_t_reference(m, n, A, lda, x, &reference)
                    } else {
                        seq_gemv_n(m, n, A, lda, x, &fast)
                        seq_gemv_n_reference(m, n, A, lda, x, &reference)
                    }
                    // Each output sums `depth` products of magnitude < 1 in Float.
                    let depth = Double(transposed ? m : n)
                    let tolerance = 4 * depth * Double(Float.ulpOfOne) + 1e-6
                    for k in want.indices {
                        XCTAssertEqual(Double(fast[k]), want[k], accuracy: tolerance, "fast T=\(transposed) m=\(m) n=\(n) [\(k)]")
                        XCTAssertEqual(Double(reference[k]), want[k], accuracy: tolerance, "reference T=\(transposed) m=\(m) n=\(n) [\(k)]")
                    }
                }
            }
        }
    }

    /// A GEMV writes only its m (or n) outputs: the element past the end stays untouched.
    func testGEMVsWriteNothingPastTheirOutput() {
        let m = 9, n = 11
        let A = values(m * n, scale: 1, seed: 1), x = values(max(m, n), scale: 1, seed: 2)
        var y = [Float](repeating: 0, count: max(m, n) + 1)
        y[m] = 42
        seq_gemv_n(m, n, A, n, x, &y)
        XCTAssertEqual(y[m], 42)
        y = [Float](repeating: 0, count: n + 1)
        y[n] = 42
        seq_gemv_t(m, n, A, n, x, &y)
        XCTAssertEqual(y[n], 42)
    }

    /// The packed GEMM: bit for bit its reference on the unpacked matrix, for row counts around
    /// its 6-row blocks, widths around its 16- and 8-wide panels (and the zero-padded last
    /// one), padded leading dimensions, B packed as it is and from its transpose; it writes
    /// nothing outside C's m × n block.
    func testPackedGEMMMatchesItsReferenceBitForBit() {
        for m in [1, 2, 5, 6, 7, 13, 32] {
            for n in [1, 7, 8, 9, 16, 20, 24, 33, 200] {
                for k in [1, 3, 8, 64] {
                    let lda = k + 2, ldb = n + 1, ldc = n + 3
                    let A = values(m * lda, scale: 1, seed: UInt64(m * 7 + k))
                    let B = values(k * ldb, scale: 1, seed: UInt64(n * 13 + k))
                    // Bᵀ [n, k] with leading dimension k + 1, holding the same B.
                    var Bt = [Float](repeating: 0, count: n * (k + 1))
                    for p in 0..<k { for j in 0..<n { Bt[j * (k + 1) + p] = B[p * ldb + j] } }
                    let C0 = values(m * ldc, scale: 1, seed: UInt64(m + n))
                    var reference = C0
                    seq_gemm_acc_reference(m, n, k, A, lda, B, ldb, &reference, ldc)
                    for transposed in [false, true] {
                        var packed = [Float](repeating: .nan, count: seq_gemm_packed_size(k, n))
                        if transposed { seq_gemm_pack(k, n, Bt, k + 1, 1, &packed) } else { seq_gemm_pack(k, n, B, ldb, 0, &packed) }
                        var fast = C0
                        seq_gemm_acc_packed(m, n, k, A, lda, packed, &fast, ldc)
                        let what = "m=\(m) n=\(n) k=\(k) transposed=\(transposed)"
                        XCTAssertEqual(fast.map(\.bitPattern), reference.map(\.bitPattern), what)
                    }
                    // Close to a Double product, and C's padding columns untouched.
                    for i in 0..<m {
                        for j in 0..<ldc {
                            let got = reference[i * ldc + j]
                            guard j < n else { XCTAssertEqual(got, C0[i * ldc + j]); continue }
                            let want = Double(C0[i * ldc + j]) + (0..<k).reduce(0.0) { $0 + Double(A[i * lda + $1]) * Double(B[$1 * ldb + j]) }
                            XCTAssertEqual(Double(got), want, accuracy: 4 * Double(k + 1) * Double(Float.ulpOfOne) + 1e-6)
                        }
                    }
                }
            }
        }
    }

    /// Splitting the rows between calls gives the same bits as one call (what lets the LSTM
    /// split a batch between threads without changing results).
    func testPackedGEMMRowsDoNotDependOnTheSplit() {
        let m = 13, n = 40, k = 17
        let A = values(m * k, scale: 1, seed: 1), B = values(k * n, scale: 1, seed: 2)
        var packed = [Float](repeating: 0, count: seq_gemm_packed_size(k, n))
        seq_gemm_pack(k, n, B, n, 0, &packed)
        let C0 = values(m * n, scale: 1, seed: 3)
        var whole = C0, parts = C0
        seq_gemm_acc_packed(m, n, k, A, k, packed, &whole, n)
        A.withUnsafeBufferPointer { a in
            parts.withUnsafeMutableBufferPointer { c in
                for (lo, hi) in [(0, 4), (4, 5), (5, 13)] {
                    seq_gemm_acc_packed(hi - lo, n, k, a.baseAddress! + lo * k, k, packed, c.baseAddress! + lo * n, n)
                }
            }
        }
        XCTAssertEqual(whole.map(\.bitPattern), parts.map(\.bitPattern))
    }

    /// BLAS.gemm on shapes large enough to be split between threads (by rows, and by columns
    /// when the rows are few), every transpose, with alpha and beta, against a Double product.
    func testSplitGEMMMatchesADoubleProduct() {
        XCTAssertGreaterThan(BLAS.threads, 0)
        for (m, n, k) in [(64, 128, 128), (8, 512, 256), (100, 200, 60)] {
            for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
                let A = values(m * k, scale: 1, seed: UInt64(m + k)), B = values(k * n, scale: 1, seed: UInt64(n + k))
                let C0 = values(m * n, scale: 1, seed: 9)
                var C = C0
                A.withUnsafeBufferPointer { a in
                    B.withUnsafeBufferPointer { b in
                        C.withUnsafeMutableBufferPointer { c in
                            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5,
                                      a: a.baseAddress!, b: b.baseAddress!, beta: 2, c: c.baseAddress!)
                        }
                    }
                }
                // op(A)[i, p] and op(B)[p, j] in their stored layouts.
                func opA(_ i: Int, _ p: Int) -> Double { Double(transA ? A[p * m + i] : A[i * k + p]) }
                func opB(_ p: Int, _ j: Int) -> Double { Double(transB ? B[j * k + p] : B[p * n + j]) }
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        let dot = (0..<k).reduce(0.0) { $0 + opA(i, $1) * opB($1, j) }
                        worst = max(worst, abs(Double(C[i * n + j]) - (0.5 * dot + 2 * Double(C0[i * n + j]))))
                    }
                }
                XCTAssertLessThan(worst, 1e-4, "m=\(m) n=\(n) k=\(k) transA=\(transA) transB=\(transB)")
            }
        }
    }

    /// `BLAS.gemm(polling:)` past `pollWork`, cut by rows of C, by columns and by the inner
    /// dimension (the shapes of B1's output layer's weight gradient, forward pass and input
    /// gradient, scaled down), every transpose, with alpha and beta: one call's result to float
    /// rounding; a raised signal stops it before it writes anything.
    func testPolledGEMMInBlocksMatchesOneCall() {
        for (m, n, k) in [(1_000, 200, 400), (400, 1_000, 200), (400, 200, 1_000)] {
            XCTAssertGreaterThan(m * n * k, BLAS.pollWork)
            for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
                let A = values(m * k, scale: 1, seed: UInt64(m)), B = values(k * n, scale: 1, seed: UInt64(n))
                var whole = values(m * n, scale: 1, seed: 5), blocked = whole
                var finished = false
                A.withUnsafeBufferPointer { a in
                    B.withUnsafeBufferPointer { b in
                        whole.withUnsafeMutableBufferPointer { c in
                            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5,
                                      a: a.baseAddress!, b: b.baseAddress!, beta: 2, c: c.baseAddress!)
                        }
                        blocked.withUnsafeMutableBufferPointer { c in
                            finished = BLAS.gemm(polling: StopSignal(), transA: transA, transB: transB, m: m, n: n, k: k,
                                                 alpha: 0.5, a: a.baseAddress!, b: b.baseAddress!, beta: 2, c: c.baseAddress!)
                        }
                    }
                }
                XCTAssertTrue(finished)
                let worst = zip(whole, blocked).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-6 * Float(k), "m=\(m) n=\(n) k=\(k) transA=\(transA) transB=\(transB)")
            }
        }
        let stop = StopSignal()
        stop.cancel()
        var c = [Float](repeating: 7, count: 400 * 1_000)
        let a = values(400 * 200, scale: 1, seed: 1), b = values(200 * 1_000, scale: 1, seed: 2)
        let finished = c.withUnsafeMutableBufferPointer { c in
            BLAS.gemm(polling: stop, transB: true, m: 400, n: 1_000, k: 200, a: a, b: b, c: c.baseAddress!)
        }
        XCTAssertFalse(finished)
        XCTAssertTrue(c.allSatisfy { $0 == 7 }, "a stop before the first block writes nothing")
    }

    /// The blocked sum of squares: bit for bit its reference, and close to a Double sum.
    func testSumOfSquaresMatchesItsReferenceAndADoubleSum() {
        for n in lengths + [4095, 4096, 4097, 8192 + 13, 100_003] {
            let x = values(n, scale: 3, seed: UInt64(n))
            let fast = seq_sum_squares(x, n), reference = seq_sum_squares_reference(x, n)
            XCTAssertEqual(fast.bitPattern, reference.bitPattern, "n=\(n)")
            let exact = x.reduce(0.0) { $0 + Double($1) * Double($1) }
            XCTAssertEqual(fast, exact, accuracy: max(exact, 1) * 1e-5, "n=\(n)")
        }
        XCTAssertEqual(seq_sum_squares([3, 4], 2), 25)
    }

    // MARK: - The batch-1 LSTM step on these kernels

    /// Skipping the last product with W_hh (`initialStateGradient: false`) changes nothing but
    /// dL/dh0, for batch 1 (the GEMV path) and batch 3 (GEMM), with and without padding.
    func testLSTMBackwardWithoutInitialStateGradient() throws {
        for (batch, lengths) in [(1, nil), (3, nil), (3, [4, 1, 0])] as [(Int, [Int]?)] {
            let (store, layers) = try makeLSTMStack(inputSize: 3, hidden: [5], seed: 21)
            var rng = LSTMTestRandom(seed: 22)
            let x = rng.tensor([4, batch, 3]), dy = rng.tensor([4, batch, 5])
            store.zeroGrads()
            _ = try layers[0].forward(x, lengths: lengths, in: store)
            let full = try layers[0].backward(dOutputs: dy, in: store)
            let fullGrads = store.grads
            store.zeroGrads()
            let cut = try layers[0].backward(dOutputs: dy, in: store, initialStateGradient: false)
            XCTAssertEqual(store.grads, fullGrads, "batch \(batch)")
            XCTAssertEqual(cut.dInput, full.dInput, "batch \(batch)")
            XCTAssertEqual(cut.dInitialState.c, full.dInitialState.c, "batch \(batch)")
            XCTAssertEqual(cut.dInitialState.h, Tensor(zeros: [batch, 5]), "batch \(batch)")
            XCTAssertGreaterThan(full.dInitialState.h.scalars.map(abs).max() ?? 0, 0, "batch \(batch)")
        }
    }
}
