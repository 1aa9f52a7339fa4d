/* runcmd.h - run a program from an argv array (posix_spawnp, no shell) and capture its output. */
#ifndef OCSHIM_RUNCMD_H
#define OCSHIM_RUNCMD_H

#include "strbuf.h"

/* Runs argv[0] (searched in PATH) with stdin from /dev/null. out/err (either may be NULL)
 * receive stdout/stderr; NULL discards. Returns the exit status (0..255), 128+signal when
 * killed, or -1 when it could not be started (err gets the reason). */
int run_argv(const char *const argv[], struct strbuf *out, struct strbuf *err);
/* Finds a program in PATH: a new absolute path, or NULL. */
char *run_which(const char *prog);

#endif
