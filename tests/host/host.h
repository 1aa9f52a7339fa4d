/* host.h - what the host programs share: finding the plugins beside them, and the handshake
 * with plugin_slow.so, whose constructor calls back into the program (built -rdynamic). */
#ifndef OCSHIM_HOST_H
#define OCSHIM_HOST_H

#include <dlfcn.h>
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
#endif

#endif
