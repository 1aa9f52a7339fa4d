/* preload.c - libocshim.so, the library users preload into every program: a constructor only.
 * Runs in: load time.
 * In every process, before main: the constructor, and nothing else of this library ever runs.
 *
 * It exports nothing, needs no library and imports only the loader's functions (dlopen, ...),
 * found in the program's global scope (libc): no program can reach its code, and one that is
 * not opencode pays for the library's load, one symbol lookup and a few plain loops over the
 * auxiliary vector: no syscall, no libc call. When the
 * executable's name may be opencode's it loads libocshim-opencode.so from its own directory
 * and hands over; that library checks the binary itself (bunid.h) and does all the work. */
#include "platform.h"
#include "exename.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stddef.h>

#define CORE_NAME "libocshim-opencode.so"

/* Weak, all four: a program whose global scope has no dlopen (glibc < 2.34 without libdl)
 * gets NULL here and the shim does nothing, instead of a failed binding that would end it
 * (at load under LD_BIND_NOW=1, else at the first call). dlopen is the one symbol looked up
 * at load (its address is tested); the others come from the same library and are bound
 * lazily, where the name matched alone. */
extern void *dlopen(const char *, int) __attribute__((weak));
extern int dladdr(const void *, Dl_info *) __attribute__((weak));
extern void *dlsym(void *, const char *) __attribute__((weak));
extern int dlclose(void *) __attribute__((weak));

/* AT_EXECFN and AT_SECURE from the auxiliary vector, which follows the environment's
 * terminating NULL on the initial stack. */
static const char *execfn(char **envp, unsigned long *secure)
{
    char **e = envp;
    const char *fn = NULL;
    while (*e)
        e++;
    for (const ElfW(auxv_t) *a = (const void *)(e + 1); a->a_type != AT_NULL; a++) {
        if (a->a_type == AT_EXECFN)
            fn = (const char *)a->a_un.a_val;
        else if (a->a_type == AT_SECURE)
            *secure = a->a_un.a_val;
    }
    return fn;
}

/* OCSHIM_DISABLE set to anything but "" or "0". */
static int disabled(char **envp)
{
    static const char key[] = "OCSHIM_DISABLE=";
    for (char **e = envp; *e; e++) {
        unsigned i = 0;
        while (i < sizeof key - 1 && (*e)[i] == key[i])
            i++;
        if (i == sizeof key - 1)
            return (*e)[i] != '\0' && !((*e)[i] == '0' && (*e)[i + 1] == '\0');
    }
    return 0;
}

__attribute__((constructor)) static void ocshim_preload(int argc, char **argv, char **envp)
{
    unsigned long secure = 0;
    /* The auxiliary vector follows the environment only on the initial stack: preloaded, the
     * constructor gets that environment; loaded with dlopen, a copy that may be elsewhere. */
    if (!argv || argc < 0 || envp != argv + argc + 1)
        return;
    const char *fn = execfn(envp, &secure);
    if (secure || !exename_may_be_opencode(fn) || disabled(envp))
        return;                                 /* setuid and friends; every other program */
    if (!dlopen)
        return;
    /* The other library lies next to this one. */
    Dl_info self;
    if (!dladdr((void *)ocshim_preload, &self) || !self.dli_fname)
        return;
    char path[4096];
    size_t n = 0, slash = 0;
    for (; self.dli_fname[n]; n++)
        if (self.dli_fname[n] == '/')
            slash = n + 1;
    if (slash + sizeof CORE_NAME > sizeof path)
        return;
    for (size_t i = 0; i < slash; i++)
        path[i] = self.dli_fname[i];
    for (size_t i = 0; i < sizeof CORE_NAME; i++)
        path[slash + i] = CORE_NAME[i];
    void *core = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!core)
        return;                                 /* not installed beside us: do nothing */
    int (*start)(int, char **, char **) = (int (*)(int, char **, char **))dlsym(core, "ocshim_start");
    if (!start || !start(argc, argv, envp))
        dlclose(core);                          /* not opencode after all: leave no trace */
}
