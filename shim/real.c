/* real.c - resolve libc's own versions of the interposed functions (see real.h). */
#include "real.h"

#include "rawsys.h"

#include <dlfcn.h>
#include <string.h>
#include <sys/syscall.h>

struct ocshim_real ocshim_real;
int ocshim_real_ready;

/* No pthread_once: glibc's ends with a FUTEX_WAKE syscall, which every process on the
 * machine would then pay on its first sigaction or sigprocmask; and no waiting either: a
 * wrapper re-entered on the resolving thread (from a signal handler) would wait forever.
 * Whoever finds the table unready fills it; racing fillers store the same values. */
/* A fatal error in a preloaded library: say so on stderr with a raw write, then leave. */
static void die(const char *what)
{
    static const char pre[] = "ocshim: fatal: ";
    raw_syscall3(SYS_write, 2, pre, sizeof pre - 1);
    raw_syscall3(SYS_write, 2, what, strlen(what));
    raw_syscall3(SYS_write, 2, "\n", 1);
    raw_syscall1(SYS_exit_group, 127);
    __builtin_unreachable();
}

static void *next(const char *name, int required)
{
    void *self = dlsym(RTLD_DEFAULT, name);
    void *p = dlsym(RTLD_NEXT, name);
    if (!p && required)
        die(name);
    /* RTLD_NEXT handing back our own wrapper would recurse forever. */
    if (p && p == self) {
        Dl_info a, b;
        if (dladdr(p, &a) && dladdr((void *)&ocshim_real_init, &b) && a.dli_fbase == b.dli_fbase)
            die("dlsym(RTLD_NEXT) returned the shim's own wrapper");
    }
    return p;
}

static void resolve(void)
{
    struct ocshim_real r = { 0 };   /* filled here, published field by field below */
    r.pthread_create = next("pthread_create", 1);
    r.sigprocmask = next("sigprocmask", 1);
    r.pthread_sigmask = next("pthread_sigmask", 1);
    r.sigaction = next("sigaction", 1);
    r.signal = next("signal", 1);
    r.sigsuspend = next("sigsuspend", 1);
    r.ppoll = next("ppoll", 1);
    r.pselect = next("pselect", 1);
    r.epoll_pwait = next("epoll_pwait", 1);
    r.epoll_pwait2 = next("epoll_pwait2", 0);
    r.signalfd = next("signalfd", 1);
    r.exit = next("exit", 1);
    r._exit = next("_exit", 1);
    r._Exit = next("_Exit", 1);
    r.quick_exit = next("quick_exit", 1);
    r.open = next("open", 1);
    r.open64 = next("open64", 1);
    r.openat = next("openat", 1);
    r.openat64 = next("openat64", 1);
    r.close = next("close", 1);
    r.pwrite64 = next("pwrite64", 1);
    r.execve = next("execve", 1);
    /* Pointer-sized relaxed stores: a racing reader sees the old or the new (same) value. */
    void **dst = (void **)&ocshim_real, **src = (void **)&r;
    for (size_t i = 0; i < sizeof r / sizeof(void *); i++)
        __atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
    __atomic_store_n(&ocshim_real_ready, 1, __ATOMIC_RELEASE);
}

void ocshim_real_init(void)
{
    if (!__atomic_load_n(&ocshim_real_ready, __ATOMIC_ACQUIRE))
        resolve();
}
