/* spawnread.h - run a helper program (tmux, the ocshim tool) from the worker thread: posix_spawn
 * with an argv (never a shell) and the given environment, stdin and stderr on /dev/null, stdout
 * captured, no inherited descriptors, default signal handling, its own session; bounded in time
 * (killed through a pidfd past it). */
#ifndef OCSHIM_SPAWNREAD_H
#define OCSHIM_SPAWNREAD_H

#include <stddef.h>

/* Runs path; out (cap bytes) gets its output, NUL-terminated. Returns the output's length
 * when the program succeeded (exit 0, or reaped by the host) and printed something, else -1.
 * give_up (may be NULL) is asked every 50 ms while the program runs: when it says 1, the
 * program is killed at once (the host is leaving: a slow tmux must not hold its exit). */
int spawn_read(const char *path, char *const argv[], char *const env[], char *out, size_t cap,
               int timeout_ms, int (*give_up)(void));
/* The first executable name on the PATH of env (a default PATH when it has none) into out;
 * 0, or -1 when there is none. */
int spawn_find(char *const env[], const char *name, char *out, size_t cap);

#endif
