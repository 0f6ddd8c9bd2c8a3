// BLAS.swift — the only file that calls CBLAS: GEMM, GEMV, GER and AXPY on raw buffers,
// plus the thread count (set once; `SEQ_THREADS` overrides the machine's core count).
//
// All matrices are row-major. Callers pass raw pointers so the hot loops allocate nothing.
//
// Threads: OpenBLAS itself runs single-threaded, and a large GEMM is split here into one
// block of rows (or of columns, when the rows are few) per thread, each a single-threaded
// OpenBLAS call (RowSplit.swift). OpenBLAS's own threads busy-wait after every call for the
// next one; on a 2-core machine they then compete with the LSTM's time loop, which splits its
// batch between the same threads (LSTM.swift), and two threads ran slower than one. With one
// pool of threads for both, they scale.

import COpenBLAS
import Foundation

package enum BLAS {
    /// Sets OpenBLAS's thread count once, before the first kernel needs it:
    /// `SEQ_THREADS` if set to a positive integer, else the machine's active cores.
    package static let threads: Int = {
        let env = ProcessInfo.processInfo.environment["SEQ_THREADS"].flatMap { Int($0) }
        let n = (env ?? 0) > 0 ? env! : ProcessInfo.processInfo.activeProcessorCount
        openblas_set_num_threads(1)
        return n
    }()

    /// The fewest multiply-adds (m·n·k) a GEMM needs before it is split between threads.
    static let splitWork = 1 << 20

    /// Makes sure the thread count is set (cheap after the first call).
    @inline(__always) package static func ensureConfigured() { _ = threads }

    /// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C, row-major.
    /// `lda`, `ldb`, `ldc` default to the packed leading dimensions.
    @inline(__always)
    package static func gemm(transA: Bool = false, transB: Bool = false,
                            m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                            b: UnsafePointer<Float>, ldb: Int? = nil,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        ensureConfigured()
        let lda = lda ?? (transA ? m : k)
        let ldb = ldb ?? (transB ? k : n)
        let ldc = ldc ?? n
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        if threads > 1 && m * n * k >= splitWork {
            if m >= 32 {
                // Rows i0 ..< i1 of C: the same rows of op(A), all of op(B).
                RowSplit.run(rows: m, parts: min(threads, m / 16)) { r in
                    cblas_sgemm(CblasRowMajor, ta, tb, blasint(r.count), blasint(n), blasint(k), alpha,
                                transA ? a + r.lowerBound : a + r.lowerBound * lda, blasint(lda),
                                b, blasint(ldb), beta, c + r.lowerBound * ldc, blasint(ldc))
                }
                return
            }
            if n >= 128 {
                // Columns j0 ..< j1 of C: all of op(A), the same columns of op(B).
                RowSplit.run(rows: n, parts: min(threads, n / 64)) { cols in
                    cblas_sgemm(CblasRowMajor, ta, tb, blasint(m), blasint(cols.count), blasint(k), alpha,
                                a, blasint(lda), transB ? b + cols.lowerBound * ldb : b + cols.lowerBound, blasint(ldb),
                                beta, c + cols.lowerBound, blasint(ldc))
                }
                return
            }
        }
        cblas_sgemm(CblasRowMajor, ta, tb,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// The multiply-adds of one block of `gemm(polling:…)`: 67 M, about 3 ms of one core at
    /// OpenBLAS's rate here (far inside the 0.1 s a stop may take, even on a loaded machine).
    static let pollWork = 1 << 26

    /// `gemm` in blocks of about `pollWork` multiply-adds, polling `stop` before each: false,
    /// with C only partly updated, when it was raised. Each block is a call of its own, and what
    /// a block costs beyond its multiply-adds depends on the dimension cut: a call packs the whole
    /// of the operand it does not cut, so blocks of rows of C repack op(B) (n·k floats) each,
    /// blocks of columns repack op(A) (m·k), and blocks of the inner dimension k read and write C
    /// (m·n) each, added with beta 1 after the first (how weight gradients over T·B rows
    /// accumulate). The cut is the cheapest of the three. (Cutting B1's output layer by rows
    /// repacked its 2 M-float weight 13 times per pass: a third of the layer's time, forward, and
    /// the same for its input gradient.) The blocks depend on the shapes alone, so the result is
    /// the same with a signal or without, and equal to one call's to float rounding. `overlap`, when
    /// given, is polled before each block too, so pending gradient sums move on (GradientOverlap.swift).
    @discardableResult
    package static func gemm(polling stop: StopSignal?, overlap: GradientOverlap? = nil, transA: Bool = false, transB: Bool = false,
                            m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                            b: UnsafePointer<Float>, ldb: Int? = nil,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) -> Bool {
        let lda = lda ?? (transA ? m : k), ldb = ldb ?? (transB ? k : n), ldc = ldc ?? n
        guard m * n * k > pollWork else {
            if stop.isRaised { return false }
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c, ldc: ldc)
            return true
        }
        enum Cut { case rows, columns, depth }
        let cuts: [(cut: Cut, length: Int, extra: Int)] = [(.rows, m, n * k), (.columns, n, m * k), (.depth, k, m * n)]
        let (cut, length, _) = cuts.filter { $0.length >= 64 }.min { $0.extra < $1.extra } ?? cuts[2]
        let block = cut == .depth ? max(256, pollWork / max(1, m * n)) : max(32, pollWork / max(1, (m * n * k) / length))
        var p0 = 0
        while p0 < length {
            if stop.isRaised { return false }
            overlap?.poll()
            let p1 = min(length, p0 + block), size = p1 - p0
            switch cut {
            case .rows:
                gemm(transA: transA, transB: transB, m: size, n: n, k: k, alpha: alpha,
                     a: transA ? a + p0 : a + p0 * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + p0 * ldc, ldc: ldc)
            case .columns:
                gemm(transA: transA, transB: transB, m: m, n: size, k: k, alpha: alpha, a: a, lda: lda,
                     b: transB ? b + p0 * ldb : b + p0, ldb: ldb, beta: beta, c: c + p0, ldc: ldc)
            case .depth:
                gemm(transA: transA, transB: transB, m: m, n: n, k: size, alpha: alpha,
                     a: transA ? a + p0 * lda : a + p0, lda: lda, b: transB ? b + p0 : b + p0 * ldb, ldb: ldb,
                     beta: p0 == 0 ? beta : 1, c: c, ldc: ldc)
            }
            p0 = p1
        }
        return true
    }

    /// y[m or n] = alpha * op(A) x + beta * y, A is [m, n] row-major.
    @inline(__always)
    package static func gemv(trans: Bool = false, m: Int, n: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int? = nil, x: UnsafePointer<Float>,
                            beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        ensureConfigured()
        cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), alpha,
                    a, blasint(lda ?? n), x, 1, beta, y, 1)
    }

    /// A[m, n] += alpha * x[m] y[n]^T.
    @inline(__always)
    package static func ger(m: Int, n: Int, alpha: Float = 1, x: UnsafePointer<Float>,
                           y: UnsafePointer<Float>, a: UnsafeMutablePointer<Float>, lda: Int? = nil) {
        ensureConfigured()
        cblas_sger(CblasRowMajor, blasint(m), blasint(n), alpha, x, 1, y, 1, a, blasint(lda ?? n))
    }

    /// y += alpha * x, n elements.
    @inline(__always)
    package static func axpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasint(n), alpha, x, 1, y, 1)
    }
}
