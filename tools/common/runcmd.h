/* runcmd.h - run a program from an argv array (posix_spawnp, no shell) and capture its output. */
#ifndef OCSHIM_RUNCMD_H
#define OCSHIM_RUNCMD_H

#include "strbuf.h"

/* How long a tool waits for tmux to answer one command (it answers in milliseconds; a stopped
 * or wedged server never does). */
#define RUN_TMUX_MS 5000
/* kitty's remote-control client (about 0.5 s per call on kitty 0.26). */
#define RUN_KITTY_MS 30000

/* run_argv's result when the program did not finish within its time: it was killed. */
#define RUN_TIMEOUT (-2)

/* Runs argv[0] (searched in PATH) with stdin from /dev/null. out/err (either may be NULL)
 * receive stdout/stderr; NULL discards. Waits at most timeout_ms for it to finish, then kills
 * it. Returns the exit status (0..255), 128+signal when killed, -1 when it could not be
 * started (err gets the reason), RUN_TIMEOUT when it was too late (err: "PROG did not answer
 * within N s"). */
int run_argv(const char *const argv[], struct strbuf *out, struct strbuf *err, int timeout_ms);
/* Finds a program in PATH: a new absolute path, or NULL. */
char *run_which(const char *prog);

#endif
