/* elfdyn.c - walk an object's symbol-naming relocations (see elfdyn.h).
 * Runs in: any (pure).
 * It reads memory only: no libc call, no state of its own. plthook.c calls it at load time and
 * from the dlopen hook (host threads). */
#include "elfdyn.h"

#include <elf.h>
#include <stddef.h>

struct dyninfo {
    const ElfW(Sym) *symtab;
    const char *strtab;
    const ElfW(Rela) *jmprel, *rela;
    size_t jmprelsz, relasz;
    const ElfW(Half) *versym;
    const ElfW(Verneed) *verneed;
    size_t verneednum;
};

/* glibc rewrites some address tags in place with the load bias added (DT_SYMTAB, DT_RELA,
 * ...) and leaves others (DT_VERNEED) as file addresses: an address below the bias is one
 * the loader left alone. */
static uintptr_t addr(ElfW(Addr) v, uintptr_t bias)
{
    return v < bias ? bias + v : v;
}

static void read_dynamic(const ElfW(Dyn) *d, uintptr_t bias, struct dyninfo *di)
{
    for (; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_SYMTAB: di->symtab = (const void *)addr(d->d_un.d_ptr, bias); break;
        case DT_STRTAB: di->strtab = (const void *)addr(d->d_un.d_ptr, bias); break;
        case DT_JMPREL: di->jmprel = (const void *)addr(d->d_un.d_ptr, bias); break;
        case DT_PLTRELSZ: di->jmprelsz = d->d_un.d_val; break;
        case DT_RELA: di->rela = (const void *)addr(d->d_un.d_ptr, bias); break;
        case DT_RELASZ: di->relasz = d->d_un.d_val; break;
        case DT_VERSYM: di->versym = (const void *)addr(d->d_un.d_ptr, bias); break;
        case DT_VERNEED: di->verneed = (const void *)addr(d->d_un.d_ptr, bias); break;
        case DT_VERNEEDNUM: di->verneednum = d->d_un.d_val; break;
        default: break;
        }
    }
}

/* The version a symbol asks for: its DT_VERSYM index looked up among DT_VERNEED's entries. */
static const char *version_of(const struct dyninfo *di, size_t sym)
{
    if (!di->versym || !di->verneed)
        return NULL;
    ElfW(Half) want = di->versym[sym] & 0x7fff;
    if (want <= 1)
        return NULL;                        /* local or global: no version */
    const ElfW(Verneed) *vn = di->verneed;
    for (size_t i = 0; i < di->verneednum; i++) {
        const ElfW(Vernaux) *va = (const void *)((const char *)vn + vn->vn_aux);
        for (unsigned j = 0; j < vn->vn_cnt; j++) {
            if (va->vna_other == want)
                return di->strtab + va->vna_name;
            va = (const void *)((const char *)va + va->vna_next);
        }
        if (!vn->vn_next)
            break;
        vn = (const void *)((const char *)vn + vn->vn_next);
    }
    return NULL;
}

static int each(const struct dyninfo *di, const ElfW(Rela) *r, size_t bytes, uintptr_t bias,
                elfdyn_fn fn, void *ctx)
{
    if (!r)
        return 0;
    for (size_t i = 0; i < bytes / sizeof *r; i++) {
        unsigned type = (unsigned)ELF64_R_TYPE(r[i].r_info);
        size_t sym = ELF64_R_SYM(r[i].r_info);
        if (sym == 0 || (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT &&
                         type != R_X86_64_64))
            continue;
        struct elfdyn_import imp = {
            .name = di->strtab + di->symtab[sym].st_name,
            .version = version_of(di, sym),
            .slot = (void **)(bias + r[i].r_offset),
            .type = type,
            .addend = (long)r[i].r_addend,
        };
        int rc = fn(&imp, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

int elfdyn_each_import(const ElfW(Dyn) *dyn, uintptr_t bias, elfdyn_fn fn, void *ctx)
{
    struct dyninfo di = {0};
    read_dynamic(dyn, bias, &di);
    if (!di.symtab || !di.strtab)
        return 0;
    int rc = each(&di, di.jmprel, di.jmprelsz, bias, fn, ctx);
    return rc ? rc : each(&di, di.rela, di.relasz, bias, fn, ctx);
}
