/* hooks.c - the hooks behind opencode's rewritten import slots (see hooks.h): arm every thread
 * opencode creates, keep SIGSYS out of its signal masks, see its database's write-ahead log,
 * give its children OPENCODE_SESSION_ID, and leave a final record when it exits.
 * Runs in: vfork child, host threads, load time.
 *   host threads: every hook, on whichever thread of opencode (or of a native module) calls
 *     its function; pthread_create (malloc), dlopen and dlsym (the loader) only there;
 *   vfork child: what opencode's vfork child may call before execve: execve, close, open*,
 *     sigaction, signal, sigprocmask, pthread_sigmask, the exit family (close, sigaction,
 *     signal and the exits ask capture_is_owner() before they touch the parent's state);
 *   load time: hooks_set_active(1) and hooks_table (plthook_install), from ocshim_start.
 * Restricted contexts: no allocation, no locks a signal could leave held, no loader calls.
 */
#include "hooks.h"

#include "capture.h"
#include "childenv.h"
#include "debug.h"
#include "hooklist.h"
#include "sigint.h"
#include "sigsafe.h"
#include "sud.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

static int active;   /* opencode itself, everything set up (the constructor; off in a fork child) */

void hooks_set_active(int on)
{
    __atomic_store_n(&active, on, __ATOMIC_RELEASE);
}

#define ON() __builtin_expect(__atomic_load_n(&active, __ATOMIC_ACQUIRE), 1)

/* libc's functions, as opencode's slots asked for them (filled by plthook_install), each of
 * the type glibc declares it with (hooklist.h). That type keeps glibc's attributes: noreturn
 * (the address of exit, _exit, _Exit or quick_exit points to a function that never returns,
 * so their hooks end in a call, not a jump), and nonnull (pthread_create, sigsuspend,
 * signalfd, open*, execve): a hook passes its caller's arguments on as they are and must not
 * test one for NULL after the call, a test the compiler would drop. XMAIN's are also read by
 * the thunks' assembly (below). */
#define NEXT(fn) static __typeof__(&fn) next_##fn;
#define NEXT_MAIN(fn) static __attribute__((used)) next_##fn##_type next_##fn;
typedef __typeof__(&dlopen) next_dlopen_type;
/* Written out, not __typeof__(&dlsym): glibc declares dlsym's name nonnull, and dlsym_by_name
 * tests name after its call (the test would be dropped). */
typedef void *(*next_dlsym_type)(void *, const char *);
_Static_assert(__builtin_types_compatible_p(next_dlsym_type, __typeof__(&dlsym)),
               "next_dlsym is not of the type glibc declares dlsym with");
OCSHIM_HOOKS(NEXT, NEXT_MAIN)
#undef NEXT
#undef NEXT_MAIN

/* ---- threads: arm every thread opencode creates ---- */

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
    pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
    sud_arm_thread();
    return s.fn(s.arg);
}

static int hook_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                               void *arg)
{
    if (ON() && capture_is_owner()) {   /* not in a child of a raw fork */
        struct start *s = malloc(sizeof *s);
        if (s) {
            s->fn = fn;
            s->arg = arg;
            int rc = next_pthread_create(t, attr, armed_start, s);
            if (rc != 0)
                free(s);
            return rc;
        }
    }
    return next_pthread_create(t, attr, fn, arg);
}

/* ---- signal masks: SIGSYS must stay deliverable on armed threads ---- */

#define STRIP(set) (ON() ? sigsafe_strip((set), &tmp) : (set))

static int hook_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    sigset_t tmp;
    return next_sigprocmask(how, how == SIG_UNBLOCK ? set : STRIP(set), old);
}

static int hook_pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    sigset_t tmp;
    return next_pthread_sigmask(how, how == SIG_UNBLOCK ? set : STRIP(set), old);
}

static int hook_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    struct sigaction copy;
    if (ON()) {
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
    return next_sigaction(sig, act, old);
}

static __sighandler_t hook_signal(int sig, __sighandler_t handler)
{
    if (ON() && sig == SIGINT && sigint_active())
        return sigint_signal(handler);      /* SIG_DFL: ours holds the place */
    if (ON() && sig == SIGSYS && capture_is_owner()) {
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
    return next_signal(sig, handler);
}

static int hook_sigsuspend(const sigset_t *set)
{
    sigset_t tmp;
    return next_sigsuspend(STRIP(set));
}

static int hook_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *to, const sigset_t *set)
{
    sigset_t tmp;
    return next_ppoll(fds, n, to, STRIP(set));
}

static int hook_pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *to,
                        const sigset_t *set)
{
    sigset_t tmp;
    return next_pselect(n, r, w, e, to, STRIP(set));
}

static int hook_epoll_pwait(int ep, struct epoll_event *ev, int max, int to, const sigset_t *set)
{
    sigset_t tmp;
    return next_epoll_pwait(ep, ev, max, to, STRIP(set));
}

static int hook_epoll_pwait2(int ep, struct epoll_event *ev, int max, const struct timespec *to,
                             const sigset_t *set)
{
    sigset_t tmp;
    return next_epoll_pwait2(ep, ev, max, to, STRIP(set));
}

static int hook_signalfd(int fd, const sigset_t *set, int flags)
{
    sigset_t tmp;
    return next_signalfd(fd, STRIP(set), flags);
}

/* ---- leaving: let the worker write the final record (bounded wait) ---- */

static void hook_exit(int code)
{
    if (ON())
        capture_exit("exit", code);
    next_exit(code);
}

static void hook__exit(int code)
{
    if (ON())
        capture_exit("_exit", code);
    next__exit(code);
}

static void hook__Exit(int code)
{
    if (ON())
        capture_exit("_exit", code);
    next__Exit(code);
}

static void hook_quick_exit(int code)
{
    if (ON())
        capture_exit("quick_exit", code);
    next_quick_exit(code);
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

/* A vfork child shares our memory: its descriptors must not enter the parent's table. */
static int opened(int fd, const char *path)
{
    if (ON() && fd >= 0 && capture_is_wal_path(path) && capture_is_owner())
        capture_track_wal(fd);
    return fd;
}

static int hook_open(const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return opened(next_open(path, flags, mode), path);
}

static int hook_open64(const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return opened(next_open64(path, flags, mode), path);
}

static int hook_openat(int dirfd, const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return opened(next_openat(dirfd, path, flags, mode), path);
}

static int hook_openat64(int dirfd, const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return opened(next_openat64(dirfd, path, flags, mode), path);
}

static int hook_close(int fd)
{
    /* A vfork child closing descriptors must not untrack the parent's (shared memory). */
    if (ON() && capture_is_tracked(fd) && capture_is_owner())
        capture_untrack(fd);
    return next_close(fd);
}

static ssize_t hook_pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    ssize_t r = next_pwrite64(fd, buf, n, off);
    if (ON() && r > 0 && capture_is_wal(fd)) {
        int saved = errno;
        capture_wal_write(buf, (size_t)r);
        errno = saved;
    }
    return r;
}

/* ---- a client's requests and a server's address (Bun's sockets go through glibc) ---- */

/* After send/sendto: in a client, the request just sent may name its session. */
static inline ssize_t sent(const void *buf, ssize_t r)
{
    if (__builtin_expect(capture_client, 0) && ON() && r > 0) {   /* clients only */
        int saved = errno;
        capture_http_write(buf, (size_t)r);
        errno = saved;
    }
    return r;
}

static ssize_t hook_send(int fd, const void *buf, size_t n, int flags)
{
    return sent(buf, next_send(fd, buf, n, flags));
}

static ssize_t hook_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
                           socklen_t tolen)
{
    return sent(buf, next_sendto(fd, buf, n, flags, to, tolen));
}

static int hook_listen(int fd, int backlog)
{
    int r = next_listen(fd, backlog);
    if (ON() && r == 0 && capture_is_listener()) {
        int saved = errno;
        capture_listen(fd);
        errno = saved;
    }
    return r;
}

/* ---- children: OPENCODE_SESSION_ID (runs in opencode's vfork child: no allocation) ---- */

static int hook_execve(const char *path, char *const argv[], char *const envp[])
{
    if (ON()) {
        size_t n = childenv_count(envp);
        const char *stale;
        if (childenv_server(&stale)) {
            char *env[n < 4096 ? n + 1 : 1];
            if (stale && n < 4096 && childenv_build_server(envp, stale, env, n + 1))
                return next_execve(path, argv, env);
        } else if (n < 4096) {   /* the copy lives on the (vfork) stack: keep it small */
            char line[CHILDENV_LINE_MAX];
            char *env[n + 2];
            size_t len = childenv_read(line);
            if (childenv_build(envp, len ? line : NULL, env, n + 2))
                return next_execve(path, argv, env);
        }
    }
    return next_execve(path, argv, envp);
}

/* ---- native modules: what opencode loads later is hooked too ---- */

/* dlopen, like dlsym, answers relative to its caller: a bare name is searched with the
 * caller's RUNPATH, and $ORIGIN is the caller's directory. So hook_dlopen calls dlopen from
 * here only for a path that needs neither (it holds a '/' and no '$'), and then rewrites the
 * slots of the object loaded (not of the libraries it needs); any other file jumps straight
 * to dlopen with opencode's return address on the stack, and is not hooked. */
static __attribute__((used)) int caller_free(const char *file, int mode)
{
    return file && strchr(file, '/') && !strchr(file, '$');
}

static __attribute__((used)) void *dlopen_path(const char *file, int mode)
{
    void *h = next_dlopen(file, mode);
    if (h && ON()) {
        int saved = errno;
        int n = plthook_install_handle(h, hooks_table, hooks_count);
        if (n != 0)
            dbg("dlopen %s: %d more import slots hooked", file, n);
        errno = saved;
    }
    return h;
}

/* A thunk that asks C whether this call needs the shim (test(first argument) != 0): then it
 * goes on in C (with), else it jumps straight to libc (via *next), opencode's return address
 * still on the stack. The arguments (rdi, rsi) are kept across the test. */
#define CALLER_THUNK(name, test, with, next)                                              \
    __asm__(".pushsection .text\n"                                                        \
            ".type " #name ", @function\n"                                                \
            #name ":\n"                                                                   \
            ".cfi_startproc\n"                                                            \
            "    endbr64\n"                  /* reached by an indirect jump (CET) */      \
            "    pushq %rdi\n"                                                            \
            ".cfi_adjust_cfa_offset 8\n"                                                  \
            "    pushq %rsi\n"                                                            \
            ".cfi_adjust_cfa_offset 8\n"                                                  \
            "    subq $8, %rsp\n"             /* 16-byte aligned for the call */           \
            ".cfi_adjust_cfa_offset 8\n"                                                  \
            "    call " #test "\n"                                                        \
            "    addq $8, %rsp\n"                                                         \
            ".cfi_adjust_cfa_offset -8\n"                                                 \
            "    popq %rsi\n"                                                             \
            ".cfi_adjust_cfa_offset -8\n"                                                 \
            "    popq %rdi\n"                                                             \
            ".cfi_adjust_cfa_offset -8\n"                                                 \
            "    testl %eax, %eax\n"                                                      \
            "    jnz " #with "\n"                                                         \
            "    jmp *" #next "(%rip)\n"                                                  \
            ".cfi_endproc\n"                                                              \
            ".size " #name ", . - " #name "\n"                                            \
            ".popsection\n")

void *hook_dlopen(const char *file, int mode);
CALLER_THUNK(hook_dlopen, caller_free, dlopen_path, next_dlopen);

/* ---- functions opencode looks up by name (it finds quick_exit with dlsym) ---- */

/* dlsym answers relative to its caller (RTLD_NEXT starts after it, RTLD_DEFAULT searches its
 * scope). A lookup of a function the shim hooks (opencode finds quick_exit with
 * dlsym(RTLD_NEXT)) is made here, RTLD_NEXT as RTLD_DEFAULT: from opencode, RTLD_NEXT searches
 * the global scope after opencode itself, RTLD_DEFAULT the same scope with opencode first,
 * and opencode defines none of these libc functions, so both find the same one; it is handed
 * out as its hook. Any other lookup jumps straight to dlsym with opencode's return address on
 * the stack: opencode's own answer. */
static __attribute__((used)) int name_is_hooked(void *handle, const char *name)
{
    return name && plthook_find(hooks_table, hooks_count, name) != NULL;
}

static __attribute__((used)) void *dlsym_by_name(void *handle, const char *name)
{
    void *p = next_dlsym(handle == RTLD_NEXT ? RTLD_DEFAULT : handle, name);
    const struct plthook *h;
    if (p && name && (h = plthook_find(hooks_table, hooks_count, name)) != NULL &&
        h->next != (void **)&next_dlsym) {
        void *cur = __atomic_load_n(h->next, __ATOMIC_ACQUIRE);
        if (!cur)
            __atomic_compare_exchange_n(h->next, &cur, p, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(h->next, __ATOMIC_ACQUIRE) == p)
            return h->hook;     /* the same function as the hook calls: hand out the hook */
    }
    return p;
}

void *hook_dlsym(void *handle, const char *name);
CALLER_THUNK(hook_dlsym, name_is_hooked, dlsym_by_name, next_dlsym);

/* Each hook has the type glibc declares its function with: opencode calls it through a slot
 * that libc's function would have filled. */
#define SAME_TYPE(fn)                                                                   \
    _Static_assert(__builtin_types_compatible_p(__typeof__(hook_##fn), __typeof__(fn)), \
                   "hook_" #fn " is not of the type glibc declares " #fn " with");
OCSHIM_HOOKS(SAME_TYPE, SAME_TYPE)
#undef SAME_TYPE

#define HOOK(fn) { #fn, (void *)hook_##fn, (void **)&next_##fn, 0 },
/* dlopen and dlsym answer relative to their caller (search paths, $ORIGIN, RTLD_NEXT): only
 * opencode's own calls, whose answers the hooks keep, go through them. */
#define HOOK_MAIN(fn) { #fn, (void *)hook_##fn, (void **)&next_##fn, 1 },

const struct plthook hooks_table[] = { OCSHIM_HOOKS(HOOK, HOOK_MAIN) };
const size_t hooks_count = sizeof hooks_table / sizeof hooks_table[0];
