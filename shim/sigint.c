/* sigint.c - the final record before a death by SIGINT (see sigint.h).
 * Runs in: SIGSYS handler, SIGINT handler, vfork child, host threads, load time.
 *   SIGINT handler: on_sigint (with adopt, capture_exit);
 *   SIGSYS handler: sigint_active, sigint_rt_sigaction (a raw rt_sigaction for SIGINT);
 *   vfork child and host threads: sigint_active, sigint_sigaction, sigint_signal (the
 *     sigaction and signal hooks; adopt does nothing outside opencode itself);
 *   load time: sigint_init; host threads: sigint_fork_child (a fork child, pthread_atfork).
 * Restricted contexts: no allocation, no locks a signal could leave held, no loader calls.
 *
 * The host's own request always runs first, as it asked (through libc, or its raw syscall), so
 * the kernel stores exactly what it would without the shim (flags it supports, glibc's
 * restorer, the mask). Then, in opencode, if SIGINT's action is now the default, that state is
 * kept aside as the host's and ours takes its place. All syscalls here go through libc's
 * syscall() (inside glibc's code: they pass on a thread armed for Syscall User Dispatch
 * whatever its selector), so every function may also run inside the SIGSYS handler. */
#include "sigint.h"

#include "capture.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int active;
static struct ksigaction ours;      /* as the kernel holds it (glibc's restorer included) */
static struct ksigaction host;      /* the host's SIG_DFL, as the kernel held it */

static int kget(struct ksigaction *k)
{
    return syscall(SYS_rt_sigaction, SIGINT, NULL, k, 8) == 0 ? 0 : -1;
}

/* After a change the host made: a default action becomes the host's, and ours holds the place. */
static void adopt(void)
{
    struct ksigaction cur;
    if (active && capture_is_owner() && kget(&cur) == 0 && cur.handler == SIG_DFL) {
        host = cur;
        syscall(SYS_rt_sigaction, SIGINT, &ours, NULL, 8);
    }
}

static void on_sigint(int sig, siginfo_t *si, void *ctx)
{
    capture_exit("sigint", 128 + SIGINT);
    /* Die as the default action would: restore it, make SIGINT pending again (it is blocked
     * while this handler runs), unblock it. The parent sees a death by SIGINT. */
    syscall(SYS_rt_sigaction, SIGINT, &host, NULL, 8);
    syscall(SYS_tgkill, syscall(SYS_getpid), syscall(SYS_gettid), SIGINT);
    uint64_t m = KSIG_BIT(SIGINT);
    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &m, NULL, 8);
    /* Still here: another thread installed a handler in between, which took the signal. The
     * record already says exited (it cannot be taken back); SIGINT gets our place again if its
     * action is still the default. */
    adopt();
}

void sigint_init(void)
{
    struct ksigaction was;
    struct sigaction mine;
    /* A PID namespace's first process never dies of a signal left at its default action:
     * nothing to record, and our handler would change that. */
    if (syscall(SYS_getpid) == 1 || kget(&was) != 0 || was.handler != SIG_DFL)
        return;                             /* ignored or handled already: nothing to do */
    memset(&mine, 0, sizeof mine);
    mine.sa_sigaction = on_sigint;
    mine.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&mine.sa_mask);
    if (sigaction(SIGINT, &mine, NULL) != 0)
        return;
    if (kget(&ours) != 0 || ours.handler != (void *)on_sigint) {
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
    struct ksigaction was = host;
    if (syscall(SYS_rt_sigaction, SIGINT, act, old, 8) != 0)
        return -errno;
    if (act)
        adopt();
    if (old && old->handler == (void *)on_sigint)
        *old = was;
    return 0;
}

int sigint_sigaction(const struct sigaction *act, struct sigaction *old)
{
    struct ksigaction was = host;
    if (sigaction(SIGINT, act, old) != 0)
        return -1;
    if (act)
        adopt();
    if (old && (void *)old->sa_handler == (void *)on_sigint) {   /* as glibc reports it */
        old->sa_handler = SIG_DFL;
        old->sa_flags = (int)was.flags;
        old->sa_restorer = (void (*)(void))was.restorer;
        memcpy(&old->sa_mask, &was.mask, sizeof was.mask);
    }
    return 0;
}

__sighandler_t sigint_signal(__sighandler_t handler)
{
    __sighandler_t o = signal(SIGINT, handler);
    if (o == SIG_ERR)
        return o;
    adopt();
    return (void *)o == (void *)on_sigint ? SIG_DFL : o;
}

void sigint_fork_child(void)
{
    struct ksigaction cur;
    if (active && kget(&cur) == 0 && cur.handler == (void *)on_sigint)
        syscall(SYS_rt_sigaction, SIGINT, &host, NULL, 8);
    active = 0;
}
