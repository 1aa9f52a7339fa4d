/* logscan.h - streaming parser of opencode's log (both formats) into session events.
 *
 * Pure code: no I/O, no allocation, no globals; fed with the bytes of the process's own log
 * writes in order, it finds whole lines (lines may be split across writes, several may come in
 * one write) and reports each line that names a session. Unit-tested on its own. */
#ifndef OCSHIM_LOGSCAN_H
#define OCSHIM_LOGSCAN_H

#include "recfmt.h"

#include <stddef.h>

#define LOGSCAN_ID_MAX RECFMT_ID_MAX   /* "ses_" + up to 59 alphanumerics + NUL */
#define LOGSCAN_VERSION_MAX 32
#define LOGSCAN_DIR_MAX 4096
#define LOGSCAN_LINE_MAX 16384   /* longer lines are cut: their first 16 KiB are parsed */

enum logscan_kind {
    LOGSCAN_CREATED = 1,  /* a session was created: `message=created id=` (1.18), `service=session id=` (1.14) */
    LOGSCAN_ACTIVE = 2,   /* a session is worked on: `session.id=` */
};

struct logscan_event {
    enum logscan_kind kind;
    char id[LOGSCAN_ID_MAX];
    char parent[LOGSCAN_ID_MAX];          /* CREATED: the parent session, "" for a root session */
    char version[LOGSCAN_VERSION_MAX];    /* CREATED: opencode's version, "" when absent */
    int from_db;                          /* a `source=db` line: made by the shim from a database write */
    int from_http;                        /* a `source=http` line: made from a client's request */
    int turn_start;                       /* ACTIVE: `step=0`, the first step of a prompt's turn */
    char directory[LOGSCAN_DIR_MAX];      /* CREATED: the session's directory, "" when absent */
};

typedef void (*logscan_cb)(const struct logscan_event *ev, void *arg);

struct logscan {
    size_t len;         /* bytes of the current line held in buf */
    int overflow;       /* the current line is longer than buf: the rest is dropped */
    int skipping;       /* after a gap: drop bytes up to the next newline */
    char buf[LOGSCAN_LINE_MAX];
};

void logscan_init(struct logscan *ls);
/* Feeds n bytes; calls cb once per complete line that names a session. */
void logscan_feed(struct logscan *ls, const char *p, size_t n, logscan_cb cb, void *arg);
/* Some bytes were lost between the last feed and the next: resynchronise at the next newline. */
void logscan_gap(struct logscan *ls);
/* Parses one line (no newline) and fills ev; 1 if the line names a session, else 0. */
int logscan_line(const char *line, size_t n, struct logscan_event *ev);
/* 1 if s[0..n) is a well-formed session id (recfmt_id_valid, the records' rule). */
int logscan_valid_id(const char *s, size_t n);

#endif
