/* hooks.h - the functions opencode's rewritten import slots lead to (see plthook.h).
 *
 * Each hook does its part only while the shim is active in this process (opencode itself, not
 * a forked child) and otherwise calls libc's function exactly as opencode would have. */
#ifndef OCSHIM_HOOKS_H
#define OCSHIM_HOOKS_H

#include "plthook.h"

#include <stddef.h>

/* The hooked functions, as hooklist.h lists them: name, hook, and where libc's own function
 * is kept. */
extern const struct plthook hooks_table[];
extern const size_t hooks_count;

/* Turns the hooks' work on (the constructor, once everything is set up) or off (a forked
 * child, which is not opencode). */
void hooks_set_active(int on);

#endif
