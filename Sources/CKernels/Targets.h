// Targets.h — how CKernels picks its CPU paths, private to CKernels (included by .c files).
//
//   SEQ_HAVE_X86   defined on x86-64, with the intrinsics header: the files with hand-written
//                  AVX2/FMA paths choose them at run time (seq_kernels_use_avx2).
//   SEQ_CLONES     on a function, an AVX2 copy of it beside the portable one, chosen by the
//                  loader (clang's target_clones; not on Apple's linker).

#ifndef SEQLANG_TARGETS_H
#define SEQLANG_TARGETS_H

#if defined(__x86_64__)
#include <immintrin.h>
#define SEQ_HAVE_X86 1
#endif

#if defined(__x86_64__) && !defined(__APPLE__)
#define SEQ_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SEQ_CLONES
#endif

#endif
