// VectorMath.h — the 8-lane exponential, sigmoid and tanh the AVX2 kernels share (LSTM, GRU and
// RNN gates, softmax), private to CKernels. Included by .c files only; every function is static
// inline.

#ifndef SEQLANG_VECTOR_MATH_H
#define SEQLANG_VECTOR_MATH_H

#include "Targets.h"

#ifdef SEQ_HAVE_X86

/// e^x, x clamped to [-87, 88] so the result stays a normal finite float; a NaN stays NaN
/// (max and min return their second operand when one is NaN). x = n·ln2 + r with
/// n = round(x / ln2): adding 1.5·2²³ rounds to an integer and leaves n in the low mantissa
/// bits; ln2 is split in a high and a low part; e^r is Cephes' degree-5 polynomial.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 seq_exp8(__m256 v) {
    const __m256 x = _mm256_min_ps(_mm256_set1_ps(88.0f), _mm256_max_ps(_mm256_set1_ps(-87.0f), v));
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    const __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), magic);
    const __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    const __m256 er = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    // 2^n: the exponent field (n + 127) << 23; the magic's own bits shift out.
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(er, _mm256_castsi256_ps(bits));
}

__attribute__((target("avx2,fma"), always_inline))
static inline __m256 seq_sigmoid8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, seq_exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

/// tanh x: an odd polynomial for |x| < 0.625, else (1 − e^−2|x|) / (1 + e^−2|x|) with x's sign.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 seq_tanh8(__m256 x) {
    const __m256 signBit = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
    const __m256 ax = _mm256_andnot_ps(signBit, x);
    const __m256 e = seq_exp8(_mm256_mul_ps(ax, _mm256_set1_ps(-2.0f)));
    __m256 large = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
    large = _mm256_or_ps(large, _mm256_and_ps(signBit, x));
    const __m256 z = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.06390887954e-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-5.37397155531e-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.33314422036e-1f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.33332819422e-1f));
    const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
    return _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
}

#endif

#endif
