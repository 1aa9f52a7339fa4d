/* platform.h - what the shim is built for, checked at compile time: x86_64 Linux with glibc
 * (Syscall User Dispatch, the x86_64 syscall instruction and registers (REG_RIP), glibc's
 * symbol versions). Anything else stops the build here rather than failing at run time. */
#ifndef OCSHIM_PLATFORM_H
#define OCSHIM_PLATFORM_H

#if !defined(__x86_64__) || !defined(__linux__)
#error "ocshim builds for x86_64 Linux only (Syscall User Dispatch, x86_64 syscalls, REG_RIP)"
#endif

#include <features.h>
#if !defined(__GLIBC__)
#error "ocshim needs glibc (symbol versions, dlvsym, the dynamic loader's link map)"
#endif

#endif
