/* real.h - the libc functions the shim interposes, as libc itself provides them.
 *
 * Resolved on first use (see real.c) with dlsym(RTLD_NEXT); the shim's own code calls these, never
 * the interposed names, so it never re-enters its own wrappers. */
#ifndef OCSHIM_REAL_H
#define OCSHIM_REAL_H

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/types.h>
#include <time.h>

struct ocshim_real {
    int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    int (*sigprocmask)(int, const sigset_t *, sigset_t *);
    int (*pthread_sigmask)(int, const sigset_t *, sigset_t *);
    int (*sigaction)(int, const struct sigaction *, struct sigaction *);
    __sighandler_t (*signal)(int, __sighandler_t);
    int (*sigsuspend)(const sigset_t *);
    int (*ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
    int (*pselect)(int, fd_set *, fd_set *, fd_set *, const struct timespec *, const sigset_t *);
    int (*epoll_pwait)(int, struct epoll_event *, int, int, const sigset_t *);
    int (*epoll_pwait2)(int, struct epoll_event *, int, const struct timespec *, const sigset_t *);
    int (*signalfd)(int, const sigset_t *, int);
    void (*exit)(int) __attribute__((noreturn));
    void (*_exit)(int) __attribute__((noreturn));
    void (*_Exit)(int) __attribute__((noreturn));
    void (*quick_exit)(int) __attribute__((noreturn));
    int (*open)(const char *, int, ...);
    int (*open64)(const char *, int, ...);
    int (*openat)(int, const char *, int, ...);
    int (*openat64)(int, const char *, int, ...);
    int (*close)(int);
    ssize_t (*pwrite64)(int, const void *, size_t, off_t);
    int (*execve)(const char *, char *const[], char *const[]);
};

extern struct ocshim_real ocshim_real;

/* Looks one function up (dlsym RTLD_NEXT), stores it in its slot and returns it. Never fails
 * quietly: a missing required symbol, or one that resolves to the shim itself, ends the
 * process with a message. */
void *ocshim_real_lookup(void **slot, const char *name);
/* Fills every slot (opencode's constructor: all of them will be needed). */
void ocshim_real_init(void);

static inline void *ocshim_real_slot(void **slot, const char *name)
{
    void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    return __builtin_expect(p != 0, 1) ? p : ocshim_real_lookup(slot, name);
}

/* One predictable branch (a plain load on x86_64) on every call after a function's first;
 * each function is looked up on its own first use, so a process pays only for what it calls. */
#define REAL(fn) ((__typeof__(ocshim_real.fn))ocshim_real_slot((void **)&ocshim_real.fn, #fn))

#endif
