/* test_thunks.c - dlsym and dlopen answer by caller; through the hooks (loaded from a library
 * of their own, RTLD_LOCAL, as in opencode) they must still answer for this program:
 * RTLD_NEXT starts after it, a bare name is searched with its RUNPATH. */
#include "unit.h"

#include <dlfcn.h>

__attribute__((visibility("default"))) int thunk_probe(void)
{
    return 1;
}

int main(void)
{
    void *next_before = dlsym(RTLD_NEXT, "thunk_probe");
    void *quick_before = dlsym(RTLD_NEXT, "quick_exit");
    CHECK(next_before != NULL && next_before != (void *)thunk_probe);   /* plugin_next's */

    void *lib = dlopen("build/tests/hooklib.so", RTLD_NOW | RTLD_LOCAL);
    CHECK(lib != NULL);
    int (*install)(void) = lib ? (int (*)(void))dlsym(lib, "hooklib_install") : NULL;
    CHECK(install && install() >= 2);                  /* dlsym and dlopen at least */

    /* RTLD_NEXT for a name the shim does not hook: this program's answer, not the library's. */
    CHECK(dlsym(RTLD_NEXT, "thunk_probe") == next_before);
    /* ... for a hooked name: its hook, not libc's function. */
    void *quick = dlsym(RTLD_NEXT, "quick_exit");
    CHECK(quick != NULL && quick != quick_before);
    /* RTLD_DEFAULT from here sees this program's scope only, not the hooks' library's. */
    CHECK(dlsym(RTLD_DEFAULT, "hooklib_install") == NULL);
    /* A bare name is searched with this program's RUNPATH ($ORIGIN: build/tests). */
    void *other = dlopen("plugin_other.so", RTLD_NOW);
    CHECK(other != NULL);
    if (other)
        dlclose(other);
    UNIT_END("test_thunks");
}
