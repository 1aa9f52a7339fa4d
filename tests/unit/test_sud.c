/* test_sud.c - the dispatch mechanism on its own (no opencode, no hooks): raw syscalls of this
 * program trap, are emulated with libc's observable results, and log writes are captured. */
#include "capture.h"
#include "rawsys.h"
#include "sigsafe.h"
#include "sud.h"
#include "usermem.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char logpath[256];
static unsigned char q[CAPTURE_QUEUE];

/* Drains the queue and returns the concatenated data of all chunks (NUL-terminated). */
static const char *drained(int *chunks)
{
    static char text[65536];
    size_t n = capture_drain(q, sizeof q), off = 0, o = 0;
    *chunks = 0;
    while (off < n) {
        struct capture_chunk h;
        memcpy(&h, q + off, sizeof h);
        off += sizeof h;
        memcpy(text + o, q + off, h.len);
        o += h.len;
        off += h.len;
        (*chunks)++;
    }
    text[o] = '\0';
    return text;
}

static void app_handler(int sig) { (void)sig; }

static void *thread_body(void *arg)
{
    int fd = *(int *)arg;
    sud_arm_thread();
    raw_syscall3(SYS_write, fd, "from thread\n", 12);
    return NULL;
}

static void *fork_body(void *arg)
{
    int fd = *(int *)arg;
    sud_arm_thread();
    long pid = raw_syscall0(SYS_fork);        /* cannot run in a handler: replayed natively */
    if (pid == 0)
        raw_syscall1(SYS_exit_group, 7);
    int st = 0;
    waitpid((pid_t)pid, &st, 0);
    *(int *)arg = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    raw_syscall3(SYS_write, fd, "after fork\n", 11);   /* this thread is no longer watched */
    return NULL;
}

int main(void)
{
    char base[] = "/tmp/ocshim-sud.XXXXXX";
    CHECK(mkdtemp(base) != NULL);
    snprintf(logpath, sizeof logpath, "%s/opencode", base);
    mkdir(logpath, 0700);
    snprintf(logpath, sizeof logpath, "%s/opencode/log", base);
    mkdir(logpath, 0700);
    snprintf(logpath, sizeof logpath, "%s/opencode/log/opencode.log", base);

    CHECK(capture_is_log_path(logpath));
    CHECK(!capture_is_log_path("/x/opencode/log/sub/a.log"));
    CHECK(!capture_is_log_path("/x/opencode/logs/a.log"));
    CHECK(!capture_is_log_path("/x/opencode/log/a.txt"));

    CHECK(capture_init() == 0);
    CHECK(sud_init() == 0);
    CHECK(sud_arm_thread() == 0);

    /* Raw syscalls now trap; results are the kernel's, errno is untouched. */
    errno = 1234;
    CHECK(raw_syscall0(SYS_getpid) == getpid());
    CHECK(raw_syscall1(SYS_close, -1) == -EBADF);
    CHECK(errno == 1234);
    struct sud_stats st;
    sud_get_stats(&st);
    CHECK(st.traps >= 2);

    long fd = raw_syscall4(SYS_openat, AT_FDCWD, logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    CHECK(fd >= 0);
    CHECK(capture_slot((int)fd) >= 0);
    long other = raw_syscall4(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY, 0);
    CHECK(other >= 0 && capture_slot((int)other) < 0);
    raw_syscall3(SYS_write, other, "not a log\n", 10);

    CHECK(raw_syscall3(SYS_write, fd, "message=loop session.id=ses_A\n", 30) == 30);
    struct iovec v[2] = { { "part one ", 9 }, { "part two\n", 9 } };
    CHECK(raw_syscall3(SYS_writev, fd, v, 2) == 18);
    int chunks;
    CHECK_STR(drained(&chunks), "message=loop session.id=ses_A\npart one part two\n");
    CHECK(chunks == 2);

    /* A log opened to rewrite it, not to append (opencode's in-place trim: O_RDWR, then pwrite of
     * the old tail at offset 0) is not this process's lines: not followed. */
    long trim = raw_syscall4(SYS_openat, AT_FDCWD, logpath, O_RDWR | O_CLOEXEC, 0);
    CHECK(trim >= 0 && capture_slot((int)trim) < 0);
    CHECK(raw_syscall4(SYS_pwrite64, trim, "message=loop session.id=ses_OLD\n", 32, 0) == 32);
    CHECK(raw_syscall1(SYS_close, trim) == 0);
    CHECK(strcmp(drained(&chunks), "") == 0 && chunks == 0);

    /* dup'ed log descriptors are followed; closed ones forgotten. */
    long fd2 = raw_syscall1(SYS_dup, fd);
    CHECK(fd2 >= 0 && capture_slot((int)fd2) >= 0);
    CHECK(raw_syscall1(SYS_close, fd2) == 0);
    CHECK(capture_slot((int)fd2) < 0);

    /* Masks: SIGSYS can never be blocked, other signals are, as asked. */
    uint64_t set = KSIG_BIT(SIGSYS) | KSIG_BIT(SIGUSR1), old = 0;
    CHECK(raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8) == 0);
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1) == 1);
    CHECK(sigismember(&now, SIGSYS) == 0);
    CHECK(raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &old, 8) == 0);
    CHECK((old & KSIG_BIT(SIGUSR1)) && !(old & KSIG_BIT(SIGSYS)));
    CHECK(raw_syscall4(SYS_rt_sigprocmask, 99, &set, NULL, 8) == -EINVAL);
    CHECK(raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4) == -EINVAL);
    uint64_t none = 0;
    raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);

    /* A handler installed for another signal with SIGSYS in its mask loses SIGSYS. */
    struct { void *h; unsigned long flags; void *restorer; uint64_t mask; } ka = { 0 }, ko = { 0 };
    ka.h = (void *)app_handler;
    ka.mask = ~0ULL;
    CHECK(raw_syscall4(SYS_rt_sigaction, SIGUSR2, &ka, NULL, 8) == 0);
    struct sigaction cur;
    sigaction(SIGUSR2, NULL, &cur);
    CHECK(sigismember(&cur.sa_mask, SIGSYS) == 0 && sigismember(&cur.sa_mask, SIGINT) == 1);
    /* The host's own SIGSYS handler is remembered, not installed. */
    CHECK(raw_syscall4(SYS_rt_sigaction, SIGSYS, &ka, &ko, 8) == 0);
    CHECK(ko.h == (void *)SIG_DFL);
    CHECK(raw_syscall4(SYS_rt_sigaction, SIGSYS, NULL, &ko, 8) == 0);
    CHECK(ko.h == (void *)app_handler);
    CHECK(raw_syscall0(SYS_getpid) == getpid());    /* still trapping, still alive */

    /* Bad pointers get the kernel's answer, -EFAULT, never a signal in the handler. */
    void *bad = (void *)8;
    uint64_t mask_before = 0, mask_after = 0;
    raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask_before, 8);
    CHECK(raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8) == -EFAULT);
    CHECK(raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, bad, 8) == -EFAULT);
    CHECK(raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 4) == -EINVAL);  /* size first */
    raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask_after, 8);
    CHECK(mask_before == mask_after);
    CHECK(raw_syscall4(SYS_rt_sigaction, SIGUSR2, bad, NULL, 8) == -EFAULT);
    CHECK(raw_syscall4(SYS_rt_sigaction, SIGUSR2, NULL, bad, 8) == -EFAULT);
    CHECK(raw_syscall4(SYS_rt_sigaction, SIGSYS, bad, NULL, 8) == -EFAULT);
    CHECK(raw_syscall4(SYS_rt_sigaction, SIGSYS, NULL, bad, 8) == -EFAULT);
    CHECK(raw_syscall4(SYS_rt_sigaction, SIGSYS, NULL, &ko, 8) == 0 && ko.h == (void *)app_handler);
    struct timespec zero = { 0, 0 };
    CHECK(raw_syscall6(SYS_ppoll, 0, 0, (long)&zero, (long)bad, 8, 0) == -EFAULT);
    CHECK(raw_syscall6(SYS_pselect6, 0, 0, 0, 0, (long)&zero, (long)bad) == -EFAULT);
    struct { void *ss; long len; } bad_ss = { bad, 8 };
    CHECK(raw_syscall6(SYS_pselect6, 0, 0, 0, 0, (long)&zero, (long)&bad_ss) == -EFAULT);
    CHECK(raw_syscall2(SYS_rt_sigsuspend, bad, 8) == -EFAULT);
    CHECK(raw_syscall4(SYS_signalfd4, -1, bad, 8, 0) == -EFAULT);
    long ep = raw_syscall1(SYS_epoll_create1, 0);
    struct epoll_event evs[1];
    CHECK(raw_syscall6(SYS_epoll_pwait, ep, (long)evs, 1, 0, (long)bad, 8) == -EFAULT);
    raw_syscall1(SYS_close, ep);
    CHECK(raw_syscall3(SYS_write, fd, bad, 4) == -EFAULT);
    CHECK(raw_syscall3(SYS_writev, fd, bad, 1) == -EFAULT);
    CHECK(raw_syscall4(SYS_openat, AT_FDCWD, bad, O_RDONLY, 0) == -EFAULT);
    CHECK_STR(drained(&chunks), "");
    CHECK(raw_syscall0(SYS_getpid) == getpid());    /* still trapping, still alive */

    /* Other threads, armed at start, are captured too. */
    pthread_t t;
    int tfd = (int)fd;
    pthread_create(&t, NULL, thread_body, &tfd);
    pthread_join(t, NULL);
    CHECK_STR(drained(&chunks), "from thread\n");

    /* fork from a handler is impossible: it is replayed natively and the thread disarmed. */
    int ffd = (int)fd;
    pthread_create(&t, NULL, fork_body, &ffd);
    pthread_join(t, NULL);
    CHECK(ffd == 7);
    CHECK_STR(drained(&chunks), "");
    sud_get_stats(&st);
    CHECK(st.passthrough == 1);

    /* The main thread still is watched. */
    raw_syscall3(SYS_write, fd, "main again\n", 11);
    CHECK_STR(drained(&chunks), "main again\n");

    /* A full queue loses bytes as a counted gap, never blocks or overruns. */
    static char big[CAPTURE_QUEUE];
    memset(big, 'z', sizeof big);
    raw_syscall3(SYS_write, fd, big, sizeof big);
    raw_syscall3(SYS_write, fd, "after\n", 6);
    size_t n = capture_drain(q, sizeof q);
    struct capture_chunk h;
    memcpy(&h, q, sizeof h);
    CHECK(n <= sizeof q);
    CHECK(h.len < sizeof big && h.gap == 0);
    raw_syscall3(SYS_write, fd, "next\n", 5);
    n = capture_drain(q, sizeof q);
    memcpy(&h, q, sizeof h);
    CHECK(n == sizeof h + 5 && h.gap > 0);

    /* Under a seccomp filter (here one that allows everything, as containers and systemd
     * units have) process_vm_readv is not risked, and a bad pointer is still -EFAULT. */
    pid_t fc = fork();
    if (fc == 0) {
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        struct sock_fprog prog = { 1, &allow };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
            _exit(2);
        usermem_init();
        sud_arm_thread();
        uint64_t good = KSIG_BIT(SIGUSR1), seen = 0;
        if (raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, (void *)8, NULL, 8) != -EFAULT)
            _exit(3);
        if (raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, &good, (void *)8, 8) != -EFAULT)
            _exit(4);
        if (raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &seen, 8) != 0 || !(seen & good))
            _exit(5);
        _exit(0);
    }
    int fst = -1;
    waitpid(fc, &fst, 0);
    CHECK(WIFEXITED(fst) && WEXITSTATUS(fst) == 0);

    /* A raw execve on an armed thread: the new program must not inherit SIGSYS blocked. */
    int pfd[2];
    CHECK(pipe(pfd) == 0);
    pid_t child = fork();
    if (child == 0) {
        dup2(pfd[1], 1);
        sud_arm_thread();
        char *av[] = { "/bin/grep", "^SigBlk", "/proc/self/status", NULL };
        char *ev[] = { NULL };
        raw_syscall3(SYS_execve, av[0], av, ev);
        _exit(99);
    }
    close(pfd[1]);
    char blk[128] = { 0 };
    ssize_t got = read(pfd[0], blk, sizeof blk - 1);
    close(pfd[0]);
    int cst = 0;
    waitpid(child, &cst, 0);
    CHECK(got > 0 && strstr(blk, "SigBlk:\t0000000000000000") != NULL);
    CHECK(WIFEXITED(cst) && WEXITSTATUS(cst) == 0);

    raw_syscall1(SYS_close, fd);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    CHECK(system(cmd) == 0);
    UNIT_END("test_sud");
}
