/* host.h - what the host programs share: finding the plugins beside them, and the handshake
 * with plugin_slow.so, whose constructor calls back into the program (built -rdynamic). */
#ifndef OCSHIM_HOST_H
#define OCSHIM_HOST_H

#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* buf = the path of NAME in this program's directory. */
static inline void beside_me(char *buf, size_t n, const char *name)
{
    ssize_t len = readlink("/proc/self/exe", buf, n - 1);
    buf[len > 0 ? len : 0] = '\0';
    char *slash = strrchr(buf, '/');
    snprintf(slash ? slash + 1 : buf, n - (size_t)(slash ? slash + 1 - buf : 0), "%s", name);
}

#ifdef HOST_SLOW_PLUGIN
/* The slow plugin's path, and a semaphore posted once its constructor runs inside dlopen. */
static char plugin[4096];
static sem_t entered;

void host_slow_ctor_entered(void)
{
    sem_post(&entered);
}

/* A thread body: dlopen the slow plugin (300 ms in its constructor). */
static __attribute__((unused)) void *loader(void *arg)
{
    (void)arg;
    if (!dlopen(plugin, RTLD_NOW))
        printf("dlopen failed: %s\n", dlerror());
    return NULL;
}

/* Starts body (loader, or one like it) on a thread and returns once that thread is inside
 * the slow plugin's constructor, the loader's lock held. 0, or -1. */
static int in_slow_dlopen(void *(*body)(void *), pthread_t *t)
{
    beside_me(plugin, sizeof plugin, "plugin_slow.so");
    sem_init(&entered, 0, 0);
    if (pthread_create(t, NULL, body, NULL) != 0)
        return -1;
    while (sem_wait(&entered) != 0)
        ;
    return 0;
}
#endif

#endif
