/* test_hooks.c - the hooks (hooks.c) installed on this test program's own imports: the dlsym
 * hook hands out hooks for hooked names, RTLD_NEXT or not, and leaves other lookups alone;
 * the mask hooks keep SIGSYS deliverable only while active; a library dlopened later is
 * hooked too. Run from the repository's root (make unit). */
#include "hooks.h"
#include "plthook.h"
#include "unit.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static void *churn(void *arg)
{
    atomic_int *stop = arg;
    while (!atomic_load(stop)) {
        void *h = dlopen("build/tests/plugin_other.so", RTLD_NOW);
        if (h)
            dlclose(h);
        usleep(200);                /* the loader's lock is not fair: let the other thread in */
    }
    return NULL;
}

static void *reload(void *arg)
{
    for (int i = 0; i < 300; i++) {
        void *h = dlopen("build/tests/plugin_mask.so", RTLD_NOW);
        if (h)
            dlclose(h);
    }
    return NULL;
}

static int blocked(int sig)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, sig);
}

int main(void)
{
    void *libc_quick_exit = dlsym(RTLD_DEFAULT, "quick_exit");
    void *libc_getpid = dlsym(RTLD_DEFAULT, "getpid");
    struct plthook_object self;
    CHECK(plthook_main_object(&self) == 0);
    CHECK(plthook_install(&self, hooks_table, hooks_count) >= 3);   /* dlsym, sigprocmask, ... */

    /* dlsym: a hooked function is handed out as its hook, whatever the handle. */
    void *q1 = dlsym(RTLD_NEXT, "quick_exit"), *q2 = dlsym(RTLD_DEFAULT, "quick_exit");
    CHECK(q1 != NULL && q1 != libc_quick_exit);
    CHECK(q1 == q2);
    /* ... and every other lookup is dlsym's own answer, RTLD_NEXT relative to this program. */
    CHECK(dlsym(RTLD_NEXT, "getpid") == libc_getpid);
    CHECK(dlsym(RTLD_DEFAULT, "getpid") == libc_getpid);
    CHECK(dlsym(RTLD_NEXT, "no_such_function_here") == NULL);
    CHECK(dlsym(RTLD_NEXT, "main") == NULL);          /* this program's own: not "next" */
    CHECK(dlsym(RTLD_DEFAULT, "main") == NULL || dlsym(RTLD_DEFAULT, "main") == (void *)main);

    /* Masks: inactive, exactly as asked; active, SIGSYS stays open. */
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGSYS);
    sigaddset(&both, SIGUSR1);
    sigprocmask(SIG_BLOCK, &both, NULL);
    CHECK(blocked(SIGSYS) == 1 && blocked(SIGUSR1) == 1);
    sigprocmask(SIG_UNBLOCK, &both, NULL);
    hooks_set_active(1);
    sigprocmask(SIG_BLOCK, &both, NULL);
    CHECK(blocked(SIGSYS) == 0 && blocked(SIGUSR1) == 1);
    sigprocmask(SIG_UNBLOCK, &both, NULL);
    /* A bad mask pointer is EFAULT, as from libc alone, not a fault in the hook. */
    struct timespec zero = { 0, 0 };
    errno = 0;
    CHECK(ppoll(NULL, 0, &zero, (const sigset_t *)8) == -1 && errno == EFAULT);
    errno = 0;
    CHECK(sigsuspend((const sigset_t *)8) == -1 && errno == EFAULT);

    /* A library loaded later through the hooked dlopen gets its slots rewritten too. */
    void *lib = dlopen("build/tests/plugin_mask.so", RTLD_NOW);
    CHECK(lib != NULL);
    int (*block)(int) = lib ? (int (*)(int))dlsym(lib, "plugin_block") : NULL;
    CHECK(block && block(SIGSYS) == 0 && block(SIGUSR2) == 0);
    CHECK(blocked(SIGSYS) == 0 && blocked(SIGUSR2) == 1);
    CHECK(plthook_install_handle(lib, hooks_table, hooks_count) == 1);  /* again: the same */
    Dl_info where;                  /* built -z now: its sigprocmask slot is read-only (RELRO) */
    CHECK(lib && dladdr(dlsym(lib, "plugin_block"), &where) != 0);
    sigprocmask(SIG_UNBLOCK, &both, NULL);

    /* One thread loads and unloads a library while another loads one through the hook:
     * rewriting slots must never wait for the loader inside the loader's lock (a deadlock:
     * SIGALRM ends the test if it comes back). */
    if (lib)
        dlclose(lib);               /* each load below maps the library afresh */
    alarm(30);
    pthread_t t;
    atomic_int stop = 0;
    pthread_create(&t, NULL, churn, &stop);
    int loads = 0, hooked = 0;
    for (int i = 0; i < 1500; i++) {
        void *m = dlopen("build/tests/plugin_mask.so", RTLD_NOW);
        if (m) {
            loads++;
            int (*b)(int) = (int (*)(int))dlsym(m, "plugin_block");
            b(SIGSYS);      /* each fresh mapping is hooked again */
            hooked += blocked(SIGSYS) == 0;
            sigprocmask(SIG_UNBLOCK, &both, NULL);
            dlclose(m);
        }
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    CHECK(loads == 1500 && hooked == 1500);

    /* Threads loading the same module at once: its read-only slots are rewritten by one
     * thread at a time (a brief mprotect each), never made read-only under another's write. */
    void *keep = dlopen("build/tests/plugin_mask.so", RTLD_NOW);
    pthread_t same[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&same[i], NULL, reload, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(same[i], NULL);
    CHECK(keep != NULL);
    if (keep)
        dlclose(keep);
    alarm(0);
    hooks_set_active(0);
    UNIT_END("test_hooks");
}
