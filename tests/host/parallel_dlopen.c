/* parallel_dlopen.c - host: several threads dlopen, dlsym and dlclose libraries at the same time, each its own copy and one shared. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

#define THREADS 4
#define ROUNDS 100

static char shared[4096], copies[THREADS][4096];
static pthread_barrier_t go;
static int errors;

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    char buf[65536];
    ssize_t n;
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            rc = -1;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return rc;
}

static int use(const char *path, int flags)
{
    void *h = dlopen(path, flags);
    if (!h)
        return -100;
    int (*value)(void) = (int (*)(void))dlsym(h, "plugin_calls_value");
    int v = value ? value() : -200;
    dlclose(h);
    return v;
}

static void *worker(void *arg)
{
    long me = (long)arg;
    pthread_barrier_wait(&go);
    for (int r = 0; r < ROUNDS; r++) {
        int flags = r % 3 ? RTLD_LAZY : RTLD_NOW;
        int a = (r + me) % 2 ? use(shared, flags) : use(copies[me], flags);
        int b = (r + me) % 2 ? use(copies[me], flags) : use(shared, flags);
        if (a != 7 || b != 7)
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    beside_me(shared, sizeof shared, "plugin_calls.so");
    char dir[] = "/tmp/ocshim-hostpar.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    for (int i = 0; i < THREADS; i++) {
        snprintf(copies[i], sizeof copies[i], "%s/copy%d.so", dir, i);
        if (copy_file(shared, copies[i]) != 0)
            return 1;
    }
    printf("%d threads x %d rounds: dlopen/dlsym/dlclose, all at once\n", THREADS, ROUNDS);
    pthread_barrier_init(&go, NULL, THREADS);
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS; i++)
        unlink(copies[i]);
    rmdir(dir);
    printf("wrong values: %d\n", errors);
    return errors ? 1 : 0;
}
