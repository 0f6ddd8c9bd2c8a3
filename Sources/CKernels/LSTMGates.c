// LSTMGates.c — the element-wise part of one LSTM step, forward and backward side by side,
// for a block of rows of the batch (LSTM.swift does the matrix products around them).
//
// Legend: B rows, H hidden units, G = 4H gates in PyTorch's order (i, f, g, o).
//
// Forward, for each row b with t < lengths[b] (a row past its length holds its state and
// outputs zero):
//   gates[b] in: a without the bias; with a += bias, out: i = σ(a_i), f = σ(a_f), g = tanh(a_g),
//   o = σ(a_o)  (the bias is added here rather than written into every row beforehand)
//   c = f ⊙ c_prev + i ⊙ g;   h = y = o ⊙ tanh(c);   tanhC = tanh(c) when kept for backward
// Backward, for each live row (held rows get dGates = 0 and pass dh, dc through):
//   dh += dy;  dc' = dc + dh ⊙ o ⊙ (1 − tanh²c)
//   da_i = dc'·g·i(1−i)   da_f = dc'·c_prev·f(1−f)   da_g = dc'·i·(1−g²)   da_o = dh·tanh c·o(1−o)
//   dc ← dc' ⊙ f (for step t−1);  dh ← 0 (the caller then adds dGates · W_hh)
//
// On CPUs with AVX2 and FMA the forward runs 8 units at a time with vector exp (VectorMath.h),
// sigmoid and tanh (Cephes' tanhf polynomial; relative error ~1e-7 over an LSTM's range), and
// the backward is the same loop compiled for AVX2; elsewhere the `_reference` loops run, with
// libm's expf and tanhf. libm's scalar functions cost more than the recurrent product itself.

#include "CKernels.h"
#include <math.h>
#include <string.h>

#include "VectorMath.h"
#include "RecurrentRows.h"

/// A held row: h and c stay, y (and tanh c) are zero.
static inline void seq_hold_row(const float *hp, const float *cp, float *hn, float *cn,
                                float *tc, float *yb, size_t H) {
    memcpy(hn, hp, H * sizeof(float));
    memcpy(cn, cp, H * sizeof(float));
    memset(yb, 0, H * sizeof(float));
    if (tc) memset(tc, 0, H * sizeof(float));
}

/// One unit of one live row, the scalar way (the reference, and the vector path's tail).
static inline void seq_forward_unit(float *a, const float *bias, size_t H, size_t j, const float *cp,
                                    float *cn, float *hn, float *tc, float *yb) {
    const float i = seq_sigmoidf(a[j] + bias[j]), f = seq_sigmoidf(a[H + j] + bias[H + j]);
    const float g = tanhf(a[2 * H + j] + bias[2 * H + j]), o = seq_sigmoidf(a[3 * H + j] + bias[3 * H + j]);
    a[j] = i; a[H + j] = f; a[2 * H + j] = g; a[3 * H + j] = o;
    const float cNew = f * cp[j] + i * g;
    const float tcNew = tanhf(cNew);
    cn[j] = cNew;
    hn[j] = o * tcNew;
    yb[j] = o * tcNew;
    if (tc) tc[j] = tcNew;
}

void seq_lstm_gates_forward_reference(float *gates, const float *bias, const float *hPrev, const float *cPrev,
                                      float *h, float *c, float *tanhC, float *y,
                                      size_t B, size_t H, size_t t, const long *lengths) {
    for (size_t b = 0; b < B; b++) {
        const float *hp = hPrev + b * H, *cp = cPrev + b * H;
        float *hn = h + b * H, *cn = c + b * H, *yb = y + b * H, *tc = tanhC ? tanhC + b * H : NULL;
        if (seq_row_held(lengths, b, t)) { seq_hold_row(hp, cp, hn, cn, tc, yb, H); continue; }
        for (size_t j = 0; j < H; j++) seq_forward_unit(gates + b * 4 * H, bias, H, j, cp, cn, hn, tc, yb);
    }
}

/// The backward loop body, shared by the reference and the AVX2 build of the same code.
__attribute__((always_inline))
static inline void seq_lstm_gates_backward_body(const float *gates, const float *cPrev, const float *tanhC,
                                                const float *dy, float *dh, float *dc, float *dGates,
                                                size_t B, size_t H, size_t t, const long *lengths) {
    const size_t G = 4 * H;
    for (size_t b = 0; b < B; b++) {
        float *restrict da = dGates + b * G;
        if (seq_row_held(lengths, b, t)) { memset(da, 0, G * sizeof(float)); continue; }
        const float *restrict a = gates + b * G, *restrict cp = cPrev + b * H, *restrict tc = tanhC + b * H;
        float *restrict dhb = dh + b * H, *restrict dcb = dc + b * H;
        if (dy) {
            const float *restrict dyb = dy + b * H;
            for (size_t j = 0; j < H; j++) dhb[j] += dyb[j];
        }
        for (size_t j = 0; j < H; j++) {
            const float i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j];
            const float dhj = dhb[j], tcj = tc[j];
            const float dcj = dcb[j] + dhj * o * (1 - tcj * tcj);
            da[j] = dcj * g * i * (1 - i);
            da[H + j] = dcj * cp[j] * f * (1 - f);
            da[2 * H + j] = dcj * i * (1 - g * g);
            da[3 * H + j] = dhj * tcj * o * (1 - o);
            dcb[j] = dcj * f;
            dhb[j] = 0;
        }
    }
}

void seq_lstm_gates_backward_reference(const float *gates, const float *cPrev, const float *tanhC,
                                       const float *dy, float *dh, float *dc, float *dGates,
                                       size_t B, size_t H, size_t t, const long *lengths) {
    seq_lstm_gates_backward_body(gates, cPrev, tanhC, dy, dh, dc, dGates, B, H, t, lengths);
}

#ifdef SEQ_HAVE_X86

// MARK: AVX2 + FMA

__attribute__((target("avx2,fma")))
static void seq_lstm_gates_forward_avx2(float *gates, const float *bias, const float *hPrev, const float *cPrev,
                                        float *h, float *c, float *tanhC, float *y,
                                        size_t B, size_t H, size_t t, const long *lengths) {
    for (size_t b = 0; b < B; b++) {
        const float *hp = hPrev + b * H, *cp = cPrev + b * H;
        float *hn = h + b * H, *cn = c + b * H, *yb = y + b * H, *tc = tanhC ? tanhC + b * H : NULL;
        if (seq_row_held(lengths, b, t)) { seq_hold_row(hp, cp, hn, cn, tc, yb, H); continue; }
        float *a = gates + b * 4 * H;
        size_t j = 0;
        for (; j + 8 <= H; j += 8) {
            const __m256 i = seq_sigmoid8(_mm256_add_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(bias + j)));
            const __m256 f = seq_sigmoid8(_mm256_add_ps(_mm256_loadu_ps(a + H + j), _mm256_loadu_ps(bias + H + j)));
            const __m256 g = seq_tanh8(_mm256_add_ps(_mm256_loadu_ps(a + 2 * H + j), _mm256_loadu_ps(bias + 2 * H + j)));
            const __m256 o = seq_sigmoid8(_mm256_add_ps(_mm256_loadu_ps(a + 3 * H + j), _mm256_loadu_ps(bias + 3 * H + j)));
            _mm256_storeu_ps(a + j, i);
            _mm256_storeu_ps(a + H + j, f);
            _mm256_storeu_ps(a + 2 * H + j, g);
            _mm256_storeu_ps(a + 3 * H + j, o);
            const __m256 cNew = _mm256_fmadd_ps(f, _mm256_loadu_ps(cp + j), _mm256_mul_ps(i, g));
            const __m256 tcNew = seq_tanh8(cNew);
            const __m256 hNew = _mm256_mul_ps(o, tcNew);
            _mm256_storeu_ps(cn + j, cNew);
            _mm256_storeu_ps(hn + j, hNew);
            _mm256_storeu_ps(yb + j, hNew);
            if (tc) _mm256_storeu_ps(tc + j, tcNew);
        }
        for (; j < H; j++) seq_forward_unit(a, bias, H, j, cp, cn, hn, tc, yb);
    }
}

__attribute__((target("avx2,fma")))
static void seq_lstm_gates_backward_avx2(const float *gates, const float *cPrev, const float *tanhC,
                                         const float *dy, float *dh, float *dc, float *dGates,
                                         size_t B, size_t H, size_t t, const long *lengths) {
    seq_lstm_gates_backward_body(gates, cPrev, tanhC, dy, dh, dc, dGates, B, H, t, lengths);
}

#endif

// MARK: Entry points

void seq_lstm_gates_forward(float *gates, const float *bias, const float *hPrev, const float *cPrev,
                            float *h, float *c, float *tanhC, float *y,
                            size_t B, size_t H, size_t t, const long *lengths) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) {
        seq_lstm_gates_forward_avx2(gates, bias, hPrev, cPrev, h, c, tanhC, y, B, H, t, lengths);
        return;
    }
#endif
    seq_lstm_gates_forward_reference(gates, bias, hPrev, cPrev, h, c, tanhC, y, B, H, t, lengths);
}

void seq_lstm_gates_backward(const float *gates, const float *cPrev, const float *tanhC,
                             const float *dy, float *dh, float *dc, float *dGates,
                             size_t B, size_t H, size_t t, const long *lengths) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) {
        seq_lstm_gates_backward_avx2(gates, cPrev, tanhC, dy, dh, dc, dGates, B, H, t, lengths);
        return;
    }
#endif
    seq_lstm_gates_backward_reference(gates, cPrev, tanhC, dy, dh, dc, dGates, B, H, t, lengths);
}
