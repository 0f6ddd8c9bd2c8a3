// Optimizers.c — the optimizers' update loops (SGD, momentum SGD, RMSProp, Adam, Adagrad),
// each beside its one-element-at-a-time reference.
//
// The Swift optimizers (Sources/Tensor/Optimizers) own the state and the formulas' documentation;
// these loops only run them. Swift lowers an 8-lane `squareRoot()` to one scalar square root per
// lane on the baseline x86-64 target; here clang emits vector square roots and divisions, and
// `target_clones` adds an AVX2 copy of each loop that the loader picks on CPUs that have it.
// Floating-point contraction is off, so every lane computes exactly what the reference computes:
// the fast and reference loops are bit-identical on every CPU.

#include "CKernels.h"

#pragma clang fp contract(off)

#include "Targets.h"

/// A correctly rounded square root without errno, so it vectorises (sqrtps / vsqrtps).
#define SEQ_SQRT(x) __builtin_elementwise_sqrt(x)

/// Keeps a reference loop scalar, so the tests compare two different code paths.
#define SEQ_SCALAR_LOOP _Pragma("clang loop vectorize(disable) interleave(disable)")

// MARK: SGD

SEQ_CLONES
void seq_sgd_update(float *restrict p, const float *restrict g, size_t n, float lr) {
    for (size_t i = 0; i < n; i++) p[i] = p[i] - lr * g[i];
}

void seq_sgd_update_reference(float *p, const float *g, size_t n, float lr) {
    SEQ_SCALAR_LOOP
    for (size_t i = 0; i < n; i++) p[i] = p[i] - lr * g[i];
}

// MARK: Momentum SGD

SEQ_CLONES
void seq_sgd_momentum_update(float *restrict p, const float *restrict g, float *restrict b, size_t n,
                             float lr, float mu, int first) {
    if (first) {
        for (size_t i = 0; i < n; i++) {
            b[i] = g[i];
            p[i] = p[i] - lr * g[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            float bi = mu * b[i] + g[i];
            b[i] = bi;
            p[i] = p[i] - lr * bi;
        }
    }
}

void seq_sgd_momentum_update_reference(float *p, const float *g, float *b, size_t n,
                                       float lr, float mu, int first) {
    SEQ_SCALAR_LOOP
    for (size_t i = 0; i < n; i++) {
        b[i] = first ? g[i] : mu * b[i] + g[i];
        p[i] = p[i] - lr * b[i];
    }
}

// MARK: RMSProp

SEQ_CLONES
void seq_rmsprop_update(float *restrict p, const float *restrict g, float *restrict a, size_t n,
                        float lr, float rho, float eps) {
    const float keep = 1 - rho;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float ai = rho * a[i] + keep * gi * gi;
        a[i] = ai;
        p[i] = p[i] - lr * gi / (SEQ_SQRT(ai) + eps);
    }
}

void seq_rmsprop_update_reference(float *p, const float *g, float *a, size_t n,
                                  float lr, float rho, float eps) {
    SEQ_SCALAR_LOOP
    for (size_t i = 0; i < n; i++) {
        a[i] = rho * a[i] + (1 - rho) * g[i] * g[i];
        p[i] = p[i] - lr * g[i] / (SEQ_SQRT(a[i]) + eps);
    }
}

// MARK: Adam

SEQ_CLONES
void seq_adam_update(float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                     size_t n, float lr, float beta1, float beta2, float eps, float c1, float c2) {
    const float keep1 = 1 - beta1, keep2 = 1 - beta2;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = beta1 * m[i] + keep1 * gi;
        float vi = beta2 * v[i] + keep2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] - lr * (mi / c1) / (SEQ_SQRT(vi / c2) + eps);
    }
}

void seq_adam_update_reference(float *p, const float *g, float *m, float *v, size_t n,
                               float lr, float beta1, float beta2, float eps, float c1, float c2) {
    SEQ_SCALAR_LOOP
    for (size_t i = 0; i < n; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        p[i] = p[i] - lr * (m[i] / c1) / (SEQ_SQRT(v[i] / c2) + eps);
    }
}

// MARK: Adagrad

SEQ_CLONES
void seq_adagrad_update(float *restrict p, const float *restrict g, float *restrict s, size_t n,
                        float lr, float eps) {
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float si = s[i] + gi * gi;
        s[i] = si;
        p[i] = p[i] - lr * gi / (SEQ_SQRT(si) + eps);
    }
}

void seq_adagrad_update_reference(float *p, const float *g, float *s, size_t n, float lr, float eps) {
    SEQ_SCALAR_LOOP
    for (size_t i = 0; i < n; i++) {
        s[i] = s[i] + g[i] * g[i];
        p[i] = p[i] - lr * g[i] / (SEQ_SQRT(s[i]) + eps);
    }
}
