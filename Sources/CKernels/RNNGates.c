// RNNGates.c — the element-wise part of one plain (Elman) RNN step, forward and backward side by
// side, for a block of rows of the batch (RNN.swift does the matrix products around them).
//
// Legend: B rows, H hidden units; `relu` nonzero for ReLU, else tanh.
//
// Forward, for each row b with t < lengths[b] (a row past its length holds its state and
// outputs zero):
//   a[b] in: x W_ih^T + h_prev W_hh^T without the bias;  h = y = act(a + b_ih + b_hh)
//   a[b] out: h (what the backward's derivative needs: tanh' = 1 − h², relu' = [h > 0])
// Backward, for each live row (held rows get da = 0 and pass dh through):
//   dh += dy;  da = dh ⊙ act'(h);  dh ← 0 (the caller then adds da · W_hh for dL/dh_{t−1})
//
// On CPUs with AVX2 and FMA the tanh forward runs 8 units at a time with VectorMath.h's tanh
// (relative error ~1e-7 against libm); ReLU and the backward are the same loops compiled for
// AVX2; elsewhere the `_reference` loops run, with libm's tanhf.

#include "CKernels.h"
#include <math.h>
#include <string.h>

#include "VectorMath.h"
#include "RecurrentRows.h"

/// A held row: h stays, y is zero.
static inline void seq_rnn_hold_row(const float *hp, float *hb, float *yb, size_t H) {
    memcpy(hb, hp, H * sizeof(float));
    memset(yb, 0, H * sizeof(float));
}

static inline float seq_rnn_act(float v, int relu) { return relu ? (v > 0 ? v : 0) : tanhf(v); }

void seq_rnn_forward_reference(float *a, const float *bias, const float *hPrev, float *h, float *y,
                               size_t B, size_t H, size_t t, const long *lengths, int relu) {
    for (size_t b = 0; b < B; b++) {
        const float *hp = hPrev + b * H;
        float *ab = a + b * H, *hb = h + b * H, *yb = y + b * H;
        if (seq_row_held(lengths, b, t)) { seq_rnn_hold_row(hp, hb, yb, H); continue; }
        for (size_t j = 0; j < H; j++) {
            const float v = seq_rnn_act(ab[j] + bias[j], relu);
            ab[j] = v; hb[j] = v; yb[j] = v;
        }
    }
}

/// The backward loop body, shared by the reference and the AVX2 build of the same code.
__attribute__((always_inline))
static inline void seq_rnn_backward_body(const float *a, const float *dy, float *dh, float *da,
                                         size_t B, size_t H, size_t t, const long *lengths, int relu) {
    for (size_t b = 0; b < B; b++) {
        float *restrict dab = da + b * H;
        if (seq_row_held(lengths, b, t)) { memset(dab, 0, H * sizeof(float)); continue; }
        const float *restrict hb = a + b * H;
        float *restrict dhb = dh + b * H;
        if (dy) {
            const float *restrict dyb = dy + b * H;
            for (size_t j = 0; j < H; j++) dhb[j] += dyb[j];
        }
        if (relu) {
            for (size_t j = 0; j < H; j++) { dab[j] = hb[j] > 0 ? dhb[j] : 0; dhb[j] = 0; }
        } else {
            for (size_t j = 0; j < H; j++) { dab[j] = dhb[j] * (1 - hb[j] * hb[j]); dhb[j] = 0; }
        }
    }
}

void seq_rnn_backward_reference(const float *a, const float *dy, float *dh, float *da,
                                size_t B, size_t H, size_t t, const long *lengths, int relu) {
    seq_rnn_backward_body(a, dy, dh, da, B, H, t, lengths, relu);
}

#ifdef SEQ_HAVE_X86

// MARK: AVX2 + FMA

__attribute__((target("avx2,fma")))
static void seq_rnn_forward_avx2(float *a, const float *bias, const float *hPrev, float *h, float *y,
                                 size_t B, size_t H, size_t t, const long *lengths, int relu) {
    const __m256 zero = _mm256_setzero_ps();
    for (size_t b = 0; b < B; b++) {
        const float *hp = hPrev + b * H;
        float *ab = a + b * H, *hb = h + b * H, *yb = y + b * H;
        if (seq_row_held(lengths, b, t)) { seq_rnn_hold_row(hp, hb, yb, H); continue; }
        size_t j = 0;
        for (; j + 8 <= H; j += 8) {
            const __m256 v = _mm256_add_ps(_mm256_loadu_ps(ab + j), _mm256_loadu_ps(bias + j));
            // max(v, 0) with v second keeps a NaN.
            const __m256 out = relu ? _mm256_max_ps(zero, v) : seq_tanh8(v);
            _mm256_storeu_ps(ab + j, out);
            _mm256_storeu_ps(hb + j, out);
            _mm256_storeu_ps(yb + j, out);
        }
        for (; j < H; j++) {
            const float v = seq_rnn_act(ab[j] + bias[j], relu);
            ab[j] = v; hb[j] = v; yb[j] = v;
        }
    }
}

__attribute__((target("avx2,fma")))
static void seq_rnn_backward_avx2(const float *a, const float *dy, float *dh, float *da,
                                  size_t B, size_t H, size_t t, const long *lengths, int relu) {
    seq_rnn_backward_body(a, dy, dh, da, B, H, t, lengths, relu);
}

#endif

// MARK: Entry points

void seq_rnn_forward(float *a, const float *bias, const float *hPrev, float *h, float *y,
                     size_t B, size_t H, size_t t, const long *lengths, int relu) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) {
        seq_rnn_forward_avx2(a, bias, hPrev, h, y, B, H, t, lengths, relu);
        return;
    }
#endif
    seq_rnn_forward_reference(a, bias, hPrev, h, y, B, H, t, lengths, relu);
}

void seq_rnn_backward(const float *a, const float *dy, float *dh, float *da,
                      size_t B, size_t H, size_t t, const long *lengths, int relu) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) {
        seq_rnn_backward_avx2(a, dy, dh, da, B, H, t, lengths, relu);
        return;
    }
#endif
    seq_rnn_backward_reference(a, dy, dh, da, B, H, t, lengths, relu);
}
