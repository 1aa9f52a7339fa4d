/* debug.h - diagnostics, only when OCSHIM_DEBUG asks: to a file, never to the terminal.
 * OCSHIM_DEBUG=/abs/path writes there; any other non-empty value writes
 * <state dir>/debug-<pid>.log. */
#ifndef OCSHIM_DEBUG_H
#define OCSHIM_DEBUG_H

void debug_open(const char *setting, const char *state_dir, int pid);
void dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
