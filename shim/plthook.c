/* plthook.c - rewrite opencode's import slots to the shim's hooks (see plthook.h).
 * Runs in: host threads, load time.
 *   load time: plthook_main_object, plthook_install (opencode's own slots, from ocshim_start);
 *   host threads: plthook_install_handle (the dlopen hook: the loader, a mutex), plthook_find
 *   (the dlsym hook); plthook_die: either. Never in a handler or a vfork child. */
#include "plthook.h"

#include "elfdyn.h"
#include "rawsys.h"

#include <dlfcn.h>
#include <elf.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

extern char __ehdr_start[] __attribute__((visibility("hidden")));
extern char _end[] __attribute__((visibility("hidden")));

void plthook_die(const char *what, const char *name)
{
    static const char pre[] = "ocshim: fatal: ";
    raw_syscall3(SYS_write, 2, pre, sizeof pre - 1);
    raw_syscall3(SYS_write, 2, what, strlen(what));
    if (name) {
        raw_syscall3(SYS_write, 2, ": ", 2);
        raw_syscall3(SYS_write, 2, name, strlen(name));
    }
    raw_syscall3(SYS_write, 2, "\n", 1);
    raw_syscall1(SYS_exit_group, 127);
    __builtin_unreachable();
}

#define PAGE_DOWN(a) ((uintptr_t)(a) & ~(uintptr_t)4095)

static int inside(const ElfW(Phdr) *ph, uintptr_t bias, uintptr_t a)
{
    return a >= bias + ph->p_vaddr && a + sizeof(void *) <= bias + ph->p_vaddr + ph->p_memsz;
}

/* Stores value in a slot of obj: directly in a writable segment, through a brief mprotect in
 * the part the loader made read-only after relocation (PT_GNU_RELRO). 0, or -1. */
static int store(const struct plthook_object *obj, void **slot, void *value)
{
    uintptr_t a = (uintptr_t)slot;
    int writable = 0, relro = 0;
    for (size_t i = 0; i < obj->phnum; i++) {
        const ElfW(Phdr) *ph = &obj->phdr[i];
        if (ph->p_type == PT_LOAD && inside(ph, obj->bias, a))
            writable = (ph->p_flags & PF_W) != 0;
        /* The loader protects whole pages only: from the page the part starts in to the
         * page its end lies in, exclusive (the last, partial page stays writable). */
        if (ph->p_type == PT_GNU_RELRO && a >= PAGE_DOWN(obj->bias + ph->p_vaddr) &&
            a + sizeof(void *) <= PAGE_DOWN(obj->bias + ph->p_vaddr + ph->p_memsz))
            relro = 1;
    }
    if (!writable)
        return -1;
    if (!relro) {
        __atomic_store_n(slot, value, __ATOMIC_RELEASE);
        return 0;
    }
    void *page = (void *)PAGE_DOWN(a);
    if (mprotect(page, 4096, PROT_READ | PROT_WRITE) != 0)
        return -1;
    __atomic_store_n(slot, value, __ATOMIC_RELEASE);
    return mprotect(page, 4096, PROT_READ);
}

const struct plthook *plthook_find(const struct plthook *table, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

/* The main program, once rewritten: a function resolved into it is not libc's. */
static struct plthook_object main_obj;

static int in_main(const void *p)
{
    for (size_t i = 0; i < main_obj.phnum; i++)
        if (main_obj.phdr[i].p_type == PT_LOAD && inside(&main_obj.phdr[i], main_obj.bias, (uintptr_t)p))
            return 1;
    return 0;
}

/* The function the loader binds the slot to: the global scope searched from the main program
 * on, by the version the slot asks for. That is libc's, or another preloaded library's that
 * interposes it, exactly as without the shim. NULL when it lies in the main program: a
 * non-PIE program that takes a function's address in code makes every object use a stub
 * in its own PLT (a canonical PLT entry), which jumps through the very slot rewritten here;
 * the hook would call itself. */
static void *resolve_bound(const char *name, const char *version)
{
    void *p = version ? dlvsym(RTLD_DEFAULT, name, version) : dlsym(RTLD_DEFAULT, name);
    if (p && (char *)p >= __ehdr_start && (char *)p < _end)
        plthook_die("a hooked function resolved to the shim itself", name);
    return p && in_main(p) ? NULL : p;
}

struct install {
    const struct plthook_object *obj;
    const struct plthook *table;
    size_t n;
    int later;
    int store;          /* 0: resolve and check every slot; 1: then rewrite them */
    int count;
};

static int install_one(const struct elfdyn_import *imp, void *ctx)
{
    struct install *in = ctx;
    const struct plthook *h = plthook_find(in->table, in->n, imp->name);
    if (!h || (in->later && h->main_only))
        return 0;
    if (!in->store) {
        void *real = resolve_bound(imp->name, imp->version);
        if (!real)
            return -1;
        void *cur = __atomic_load_n(h->next, __ATOMIC_ACQUIRE);
        if (!cur)
            __atomic_compare_exchange_n(h->next, &cur, real, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE);
        /* two versions of one function: one hook cannot serve both */
        return __atomic_load_n(h->next, __ATOMIC_ACQUIRE) == real ? 0 : -1;
    }
    void *want = (char *)h->hook + imp->addend;
    if (__atomic_load_n(imp->slot, __ATOMIC_ACQUIRE) != want &&    /* loaded again: as it was */
        store(in->obj, imp->slot, want) != 0)
        return -1;
    in->count++;
    return 0;
}

/* Every slot checked first, then all rewritten: an object is hooked whole or not at all (a
 * pthread_create hooked beside an unhooked pthread_sigmask would arm threads whose masks can
 * block SIGSYS). Serialized: two threads loading one module would otherwise race on the
 * brief mprotect of its read-only pages. */
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

static int install(const struct plthook_object *obj, const struct plthook *table, size_t n,
                   int later)
{
    struct install in = { obj, table, n, later, 0, 0 };
    pthread_mutex_lock(&install_lock);
    int rc = elfdyn_each_import(obj->dyn, obj->bias, install_one, &in);
    if (rc == 0) {
        in.store = 1;
        rc = elfdyn_each_import(obj->dyn, obj->bias, install_one, &in);
    }
    pthread_mutex_unlock(&install_lock);
    return rc ? -1 : in.count;
}

int plthook_install(const struct plthook_object *obj, const struct plthook *table, size_t n)
{
    main_obj = *obj;
    return install(obj, table, n, 0);
}

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
    struct plthook_object *obj = data;
    obj->phdr = info->dlpi_phdr;
    obj->phnum = info->dlpi_phnum;
    obj->bias = info->dlpi_addr;
    return 1;
}

int plthook_main_object(struct plthook_object *obj)
{
    memset(obj, 0, sizeof *obj);
    dl_iterate_phdr(first_object, obj);     /* the loader lists the main program first */
    for (size_t i = 0; i < obj->phnum; i++)
        if (obj->phdr[i].p_type == PT_DYNAMIC)
            obj->dyn = (const ElfW(Dyn) *)(obj->bias + obj->phdr[i].p_vaddr);
    return obj->dyn ? 0 : -1;
}

/* ---- objects opencode loads later ---- */

/* Objects never rewritten: the loader, libc, and the shim's own libraries (its calls must
 * reach libc directly). */
static int never(const char *name)
{
    const char *b = strrchr(name, '/');
    b = b ? b + 1 : name;
    return strncmp(b, "ld-linux", 8) == 0 || strncmp(b, "libc.so", 7) == 0 ||
           strncmp(b, "libocshim", 9) == 0;
}

/* Runs under the loader's lock (dl_iterate_phdr): it only copies out the object's program
 * headers, and never calls into the loader (another thread in dlopen holds the loader's
 * other lock and waits for this one). */
static int find_object(struct dl_phdr_info *info, size_t size, void *data)
{
    struct plthook_object *o = data;
    if (info->dlpi_addr != o->bias || !info->dlpi_name || !info->dlpi_name[0])
        return 0;
    o->phdr = info->dlpi_phdr;
    o->phnum = info->dlpi_phnum;
    return 1;
}

int plthook_install_handle(void *handle, const struct plthook *table, size_t n)
{
    struct link_map *lm = NULL;
    if (!handle || dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm || !lm->l_name ||
        !lm->l_name[0] || never(lm->l_name))
        return 0;
    /* The handle holds the object: it stays mapped while its slots are rewritten here. */
    struct plthook_object obj;
    memset(&obj, 0, sizeof obj);
    obj.bias = lm->l_addr;
    obj.dyn = lm->l_ld;
    dl_iterate_phdr(find_object, &obj);
    if (!obj.phdr || !obj.dyn)
        return 0;
    int rc = install(&obj, table, n, 1);
    if (rc < 0)
        dlerror();      /* opencode's dlopen succeeded: no failed lookup of ours to report */
    return rc;
}
