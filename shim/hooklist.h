/* hooklist.h - the libc functions the shim hooks, listed once: hooks.c's pointers to libc's
 * functions, its type checks and hooks_table, and tests/unit/test_hooklist.c (which also
 * checks docs/ARCHITECTURE.md's list against this one) all expand OCSHIM_HOOKS.
 *
 * OCSHIM_HOOKS(X, XMAIN) names each function once, in hooks_table's order:
 *   X(name)      hooked in opencode and in the native modules it dlopens;
 *   XMAIN(name)  hooked in opencode's own slots only: dlopen and dlsym answer relative to
 *                their caller, and their hooks are assembly thunks (hooks.c).
 * name is glibc's, as the headers hooks.c includes declare it (_GNU_SOURCE); hooks.c defines
 * hook_<name> of that type and keeps libc's function in next_<name>. */
#ifndef OCSHIM_HOOKLIST_H
#define OCSHIM_HOOKLIST_H

#define OCSHIM_HOOKS(X, XMAIN)                                                            \
    /* threads: each one opencode creates is armed */                                     \
    X(pthread_create)                                                                     \
    /* signal masks keep SIGSYS deliverable (sigaction, signal: SIGSYS and SIGINT too) */ \
    X(sigprocmask) X(pthread_sigmask) X(sigaction) X(signal) X(sigsuspend) X(ppoll)       \
    X(pselect) X(epoll_pwait) X(epoll_pwait2) X(signalfd)                                 \
    /* leaving: the final record */                                                       \
    X(exit) X(_exit) X(_Exit) X(quick_exit)                                               \
    /* the database's write-ahead log */                                                  \
    X(open) X(open64) X(openat) X(openat64) X(close) X(pwrite64)                          \
    /* children: OPENCODE_SESSION_ID */                                                   \
    X(execve)                                                                             \
    /* a client's requests, a server's address */                                         \
    X(send) X(sendto) X(listen)                                                           \
    /* answering by caller */                                                             \
    XMAIN(dlsym) XMAIN(dlopen)

#endif
