// GRUGates.c — the element-wise part of one GRU step, forward and backward side by side, for a
// block of rows of the batch (GRU.swift does the matrix products around them).
//
// Legend: B rows, H hidden units, G = 3H gates in PyTorch's order (r, z, n).
//
// Forward, for each row b with t < lengths[b] (a row past its length holds its state and
// outputs zero):
//   gx[b] in: x W_ih^T without the bias; gh[b]: h_prev W_hh^T without the bias
//   r = σ(gx_r + b_ir + gh_r + b_hr)    z = σ(gx_z + b_iz + gh_z + b_hz)
//   hn = gh_n + b_hn                    n = tanh(gx_n + b_in + r ⊙ hn)   (reset after the product)
//   h = y = (1 − z) ⊙ n + z ⊙ h_prev
//   gx[b] out: r, z, n;  hnCache[b] = hn when kept for backward
// Backward, for each live row (held rows get dGx = dGh = 0 and pass dh through):
//   dh += dy;  da_n = dh ⊙ (1 − z) ⊙ (1 − n²);  da_z = dh ⊙ (h_prev − n) ⊙ z(1 − z)
//   da_r = da_n ⊙ hn ⊙ r(1 − r)
//   dGx = (da_r, da_z, da_n)   the gradient by the input-side pre-activations (and b_ih)
//   dGh = (da_r, da_z, da_n ⊙ r)   the gradient by the recurrent pre-activations (and b_hh)
//   dh ← dh ⊙ z (the caller then adds dGh · W_hh for dL/dh_{t−1})
//
// On CPUs with AVX2 and FMA the forward runs 8 units at a time with the vector sigmoid and tanh
// of VectorMath.h (relative error ~1e-7 against libm), and the backward is the same loop
// compiled for AVX2; elsewhere the `_reference` loops run, with libm's expf and tanhf.

#include "CKernels.h"
#include <math.h>
#include <string.h>

#include "VectorMath.h"
#include "RecurrentRows.h"

/// A held row: h stays, y (and the hn cache) are zero.
static inline void seq_gru_hold_row(const float *hp, float *hb, float *hnb, float *yb, size_t H) {
    memcpy(hb, hp, H * sizeof(float));
    memset(yb, 0, H * sizeof(float));
    if (hnb) memset(hnb, 0, H * sizeof(float));
}

/// One unit of one live row, the scalar way (the reference, and the vector path's tail).
static inline void seq_gru_forward_unit(float *a, const float *bih, const float *g, const float *bhh,
                                        const float *hp, float *hb, float *hnb, float *yb, size_t H, size_t j) {
    const float r = seq_sigmoidf(a[j] + bih[j] + g[j] + bhh[j]);
    const float z = seq_sigmoidf(a[H + j] + bih[H + j] + g[H + j] + bhh[H + j]);
    const float hn = g[2 * H + j] + bhh[2 * H + j];
    const float n = tanhf(a[2 * H + j] + bih[2 * H + j] + r * hn);
    a[j] = r; a[H + j] = z; a[2 * H + j] = n;
    const float hNew = (1 - z) * n + z * hp[j];
    hb[j] = hNew;
    yb[j] = hNew;
    if (hnb) hnb[j] = hn;
}

void seq_gru_gates_forward_reference(float *gx, const float *biasIH, const float *gh, const float *biasHH,
                                     const float *hPrev, float *h, float *hnCache, float *y,
                                     size_t B, size_t H, size_t t, const long *lengths) {
    for (size_t b = 0; b < B; b++) {
        const float *hp = hPrev + b * H;
        float *hb = h + b * H, *yb = y + b * H, *hnb = hnCache ? hnCache + b * H : NULL;
        if (seq_row_held(lengths, b, t)) { seq_gru_hold_row(hp, hb, hnb, yb, H); continue; }
        for (size_t j = 0; j < H; j++)
            seq_gru_forward_unit(gx + b * 3 * H, biasIH, gh + b * 3 * H, biasHH, hp, hb, hnb, yb, H, j);
    }
}

/// The backward loop body, shared by the reference and the AVX2 build of the same code.
__attribute__((always_inline))
static inline void seq_gru_gates_backward_body(const float *gates, const float *hnCache, const float *hPrev,
                                               const float *dy, float *dh, float *dGx, float *dGh,
                                               size_t B, size_t H, size_t t, const long *lengths) {
    const size_t G = 3 * H;
    for (size_t b = 0; b < B; b++) {
        float *restrict dx = dGx + b * G, *restrict dr = dGh + b * G;
        if (seq_row_held(lengths, b, t)) {
            memset(dx, 0, G * sizeof(float));
            memset(dr, 0, G * sizeof(float));
            continue;
        }
        const float *restrict a = gates + b * G, *restrict hn = hnCache + b * H, *restrict hp = hPrev + b * H;
        float *restrict dhb = dh + b * H;
        if (dy) {
            const float *restrict dyb = dy + b * H;
            for (size_t j = 0; j < H; j++) dhb[j] += dyb[j];
        }
        for (size_t j = 0; j < H; j++) {
            const float r = a[j], z = a[H + j], n = a[2 * H + j], d = dhb[j];
            const float dan = d * (1 - z) * (1 - n * n);
            const float daz = d * (hp[j] - n) * z * (1 - z);
            const float dar = dan * hn[j] * r * (1 - r);
            dx[j] = dar; dx[H + j] = daz; dx[2 * H + j] = dan;
            dr[j] = dar; dr[H + j] = daz; dr[2 * H + j] = dan * r;
            dhb[j] = d * z;
        }
    }
}

void seq_gru_gates_backward_reference(const float *gates, const float *hnCache, const float *hPrev,
                                      const float *dy, float *dh, float *dGx, float *dGh,
                                      size_t B, size_t H, size_t t, const long *lengths) {
    seq_gru_gates_backward_body(gates, hnCache, hPrev, dy, dh, dGx, dGh, B, H, t, lengths);
}

#ifdef SEQ_HAVE_X86

// MARK: AVX2 + FMA

__attribute__((target("avx2,fma")))
static void seq_gru_gates_forward_avx2(float *gx, const float *biasIH, const float *gh, const float *biasHH,
                                       const float *hPrev, float *h, float *hnCache, float *y,
                                       size_t B, size_t H, size_t t, const long *lengths) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (size_t b = 0; b < B; b++) {
        const float *hp = hPrev + b * H;
        float *hb = h + b * H, *yb = y + b * H, *hnb = hnCache ? hnCache + b * H : NULL;
        if (seq_row_held(lengths, b, t)) { seq_gru_hold_row(hp, hb, hnb, yb, H); continue; }
        float *a = gx + b * 3 * H;
        const float *g = gh + b * 3 * H;
        size_t j = 0;
        for (; j + 8 <= H; j += 8) {
#define SEQ_LOAD2(p, q, o) _mm256_add_ps(_mm256_loadu_ps((p) + (o)), _mm256_loadu_ps((q) + (o)))
            const __m256 r = seq_sigmoid8(_mm256_add_ps(SEQ_LOAD2(a, biasIH, j), SEQ_LOAD2(g, biasHH, j)));
            const __m256 z = seq_sigmoid8(_mm256_add_ps(SEQ_LOAD2(a, biasIH, H + j), SEQ_LOAD2(g, biasHH, H + j)));
            const __m256 hn = SEQ_LOAD2(g, biasHH, 2 * H + j);
            const __m256 n = seq_tanh8(_mm256_fmadd_ps(r, hn, SEQ_LOAD2(a, biasIH, 2 * H + j)));
#undef SEQ_LOAD2
            _mm256_storeu_ps(a + j, r);
            _mm256_storeu_ps(a + H + j, z);
            _mm256_storeu_ps(a + 2 * H + j, n);
            // (1 − z)·n + z·h_prev
            const __m256 hNew = _mm256_fmadd_ps(z, _mm256_loadu_ps(hp + j), _mm256_mul_ps(_mm256_sub_ps(one, z), n));
            _mm256_storeu_ps(hb + j, hNew);
            _mm256_storeu_ps(yb + j, hNew);
            if (hnb) _mm256_storeu_ps(hnb + j, hn);
        }
        for (; j < H; j++) seq_gru_forward_unit(a, biasIH, g, biasHH, hp, hb, hnb, yb, H, j);
    }
}

__attribute__((target("avx2,fma")))
static void seq_gru_gates_backward_avx2(const float *gates, const float *hnCache, const float *hPrev,
                                        const float *dy, float *dh, float *dGx, float *dGh,
                                        size_t B, size_t H, size_t t, const long *lengths) {
    seq_gru_gates_backward_body(gates, hnCache, hPrev, dy, dh, dGx, dGh, B, H, t, lengths);
}

#endif

// MARK: Entry points

void seq_gru_gates_forward(float *gx, const float *biasIH, const float *gh, const float *biasHH,
                           const float *hPrev, float *h, float *hnCache, float *y,
                           size_t B, size_t H, size_t t, const long *lengths) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) {
        seq_gru_gates_forward_avx2(gx, biasIH, gh, biasHH, hPrev, h, hnCache, y, B, H, t, lengths);
        return;
    }
#endif
    seq_gru_gates_forward_reference(gx, biasIH, gh, biasHH, hPrev, h, hnCache, y, B, H, t, lengths);
}

void seq_gru_gates_backward(const float *gates, const float *hnCache, const float *hPrev,
                            const float *dy, float *dh, float *dGx, float *dGh,
                            size_t B, size_t H, size_t t, const long *lengths) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) {
        seq_gru_gates_backward_avx2(gates, hnCache, hPrev, dy, dh, dGx, dGh, B, H, t, lengths);
        return;
    }
#endif
    seq_gru_gates_backward_reference(gates, hnCache, hPrev, dy, dh, dGx, dGh, B, H, t, lengths);
}
