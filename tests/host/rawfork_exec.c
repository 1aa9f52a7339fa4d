/* rawfork_exec.c - host: children made with raw fork/clone syscalls (no atfork handlers) call execve while another thread is inside a slow dlopen. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOST_SLOW_PLUGIN
#include "host.h"

#define STUCK_MS 2000           /* the dlopen lasts 300 ms; a child not gone by now is stuck */

extern char **environ;
static char self[4096];

/* In the raw child: only async-signal-safe work, execve first. */
static void exec_child(void)
{
    char *argv[] = { self, (char *)"--child", NULL };
    execve(self, argv, environ);
    syscall(SYS_exit_group, 127);
}

/* Exit statuses of the children, -1 for one stuck (then killed); waits for both at once. */
static void reap(const pid_t *pid, int *rc, int n)
{
    int st, left = n;
    for (int i = 0; i < n; i++)
        rc[i] = -1;
    for (int waited = 0; left && waited < STUCK_MS; waited += 5) {
        for (int i = 0; i < n; i++)
            if (pid[i] > 0 && rc[i] == -1 && waitpid(pid[i], &st, WNOHANG) == pid[i]) {
                rc[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                left--;
            }
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < n; i++)
        if (pid[i] > 0 && rc[i] == -1) {
            kill(pid[i], SIGKILL);
            waitpid(pid[i], &st, 0);
        }
}

static void report(const char *how, int rc)
{
    if (rc == -2)
        printf("%s: failed\n", how);
    else if (rc < 0)
        printf("%s child: stuck in execve (killed after %d ms)\n", how, STUCK_MS);
    else
        printf("%s child: exec'd, exit %d\n", how, rc);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return 3;
    setvbuf(stdout, NULL, _IOLBF, 0);
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    self[len > 0 ? len : 0] = '\0';
    printf("raw fork and raw clone while another thread is in a slow dlopen\n");
    pthread_t t;
    if (in_slow_dlopen(loader, &t) != 0)
        return 1;
    /* Both children are made while the loader's lock is held, and inherit it held. */
    pid_t pid[2];
    int rc[2];
    pid[0] = (pid_t)syscall(SYS_fork);
    if (pid[0] == 0)
        exec_child();
    pid[1] = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
    if (pid[1] == 0)
        exec_child();
    reap(pid, rc, 2);
    pthread_join(t, NULL);
    report("syscall(SYS_fork)", pid[0] > 0 ? rc[0] : -2);
    report("syscall(SYS_clone, SIGCHLD)", pid[1] > 0 ? rc[1] : -2);
    return rc[0] == 3 && rc[1] == 3 ? 0 : 1;
}
