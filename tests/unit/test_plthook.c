/* test_plthook.c - import slots (elfdyn.c) and their rewriting (plthook.c), on this test
 * program's own imports: a PLT slot (lazy, writable) and a GLOB_DAT slot (read-only after
 * relocation), with the version each asks for. */
#include "elfdyn.h"
#include "plthook.h"
#include "unit.h"

#include <elf.h>
#include <unistd.h>

static pid_t (*next_getppid)(void), (*next_getpgrp)(void);
static int hook_calls;

static pid_t hook_getppid(void) { hook_calls++; return next_getppid() + 1000000; }
static pid_t hook_getpgrp(void) { hook_calls++; return next_getpgrp() + 2000000; }

/* getppid is only called (a JUMP_SLOT); getpgrp's address is taken (a GLOB_DAT), afresh
 * at each call of this function. */
__attribute__((noipa)) static pid_t call_ppid(void) { return getppid(); }
__attribute__((noipa)) static pid_t (*addr_pgrp(void))(void) { return getpgrp; }

struct seen { int jump_slot, glob_dat, versioned; };

static int look(const struct elfdyn_import *imp, void *ctx)
{
    struct seen *s = ctx;
    if (strcmp(imp->name, "getppid") == 0 || strcmp(imp->name, "getpgrp") == 0) {
        s->jump_slot += imp->type == R_X86_64_JUMP_SLOT;
        s->glob_dat += imp->type == R_X86_64_GLOB_DAT;
        s->versioned += imp->version && strcmp(imp->version, "GLIBC_2.2.5") == 0;
    }
    return 0;
}

static int stop_at_first(const struct elfdyn_import *imp, void *ctx)
{
    (*(int *)ctx)++;
    return 7;
}

int main(void)
{
    pid_t ppid = call_ppid(), pgrp = addr_pgrp()();

    struct plthook_object self;
    CHECK(plthook_main_object(&self) == 0);

    struct seen s = {0};
    CHECK(elfdyn_each_import(self.dyn, self.bias, look, &s) == 0);
    CHECK(s.jump_slot == 1);
    CHECK(s.glob_dat == 1);
    CHECK(s.versioned == 2);                /* both @GLIBC_2.2.5 */
    int n = 0;
    CHECK(elfdyn_each_import(self.dyn, self.bias, stop_at_first, &n) == 7 && n == 1);

    const struct plthook table[] = {
        { "getppid", (void *)hook_getppid, (void **)&next_getppid, 0 },
        { "getpgrp", (void *)hook_getpgrp, (void **)&next_getpgrp, 0 },
    };
    CHECK(plthook_find(table, 2, "getpgrp") == &table[1]);
    CHECK(plthook_find(table, 2, "getpid") == NULL);
    CHECK(plthook_install(&self, table, 2) == 2);
    CHECK(next_getppid != NULL && next_getppid != hook_getppid);
    CHECK(call_ppid() == ppid + 1000000);           /* through the PLT slot */
    CHECK(addr_pgrp()() == pgrp + 2000000);         /* through the read-only GLOB_DAT slot */
    CHECK(hook_calls == 2);
    CHECK(next_getppid() == ppid && next_getpgrp() == pgrp);
    UNIT_END("test_plthook");
}
