/* childenv.h - OPENCODE_SESSION_ID for every program opencode starts.
 *
 * The worker publishes the active root session here; execve (called in opencode's vfork
 * child, which shares the parent's memory) reads it without locks or allocation and passes
 * an environment where OPENCODE_SESSION_ID is that id: an existing value is replaced, not
 * duplicated; with no session known the variable is removed (an inherited one would name
 * another process's session). */
#ifndef OCSHIM_CHILDENV_H
#define OCSHIM_CHILDENV_H

#include <stddef.h>

#define CHILDENV_VAR "OPENCODE_SESSION_ID"
#define CHILDENV_LINE_MAX 96   /* "OPENCODE_SESSION_ID=" + an id of up to 63 bytes + NUL */

/* Worker side: publish the active id ("" for none). */
void childenv_publish(const char *id);
/* Any side: copy the published id into out (CHILDENV_LINE_MAX); returns its length (0: none). */
size_t childenv_read(char *out);
/* Builds into out (cap entries, including the final NULL) envp with OPENCODE_SESSION_ID set to
 * line (a complete "OPENCODE_SESSION_ID=..." entry) or removed when line is NULL. Returns out,
 * or NULL when cap is too small. No allocation. */
char **childenv_build(char *const envp[], const char *line, char **out, size_t cap);
/* A server works on its clients' sessions: none is published. What opencode itself sets
 * (ocshim's plugin, through opencode's shell.env hook: the session whose tool runs the
 * command) is kept; an entry equal to the one the server inherited at start (entry, or NULL)
 * names another process's session and is removed. */
void childenv_set_server(const char *inherited);
/* The inherited entry when this is a server (it may be NULL), through *inherited; 1 for a
 * server, 0 otherwise. */
int childenv_server(const char **inherited);
/* Builds into out (cap entries, including the final NULL) envp without entries equal to
 * stale (NULL: a plain copy). Returns out, or NULL when cap is too small. No allocation. */
char **childenv_build_server(char *const envp[], const char *stale, char **out, size_t cap);
/* Number of entries of envp. */
size_t childenv_count(char *const envp[]);

#endif
