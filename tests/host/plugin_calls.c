/* plugin_calls.c - a library whose constructor calls interposed libc functions (signal masks, sigaction) on the dlopening thread. */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>

static int value;

__attribute__((constructor)) static void plugin_init(void)
{
    sigset_t now;
    struct sigaction sa;
    int v = 7;
    if (pthread_sigmask(SIG_SETMASK, NULL, &now) != 0 || sigprocmask(SIG_BLOCK, NULL, &now) != 0)
        v = -1;
    if (sigaction(SIGUSR2, NULL, &sa) != 0)
        v = -2;
    value = v;
}

int plugin_calls_value(void)
{
    return value;
}
