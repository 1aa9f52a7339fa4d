/* sigint.c - the final record before a death by SIGINT (see sigint.h).
 *
 * All state changes go through libc's syscall() (inside glibc's code, so they pass on a thread
 * armed for Syscall User Dispatch whatever its selector) on the kernel's own structures; the
 * libc-level entry point converts as glibc's sigaction does. */
#include "sigint.h"

#include "capture.h"
#include "real.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000              /* x86_64's, from the kernel's asm/signal.h */
#endif

static int active;
static struct ksigaction ours;      /* as the kernel holds it (glibc's restorer included) */
static struct ksigaction host;      /* what the host last set while ours holds the place */

static void on_sigint(int sig, siginfo_t *si, void *ctx)
{
    capture_exit("sigint", 128 + SIGINT);
    /* Die as the default action would: restore it, make SIGINT pending again (it is blocked
     * while this handler runs), unblock it. The parent sees a death by SIGINT. */
    struct ksigaction dfl = host;
    dfl.handler = SIG_DFL;
    syscall(SYS_rt_sigaction, SIGINT, &dfl, NULL, 8);
    syscall(SYS_tgkill, syscall(SYS_getpid), syscall(SYS_gettid), SIGINT);
    uint64_t m = KSIG_BIT(SIGINT);
    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &m, NULL, 8);
}

void sigint_init(void)
{
    struct sigaction cur, mine;
    if (REAL(sigaction)(SIGINT, NULL, &cur) != 0 || (cur.sa_flags & SA_SIGINFO) ||
        cur.sa_handler != SIG_DFL)
        return;                             /* ignored or handled already: nothing to do */
    struct ksigaction was;
    if (syscall(SYS_rt_sigaction, SIGINT, NULL, &was, 8) != 0)
        return;
    memset(&mine, 0, sizeof mine);
    mine.sa_sigaction = on_sigint;
    mine.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&mine.sa_mask);
    if (REAL(sigaction)(SIGINT, &mine, NULL) != 0)
        return;
    if (syscall(SYS_rt_sigaction, SIGINT, NULL, &ours, 8) != 0 || ours.handler != (void *)on_sigint) {
        syscall(SYS_rt_sigaction, SIGINT, &was, NULL, 8);
        return;
    }
    host = was;
    active = 1;
}

int sigint_active(void)
{
    return active;
}

long sigint_rt_sigaction(const struct ksigaction *act, struct ksigaction *old)
{
    struct ksigaction k, cur, was_host = host;
    if (act) {
        k = *act;
        k.mask &= ~KSIG_BIT(SIGSYS);
        if (k.handler == SIG_DFL) {
            host = k;                       /* kept as the kernel would keep it */
            host.mask &= ~(KSIG_BIT(SIGKILL) | KSIG_BIT(SIGSTOP));
            k = ours;
        }
    }
    if (syscall(SYS_rt_sigaction, SIGINT, act ? &k : NULL, &cur, 8) != 0) {
        host = was_host;
        return -errno;
    }
    if (old)
        *old = cur.handler == (void *)on_sigint ? was_host : cur;
    return 0;
}

int sigint_sigaction(const struct sigaction *act, struct sigaction *old)
{
    struct ksigaction k, o;
    if (act) {                              /* as glibc's sigaction fills the kernel's */
        memset(&k, 0, sizeof k);
        k.handler = (void *)act->sa_handler;
        k.flags = (unsigned long)act->sa_flags | SA_RESTORER;
        k.restorer = ours.restorer;
        memcpy(&k.mask, &act->sa_mask, sizeof k.mask);
    }
    long r = sigint_rt_sigaction(act ? &k : NULL, &o);
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    if (old) {
        memset(old, 0, sizeof *old);
        old->sa_handler = (__sighandler_t)o.handler;
        old->sa_flags = (int)o.flags;
        old->sa_restorer = (void (*)(void))o.restorer;
        memcpy(&old->sa_mask, &o.mask, sizeof o.mask);
    }
    return 0;
}

void sigint_fork_child(void)
{
    struct ksigaction cur;
    if (active && syscall(SYS_rt_sigaction, SIGINT, NULL, &cur, 8) == 0 &&
        cur.handler == (void *)on_sigint)
        syscall(SYS_rt_sigaction, SIGINT, &host, NULL, 8);
    active = 0;
}
