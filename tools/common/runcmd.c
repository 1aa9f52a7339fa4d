/* runcmd.c - posix_spawnp with captured stdout/stderr (see runcmd.h). */
#include "runcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int run_argv(const char *const argv[], struct strbuf *out, struct strbuf *err, int timeout_ms)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);   /* not modified */
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        if (err)
            sb_printf(err, "cannot run %s: %s", argv[0], strerror(rc));
        return -1;
    }
    struct pollfd pf[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
    int open_fds = 2, late = 0;
    long long deadline = now_ms() + timeout_ms;
    char buf[8192];
    while (open_fds > 0) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            late = 1;
            break;
        }
        int pr = poll(pf, 2, (int)left);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(pf[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
                continue;
            }
            struct strbuf *dst = i == 0 ? out : err;
            if (dst)
                sb_addn(dst, buf, (size_t)n);
        }
    }
    for (int i = 0; i < 2; i++)
        if (pf[i].fd >= 0)
            close(pf[i].fd);
    int st;
    /* The program closed its output but may still linger: it gets what is left of its time. */
    while (!late) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= deadline)
            late = 1;
        else if (w == 0)
            poll(NULL, 0, 10);
    }
    if (late) {                 /* it does not answer (a stopped tmux server): never hang */
        kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (err) {
            sb_reset(err);
            sb_printf(err, "%s did not answer within %d s", argv[0], (timeout_ms + 999) / 1000);
        }
        return RUN_TIMEOUT;
    }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

char *run_which(const char *prog)
{
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    struct strbuf b;
    sb_init(&b);
    while (*path) {
        const char *c = strchr(path, ':');
        size_t n = c ? (size_t)(c - path) : strlen(path);
        sb_reset(&b);
        if (n == 0)
            sb_add(&b, ".");
        else
            sb_addn(&b, path, n);
        sb_printf(&b, "/%s", prog);
        struct stat st;
        if (stat(b.s, &st) == 0 && S_ISREG(st.st_mode) && access(b.s, X_OK) == 0)
            return sb_take(&b);
        path += n + (c ? 1 : 0);
    }
    sb_free(&b);
    return NULL;
}
