/* spawnread.c - run a helper program from the worker and read what it prints (see spawnread.h).
 * Runs in: worker thread.
 */
#include "spawnread.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next wait: what is left of the time, in slices when give_up is to be asked. */
static int slice(long long left, int (*give_up)(void))
{
    return give_up && left > 50 ? 50 : (int)left;
}

int spawn_read(const char *path, char *const argv[], char *const env[], char *out, size_t cap,
               int timeout_ms, int (*give_up)(void))
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETSID);
    pid_t pid;
    int rc = posix_spawn(&pid, path, &fa, &at, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        return -1;
    }

    size_t len = 0;
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        struct pollfd p = { .fd = pfd[0], .events = POLLIN };
        int pr = poll(&p, 1, slice(left, give_up));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0 && give_up && left > 50 && !give_up())
            continue;
        if (pr <= 0) {
            deadline = now_ms();        /* given up, or out of time: no wait below */
            break;
        }
        ssize_t r = read(pfd[0], out + len, cap - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == cap - 1)
            break;
    }
    close(pfd[0]);
    out[len] = '\0';

    /* Wait for the exit without polling: a pidfd becomes readable when the child ends, and
     * signals sent through it can never reach a recycled pid. */
    int status = 0;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == 0 && pidfd >= 0) {
        for (;;) {
            long long left = deadline - now_ms();
            if (left <= 0)
                break;
            struct pollfd p = { .fd = pidfd, .events = POLLIN };
            int pr = poll(&p, 1, slice(left, give_up));
            if (pr < 0 && errno == EINTR)
                continue;
            if (pr == 0 && give_up && left > 50 && !give_up())
                continue;
            break;
        }
        w = waitpid(pid, &status, WNOHANG);
    }
    if (w == 0) {                       /* tmux hangs: never let it hold us */
        if (pidfd >= 0)
            syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        else
            kill(pid, SIGKILL);         /* no pidfd (descriptors exhausted): still ours, unreaped */
        waitpid(pid, &status, 0);
        if (pidfd >= 0)
            close(pidfd);
        return -1;
    }
    if (pidfd >= 0)
        close(pidfd);
    /* w < 0 (ECHILD): the host reaped our child; judge by what it printed. */
    if (w == pid && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        return -1;
    return len ? (int)len : -1;
}

int spawn_find(char *const env[], const char *name, char *out, size_t cap)
{
    const char *path = NULL;
    for (char *const *e = env; e && *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0)
            path = *e + 5;
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *end = strchrnul(path, ':');
        int n = snprintf(out, cap, "%.*s/%s", (int)(end - path), path, name);
        if (end > path && n > 0 && (size_t)n < cap && access(out, X_OK) == 0)
            return 0;
        path = *end ? end + 1 : end;
    }
    out[0] = '\0';
    return -1;
}
