/* rawsys.h - raw Linux x86_64 system calls made by the shim itself.
 *
 * They return the kernel's value: >= 0 on success, -errno on failure; they never touch errno.
 * The `syscall` instruction they contain lies outside glibc, so on a thread armed for Syscall
 * User Dispatch it only passes while that thread's selector says ALLOW (see sud.c). */
#ifndef OCSHIM_RAWSYS_H
#define OCSHIM_RAWSYS_H

#include "platform.h"

static inline long raw_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
    long ret;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

#define raw_syscall0(n) raw_syscall6((n), 0, 0, 0, 0, 0, 0)
#define raw_syscall1(n, a) raw_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define raw_syscall2(n, a, b) raw_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define raw_syscall3(n, a, b, c) raw_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define raw_syscall4(n, a, b, c, d) \
    raw_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

#endif
