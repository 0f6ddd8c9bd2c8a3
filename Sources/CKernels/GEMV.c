// GEMV.c — single-threaded matrix-vector products for batch-1 recurrent steps, beside their
// plain-loop references.
//
//   seq_gemv_n   y[m] += A[m, n] · x[n]      (forward: gates += W_hh h)
//   seq_gemv_t   y[n] += A[m, n]ᵀ · x[m]     (backward: dh += W_hhᵀ dGates)
//
// A batch-1 LSTM step multiplies a [4H, H] matrix by one vector; at these sizes splitting the
// product over threads costs more than it saves, so these run on the calling thread only.
// On CPUs with AVX2 and FMA the products go 4 rows × 8 columns at a time with fused
// multiply-adds (chosen once, at the first call); elsewhere the portable loops run, which
// are plain scalar or baseline-vector code. Results depend only on the CPU's path, never on
// timing, so they repeat exactly run after run.

#include "CKernels.h"

#include "Targets.h"

// MARK: References (and the portable path)

void seq_gemv_n_reference(size_t m, size_t n, const float *A, size_t lda, const float *x, float *y) {
    for (size_t i = 0; i < m; i++) {
        const float *row = A + i * lda;
        float sum = 0;
        for (size_t j = 0; j < n; j++) sum += row[j] * x[j];
        y[i] += sum;
    }
}

void seq_gemv_t_reference(size_t m, size_t n, const float *A, size_t lda, const float *x, float *y) {
    for (size_t i = 0; i < m; i++) {
        const float *row = A + i * lda;
        const float xi = x[i];
        for (size_t j = 0; j < n; j++) y[j] += row[j] * xi;
    }
}

#ifdef SEQ_HAVE_X86

// MARK: AVX2 + FMA

/// The sum of a vector's 8 lanes.
__attribute__((target("avx2,fma")))
static inline float seq_hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma")))
static void seq_gemv_n_avx2(size_t m, size_t n, const float *A, size_t lda, const float *x, float *y) {
    const size_t n8 = n & ~(size_t)7;
    size_t i = 0;
    for (; i + 4 <= m; i += 4) {
        const float *r0 = A + i * lda, *r1 = r0 + lda, *r2 = r1 + lda, *r3 = r2 + lda;
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
        __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
        for (size_t j = 0; j < n8; j += 8) {
            const __m256 xv = _mm256_loadu_ps(x + j);
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + j), xv, s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + j), xv, s1);
            s2 = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + j), xv, s2);
            s3 = _mm256_fmadd_ps(_mm256_loadu_ps(r3 + j), xv, s3);
        }
        float t0 = seq_hsum8(s0), t1 = seq_hsum8(s1), t2 = seq_hsum8(s2), t3 = seq_hsum8(s3);
        for (size_t j = n8; j < n; j++) {
            t0 += r0[j] * x[j];
            t1 += r1[j] * x[j];
            t2 += r2[j] * x[j];
            t3 += r3[j] * x[j];
        }
        y[i] += t0;
        y[i + 1] += t1;
        y[i + 2] += t2;
        y[i + 3] += t3;
    }
    for (; i < m; i++) {
        const float *r = A + i * lda;
        __m256 s = _mm256_setzero_ps();
        for (size_t j = 0; j < n8; j += 8) s = _mm256_fmadd_ps(_mm256_loadu_ps(r + j), _mm256_loadu_ps(x + j), s);
        float t = seq_hsum8(s);
        for (size_t j = n8; j < n; j++) t += r[j] * x[j];
        y[i] += t;
    }
}

__attribute__((target("avx2,fma")))
static void seq_gemv_t_avx2(size_t m, size_t n, const float *A, size_t lda, const float *x, float *y) {
    const size_t n8 = n & ~(size_t)7;
    size_t i = 0;
    for (; i + 4 <= m; i += 4) {
        const float *r0 = A + i * lda, *r1 = r0 + lda, *r2 = r1 + lda, *r3 = r2 + lda;
        const __m256 x0 = _mm256_set1_ps(x[i]), x1 = _mm256_set1_ps(x[i + 1]);
        const __m256 x2 = _mm256_set1_ps(x[i + 2]), x3 = _mm256_set1_ps(x[i + 3]);
        for (size_t j = 0; j < n8; j += 8) {
            __m256 acc = _mm256_loadu_ps(y + j);
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + j), x0, acc);
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + j), x1, acc);
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + j), x2, acc);
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(r3 + j), x3, acc);
            _mm256_storeu_ps(y + j, acc);
        }
        for (size_t j = n8; j < n; j++) {
            y[j] += r0[j] * x[i] + r1[j] * x[i + 1] + r2[j] * x[i + 2] + r3[j] * x[i + 3];
        }
    }
    for (; i < m; i++) {
        const float *r = A + i * lda;
        const __m256 xv = _mm256_set1_ps(x[i]);
        for (size_t j = 0; j < n8; j += 8) {
            _mm256_storeu_ps(y + j, _mm256_fmadd_ps(_mm256_loadu_ps(r + j), xv, _mm256_loadu_ps(y + j)));
        }
        for (size_t j = n8; j < n; j++) y[j] += r[j] * x[i];
    }
}

/// -1 until the first call decides, then 1 (AVX2 + FMA) or 0. A race between two first calls
/// only stores the same answer twice.
static int seq_avx2_state = -1;

int seq_kernels_use_avx2(void) {
    int s = __atomic_load_n(&seq_avx2_state, __ATOMIC_RELAXED);
    if (s < 0) {
        __builtin_cpu_init();
        s = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        __atomic_store_n(&seq_avx2_state, s, __ATOMIC_RELAXED);
    }
    return s;
}

#else

int seq_kernels_use_avx2(void) { return 0; }

#endif

// MARK: Entry points

void seq_gemv_n(size_t m, size_t n, const float *A, size_t lda, const float *x, float *y) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) { seq_gemv_n_avx2(m, n, A, lda, x, y); return; }
#endif
    seq_gemv_n_reference(m, n, A, lda, x, y);
}

void seq_gemv_t(size_t m, size_t n, const float *A, size_t lda, const float *x, float *y) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) { seq_gemv_t_avx2(m, n, A, lda, x, y); return; }
#endif
    seq_gemv_t_reference(m, n, A, lda, x, y);
}
