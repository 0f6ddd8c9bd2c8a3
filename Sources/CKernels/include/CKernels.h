// CKernels.h — the element-wise and matrix-vector loops of SeqLang's numeric core in plain C,
// where clang vectorises them (vector square root and division, AVX2 where the CPU has it).
//
// Every fast kernel has a `_reference` twin: the same formula one element at a time, in the
// same operation order, which the tests compare against. The optimizer updates are
// bit-identical to their references (no fused multiply-add contraction); the GEMVs use FMA
// on AVX2 machines and agree with their references to rounding; the GEMM is bit-identical
// to its reference (both use one fused multiply-add per term, in the same order).
// Matrices are row-major with leading dimension `lda`; `n` counts Floats; sizes are >= 0.

#ifndef SEQLANG_CKERNELS_H
#define SEQLANG_CKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: Optimizer updates (Optimizers.c), one pass over p, g and the optimizer's moments.

/// SGD: p ← p − lr·g.
void seq_sgd_update(float *p, const float *g, size_t n, float lr);
void seq_sgd_update_reference(float *p, const float *g, size_t n, float lr);

/// Momentum SGD: b ← first ? g : μ·b + g;  p ← p − lr·b.
void seq_sgd_momentum_update(float *p, const float *g, float *b, size_t n, float lr, float mu, int first);
void seq_sgd_momentum_update_reference(float *p, const float *g, float *b, size_t n, float lr, float mu, int first);

/// RMSProp: a ← ρ·a + (1 − ρ)·g·g;  p ← p − lr·g / (√a + ε).
void seq_rmsprop_update(float *p, const float *g, float *a, size_t n, float lr, float rho, float eps);
void seq_rmsprop_update_reference(float *p, const float *g, float *a, size_t n, float lr, float rho, float eps);

/// Adam: m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g·g;  p ← p − lr·(m / c1) / (√(v / c2) + ε),
/// with c1 = 1 − β1ᵗ and c2 = 1 − β2ᵗ computed by the caller.
void seq_adam_update(float *p, const float *g, float *m, float *v, size_t n,
                     float lr, float beta1, float beta2, float eps, float c1, float c2);
void seq_adam_update_reference(float *p, const float *g, float *m, float *v, size_t n,
                               float lr, float beta1, float beta2, float eps, float c1, float c2);

/// Adagrad: s ← s + g·g;  p ← p − lr·g / (√s + ε).
void seq_adagrad_update(float *p, const float *g, float *s, size_t n, float lr, float eps);
void seq_adagrad_update_reference(float *p, const float *g, float *s, size_t n, float lr, float eps);

// MARK: Norms (Norms.c)

/// Σ x² over n values: Float lanes within blocks of 4096, blocks summed in Double.
double seq_sum_squares(const float *x, size_t n);
double seq_sum_squares_reference(const float *x, size_t n);

// MARK: Single-threaded matrix-vector products (GEMV.c), for batch-1 recurrent steps.

/// y[m] += A[m, n] · x[n].
void seq_gemv_n(size_t m, size_t n, const float *A, size_t lda, const float *x, float *y);
void seq_gemv_n_reference(size_t m, size_t n, const float *A, size_t lda, const float *x, float *y);

/// y[n] += A[m, n]ᵀ · x[m].
void seq_gemv_t(size_t m, size_t n, const float *A, size_t lda, const float *x, float *y);
void seq_gemv_t_reference(size_t m, size_t n, const float *A, size_t lda, const float *x, float *y);

// MARK: Single-threaded matrix product (GEMM.c), for the small per-step recurrent products.

/// Floats needed to hold a [k, n] matrix packed for `seq_gemm_acc_packed`: k · (n rounded up to 8).
size_t seq_gemm_packed_size(size_t k, size_t n);

/// Packs B [k, n] (row-major, leading dimension ldb) into `packed`; with `transposed` nonzero,
/// `B` holds Bᵀ as [n, k] instead (leading dimension ldb), so B[p, j] is read at B[j·ldb + p].
void seq_gemm_pack(size_t k, size_t n, const float *B, size_t ldb, int transposed, float *packed);

/// C[m, n] += A[m, k] · B[k, n], B packed by `seq_gemm_pack`. Each element: C[i, j], then one
/// fused multiply-add per p in order, so a row's result does not depend on how rows are split
/// between calls, and equals `seq_gemm_acc_reference` on the unpacked B bit for bit.
void seq_gemm_acc_packed(size_t m, size_t n, size_t k, const float *A, size_t lda,
                         const float *packed, float *C, size_t ldc);
void seq_gemm_acc_reference(size_t m, size_t n, size_t k, const float *A, size_t lda,
                            const float *B, size_t ldb, float *C, size_t ldc);

// MARK: The element-wise part of one LSTM step (LSTMGates.c), for rows 0 ..< B of a batch.

/// gates [B, 4H]: pre-activations without the bias in, activations (i, f, g, o) of gates + bias
/// out (bias [4H], added to every row); hPrev, cPrev [B, H] ->
/// h, c [B, H]; y [B, H] = h; tanhC [B, H] = tanh(c) when not NULL. Rows with
/// t >= lengths[b] (when lengths is not NULL) hold their state and output zero.
void seq_lstm_gates_forward(float *gates, const float *bias, const float *hPrev, const float *cPrev,
                            float *h, float *c, float *tanhC, float *y,
                            size_t B, size_t H, size_t t, const long *lengths);
void seq_lstm_gates_forward_reference(float *gates, const float *bias, const float *hPrev, const float *cPrev,
                                      float *h, float *c, float *tanhC, float *y,
                                      size_t B, size_t H, size_t t, const long *lengths);

/// gates [B, 4H] activations of step t; cPrev = c_{t-1}, tanhC = tanh(c_t), dy = dL/dy_t or
/// NULL, each [B, H]. dh, dc [B, H]: dL/dh_t, dL/dc_t in; out: dc = dL/dc_{t-1}, dh zero for
/// live rows (the caller adds dGates · W_hh) and unchanged for held ones. dGates [B, 4H] out.
void seq_lstm_gates_backward(const float *gates, const float *cPrev, const float *tanhC,
                             const float *dy, float *dh, float *dc, float *dGates,
                             size_t B, size_t H, size_t t, const long *lengths);
void seq_lstm_gates_backward_reference(const float *gates, const float *cPrev, const float *tanhC,
                                       const float *dy, float *dh, float *dc, float *dGates,
                                       size_t B, size_t H, size_t t, const long *lengths);

// MARK: The element-wise part of one GRU step (GRUGates.c), for rows 0 ..< B of a batch.
// Precision: the AVX2 path agrees with the reference to a few ulps of the activations
// (vector sigmoid/tanh, relative error ~1e-7); the backward is bit-identical to its reference.

/// gx [B, 3H]: x·W_ihᵀ without the bias in, activations (r, z, n) out; gh [B, 3H]: h_prev·W_hhᵀ
/// without the bias; biasIH, biasHH [3H] added to every row. With r = σ(gx_r + b_ir + gh_r + b_hr),
/// z = σ(gx_z + b_iz + gh_z + b_hz), hn = gh_n + b_hn, n = tanh(gx_n + b_in + r·hn):
/// h = y = (1 − z)·n + z·h_prev [B, H]; hnCache [B, H] = hn when not NULL. Rows with
/// t >= lengths[b] (when lengths is not NULL) hold their state and output zero.
void seq_gru_gates_forward(float *gx, const float *biasIH, const float *gh, const float *biasHH,
                           const float *hPrev, float *h, float *hnCache, float *y,
                           size_t B, size_t H, size_t t, const long *lengths);
void seq_gru_gates_forward_reference(float *gx, const float *biasIH, const float *gh, const float *biasHH,
                                     const float *hPrev, float *h, float *hnCache, float *y,
                                     size_t B, size_t H, size_t t, const long *lengths);

/// gates [B, 3H] activations (r, z, n) of step t; hnCache [B, H] its hn; hPrev = h_{t−1};
/// dy = dL/dy_t or NULL. dh [B, H]: dL/dh_t in; out: dh·z for live rows (the caller adds
/// dGh·W_hh), unchanged for held ones. dGx [B, 3H] = dL/d(input-side pre-activations),
/// dGh [B, 3H] = dL/d(recurrent pre-activations): (da_r, da_z, da_n) and (da_r, da_z, da_n·r).
void seq_gru_gates_backward(const float *gates, const float *hnCache, const float *hPrev,
                            const float *dy, float *dh, float *dGx, float *dGh,
                            size_t B, size_t H, size_t t, const long *lengths);
void seq_gru_gates_backward_reference(const float *gates, const float *hnCache, const float *hPrev,
                                      const float *dy, float *dh, float *dGx, float *dGh,
                                      size_t B, size_t H, size_t t, const long *lengths);

// MARK: The element-wise part of one plain RNN step (RNNGates.c), for rows 0 ..< B of a batch.
// Precision: tanh as for the GRU; ReLU and the backward are bit-identical to their references.

/// a [B, H]: x·W_ihᵀ + h_prev·W_hhᵀ without the bias in; out: h = act(a + bias), also written
/// to h and y [B, H]; act is ReLU when `relu` is nonzero, else tanh. Held rows as for the GRU.
void seq_rnn_forward(float *a, const float *bias, const float *hPrev, float *h, float *y,
                     size_t B, size_t H, size_t t, const long *lengths, int relu);
void seq_rnn_forward_reference(float *a, const float *bias, const float *hPrev, float *h, float *y,
                               size_t B, size_t H, size_t t, const long *lengths, int relu);

/// a [B, H]: h_t of step t (the forward's output); dy = dL/dy_t or NULL. dh: dL/dh_t in, zero
/// out for live rows (the caller adds da·W_hh), unchanged for held ones; da [B, H] = dL/da.
void seq_rnn_backward(const float *a, const float *dy, float *dh, float *da,
                      size_t B, size_t H, size_t t, const long *lengths, int relu);
void seq_rnn_backward_reference(const float *a, const float *dy, float *dh, float *da,
                                size_t B, size_t H, size_t t, const long *lengths, int relu);

// MARK: Softmax rows (Softmax.c)

/// The first index of the largest of x[0 ..< n] (0 when n is 0).
size_t seq_argmax(const float *x, size_t n);
size_t seq_argmax_reference(const float *x, size_t n);

/// y[j] = e^(x[j] − shift) for j < n when y is not NULL; returns Σ e^(x[j] − shift).
float seq_exp_shifted(const float *x, float shift, float *y, size_t n);
float seq_exp_shifted_reference(const float *x, float shift, float *y, size_t n);

/// 1 when the AVX2/FMA paths are in use on this CPU, else 0 (the portable loops).
int seq_kernels_use_avx2(void);

#ifdef __cplusplus
}
#endif

#endif
