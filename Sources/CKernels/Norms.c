// Norms.c — the sum of squares behind the global gradient norm, beside its reference.
//
// Blocks of 4096 values; within a block 8 Float lanes accumulate x·x (lane k takes the values
// at k, k + 8, …, the tail goes to lanes 0, 1, … in order), and each block's lanes are added in
// Double, lane 0 first, to a Double total. Fast and reference loops do exactly these
// operations, so they agree bit for bit on every CPU; the vector copy is cloned for AVX2.

#include "CKernels.h"

#pragma clang fp contract(off)

#include "Targets.h"

enum { SEQ_NORM_BLOCK = 4096, SEQ_NORM_LANES = 8 };

typedef float seq_v8f __attribute__((vector_size(32), aligned(4)));

SEQ_CLONES
double seq_sum_squares(const float *x, size_t n) {
    double total = 0;
    for (size_t start = 0; start < n; start += SEQ_NORM_BLOCK) {
        size_t end = start + SEQ_NORM_BLOCK < n ? start + SEQ_NORM_BLOCK : n;
        seq_v8f acc = {0, 0, 0, 0, 0, 0, 0, 0};
        size_t i = start;
        for (; i + SEQ_NORM_LANES <= end; i += SEQ_NORM_LANES) {
            seq_v8f v = *(const seq_v8f *)(x + i);
            acc += v * v;
        }
        for (size_t k = 0; i < end; i++, k++) acc[k] += x[i] * x[i];
        for (int k = 0; k < SEQ_NORM_LANES; k++) total += (double)acc[k];
    }
    return total;
}

double seq_sum_squares_reference(const float *x, size_t n) {
    double total = 0;
    for (size_t start = 0; start < n; start += SEQ_NORM_BLOCK) {
        size_t end = start + SEQ_NORM_BLOCK < n ? start + SEQ_NORM_BLOCK : n;
        float lanes[SEQ_NORM_LANES] = {0};
        _Pragma("clang loop vectorize(disable) interleave(disable)")
        for (size_t i = start; i < end; i++) {
            size_t lane = (i - start) % SEQ_NORM_LANES;
            lanes[lane] = lanes[lane] + x[i] * x[i];
        }
        for (int k = 0; k < SEQ_NORM_LANES; k++) total += (double)lanes[k];
    }
    return total;
}
