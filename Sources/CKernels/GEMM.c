// GEMM.c — a single-threaded accumulating matrix product for the small per-step products of
// a recurrent layer, beside its plain-loop reference.
//
//   seq_gemm_pack        B [k, n] (or Bᵀ given as [n, k]) -> column panels
//   seq_gemm_acc_packed  C[m, n] += A[m, k] · B[k, n]      (A, C row-major; B packed)
//
// An LSTM step multiplies the previous hidden state of a batch, a few dozen rows, by the
// recurrent weights (forward: h · W_hhᵀ; backward: dGates · W_hh). At these sizes OpenBLAS
// spends a good part of each call packing its operands and, when threaded, waking its
// threads; the LSTM instead splits its batch between threads once for the whole time loop
// and calls this on each part. The weights are packed once per pass and read by every step.
//
// On CPUs with AVX2 and FMA the product goes in blocks of 6 rows × 16 columns held in twelve
// registers for the whole k loop (the shape of BLIS's Haswell kernel), then 6 × 8, then
// single columns. Every element of C is computed the same way whatever block it falls in:
// start from C[i, j], then one fused multiply-add per p = 0, 1, …, k-1 in that order. So a
// row's result does not depend on how the rows are split between calls or threads, and
// results repeat exactly run after run on the same CPU path.

#include "CKernels.h"
#include <math.h>

#include "Targets.h"

// MARK: Packing

// B [k, n] is packed into column panels: 16 columns wide while 16 remain, then 8 wide, the
// last one padded with zeros to 8. Panel data is [p][column], contiguous, so the k loop reads
// it straight through (a row of the unpacked B is a whole cache line away from the next).

size_t seq_gemm_packed_size(size_t k, size_t n) { return k * ((n + 7) & ~(size_t)7); }

/// The width of the panel that starts at column j.
static inline size_t seq_panel_width(size_t n, size_t j) { return n - j >= 16 ? 16 : 8; }

void seq_gemm_pack(size_t k, size_t n, const float *B, size_t ldb, int transposed, float *packed) {
    float *out = packed;
    for (size_t j = 0; j < n; j += seq_panel_width(n, j)) {
        const size_t w = seq_panel_width(n, j);
        for (size_t p = 0; p < k; p++) {
            for (size_t c = 0; c < w; c++) {
                const size_t col = j + c;
                *out++ = col >= n ? 0 : transposed ? B[col * ldb + p] : B[p * ldb + col];
            }
        }
    }
}

// MARK: Reference (and the portable path)

void seq_gemm_acc_reference(size_t m, size_t n, size_t k, const float *A, size_t lda,
                            const float *B, size_t ldb, float *C, size_t ldc) {
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            float acc = C[i * ldc + j];
            for (size_t p = 0; p < k; p++) acc = fmaf(A[i * lda + p], B[p * ldb + j], acc);
            C[i * ldc + j] = acc;
        }
    }
}

static void seq_gemm_acc_packed_portable(size_t m, size_t n, size_t k, const float *A, size_t lda,
                                         const float *packed, float *C, size_t ldc) {
    const float *panel = packed;
    for (size_t j = 0; j < n; j += seq_panel_width(n, j)) {
        const size_t w = seq_panel_width(n, j), valid = n - j < w ? n - j : w;
        for (size_t i = 0; i < m; i++) {
            for (size_t c = 0; c < valid; c++) {
                float acc = C[i * ldc + j + c];
                for (size_t p = 0; p < k; p++) acc = fmaf(A[i * lda + p], panel[p * w + c], acc);
                C[i * ldc + j + c] = acc;
            }
        }
        panel += k * w;
    }
}

#ifdef SEQ_HAVE_X86

// MARK: AVX2 + FMA

/// C[R rows, 8·V columns] += A[R, k] · panel[k, 8·V], the accumulators in registers
/// throughout. R (1…6) and V (1 or 2) are constants at every call, so the loops over them unroll.
__attribute__((target("avx2,fma"), always_inline))
static inline void seq_gemm_block(const int R, const int V, size_t k, const float *A, size_t lda,
                                  const float *panel, float *C, size_t ldc) {
    __m256 acc[6][2];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) acc[r][v] = _mm256_loadu_ps(C + r * ldc + 8 * v);
    for (size_t p = 0; p < k; p++) {
        __m256 b[2];
        for (int v = 0; v < V; v++) b[v] = _mm256_loadu_ps(panel + p * 8 * V + 8 * v);
        for (int r = 0; r < R; r++) {
            const __m256 a = _mm256_broadcast_ss(A + r * lda + p);
            for (int v = 0; v < V; v++) acc[r][v] = _mm256_fmadd_ps(a, b[v], acc[r][v]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) _mm256_storeu_ps(C + r * ldc + 8 * v, acc[r][v]);
}

/// Rows 0 ..< m of one panel 8·V wide: six at a time, then the remainder.
__attribute__((target("avx2,fma"), always_inline))
static inline void seq_gemm_panel(const int V, size_t m, size_t k, const float *A, size_t lda,
                                  const float *panel, float *C, size_t ldc) {
    size_t i = 0;
    for (; i + 6 <= m; i += 6) seq_gemm_block(6, V, k, A + i * lda, lda, panel, C + i * ldc, ldc);
    const float *a = A + i * lda;
    float *c = C + i * ldc;
    switch (m - i) {
    case 5: seq_gemm_block(5, V, k, a, lda, panel, c, ldc); break;
    case 4: seq_gemm_block(4, V, k, a, lda, panel, c, ldc); break;
    case 3: seq_gemm_block(3, V, k, a, lda, panel, c, ldc); break;
    case 2: seq_gemm_block(2, V, k, a, lda, panel, c, ldc); break;
    case 1: seq_gemm_block(1, V, k, a, lda, panel, c, ldc); break;
    default: break;
    }
}

__attribute__((target("avx2,fma")))
static void seq_gemm_acc_packed_avx2(size_t m, size_t n, size_t k, const float *A, size_t lda,
                                     const float *packed, float *C, size_t ldc) {
    const float *panel = packed;
    size_t j = 0;
    for (; j + 16 <= n; j += 16, panel += 16 * k) seq_gemm_panel(2, m, k, A, lda, panel, C + j, ldc);
    for (; j + 8 <= n; j += 8, panel += 8 * k) seq_gemm_panel(1, m, k, A, lda, panel, C + j, ldc);
    if (j == n) return;
    // The zero-padded last panel: its valid columns go through an 8-wide tile, a row at a time.
    const size_t valid = n - j;
    for (size_t i = 0; i < m; i++) {
        float tile[8] = {0};
        for (size_t c = 0; c < valid; c++) tile[c] = C[i * ldc + j + c];
        seq_gemm_block(1, 1, k, A + i * lda, lda, panel, tile, 8);
        for (size_t c = 0; c < valid; c++) C[i * ldc + j + c] = tile[c];
    }
}

#endif

// MARK: Entry point

void seq_gemm_acc_packed(size_t m, size_t n, size_t k, const float *A, size_t lda,
                         const float *packed, float *C, size_t ldc) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) { seq_gemm_acc_packed_avx2(m, n, k, A, lda, packed, C, ldc); return; }
#endif
    seq_gemm_acc_packed_portable(m, n, k, A, lda, packed, C, ldc);
}
