// System.c — openat2 through syscall(2), since glibc has no wrapper for it, and the thread's
// stack bounds (pthread_getattr_np needs _GNU_SOURCE, which Swift's Glibc module lacks).

#define _GNU_SOURCE
#include "CSystem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437   /* the same number on every architecture since Linux 5.6 */
#endif
#ifndef RESOLVE_BENEATH
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_BENEATH 0x08
#endif

/* struct open_how of <linux/openat2.h>, declared here so older headers build too. */
struct seq_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};

int seq_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve) {
    struct seq_open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(unsigned int)flags;
    /* openat2 refuses a mode unless the file may be created. */
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? (uint64_t)mode : 0;
    how.resolve = resolve;
    long fd;
    do {
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    } while (fd < 0 && errno == EINTR);
    return (int)fd;
}

uint64_t seq_resolve_beneath(void) { return RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS; }

int seq_o_tmpfile(void) { return O_TMPFILE; }

int seq_o_path(void) { return O_PATH; }

int seq_thread_stack(uintptr_t *low, size_t *size) {
    pthread_attr_t attributes;
    int rc = pthread_getattr_np(pthread_self(), &attributes);
    if (rc != 0) return rc;
    void *address = NULL;
    rc = pthread_attr_getstack(&attributes, &address, size);
    pthread_attr_destroy(&attributes);
    *low = (uintptr_t)address;
    return rc;
}
int seq_at_empty_path(void) { return AT_EMPTY_PATH; }
