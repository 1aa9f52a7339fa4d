/* plthook.c - rewrite opencode's import slots to the shim's hooks (see plthook.h). */
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

int plthook_object_init(struct plthook_object *obj, const ElfW(Phdr) *phdr, size_t phnum)
{
    memset(obj, 0, sizeof *obj);
    if (!phdr || phnum == 0 || phnum > 256)
        return -1;
    obj->phdr = phdr;
    obj->phnum = phnum;
    int have_bias = 0;
    for (size_t i = 0; i < phnum; i++)
        if (phdr[i].p_type == PT_PHDR) {
            obj->bias = (uintptr_t)phdr - phdr[i].p_vaddr;
            have_bias = 1;
        }
    if (!have_bias)
        return -1;
    for (size_t i = 0; i < phnum; i++)
        if (phdr[i].p_type == PT_DYNAMIC)
            obj->dyn = (const ElfW(Dyn) *)(obj->bias + phdr[i].p_vaddr);
    return obj->dyn ? 0 : -1;
}

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
        if (ph->p_type == PT_GNU_RELRO && inside(ph, obj->bias, a))
            relro = 1;
    }
    if (!writable)
        return -1;
    if (!relro) {
        __atomic_store_n(slot, value, __ATOMIC_RELEASE);
        return 0;
    }
    void *page = (void *)(a & ~(uintptr_t)4095);
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

/* The function the loader binds the slot to: the global scope searched from the main program
 * on, by the version the slot asks for. That is libc's, or another preloaded library's that
 * interposes it, exactly as without the shim. */
static void *resolve_bound(const char *name, const char *version)
{
    void *p = version ? dlvsym(RTLD_DEFAULT, name, version) : dlsym(RTLD_DEFAULT, name);
    if (p && (char *)p >= __ehdr_start && (char *)p < _end)
        plthook_die("a hooked function resolved to the shim itself", name);
    return p;
}

struct install {
    const struct plthook_object *obj;
    const struct plthook *table;
    size_t n;
    int count;
};

static int install_one(const struct elfdyn_import *imp, void *ctx)
{
    struct install *in = ctx;
    const struct plthook *h = plthook_find(in->table, in->n, imp->name);
    if (!h)
        return 0;
    void *real = resolve_bound(imp->name, imp->version);
    if (!real)
        return -1;
    void *cur = __atomic_load_n(h->next, __ATOMIC_ACQUIRE);
    if (!cur)
        __atomic_store_n(h->next, real, __ATOMIC_RELEASE);
    else if (cur != real)
        return -1;      /* two versions of one function: one hook cannot serve both */
    if (store(in->obj, imp->slot, (char *)h->hook + imp->addend) != 0)
        return -1;
    in->count++;
    return 0;
}

int plthook_install(const struct plthook_object *obj, const struct plthook *table, size_t n)
{
    struct install in = { obj, table, n, 0 };
    return elfdyn_each_import(obj->dyn, obj->bias, install_one, &in) ? -1 : in.count;
}

/* ---- objects loaded after start ---- */

#define SEEN_MAX 128

static struct { uintptr_t base; char name[64]; } seen[SEEN_MAX];
static size_t n_seen;
static unsigned long long last_adds;        /* the loader's count of objects ever loaded */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

static void name_key(char *key, const char *name)
{
    size_t n = strlen(name), from = n > 63 ? n - 63 : 0;   /* the end tells objects apart */
    memcpy(key, name + from, n - from + 1);
}

static int was_seen(uintptr_t base, const char *key)
{
    for (size_t i = 0; i < n_seen; i++)
        if (seen[i].base == base && strcmp(seen[i].name, key) == 0)
            return 1;
    return 0;
}

static void note_seen(uintptr_t base, const char *key)
{
    if (n_seen < SEEN_MAX) {
        seen[n_seen].base = base;
        memcpy(seen[n_seen].name, key, strlen(key) + 1);
        n_seen++;
    }
}

/* Objects never rewritten: the loader, libc, and the shim's own libraries (its calls must
 * reach libc directly). */
static int never(const char *name)
{
    const char *b = strrchr(name, '/');
    b = b ? b + 1 : name;
    return strncmp(b, "ld-linux", 8) == 0 || strncmp(b, "libc.so", 7) == 0 ||
           strncmp(b, "libocshim", 9) == 0;
}

struct walk { const struct plthook *table; size_t n; int mark_only, count, failed; };

static int visit(struct dl_phdr_info *info, size_t size, void *data)
{
    struct walk *w = data;
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    char key[64];
    name_key(key, name);
    if (was_seen(info->dlpi_addr, key))
        return 0;
    note_seen(info->dlpi_addr, key);
    if (w->mark_only || !name[0] || never(name))
        return 0;           /* the main program ("") was rewritten at start */
    struct plthook_object obj;
    memset(&obj, 0, sizeof obj);
    obj.phdr = info->dlpi_phdr;
    obj.phnum = info->dlpi_phnum;
    obj.bias = info->dlpi_addr;
    for (size_t i = 0; i < obj.phnum; i++)
        if (obj.phdr[i].p_type == PT_DYNAMIC)
            obj.dyn = (const ElfW(Dyn) *)(obj.bias + obj.phdr[i].p_vaddr);
    if (!obj.dyn)
        return 0;
    int rc = plthook_install(&obj, w->table, w->n);
    if (rc < 0)
        w->failed = 1;
    else
        w->count += rc;
    return 0;
}

static int adds_now(struct dl_phdr_info *info, size_t size, void *data)
{
    *(unsigned long long *)data = info->dlpi_adds;
    return 1;
}

void plthook_mark_loaded(void)
{
    struct walk w = { NULL, 0, 1, 0, 0 };
    pthread_mutex_lock(&seen_lock);
    dl_iterate_phdr(adds_now, &last_adds);
    dl_iterate_phdr(visit, &w);
    pthread_mutex_unlock(&seen_lock);
}

int plthook_install_new(const struct plthook *table, size_t n)
{
    struct walk w = { table, n, 0, 0, 0 };
    unsigned long long adds = 0;
    pthread_mutex_lock(&seen_lock);
    dl_iterate_phdr(adds_now, &adds);
    if (adds != last_adds) {            /* something was loaded since the last look */
        last_adds = adds;
        dl_iterate_phdr(visit, &w);
    }
    pthread_mutex_unlock(&seen_lock);
    return w.failed ? -1 : w.count;
}
