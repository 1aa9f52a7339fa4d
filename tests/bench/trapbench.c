/* trapbench.c - what the dispatch mechanism costs per syscall it traps: a raw getppid() timed
 * natively, then on a thread armed the way the shim arms opencode's threads (SIGSYS, handler,
 * emulation, sigreturn). Links the shim core without hooks, like the unit tests.
 * usage: trapbench [N]   prints: native NS ns, trapped NS ns, extra NS ns per syscall */
#include "capture.h"
#include "rawsys.h"
#include "sud.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>

static double ns_per_call(long n)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++)
        raw_syscall0(SYS_getppid);
    clock_gettime(CLOCK_MONOTONIC, &b);
    return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)n;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    enum { ROUNDS = 7 };
    double native[ROUNDS], trapped[ROUNDS];
    for (int r = 0; r < ROUNDS; r++)
        native[r] = ns_per_call(n);
    if (capture_init() != 0 || sud_init() != 0 || sud_arm_thread() != 0) {
        fprintf(stderr, "trapbench: Syscall User Dispatch is not available here\n");
        return 1;
    }
    for (int r = 0; r < ROUNDS; r++)
        trapped[r] = ns_per_call(n);
    qsort(native, ROUNDS, sizeof *native, cmp);
    qsort(trapped, ROUNDS, sizeof *trapped, cmp);
    printf("native %.0f ns, trapped %.0f ns, extra %.0f ns per syscall (medians of %d x %ld)\n",
           native[ROUNDS / 2], trapped[ROUNDS / 2], trapped[ROUNDS / 2] - native[ROUNDS / 2], ROUNDS, n);
    return 0;
}
