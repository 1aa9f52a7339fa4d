/* plthook.h - hook opencode's own imports by rewriting its slots.
 *
 * The shim exports no function: no other program can ever reach its code. Inside opencode
 * ocshim_start stores a hook's address in each slot of opencode's executable that names a
 * hooked function (its PLT's JUMP_SLOTs, GLOB_DATs, and R_X86_64_64 pointers in its data such
 * as SQLite's table of system calls). Each hook calls the function the loader binds that slot
 * to (libc's, of the version the slot asks for), resolved once here, never the slot's old
 * value (a lazy slot holds a PLT stub that would bind the slot again). Later, the native
 * modules opencode dlopens get the same (plthook_install_handle). Never from a signal
 * handler: this calls into the loader. */
#ifndef OCSHIM_PLTHOOK_H
#define OCSHIM_PLTHOOK_H

#include <link.h>
#include <stddef.h>
#include <stdint.h>

struct plthook {
    const char *name;
    void *hook;          /* what opencode's slots get */
    void **next;         /* the function the slots are bound to without the shim (set here) */
    int main_only;       /* not in objects loaded later (dlopen, dlsym: they answer by caller) */
};

/* A loaded object: its program headers, load bias and dynamic section. */
struct plthook_object {
    const ElfW(Phdr) *phdr;
    size_t phnum;
    uintptr_t bias;
    const ElfW(Dyn) *dyn;
};

/* The main program, as the loader lists it first (right also when opencode was started as
 * `ld.so opencode`, where the auxiliary vector describes the loader). 0, or -1. */
int plthook_main_object(struct plthook_object *obj);

/* Points every slot of the main program obj that names a function of table[0..n) at its hook.
 * Returns the number of slots rewritten, or -1 if a slot that should be rewritten could not
 * be (then the caller must not rely on the hooks: the process is left as it was where it
 * matters). */
int plthook_install(const struct plthook_object *obj, const struct plthook *table, size_t n);

/* An object opencode loaded with dlopen (its native modules: a file watcher, a PTY library),
 * given by the handle dlopen returned: its slots are rewritten as the main program's, but
 * for the table's main_only entries. Not the shim's libraries, libc or the loader. The
 * number of slots rewritten, or -1 if one could not be. Never resolves while holding the
 * loader's lock (that deadlocks against a dlopen in another thread). */
int plthook_install_handle(void *handle, const struct plthook *table, size_t n);

/* The hook for name, or NULL (for dlsym: opencode looks some functions up by name). */
const struct plthook *plthook_find(const struct plthook *table, size_t n, const char *name);

/* A fatal error: a raw write to stderr, then exit_group(127). */
__attribute__((noreturn)) void plthook_die(const char *what, const char *name);

#endif
