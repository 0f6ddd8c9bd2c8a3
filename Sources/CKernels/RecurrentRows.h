// RecurrentRows.h — what the recurrent gate kernels (LSTM, GRU, RNN) share about the rows of a
// batch, private to CKernels: which rows are past their length, and the scalar sigmoid of the
// reference loops. Included by .c files only.

#ifndef SEQLANG_RECURRENT_ROWS_H
#define SEQLANG_RECURRENT_ROWS_H

#include <math.h>
#include <stddef.h>

/// σ(x) with libm's expf: the reference loops and the vector paths' tails.
static inline float seq_sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

/// Whether row b is past its length at step t (no lengths: every row is live). A held row
/// keeps its state, outputs zero and passes its gradient through unchanged.
static inline int seq_row_held(const long *lengths, size_t b, size_t t) {
    return lengths && (long)t >= lengths[b];
}

#endif
