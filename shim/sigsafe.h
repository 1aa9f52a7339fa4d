/* sigsafe.h - keep SIGSYS deliverable: strip it from every signal mask the host sets.
 *
 * A trapped syscall raises SIGSYS; if SIGSYS is blocked at that moment the kernel kills the
 * process. So every mask the host installs (libc calls and raw syscalls alike) loses SIGSYS. */
#ifndef OCSHIM_SIGSAFE_H
#define OCSHIM_SIGSAFE_H

#include <signal.h>
#include <stdint.h>

/* The kernel's sigset: one 64-bit word, bit (n - 1) for signal n. */
#define KSIG_BIT(n) (1ULL << ((n) - 1))

/* The kernel's struct sigaction for rt_sigaction on x86_64. */
struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

/* 1 if a libc sigset_t holds SIGSYS. */
int sigsafe_has_sigsys(const sigset_t *set);
/* Copies *in to *out without SIGSYS; returns out (or in itself when in is NULL, lacks SIGSYS,
 * or cannot be read: libc and the kernel then answer EFAULT, as without the shim). */
const sigset_t *sigsafe_strip(const sigset_t *in, sigset_t *out);

#endif
