/* usermem.c - the host's memory, read and written with the kernel's checks (see usermem.h). */
#include "usermem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static int plain;       /* a seccomp filter is active: never call process_vm_* */

void usermem_init(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        plain = 1;      /* cannot tell: do not risk a filter's kill */
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    const char *s = strstr(buf, "\nSeccomp:");
    plain = !s || strtol(s + 9, NULL, 10) != 0;
}

/* glibc's syscall(): inside libc, so it never traps on an armed thread; errno kept. By tid,
 * not pid: a process whose main thread has ended has no pid to read by. */
static long copy(long nr, void *local, const void *remote, size_t n)
{
    if (plain) {
        if (nr == SYS_process_vm_readv)
            memcpy(local, remote, n);
        else
            memcpy((void *)remote, local, n);
        return 0;
    }
    int saved = errno;
    struct iovec l = { local, n }, r = { (void *)remote, n };
    long rc = syscall(nr, syscall(SYS_gettid), &l, 1UL, &r, 1UL, 0UL);
    long err = rc < 0 ? errno : 0;
    errno = saved;
    if (rc == (long)n)
        return 0;
    if (rc >= 0 || err == EFAULT)
        return -EFAULT;
    /* Refused (ENOSYS, EPERM): as the host's own code would, plainly. */
    if (nr == SYS_process_vm_readv)
        memcpy(local, remote, n);
    else
        memcpy((void *)remote, local, n);
    return 0;
}

long usermem_read(void *dst, const void *src, size_t n)
{
    return copy(SYS_process_vm_readv, dst, src, n);
}

long usermem_write(void *dst, const void *src, size_t n)
{
    return copy(SYS_process_vm_writev, (void *)src, dst, n);
}
