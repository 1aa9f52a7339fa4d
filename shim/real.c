/* real.c - resolve libc's own versions of the interposed functions (see real.h). */
#include "real.h"

#include "rawsys.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

struct ocshim_real ocshim_real;

extern char __ehdr_start[] __attribute__((visibility("hidden")));
extern char _end[] __attribute__((visibility("hidden")));

/* No pthread_once and no lock: glibc's pthread_once ends with a FUTEX_WAKE syscall, which
 * every process on the machine would pay; and a wrapper re-entered from a signal handler on
 * the looking-up thread must not wait. Racing look-ups store the same value. */

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

/* epoll_pwait2 is newer than some glibc builds: without it, the wrapper answers ENOSYS. */
static int no_epoll_pwait2(int ep, struct epoll_event *ev, int max, const struct timespec *to,
                           const sigset_t *set)
{
    errno = ENOSYS;
    return -1;
}

void *ocshim_real_lookup(void **slot, const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p && strcmp(name, "epoll_pwait2") == 0)
        p = (void *)no_epoll_pwait2;
    if (!p)
        die(name);
    /* RTLD_NEXT handing back a function of the shim itself would recurse forever. Our own
     * object spans [__ehdr_start, _end) (linker-defined, per object): a range check, where
     * dladdr() would cost every process a walk of symbol tables. */
    if ((char *)p >= __ehdr_start && (char *)p < _end && p != (void *)no_epoll_pwait2)
        die("dlsym(RTLD_NEXT) returned the shim's own wrapper");
    __atomic_store_n(slot, p, __ATOMIC_RELEASE);
    return p;
}

#define LOOKUP(fn) ocshim_real_slot((void **)&ocshim_real.fn, #fn)

void ocshim_real_init(void)
{
    LOOKUP(pthread_create); LOOKUP(sigprocmask); LOOKUP(pthread_sigmask); LOOKUP(sigaction);
    LOOKUP(signal); LOOKUP(sigsuspend); LOOKUP(ppoll); LOOKUP(pselect); LOOKUP(epoll_pwait);
    LOOKUP(epoll_pwait2); LOOKUP(signalfd); LOOKUP(exit); LOOKUP(_exit); LOOKUP(_Exit);
    LOOKUP(quick_exit); LOOKUP(open); LOOKUP(open64); LOOKUP(openat); LOOKUP(openat64);
    LOOKUP(close); LOOKUP(pwrite64); LOOKUP(execve);
}
