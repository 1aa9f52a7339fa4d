/* usermem.c - the host's memory, read and written with the kernel's checks (see usermem.h).
 * Runs in: SIGSYS handler, vfork child, host threads, load time.
 *   usermem_read, usermem_write: the SIGSYS handler (sud.c), and through sigsafe_strip the
 *   mask hooks, on host threads and in the vfork child; load time: usermem_init (sud_init).
 * Restricted contexts: no allocation, no locks a signal could leave held, no loader calls.
 */
#include "usermem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static int plain;               /* a seccomp filter is active: never call process_vm_* */
static int pipefd[2] = { -1, -1 };

void usermem_init(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    const char *s = strstr(buf, "\nSeccomp:");
    plain = !s || strtol(s + 9, NULL, 10) != 0;   /* cannot tell: do not risk a filter's kill */
    /* Under a filter, the kernel still checks a pointer when it copies through a pipe (read
     * and write are allowed by any filter a program can live with). */
    if (plain && pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0)
        pipefd[0] = pipefd[1] = -1;
}

/* Under a seccomp filter: -EFAULT if p cannot be read (or, writing, written) for n bytes, as
 * the kernel finds while copying through the pipe; 0 when it can, or cannot be told (the
 * pipe is full of other threads' bytes, or missing). The bytes are junk: any thread drains
 * any. */
static long pipe_check(void *p, size_t n, int writing)
{
    char junk[64] = { 0 };
    if (pipefd[1] < 0 || n > sizeof junk)
        return 0;
    int saved = errno;
    long rc = 0;
    if (!writing) {
        long w = syscall(SYS_write, pipefd[1], p, n);
        if (w < 0 && errno == EFAULT)
            rc = -EFAULT;
        else if (w > 0)
            (void)!syscall(SYS_read, pipefd[0], junk, (size_t)w);
    } else if (syscall(SYS_write, pipefd[1], junk, n) > 0) {
        long r = syscall(SYS_read, pipefd[0], p, n);
        if (r < 0 && errno == EFAULT) {
            rc = -EFAULT;
            (void)!syscall(SYS_read, pipefd[0], junk, n);
        }
    }
    errno = saved;
    return rc;
}

static long plain_copy(long nr, void *local, const void *remote, size_t n)
{
    if (nr == SYS_process_vm_readv)
        memcpy(local, remote, n);
    else
        memcpy((void *)remote, local, n);
    return 0;
}

/* glibc's syscall(): inside libc, so it never traps on an armed thread; errno kept. By tid,
 * not pid: a process whose main thread has ended has no pid to read by. */
static long copy(long nr, void *local, const void *remote, size_t n)
{
    if (plain)
        return pipe_check((void *)remote, n, nr == SYS_process_vm_writev) != 0
                   ? -EFAULT
                   : plain_copy(nr, local, remote, n);
    int saved = errno;
    struct iovec l = { local, n }, r = { (void *)remote, n };
    long rc = syscall(nr, syscall(SYS_gettid), &l, 1UL, &r, 1UL, 0UL);
    long err = rc < 0 ? errno : 0;
    errno = saved;
    if (rc == (long)n)
        return 0;
    if (rc >= 0 || err == EFAULT)
        return -EFAULT;
    return plain_copy(nr, local, remote, n);   /* refused (ENOSYS, EPERM): plainly */
}

long usermem_read(void *dst, const void *src, size_t n)
{
    return copy(SYS_process_vm_readv, dst, src, n);
}

long usermem_write(void *dst, const void *src, size_t n)
{
    return copy(SYS_process_vm_writev, (void *)src, dst, n);
}
