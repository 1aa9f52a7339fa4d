/* usermem.h - read and write the host's memory as the kernel would: a bad pointer is -EFAULT
 * for the host, never a fault in the shim.
 *
 * process_vm_readv/writev on our own thread check every byte. Where a seccomp filter is
 * active they may kill or trap rather than fail, so there (usermem_init) the copy is plain,
 * as the host's own code would do it. Safe in a signal handler: no allocation, no lock,
 * errno kept. */
#ifndef OCSHIM_USERMEM_H
#define OCSHIM_USERMEM_H

#include <stddef.h>

/* Reads /proc/self/status once (start-up): a seccomp filter makes the copies plain. */
void usermem_init(void);
/* 0, or -EFAULT (nothing, or part, was copied). */
long usermem_read(void *dst, const void *src, size_t n);
long usermem_write(void *dst, const void *src, size_t n);

#endif
