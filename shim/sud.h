/* sud.h - Syscall User Dispatch: see opencode's raw syscalls, thread by thread.
 *
 * Each armed thread raises SIGSYS for every `syscall` instruction outside glibc's code. The
 * handler runs the syscall itself (returning the raw result), and shows the log-related ones
 * to capture.c. Arming is per thread, never inherited by children. */
#ifndef OCSHIM_SUD_H
#define OCSHIM_SUD_H

#include <signal.h>

/* Finds glibc's code, checks the kernel supports dispatch, installs the SIGSYS handler.
 * 0 on success; -1 (and nothing changed) when the mechanism is unavailable. */
int sud_init(void);
/* Arms the calling thread; 0 on success. */
int sud_arm_thread(void);
/* Start-up failed after sud_init: disarms the calling thread and gives SIGSYS back the
 * disposition the host had. */
void sud_undo(void);

/* The host's own SIGSYS disposition: kept aside, never installed (ours stays). */
int sud_app_sigaction(const struct sigaction *act, struct sigaction *old);

/* Counters for the debug log. */
struct sud_stats { unsigned long traps, passthrough, foreign; };
void sud_get_stats(struct sud_stats *s);

#endif
