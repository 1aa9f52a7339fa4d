/* sud.c - Syscall User Dispatch: arming threads and the SIGSYS handler (see sud.h).
 * Runs in: SIGSYS handler, host threads, worker thread, load time.
 *   SIGSYS handler: on_sigsys and all it calls (emulate, emu_*, strip_kmask, note_*,
 *     foreign_sigsys, sud_app_sigaction);
 *   host threads: sud_arm_thread (each new thread, from the pthread_create hook's
 *     trampoline), sud_app_sigaction (the sigaction and signal hooks, in opencode itself);
 *   worker thread: sud_get_stats; load time: sud_init, sud_arm_thread (main thread), sud_undo.
 * Restricted contexts: no allocation, no locks a signal could leave held, no loader calls.
 *
 * The handler emulates every trapped syscall with the thread's selector at ALLOW, so its own
 * `syscall` instruction passes, and puts the raw result (-errno on failure) in RAX. Special
 * cases keep the host's observable behaviour:
 *  - signal masks (rt_sigprocmask, rt_sigaction, ppoll, pselect6, epoll_pwait*, rt_sigsuspend,
 *    signalfd*) never gain SIGSYS; rt_sigprocmask acts on the saved context's mask, which the
 *    kernel restores at sigreturn;
 *  - SIGSYS dispositions the host asks for are remembered, not installed;
 *  - syscalls that cannot run inside a handler (clone, fork, vfork, rt_sigreturn, and execve,
 *    whose new program would inherit the handler's mask with SIGSYS blocked) are replayed
 *    natively: RIP steps back over the `syscall` instruction and this thread stays at ALLOW,
 *    disarmed for good; the shim then simply sees less;
 *  - exit_group lets the worker write the final record first. */
#include "platform.h"
#include "sud.h"

#include "capture.h"
#include "rawsys.h"
#include "sigint.h"
#include "sigsafe.h"
#include "usermem.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#endif
#ifndef SYSCALL_DISPATCH_FILTER_ALLOW
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif

/* Per thread: the selector the kernel reads, and whether this thread was disarmed. */
static __thread volatile char selector = SYSCALL_DISPATCH_FILTER_ALLOW;
static __thread char disarmed;

static uintptr_t libc_start, libc_len;

static atomic_ulong n_traps, n_passthrough, n_foreign;

/* The host's SIGSYS disposition (default until it asks for another). */
static struct sigaction app_sigsys;
static atomic_flag app_lock = ATOMIC_FLAG_INIT;

static int find_libc(struct dl_phdr_info *info, size_t size, void *data)
{
    const char *name = info->dlpi_name;
    if (!name || !strstr(name, "/libc.so"))
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            libc_start = info->dlpi_addr + ph->p_vaddr;
            libc_len = ph->p_memsz;
            return 1;
        }
    }
    return 0;
}

/* ---- emulation helpers: all run with selector == ALLOW ---- */

static long emu_sigprocmask(ucontext_t *uc, long how, const uint64_t *set, uint64_t *oldset,
                            long size)
{
    /* In the kernel's order: size, then reading the new set, then how, then the old set. */
    if (size != 8)
        return -EINVAL;
    uint64_t cur;
    memcpy(&cur, &uc->uc_sigmask, 8);
    uint64_t next = cur;
    if (set) {
        uint64_t s;
        if (usermem_read(&s, set, sizeof s) != 0)
            return -EFAULT;
        switch (how) {
        case SIG_BLOCK: next = cur | s; break;
        case SIG_UNBLOCK: next = cur & ~s; break;
        case SIG_SETMASK: next = s; break;
        default: return -EINVAL;
        }
    }
    next &= ~(KSIG_BIT(SIGSYS) | KSIG_BIT(SIGKILL) | KSIG_BIT(SIGSTOP));
    memcpy(&uc->uc_sigmask, &next, 8);
    return oldset && usermem_write(oldset, &cur, sizeof cur) != 0 ? -EFAULT : 0;
}

static long emu_sigaction(long sig, const struct ksigaction *act, struct ksigaction *oact,
                          long size)
{
    if (size != 8)
        return -EINVAL;
    struct ksigaction mine;
    if (act) {
        if (usermem_read(&mine, act, sizeof mine) != 0)
            return -EFAULT;
        act = &mine;
    }
    if (sig == SIGSYS) {
        /* Keep ours; remember theirs (as the kernel would report it back). */
        struct sigaction a, o;
        memset(&a, 0, sizeof a);
        if (act) {
            a.sa_handler = (void (*)(int))act->handler;
            a.sa_flags = (int)act->flags;
            memcpy(&a.sa_mask, &act->mask, 8);
        }
        sud_app_sigaction(act ? &a : NULL, &o);
        if (oact) {
            struct ksigaction k;
            memset(&k, 0, sizeof k);
            k.handler = (void *)o.sa_handler;
            k.flags = (unsigned long)o.sa_flags;
            memcpy(&k.mask, &o.sa_mask, 8);
            if (usermem_write(oact, &k, sizeof k) != 0)
                return -EFAULT;
        }
        return 0;
    }
    if (act)
        mine.mask &= ~KSIG_BIT(SIGSYS);
    if (sig == SIGINT && sigint_active())
        return sigint_rt_sigaction(act, oact);  /* SIG_DFL: ours holds the place */
    return raw_syscall4(SYS_rt_sigaction, sig, act, oact, size);
}

/* A copy of *mask without SIGSYS in *tmp; 0, or -EFAULT. *out is NULL when mask is. */
static long strip_kmask(const uint64_t *mask, uint64_t *tmp, const uint64_t **out)
{
    *out = NULL;
    if (!mask)
        return 0;
    if (usermem_read(tmp, mask, sizeof *tmp) != 0)
        return -EFAULT;
    *tmp &= ~KSIG_BIT(SIGSYS);
    *out = tmp;
    return 0;
}

/* opencode appends its log lines (O_APPEND, both formats). A log opened otherwise is being
 * rewritten, not appended to: opencode's in-place trim (upstream #47676, an "r+" handle) copies
 * the shared log's old tail, every process's lines, to its head, which must never be read as
 * this process's own writes. */
static void note_open(long ret, const char *path, long flags)
{
    if (ret >= 0 && (flags & O_APPEND) && (flags & O_ACCMODE) != O_RDONLY && capture_is_log_path(path))
        capture_track((int)ret);
}

static void note_write(long ret, long fd, const void *buf)
{
    int slot;
    if (ret > 0 && (slot = capture_slot((int)fd)) >= 0)
        capture_write(slot, buf, (size_t)ret);
}

static void note_writev(long ret, long fd, const struct iovec *iov, long cnt)
{
    int slot;
    if (ret > 0 && (slot = capture_slot((int)fd)) >= 0)
        capture_writev(slot, iov, (int)cnt, (size_t)ret);
}

static long emulate(ucontext_t *uc, long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
    uint64_t tmp;
    const uint64_t *mask;
    long r;
    switch (nr) {
    case SYS_rt_sigprocmask:
        return emu_sigprocmask(uc, a1, (const uint64_t *)a2, (uint64_t *)a3, a4);
    case SYS_rt_sigaction:
        return emu_sigaction(a1, (const struct ksigaction *)a2, (struct ksigaction *)a3, a4);
    case SYS_rt_sigsuspend:
        if (strip_kmask((const uint64_t *)a1, &tmp, &mask) != 0)
            return -EFAULT;
        return raw_syscall2(nr, mask, a2);
    case SYS_ppoll:
        if (strip_kmask((const uint64_t *)a4, &tmp, &mask) != 0)
            return -EFAULT;
        return raw_syscall6(nr, a1, a2, a3, (long)mask, a5, a6);
    case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
    case SYS_epoll_pwait2:
#endif
        if (strip_kmask((const uint64_t *)a5, &tmp, &mask) != 0)
            return -EFAULT;
        return raw_syscall6(nr, a1, a2, a3, a4, (long)mask, a6);
    case SYS_signalfd:
    case SYS_signalfd4:
        if (strip_kmask((const uint64_t *)a2, &tmp, &mask) != 0)
            return -EFAULT;
        return raw_syscall6(nr, a1, (long)mask, a3, a4, a5, a6);
    case SYS_pselect6:
        if (a6) {
            struct { const uint64_t *ss; long len; } copy;
            if (usermem_read(&copy, (const void *)a6, sizeof copy) != 0 ||
                strip_kmask(copy.ss, &tmp, &copy.ss) != 0)
                return -EFAULT;
            return raw_syscall6(nr, a1, a2, a3, a4, a5, (long)&copy);
        }
        return raw_syscall6(nr, a1, a2, a3, a4, a5, a6);
    case SYS_open:
        r = raw_syscall3(nr, a1, a2, a3);
        note_open(r, (const char *)a1, a2);
        return r;
    case SYS_creat:
        r = raw_syscall2(nr, a1, a2);
        note_open(r, (const char *)a1, O_WRONLY);
        return r;
    case SYS_openat:
        r = raw_syscall4(nr, a1, a2, a3, a4);
        note_open(r, (const char *)a2, a3);
        return r;
    case SYS_close:
        capture_untrack((int)a1);   /* Linux frees the descriptor even when close fails */
        return raw_syscall1(nr, a1);
    case SYS_dup:
        r = raw_syscall1(nr, a1);
        if (r >= 0)
            capture_dup((int)a1, (int)r);
        return r;
    case SYS_dup2:
    case SYS_dup3:
        r = raw_syscall3(nr, a1, a2, a3);
        if (r >= 0)
            capture_dup((int)a1, (int)r);
        return r;
    case SYS_fcntl:
        r = raw_syscall3(nr, a1, a2, a3);
        if (r >= 0 && (a2 == F_DUPFD || a2 == F_DUPFD_CLOEXEC))
            capture_dup((int)a1, (int)r);
        return r;
    case SYS_write:
    case SYS_pwrite64:
        r = raw_syscall6(nr, a1, a2, a3, a4, a5, a6);
        note_write(r, a1, (const void *)a2);
        return r;
    case SYS_writev:
    case SYS_pwritev:
    case SYS_pwritev2:
        r = raw_syscall6(nr, a1, a2, a3, a4, a5, a6);
        note_writev(r, a1, (const struct iovec *)a2, a3);
        return r;
    case SYS_exit_group:
        capture_exit("exit_group", (int)a1);
        return raw_syscall1(nr, a1);
    default:
        return raw_syscall6(nr, a1, a2, a3, a4, a5, a6);
    }
}

static int must_replay(long nr)
{
    switch (nr) {
    case SYS_clone:
#ifdef SYS_clone3
    case SYS_clone3:
#endif
    case SYS_fork:
    case SYS_vfork:
    case SYS_rt_sigreturn:
    case SYS_execve:        /* run in the handler, the new program would start with SIGSYS */
    case SYS_execveat:      /* blocked (the handler's mask survives exec) */
        return 1;
    default:
        return 0;
    }
}

static void foreign_sigsys(int sig, siginfo_t *si, void *ctx)
{
    /* A SIGSYS that is not ours (seccomp, kill): give it the host's disposition. */
    struct sigaction a;
    sud_app_sigaction(NULL, &a);
    if (a.sa_handler == SIG_IGN)
        return;
    if (a.sa_handler == SIG_DFL) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGSYS, &dfl, NULL);
        syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGSYS);   /* pending until we return */
        return;
    }
    if (a.sa_flags & SA_SIGINFO)
        a.sa_sigaction(sig, si, ctx);
    else
        a.sa_handler(sig);
}

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    if (si->si_code != SYS_USER_DISPATCH) {
        char was = selector;
        selector = SYSCALL_DISPATCH_FILTER_ALLOW;
        atomic_fetch_add_explicit(&n_foreign, 1, memory_order_relaxed);
        foreign_sigsys(sig, si, ctx);
        selector = was;
        return;
    }
    selector = SYSCALL_DISPATCH_FILTER_ALLOW;
    int saved_errno = errno;
    greg_t *g = uc->uc_mcontext.gregs;
    long nr = si->si_syscall;
    atomic_fetch_add_explicit(&n_traps, 1, memory_order_relaxed);
    if (must_replay(nr)) {
        /* Run it natively: step back over `syscall` (2 bytes), RAX still holds nr. */
        g[REG_RIP] -= 2;
        g[REG_RAX] = nr;
        disarmed = 1;
        atomic_fetch_add_explicit(&n_passthrough, 1, memory_order_relaxed);
        errno = saved_errno;
        return;   /* selector stays ALLOW: this thread is no longer watched */
    }
    g[REG_RAX] = emulate(uc, nr, g[REG_RDI], g[REG_RSI], g[REG_RDX], g[REG_R10], g[REG_R8],
                         g[REG_R9]);
    errno = saved_errno;
    if (!disarmed)
        selector = SYSCALL_DISPATCH_FILTER_BLOCK;
}

int sud_app_sigaction(const struct sigaction *act, struct sigaction *old)
{
    /* With every signal blocked (glibc's syscall(): inside libc, it never traps): a signal
     * whose handler came here again on this thread would spin on the lock forever. Nothing
     * in between makes a syscall, so a blocked SIGSYS cannot be raised. */
    struct sigaction copy;
    if (act)
        copy = *act;            /* the host's memory is read before anything is blocked */
    uint64_t all = ~0ULL, was;
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, &was, 8);
    while (atomic_flag_test_and_set_explicit(&app_lock, memory_order_acquire))
        ;
    struct sigaction prev = app_sigsys;
    if (act)
        app_sigsys = copy;
    atomic_flag_clear_explicit(&app_lock, memory_order_release);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &was, NULL, 8);
    if (old)
        *old = prev;
    return 0;
}

int sud_init(void)
{
    dl_iterate_phdr(find_libc, NULL);
    if (!libc_len)
        return -1;
    /* An unexpected signal setup: SIGSYS already handled or ignored, or blocked. */
    struct sigaction cur;
    sigset_t mask;
    if (sigaction(SIGSYS, NULL, &cur) != 0 || cur.sa_handler != SIG_DFL)
        return -1;
    if (pthread_sigmask(SIG_BLOCK, NULL, &mask) != 0 || sigismember(&mask, SIGSYS))
        return -1;
    /* Does the kernel offer dispatch, and does seccomp let us use it? Try it off. */
    if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0) != 0)
        return -1;
    usermem_init();
    app_sigsys = cur;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;   /* no SA_NODEFER, no SA_ONSTACK; other signals stay open */
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGSYS, &sa, NULL);
}

int sud_arm_thread(void)
{
    selector = SYSCALL_DISPATCH_FILTER_ALLOW;
    if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, libc_start, libc_len,
              &selector) != 0)
        return -1;
    selector = SYSCALL_DISPATCH_FILTER_BLOCK;
    return 0;
}

void sud_undo(void)
{
    prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
    struct sigaction host;
    sud_app_sigaction(NULL, &host);
    sigaction(SIGSYS, &host, NULL);
}

void sud_get_stats(struct sud_stats *s)
{
    s->traps = atomic_load(&n_traps);
    s->passthrough = atomic_load(&n_passthrough);
    s->foreign = atomic_load(&n_foreign);
}
