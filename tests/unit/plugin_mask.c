/* plugin_mask.c - a library test_hooks dlopens, as opencode dlopens its native modules: it
 * blocks signals through its own import of sigprocmask. */
#include <signal.h>

int plugin_block(int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    return sigprocmask(SIG_BLOCK, &s, 0);
}
