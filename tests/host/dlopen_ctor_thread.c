/* dlopen_ctor_thread.c - host: dlopens a library whose constructor starts a thread and joins it; that thread's first libc call is pthread_sigmask. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

/* NAME, in the directory of this program. */
int main(void)
{
    char path[4096];
    setvbuf(stdout, NULL, _IOLBF, 0);
    beside_me(path, sizeof path, "plugin_ctor_thread.so");
    printf("dlopen a library whose constructor joins a thread\n");
    void *h = dlopen(path, RTLD_NOW);
    if (!h) {
        printf("dlopen failed: %s\n", dlerror());
        return 1;
    }
    int (*result)(void) = (int (*)(void))dlsym(h, "plugin_ctor_thread_result");
    printf("the constructor's thread saw: %d\n", result ? result() : -1);
    dlclose(h);
    printf("done\n");
    return 0;
}
