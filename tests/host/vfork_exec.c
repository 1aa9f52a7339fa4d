/* vfork_exec.c - host: vfork whose child execs while another thread is inside a slow (300 ms) dlopen; vfork must return promptly. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOST_SLOW_PLUGIN
#include "host.h"

#define PROMPT_MS 150           /* half the dlopen's 300 ms */

extern char **environ;
static char self[4096];

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return 3;
    setvbuf(stdout, NULL, _IOLBF, 0);
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    self[len > 0 ? len : 0] = '\0';
    printf("vfork + execve while another thread is in a slow dlopen\n");
    pthread_t t;
    if (in_slow_dlopen(loader, &t) != 0)
        return 1;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = vfork();
    if (pid == 0) {
        char *av[] = { self, (char *)"--child", NULL };
        execve(self, av, environ);
        syscall(SYS_exit_group, 127);
    }
    long ms = ms_since(&t0);
    int st = 0;
    waitpid(pid, &st, 0);
    pthread_join(t, NULL);
    fprintf(stderr, "vfork returned after %ld ms\n", ms);   /* for the test's log */
    printf("vfork returned %s\n", ms < PROMPT_MS ? "promptly" : "only after the dlopen");
    printf("vfork child: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return ms < PROMPT_MS && WIFEXITED(st) && WEXITSTATUS(st) == 3 ? 0 : 1;
}
