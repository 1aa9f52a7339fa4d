/* test_sigint.c - the SIGINT stand-in on its own (no opencode, no hooks): every query answers
 * what the host set, a death by SIGINT stays a death by SIGINT, and the worker hears of it
 * first. Each case runs in a child process of its own: they change process-wide signal state. */
#include "capture.h"
#include "sigint.h"
#include "unit.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t hits;
static void host_handler(int sig) { (void)sig; hits++; }

static void *kernel_handler(void)
{
    struct ksigaction k;
    return syscall(SYS_rt_sigaction, SIGINT, NULL, &k, 8) == 0 ? k.handler : (void *)-1;
}

/* Runs fn in a child; returns its wait status. The child's CHECK failures are its exit code. */
static int in_child(int (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn());
    int st = -1;
    waitpid(pid, &st, 0);
    return st;
}

static int queries(void)
{
    sigint_init();
    CHECK(sigint_active());
    void *ours = kernel_handler();
    CHECK(ours != SIG_DFL && ours != SIG_IGN);
    struct sigaction o, a;
    CHECK(sigint_sigaction(NULL, &o) == 0 && o.sa_handler == SIG_DFL);

    /* the host's own handler goes to the kernel as it is, and runs */
    memset(&a, 0, sizeof a);
    a.sa_handler = host_handler;
    a.sa_flags = SA_RESTART;
    CHECK(sigint_sigaction(&a, &o) == 0 && o.sa_handler == SIG_DFL);
    CHECK(kernel_handler() == (void *)host_handler);
    raise(SIGINT);
    CHECK(hits == 1);

    /* back to the default: ours holds the place; the host reads back what it set */
    memset(&a, 0, sizeof a);
    a.sa_handler = SIG_DFL;
    a.sa_flags = SA_NODEFER;
    sigaddset(&a.sa_mask, SIGUSR1);
    CHECK(sigint_sigaction(&a, &o) == 0 && o.sa_handler == host_handler && (o.sa_flags & SA_RESTART));
    CHECK(kernel_handler() == ours);
    CHECK(sigint_sigaction(NULL, &o) == 0 && o.sa_handler == SIG_DFL && (o.sa_flags & SA_NODEFER) &&
          sigismember(&o.sa_mask, SIGUSR1) == 1);

    /* ignored: the kernel ignores it, and so it survives */
    memset(&a, 0, sizeof a);
    a.sa_handler = SIG_IGN;
    CHECK(sigint_sigaction(&a, &o) == 0 && o.sa_handler == SIG_DFL);
    CHECK(kernel_handler() == SIG_IGN);
    raise(SIGINT);
    CHECK(hits == 1);

    /* the raw path (a host's own rt_sigaction, trapped): same rule in the kernel's terms */
    struct ksigaction k = { .handler = SIG_DFL }, ko;
    CHECK(sigint_rt_sigaction(&k, &ko) == 0 && ko.handler == SIG_IGN);
    CHECK(kernel_handler() == ours);
    CHECK(sigint_rt_sigaction(NULL, &ko) == 0 && ko.handler == SIG_DFL);
    CHECK(sigint_rt_sigaction(NULL, NULL) == 0);
    return unit_fail;
}

/* The worker's part: wait for the exit hand-off, report it on a pipe, let the exit go on. */
static int report_fd;
static void *worker(void *arg)
{
    uint64_t v;
    if (read(capture_eventfd(), &v, sizeof v) == sizeof v) {
        const char *how;
        int code, hangup;
        char line[64];
        if (capture_exit_pending(&how, &code, &hangup)) {
            int n = snprintf(line, sizeof line, "%s %d", how, code);
            (void)!write(report_fd, line, (size_t)n);
            capture_exit_done();
        }
    }
    return NULL;
}

static int dies_by_sigint(void)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);       /* the worker takes no signal */
    pthread_t t;
    if (capture_init() != 0 || pthread_create(&t, NULL, worker, NULL) != 0)
        return 100;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    sigint_init();
    raise(SIGINT);
    return 101;                                     /* not reached: SIGINT ends the process */
}

static int fork_child_gets_default(void)
{
    sigint_init();
    pid_t pid = fork();
    if (pid == 0) {
        sigint_fork_child();
        _exit(kernel_handler() == SIG_DFL && !sigint_active() ? 0 : 1);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

static int ignored_at_start(void)
{
    signal(SIGINT, SIG_IGN);                        /* e.g. started by nohup: nothing to do */
    sigint_init();
    return !sigint_active() && kernel_handler() == SIG_IGN ? 0 : 1;
}

int main(void)
{
    int st = in_child(queries);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    int p[2];
    CHECK(pipe(p) == 0);
    report_fd = p[1];
    st = in_child(dies_by_sigint);
    close(p[1]);
    char got[64] = "";
    ssize_t n = read(p[0], got, sizeof got - 1);
    got[n > 0 ? n : 0] = '\0';
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT);   /* the parent sees what it would have */
    CHECK_STR(got, "sigint 130");                       /* and the worker heard first */

    st = in_child(fork_child_gets_default);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = in_child(ignored_at_start);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    UNIT_END("test_sigint");
}
