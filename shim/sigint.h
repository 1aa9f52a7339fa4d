/* sigint.h - a ctrl+c that kills opencode is a quit: the final record before SIGINT's death.
 *
 * opencode's TUI gives SIGINT back its default action when it starts to leave (terminal back
 * in cooked mode), then spends a few hundred ms shutting its server down; a second ctrl+c in
 * that window kills it by SIGINT, through no exit call. So while the host wants SIGINT's
 * default action, the kernel holds the shim's handler instead: it lets the worker write the
 * final record (exit_how=sigint), restores the default and raises SIGINT again, so the process
 * dies by SIGINT as it would have (same wait status for its parent). Every query answers
 * what the host set. Only in opencode; a forked child gets the default back. */
#ifndef OCSHIM_SIGINT_H
#define OCSHIM_SIGINT_H

#include "sigsafe.h"

#include <signal.h>

/* Installs the handler if SIGINT's action is the default now (the constructor, in opencode;
 * never in a PID namespace's first process, which no default action kills). */
void sigint_init(void);
/* 1 once the handler was installed in this process (and not undone in a forked child). */
int sigint_active(void);
/* The host's sigaction(SIGINT, ...), signal(SIGINT, ...) and raw rt_sigaction (kernel
 * structures; 0 or -errno), SIGSYS already out of their masks (entry.c, sud.c, as for every
 * signal): the host's request runs as asked, then a default action gives its
 * place to ours (in opencode itself only). Whatever reports the old action says SIG_DFL, with
 * the host's flags and mask, where ours held the place. */
int sigint_sigaction(const struct sigaction *act, struct sigaction *old);
__sighandler_t sigint_signal(__sighandler_t handler);
long sigint_rt_sigaction(const struct ksigaction *act, struct ksigaction *old);
/* A forked child is not opencode: SIGINT's default action comes back as the host set it. */
void sigint_fork_child(void);

#endif
