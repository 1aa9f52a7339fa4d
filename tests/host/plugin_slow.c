/* plugin_slow.c - a library that is slow to dlopen: its constructor tells the host it has started, then sleeps 300 ms. */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include <unistd.h>

/* Defined by the host program (linked with -rdynamic) when it wants to know. */
extern void host_slow_ctor_entered(void) __attribute__((weak));

__attribute__((constructor)) static void plugin_init(void)
{
    if (host_slow_ctor_entered)
        host_slow_ctor_entered();
    struct timespec ts = { 0, 300 * 1000 * 1000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    static const char msg[] = "slow plugin: constructor done\n";
    ssize_t w = write(1, msg, sizeof msg - 1);
    (void)w;
}
