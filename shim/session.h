/* session.h - which session is "the" session of this process: a small state machine fed with
 * log events and the command line. Pure code, unit-tested on its own.
 *
 * Rules: a root session this process creates or works on becomes the active one; a subagent's
 * session (created with a parent) never replaces its root; `--session ID` sets it at start.
 * Events from the database (`db`) come first and may be corrected by the log. */
#ifndef OCSHIM_SESSION_H
#define OCSHIM_SESSION_H

#include "logscan.h"

#define SESSION_ROOTS_MAX 16   /* root sessions remembered for the record's `sessions` */
#define SESSION_SUBS_MAX 64    /* subagent sessions remembered, to ignore their activity */

struct session_state {
    char active[LOGSCAN_ID_MAX];
    const char *source;                       /* "log", "db", "argv" */
    char roots[SESSION_ROOTS_MAX][LOGSCAN_ID_MAX];
    int nroots;
    char subs[SESSION_SUBS_MAX][LOGSCAN_ID_MAX];
    int nsubs, subnext;
    char version[LOGSCAN_VERSION_MAX];
    char directory[LOGSCAN_DIR_MAX];
};

void session_init(struct session_state *s);
/* Applies a log event; 1 if the active session changed. */
int session_apply(struct session_state *s, const struct logscan_event *ev);
/* Sets the active session from another source; 1 if it changed. */
int session_set(struct session_state *s, const char *id, const char *source);
/* 1 if id is a known subagent session. */
int session_is_sub(const struct session_state *s, const char *id);

#endif
