/* sigterm_in_dlopen.c - host: a SIGTERM handler calls _exit while another thread is inside a slow dlopen (its constructor sleeps 300 ms). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HOST_SLOW_PLUGIN
#include "host.h"

static void on_term(int sig)
{
    (void)sig;
    _exit(7);
}

static void *load_and_say(void *arg)
{
    (void)arg;
    if (!dlopen(plugin, RTLD_NOW))
        printf("dlopen failed: %s\n", dlerror());
    static const char msg[] = "dlopen returned\n";
    ssize_t w = write(1, msg, sizeof msg - 1);
    (void)w;
    return NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    printf("SIGTERM (handler: _exit(7)) while another thread is in a slow dlopen\n");
    pthread_t t;
    if (in_slow_dlopen(load_and_say, &t) != 0)
        return 1;
    kill(getpid(), SIGTERM);          /* handled on this (the main) thread */
    pthread_join(t, NULL);
    printf("not reached: the handler returned\n");
    return 1;
}
