/* tmuxctl.c - publish the session id to tmux and read the pane's place (see tmuxctl.h). */
#include "tmuxctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
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
    int rc = posix_spawnp(&pid, "tmux", &fa, &at, argv, env);
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

    int status = 0;
    pid_t w;
    while ((w = waitpid(pid, &status, WNOHANG)) == 0 && now_ms() < deadline) {
        struct timespec ts = { 0, 2 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    if (w == 0) {                       /* tmux hangs: never let it hold us */
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return -1;
    }
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
