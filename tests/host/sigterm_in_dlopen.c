/* sigterm_in_dlopen.c - host: a SIGTERM handler calls _exit while another thread is inside a slow dlopen (its constructor sleeps 300 ms). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char plugin[4096];
static sem_t entered;

static void beside_me(char *buf, size_t n, const char *name)
{
    ssize_t len = readlink("/proc/self/exe", buf, n - 1);
    buf[len > 0 ? len : 0] = '\0';
    char *slash = strrchr(buf, '/');
    snprintf(slash ? slash + 1 : buf, n - (size_t)(slash ? slash + 1 - buf : 0), "%s", name);
}

/* Called by plugin_slow.so's constructor, inside dlopen. */
void host_slow_ctor_entered(void)
{
    sem_post(&entered);
}

static void on_term(int sig)
{
    (void)sig;
    _exit(7);
}

static void *loader(void *arg)
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
    beside_me(plugin, sizeof plugin, "plugin_slow.so");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sem_init(&entered, 0, 0);
    printf("SIGTERM (handler: _exit(7)) while another thread is in a slow dlopen\n");
    pthread_t t;
    if (pthread_create(&t, NULL, loader, NULL) != 0)
        return 1;
    while (sem_wait(&entered) != 0)
        ;
    kill(getpid(), SIGTERM);          /* handled on this (the main) thread */
    pthread_join(t, NULL);
    printf("not reached: the handler returned\n");
    return 1;
}
