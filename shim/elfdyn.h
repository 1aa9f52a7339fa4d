/* elfdyn.h - a loaded ELF object's imports, read from its dynamic section in memory.
 *
 * Each relocation that names a symbol (x86_64 RELA: JUMP_SLOT in DT_JMPREL; GLOB_DAT and
 * R_X86_64_64 in DT_RELA) is handed over with the symbol's name, the version it asks for
 * (from DT_VERSYM and DT_VERNEED) and the address of the slot it fills. Reads memory only:
 * no syscall, no allocation, no call into the dynamic loader. */
#ifndef OCSHIM_ELFDYN_H
#define OCSHIM_ELFDYN_H

#include <link.h>
#include <stdint.h>

struct elfdyn_import {
    const char *name;
    const char *version;     /* NULL when the import names no version */
    void **slot;             /* the word the loader fills (or filled) */
    unsigned type;           /* R_X86_64_JUMP_SLOT, R_X86_64_GLOB_DAT or R_X86_64_64 */
    long addend;
};

/* Calls fn for each import; stops early when fn returns nonzero and returns that value;
 * 0 after the last one. dyn: the object's dynamic section; bias: its load bias. */
typedef int (*elfdyn_fn)(const struct elfdyn_import *imp, void *ctx);
int elfdyn_each_import(const ElfW(Dyn) *dyn, uintptr_t bias, elfdyn_fn fn, void *ctx);

#endif
