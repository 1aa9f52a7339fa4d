/* entry.c - the hooking entry point: the constructor and every function the shim exports.
 *
 * In any process but opencode the constructor returns after a few comparisons (no syscall),
 * and each wrapper is one predictable branch in front of libc's own function. In opencode it
 * arms Syscall User Dispatch on every thread and starts the worker. The core (everything else
 * in shim/) is built apart from this file, so unit tests link it without hooks. */
#include "capture.h"
#include "childenv.h"
#include "procinfo.h"
#include "real.h"
#include "sigint.h"
#include "sigsafe.h"
#include "sud.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/auxv.h>

#define EXPORT __attribute__((visibility("default")))

static int ocshim_active;   /* this is opencode and capture is armed (set once, by the constructor) */
static struct procinfo *proc;   /* allocated in opencode only: no .bss cost elsewhere */

/* Thread-local re-entry guard: a wrapper called from inside the shim passes straight through. */
static __thread int in_shim;

static int env_set(char **envp, const char *key)
{
    size_t n = strlen(key);
    for (char **e = envp; e && *e; e++)
        if (strncmp(*e, key, n) == 0 && (*e)[n] == '=' && (*e)[n + 1] && strcmp(*e + n + 1, "0"))
            return 1;
    return 0;
}

/* A forked child of opencode has no worker and no armed thread: it is not opencode. */
static void fork_child(void)
{
    ocshim_active = 0;
    sigint_fork_child();
}

__attribute__((constructor)) static void ocshim_init(int argc, char **argv, char **envp)
{
    /* Cheap checks first: none of them makes a syscall. */
    if (getauxval(AT_SECURE))
        return;                                     /* setuid and friends: never */
    if (!procinfo_name_is_opencode((const char *)getauxval(AT_EXECFN)))
        return;
    if (env_set(envp, "OCSHIM_DISABLE"))
        return;
    /* The name matched; now make sure the program really is opencode, not a script or a
     * launcher named like it (the npm package's Node launcher is `opencode` too). */
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    if (!procinfo_name_is_opencode(exe))
        return;
    in_shim = 1;
    ocshim_real_init();
    proc = malloc(sizeof *proc);
    if (!proc || procinfo_copy(proc, argc, argv, envp) != 0 || capture_init() != 0 ||
        sud_init() != 0) {
        in_shim = 0;
        return;                                     /* mechanism unavailable: step aside */
    }
    if (worker_start(proc) != 0 || sud_arm_thread() != 0) {
        in_shim = 0;
        return;
    }
    pthread_atfork(NULL, NULL, fork_child);
    sigint_init();
    ocshim_active = 1;
    in_shim = 0;
}

/* ---- threads: arm every thread the host creates ---- */

struct start { void *(*fn)(void *); void *arg; };

static void *armed_start(void *p)
{
    struct start s = *(struct start *)p;
    free(p);
    /* glibc applied the attribute's signal mask already (pthread_attr_setsigmask_np): a
     * blocked SIGSYS would turn the first trap into death. */
    sigset_t sys;
    sigemptyset(&sys);
    sigaddset(&sys, SIGSYS);
    REAL(pthread_sigmask)(SIG_UNBLOCK, &sys, NULL);
    sud_arm_thread();
    return s.fn(s.arg);
}

EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    if (__builtin_expect(ocshim_active && !in_shim, 0)) {
        struct start *s = malloc(sizeof *s);
        if (s) {
            s->fn = fn;
            s->arg = arg;
            int rc = REAL(pthread_create)(t, attr, armed_start, s);
            if (rc != 0)
                free(s);
            return rc;
        }
    }
    return REAL(pthread_create)(t, attr, fn, arg);
}

/* ---- signal masks: SIGSYS must stay deliverable on armed threads ---- */

#define STRIP(set) (__builtin_expect(ocshim_active, 0) ? sigsafe_strip((set), &tmp) : (set))

EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    sigset_t tmp;
    return REAL(sigprocmask)(how, how == SIG_UNBLOCK ? set : STRIP(set), old);
}

EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    sigset_t tmp;
    return REAL(pthread_sigmask)(how, how == SIG_UNBLOCK ? set : STRIP(set), old);
}

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    struct sigaction copy;
    if (__builtin_expect(ocshim_active && !in_shim, 0)) {
        /* In opencode's vfork child (own signal table, shared memory) SIGSYS is the child's. */
        if (sig == SIGSYS && capture_is_owner())
            return sud_app_sigaction(act, old);     /* keep ours, remember theirs */
        if (act && sigsafe_has_sigsys(&act->sa_mask)) {
            copy = *act;
            sigdelset(&copy.sa_mask, SIGSYS);
            act = &copy;
        }
        if (sig == SIGINT && sigint_active())
            return sigint_sigaction(act, old);      /* SIG_DFL: ours holds the place */
    }
    return REAL(sigaction)(sig, act, old);
}

EXPORT __sighandler_t signal(int sig, __sighandler_t handler)
{
    if (__builtin_expect(ocshim_active, 0) && sig == SIGINT && sigint_active() && !in_shim)
        return sigint_signal(handler);      /* SIG_DFL: ours holds the place */
    if (__builtin_expect(ocshim_active && sig == SIGSYS, 0) && capture_is_owner()) {
        if (handler == SIG_ERR) {           /* as glibc's signal() answers */
            errno = EINVAL;
            return SIG_ERR;
        }
        struct sigaction a, o;
        memset(&a, 0, sizeof a);
        a.sa_handler = handler;
        a.sa_flags = SA_RESTART;
        sud_app_sigaction(&a, &o);
        return o.sa_handler;
    }
    return REAL(signal)(sig, handler);
}

EXPORT int sigsuspend(const sigset_t *set)
{
    sigset_t tmp;
    return REAL(sigsuspend)(STRIP(set));
}

EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *to, const sigset_t *set)
{
    sigset_t tmp;
    return REAL(ppoll)(fds, n, to, STRIP(set));
}

EXPORT int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *to,
                   const sigset_t *set)
{
    sigset_t tmp;
    return REAL(pselect)(n, r, w, e, to, STRIP(set));
}

EXPORT int epoll_pwait(int ep, struct epoll_event *ev, int max, int to, const sigset_t *set)
{
    sigset_t tmp;
    return REAL(epoll_pwait)(ep, ev, max, to, STRIP(set));
}

EXPORT int epoll_pwait2(int ep, struct epoll_event *ev, int max, const struct timespec *to,
                        const sigset_t *set)
{
    sigset_t tmp;
    return REAL(epoll_pwait2)(ep, ev, max, to, STRIP(set));
}

EXPORT int signalfd(int fd, const sigset_t *set, int flags)
{
    sigset_t tmp;
    return REAL(signalfd)(fd, STRIP(set), flags);
}

/* ---- leaving: let the worker write the final record (bounded wait) ---- */

EXPORT void exit(int code)
{
    if (__builtin_expect(ocshim_active, 0))
        capture_exit("exit", code);
    REAL(exit)(code);
}

EXPORT void _exit(int code)
{
    if (__builtin_expect(ocshim_active, 0))
        capture_exit("_exit", code);
    REAL(_exit)(code);
}

EXPORT void _Exit(int code)
{
    if (__builtin_expect(ocshim_active, 0))
        capture_exit("_exit", code);
    REAL(_Exit)(code);
}

EXPORT void quick_exit(int code)
{
    if (__builtin_expect(ocshim_active, 0))
        capture_exit("quick_exit", code);
    REAL(quick_exit)(code);
}

/* ---- the database's write-ahead log: the earliest sign of a new session ---- */

#define OPEN_MODE(flags, mode)                                                   \
    do {                                                                         \
        if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) {           \
            va_list ap;                                                          \
            va_start(ap, flags);                                                 \
            mode = va_arg(ap, int);                                              \
            va_end(ap);                                                          \
        }                                                                        \
    } while (0)

static int opened(int fd, const char *path)
{
    if (__builtin_expect(ocshim_active, 0) && fd >= 0 && capture_is_wal_path(path))
        capture_track_wal(fd);
    return fd;
}

EXPORT int open(const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return opened(REAL(open)(path, flags, mode), path);
}

EXPORT int open64(const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return opened(REAL(open64)(path, flags, mode), path);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return opened(REAL(openat)(dirfd, path, flags, mode), path);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return opened(REAL(openat64)(dirfd, path, flags, mode), path);
}

EXPORT int close(int fd)
{
    /* A vfork child closing descriptors must not untrack the parent's (shared memory). */
    if (__builtin_expect(ocshim_active, 0) && capture_is_tracked(fd) && capture_is_owner())
        capture_untrack(fd);
    return REAL(close)(fd);
}

EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    ssize_t r = REAL(pwrite64)(fd, buf, n, off);
    if (__builtin_expect(ocshim_active, 0) && r > 0 && capture_is_wal(fd)) {
        int saved = errno;
        capture_wal_write(buf, (size_t)r);
        errno = saved;
    }
    return r;
}

/* ---- children: OPENCODE_SESSION_ID (runs in opencode's vfork child: no allocation) ---- */

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    if (__builtin_expect(ocshim_active, 0)) {
        size_t n = childenv_count(envp);
        if (n < 4096) {          /* the copy lives on the (vfork) stack: keep it small */
            char line[CHILDENV_LINE_MAX];
            char *env[n + 2];
            size_t len = childenv_read(line);
            if (childenv_build(envp, len ? line : NULL, env, n + 2))
                return REAL(execve)(path, argv, env);
        }
    }
    return REAL(execve)(path, argv, envp);
}
