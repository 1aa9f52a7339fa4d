/* debug.c - the optional diagnostics file (see debug.h).
 * Runs in: host threads, worker thread.
 *   worker thread: debug_open, dbg; host threads: dbg (the dlopen hook, once it hooked a native
 *   module). Never in a handler or a vfork child: snprintf, a write to the file. */
#include "debug.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int dfd = -1;

void debug_open(const char *setting, const char *state_dir, int pid)
{
    char path[4200];
    if (!setting || !setting[0] || dfd >= 0)
        return;
    if (setting[0] == '/')
        snprintf(path, sizeof path, "%s", setting);
    else
        snprintf(path, sizeof path, "%s/debug-%d.log", state_dir, pid);
    dfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
}

void dbg(const char *fmt, ...)
{
    if (dfd < 0)
        return;
    char line[1024];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int n = snprintf(line, sizeof line, "%lld.%06ld ocshim[%d]: ", (long long)ts.tv_sec,
                     ts.tv_nsec / 1000, (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    n += m < 0 ? 0 : (m >= (int)(sizeof line - (size_t)n - 1) ? (int)(sizeof line - (size_t)n - 2) : m);
    line[n++] = '\n';
    (void)!write(dfd, line, (size_t)n);
}
