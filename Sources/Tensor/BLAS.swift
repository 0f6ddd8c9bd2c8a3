// BLAS.swift — the only file that calls CBLAS: GEMM, GEMV, GER and AXPY on raw buffers,
// plus the BLAS thread count (set once; `SEQ_THREADS` overrides the machine's core count).
//
// All matrices are row-major. Callers pass raw pointers so the hot loops allocate nothing.

import COpenBLAS
import Foundation

public enum BLAS {
    /// Sets OpenBLAS's thread count once, before the first kernel needs it:
    /// `SEQ_THREADS` if set to a positive integer, else the machine's active cores.
    public static let threads: Int = {
        let env = ProcessInfo.processInfo.environment["SEQ_THREADS"].flatMap { Int($0) }
        let n = (env ?? 0) > 0 ? env! : ProcessInfo.processInfo.activeProcessorCount
        openblas_set_num_threads(Int32(n))
        return n
    }()

    /// Makes sure the thread count is set (cheap after the first call).
    @inline(__always) public static func ensureConfigured() { _ = threads }

    /// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C, row-major.
    /// `lda`, `ldb`, `ldc` default to the packed leading dimensions.
    @inline(__always)
    public static func gemm(transA: Bool = false, transB: Bool = false,
                            m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                            b: UnsafePointer<Float>, ldb: Int? = nil,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        ensureConfigured()
        let lda = lda ?? (transA ? m : k)
        let ldb = ldb ?? (transB ? k : n)
        let ldc = ldc ?? n
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// y[m or n] = alpha * op(A) x + beta * y, A is [m, n] row-major.
    @inline(__always)
    public static func gemv(trans: Bool = false, m: Int, n: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int? = nil, x: UnsafePointer<Float>,
                            beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        ensureConfigured()
        cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), alpha,
                    a, blasint(lda ?? n), x, 1, beta, y, 1)
    }

    /// A[m, n] += alpha * x[m] y[n]^T.
    @inline(__always)
    public static func ger(m: Int, n: Int, alpha: Float = 1, x: UnsafePointer<Float>,
                           y: UnsafePointer<Float>, a: UnsafeMutablePointer<Float>, lda: Int? = nil) {
        ensureConfigured()
        cblas_sger(CblasRowMajor, blasint(m), blasint(n), alpha, x, 1, y, 1, a, blasint(lda ?? n))
    }

    /// y += alpha * x, n elements.
    @inline(__always)
    public static func axpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasint(n), alpha, x, 1, y, 1)
    }
}
