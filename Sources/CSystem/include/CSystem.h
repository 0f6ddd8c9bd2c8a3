// CSystem.h — the few Linux calls the interpreter needs that Swift's Glibc module does not
// wrap: openat2(2) for resolving a script's paths beneath an allowed folder, O_TMPFILE for
// saves that leave no temporary name behind, and the current stack address for measuring how
// deep a script has nested.

#ifndef SEQLANG_CSYSTEM_H
#define SEQLANG_CSYSTEM_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// openat2(dirfd, path, {flags, mode, resolve}): returns a file descriptor, or -1 with errno
/// set (ENOSYS when the kernel or a seccomp filter does not offer the call).
int seq_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve);

/// RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: no `..`, absolute path or symlink may leave the
/// directory, and /proc's magic links are refused.
uint64_t seq_resolve_beneath(void);

/// O_TMPFILE (an unnamed regular file in the given directory, linked in later with linkat).
int seq_o_tmpfile(void);

/// AT_EMPTY_PATH (linkat of the descriptor itself).
int seq_at_empty_path(void);

/// O_PATH (a descriptor that only names a file or directory).
int seq_o_path(void);

/// The lowest address and the size of the calling thread's stack (pthread_getattr_np);
/// returns 0, or an error number.
int seq_thread_stack(uintptr_t *low, size_t *size);

/// An address inside the caller's stack frame; the difference of two calls is the stack used
/// between them (the stack grows down on every platform SeqLang builds on).
static inline uintptr_t seq_stack_address(void) {
    return (uintptr_t)__builtin_frame_address(0);
}

#ifdef __cplusplus
}
#endif

#endif
