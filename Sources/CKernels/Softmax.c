// Softmax.c — the two loops of a softmax row over many classes (a 10,000-word output layer):
// the index of the largest logit, and the exponentials of the logits shifted by it, with
// their sum. `NetworkLoss.swift` builds the fused softmax cross-entropy from them.
//
//   seq_argmax         the first j with x[j] = max x      (ties: the first)
//   seq_exp_shifted    y[j] = e^(x[j] − shift), returns Σ y (y may be NULL: only the sum)
//
// On CPUs with AVX2 and FMA both run 8 lanes at a time (the exponential from VectorMath.h,
// relative error ~1e-7; the sum in 8 Float lanes, added up at the end); elsewhere the
// `_reference` loops run, with libm's expf. A NaN among the logits gives a NaN sum.

#include "CKernels.h"
#include <math.h>

#include "VectorMath.h"

size_t seq_argmax_reference(const float *x, size_t n) {
    size_t best = 0;
    for (size_t j = 1; j < n; j++) if (x[j] > x[best]) best = j;
    return best;
}

float seq_exp_shifted_reference(const float *x, float shift, float *y, size_t n) {
    float sum = 0;
    for (size_t j = 0; j < n; j++) {
        const float e = expf(x[j] - shift);
        if (y) y[j] = e;
        sum += e;
    }
    return sum;
}

#ifdef SEQ_HAVE_X86

__attribute__((target("avx2,fma")))
static size_t seq_argmax_avx2(const float *x, size_t n) {
    if (n < 16) return seq_argmax_reference(x, n);
    // The largest value first (8 lanes, then across them), then the first place it occurs.
    __m256 m = _mm256_loadu_ps(x);
    size_t j = 8;
    for (; j + 8 <= n; j += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + j));
    float lanes[8];
    _mm256_storeu_ps(lanes, m);
    float best = lanes[0];
    for (int k = 1; k < 8; k++) if (lanes[k] > best) best = lanes[k];
    for (; j < n; j++) if (x[j] > best) best = x[j];
    const __m256 target = _mm256_set1_ps(best);
    for (j = 0; j + 8 <= n; j += 8) {
        const int hits = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + j), target, _CMP_EQ_OQ));
        if (hits) return j + (size_t)__builtin_ctz((unsigned)hits);
    }
    for (; j < n; j++) if (x[j] == best) return j;
    return 0;  // only when NaNs hid the maximum; the row's loss is NaN then anyway
}

__attribute__((target("avx2,fma")))
static float seq_exp_shifted_avx2(const float *x, float shift, float *y, size_t n) {
    const __m256 s = _mm256_set1_ps(shift);
    __m256 acc = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m256 e = seq_exp8(_mm256_sub_ps(_mm256_loadu_ps(x + j), s));
        if (y) _mm256_storeu_ps(y + j, e);
        acc = _mm256_add_ps(acc, e);
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, acc);
    float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; j < n; j++) {
        const float e = expf(x[j] - shift);
        if (y) y[j] = e;
        sum += e;
    }
    return sum;
}

#endif

size_t seq_argmax(const float *x, size_t n) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) return seq_argmax_avx2(x, n);
#endif
    return seq_argmax_reference(x, n);
}

float seq_exp_shifted(const float *x, float shift, float *y, size_t n) {
#ifdef SEQ_HAVE_X86
    if (seq_kernels_use_avx2()) return seq_exp_shifted_avx2(x, shift, y, n);
#endif
    return seq_exp_shifted_reference(x, shift, y, n);
}
