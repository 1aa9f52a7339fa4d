/* tmuxctl.c - publish the session id to tmux and read the pane's place (see tmuxctl.h). */
#include "tmuxctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TMUX_TIMEOUT_MS 3000

/* The pane's place, one field per line (tmux keeps names free of newlines). */
#define PLACE_FORMAT "#{session_name}\n#{window_index}\n#{window_name}\n#{pane_index}"

static void take_line(char **p, char *dst, size_t cap)
{
    char *nl = strchr(*p, '\n');
    size_t n = nl ? (size_t)(nl - *p) : strlen(*p);
    snprintf(dst, cap, "%.*s", (int)n, *p);
    *p += n + (nl ? 1 : 0);
}

/* The tmux binary, found once on the host's PATH: a later spawn needs no PATH search.
 * Allocated on first use (opencode only): a large .bss would cost every process an mmap. */
static char *tmux_path;
#define TMUX_PATH_MAX 4096

static const char *find_tmux(char **env)
{
    if (!tmux_path && !(tmux_path = calloc(1, TMUX_PATH_MAX)))
        return NULL;
    if (tmux_path[0])
        return tmux_path;
    const char *path = NULL;
    for (char **e = env; e && *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0)
            path = *e + 5;
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *end = strchrnul(path, ':');
        if (end > path && (size_t)(end - path) + 6 < TMUX_PATH_MAX) {
            snprintf(tmux_path, TMUX_PATH_MAX, "%.*s/tmux", (int)(end - path), path);
            if (access(tmux_path, X_OK) == 0)
                return tmux_path;
        }
        path = *end ? end + 1 : end;
    }
    tmux_path[0] = '\0';
    return NULL;
}

/* tmux's client sends its whole environment to the server; for set-option and
 * display-message only locale and home matter, and a small environment starts faster. */
static void small_env(char **env, char **out, size_t cap)
{
    static const char *keep[] = { "PATH=", "HOME=", "LANG=", "LC_ALL=", "LC_CTYPE=", "TMUX_TMPDIR=",
                                  "USER=", "LOGNAME=" };
    size_t o = 0;
    for (char **e = env; e && *e && o + 1 < cap; e++)
        for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
            if (strncmp(*e, keep[k], strlen(keep[k])) == 0) {
                out[o++] = *e;
                break;
            }
    out[o] = NULL;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tmuxctl_publish(const char *socket, const char *pane, const char *id, char **env,
                    struct tmux_info *info)
{
    char *argv[32];
    int a = 0;
    argv[a++] = "tmux";
    argv[a++] = "-S";
    argv[a++] = (char *)socket;
    if (id) {
        argv[a++] = "set-option"; argv[a++] = "-p"; argv[a++] = "-t"; argv[a++] = (char *)pane;
        argv[a++] = "@opencode_session"; argv[a++] = (char *)id; argv[a++] = ";";
        argv[a++] = "set-option"; argv[a++] = "-w"; argv[a++] = "-t"; argv[a++] = (char *)pane;
        argv[a++] = "@opencode_session"; argv[a++] = (char *)id; argv[a++] = ";";
    }
    argv[a++] = "display-message"; argv[a++] = "-p"; argv[a++] = "-t"; argv[a++] = (char *)pane;
    argv[a++] = PLACE_FORMAT;
    argv[a] = NULL;

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
    char *cenv[16];
    small_env(env, cenv, sizeof cenv / sizeof *cenv);
    const char *bin = find_tmux(env);
    int rc = bin ? posix_spawn(&pid, bin, &fa, &at, argv, cenv) : ENOENT;
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        return -1;
    }

    char out[2048];
    size_t len = 0;
    long long deadline = now_ms() + TMUX_TIMEOUT_MS;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        struct pollfd p = { .fd = pfd[0], .events = POLLIN };
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break;
        ssize_t r = read(pfd[0], out + len, sizeof out - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == sizeof out - 1)
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
            int pr = poll(&p, 1, (int)left);
            if (pr < 0 && errno == EINTR)
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
    /* w < 0 (ECHILD): the host reaped our child; judge by what tmux printed. */
    if (w == pid && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        return -1;
    if (len == 0)
        return -1;
    char *p = out;
    take_line(&p, info->session, sizeof info->session);
    take_line(&p, info->window, sizeof info->window);
    take_line(&p, info->window_name, sizeof info->window_name);
    take_line(&p, info->pane_index, sizeof info->pane_index);
    return 0;
}
