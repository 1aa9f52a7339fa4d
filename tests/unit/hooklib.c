/* hooklib.c - the hooks in a library of their own, as libocshim-opencode.so holds them: the
 * test program (test_thunks) loads it RTLD_LOCAL and has it rewrite the program's slots. */
#include "hooks.h"
#include "plthook.h"

__attribute__((visibility("default"))) int hooklib_install(void);
__attribute__((visibility("default"))) int hooklib_install(void)
{
    struct plthook_object self;
    if (plthook_main_object(&self) != 0)
        return -1;
    int n = plthook_install(&self, hooks_table, hooks_count);
    hooks_set_active(1);
    return n;
}
