/* sigterm_dlopen_loop.c - host: prints in a loop while another thread dlopens and dlcloses a printing plugin over and over; SIGTERM's handler calls _exit(42). Runs 20 such children and SIGTERMs each. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host.h"

#define TRIALS 20
#define HANG_MS 1500            /* a child still there this long after SIGTERM is stuck */

extern char **environ;
static char plugin[4096];

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- the child: the program under test ---- */

static void on_term(int sig)
{
    (void)sig;
    _exit(42);
}

static void *churn(void *arg)
{
    (void)arg;
    for (int round = 0;; round++) {
        void *h = dlopen(plugin, RTLD_NOW);
        if (!h) {
            fprintf(stderr, "dlopen failed: %s\n", dlerror());
            return NULL;
        }
        if (round == 1) {                    /* running: tell the parent (fd 3) */
            ssize_t w = write(3, "r", 1);
            (void)w;
            close(3);
        }
        dlclose(h);
    }
}

static int child(void)
{
    beside_me(plugin, sizeof plugin, "plugin_print.so");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    pthread_t t;
    if (pthread_create(&t, NULL, churn, NULL) != 0)
        return 1;
    for (unsigned long i = 0;; i++)
        printf("main loop, line %lu\n", i);
}

/* ---- the parent: starts children, SIGTERMs each at a different moment ---- */

/* 1: exited with 42; 0: something else (printed); -1: stuck (killed). */
static int trial(const char *self, int i)
{
    int p[2];
    if (pipe(p) != 0)
        return 0;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(p[1], 3);
        char *argv[] = { (char *)self, (char *)"--child", NULL };
        execve(self, argv, environ);
        _exit(127);
    }
    close(p[1]);
    struct pollfd pf = { p[0], POLLIN, 0 };
    char c;
    if (poll(&pf, 1, 5000) != 1 || read(p[0], &c, 1) != 1)
        printf("trial %d: the child never said it was running\n", i);
    close(p[0]);
    sleep_ms(10 + (i * 37) % 90);
    kill(pid, SIGTERM);
    int st = 0;
    for (int waited = 0; waited < HANG_MS; waited += 5) {
        if (waitpid(pid, &st, WNOHANG) == pid) {
            if (WIFEXITED(st) && WEXITSTATUS(st) == 42)
                return 1;
            if (WIFEXITED(st))
                printf("trial %d: child exited %d\n", i, WEXITSTATUS(st));
            else
                printf("trial %d: child killed by signal %d\n", i, WTERMSIG(st));
            return 0;
        }
        sleep_ms(5);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("trial %d: child stuck after SIGTERM (killed after %d ms)\n", i, HANG_MS);
    return -1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return child();
    setvbuf(stdout, NULL, _IOLBF, 0);
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    self[len > 0 ? len : 0] = '\0';
    printf("%d children: print loop + dlopen/dlclose loop, then SIGTERM (handler: _exit(42))\n", TRIALS);
    int good = 0;
    for (int i = 0; i < TRIALS; i++) {
        int r = trial(self, i);
        if (r < 0)
            break;                      /* one stuck child is enough: stop early */
        good += r;
    }
    printf("%d of %d children left through _exit(42)\n", good, TRIALS);
    return good == TRIALS ? 0 : 1;
}
