/* execbench.c - per-exec cost of a preloaded library: spawns a command many times under each
 * of several LD_PRELOAD settings, interleaved in rounds, and prints the median microseconds
 * per exec of each setting and its ratio to the first.
 *
 * usage: execbench ROUNDS EXECS_PER_ROUND PRELOAD1 [PRELOAD2 ...] -- CMD [ARGS...]
 *        a PRELOAD of "-" means no LD_PRELOAD at all. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: execbench ROUNDS EXECS PRELOAD... -- CMD [ARGS...]\n");
        return 2;
    }
    int rounds = atoi(argv[1]), execs = atoi(argv[2]);
    int np = 0, cmd = 0;
    for (int i = 3; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            cmd = i + 1;
            break;
        } else {
            np++;
        }
    if (!cmd || cmd >= argc || np == 0 || rounds < 1 || execs < 1) {
        fprintf(stderr, "execbench: bad arguments\n");
        return 2;
    }
    /* One environment per setting: the caller's, without LD_PRELOAD, plus the setting. */
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char ***envs = calloc((size_t)np, sizeof *envs);
    for (int p = 0; p < np; p++) {
        envs[p] = calloc(ne + 2, sizeof **envs);
        size_t o = 0;
        for (size_t i = 0; i < ne; i++)
            if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
                envs[p][o++] = environ[i];
        if (strcmp(argv[3 + p], "-") != 0) {
            char *v = malloc(strlen(argv[3 + p]) + 12);
            sprintf(v, "LD_PRELOAD=%s", argv[3 + p]);
            envs[p][o++] = v;
        }
    }
    double *per = calloc((size_t)(np * rounds), sizeof *per);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
    for (int r = 0; r < rounds; r++)
        for (int p = 0; p < np; p++) {
            double t0 = now_us();
            for (int i = 0; i < execs; i++) {
                pid_t pid;
                int st;
                if (posix_spawn(&pid, argv[cmd], &fa, NULL, argv + cmd, envs[p]) != 0) {
                    perror("posix_spawn");
                    return 1;
                }
                waitpid(pid, &st, 0);
            }
            per[p * rounds + r] = (now_us() - t0) / execs;
        }
    double base = 0;
    for (int p = 0; p < np; p++) {
        qsort(per + p * rounds, (size_t)rounds, sizeof *per, cmp);
        double med = per[p * rounds + rounds / 2];
        if (p == 0)
            base = med;
        printf("%-40s median %8.1f us/exec  ratio %.3f\n", argv[3 + p], med, med / base);
    }
    return 0;
}
