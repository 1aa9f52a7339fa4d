/* plugin_ctor_thread.c - dlopen'd by dlopen_ctor_thread: its constructor starts a thread, whose first libc call is pthread_sigmask, and joins it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>

static int result = -1;

static void *helper(void *arg)
{
    (void)arg;
    sigset_t set, now;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0 || pthread_sigmask(SIG_SETMASK, NULL, &now) != 0)
        return NULL;
    result = sigismember(&now, SIGUSR2) ? 42 : 0;
    return NULL;
}

/* Runs under the dynamic loader's lock (dlopen holds it while constructors run). */
__attribute__((constructor)) static void plugin_init(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, helper, NULL) == 0)
        pthread_join(t, NULL);
}

int plugin_ctor_thread_result(void)
{
    return result;
}
