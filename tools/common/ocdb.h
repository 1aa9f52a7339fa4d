/* ocdb.h - read opencode's own database (opencode.db) read-only: titles, archive state, fallback. */
#ifndef OCSHIM_OCDB_H
#define OCSHIM_OCDB_H

#include "notes.h"

struct sqlite3;

struct ocdb {
    struct sqlite3 *db;   /* NULL when it could not be opened */
    char *path;
    int has_archived;     /* the session table has time_archived */
    char *problem;        /* why it gives no answers (see ocdb_problem), else NULL */
};

struct ocdb_session {
    char *title, *directory;
    char *parent_id;         /* NULL for a root session */
    long long time_updated;  /* ms since epoch, 0 when unknown */
    int archived;
    int is_root;
};

/* opencode's file REST under an XDG base directory: $VAR/REST when VAR is an absolute path,
 * else $HOME/HOME_REL/REST. A new string. */
char *oc_xdg_path(const char *var, const char *home_rel, const char *rest);
/* The database path: $OPENCODE_DB, else ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db,
 * else the newest opencode-*.db there. Returns a new string (the default path when none exists). */
char *ocdb_default_path(void);
/* How long a read waits for a writer that locks readers out, then gives up (ms). */
#define OCDB_BUSY_MS 2000
/* Opens path (NULL: the default) read-only (never creating it) with a busy timeout of
 * OCDB_BUSY_MS and checks the schema. Returns 0, or -1 with d->db NULL and the problem in
 * d->problem, also added to notes when notes is not NULL. */
int ocdb_open(struct ocdb *d, const char *path, struct notes *notes);
/* Why the database gives no answers, one line ("opencode database PATH is locked by ..."), or
 * NULL while it is fine. Set by ocdb_open, or by the first query that fails (locked, corrupt):
 * from then on every query answers -1 / NULL at once, so a broken database costs one wait. */
const char *ocdb_problem(const struct ocdb *d);
/* A query on d->db failed with SQLite's rc: d gives no more answers, with the cause. */
void ocdb_failed(struct ocdb *d, int rc);
/* 1 while d can answer queries. */
int ocdb_usable(const struct ocdb *d);
void ocdb_close(struct ocdb *d);
/* 1 found (s filled; free with ocdb_session_free), 0 no such session, -1 unknown (not an id,
 * or the database gives no answers: ocdb_problem). */
int ocdb_session_get(struct ocdb *d, const char *id, struct ocdb_session *s);
void ocdb_session_free(struct ocdb_session *s);
/* The conversation id belongs to: up from a subagent's session through its parents (at most 16
 * steps) to the root. Returns as ocdb_session_get, for the last session reached (s filled when
 * 1); *root is that session's id (id itself when not found), a new string. */
int ocdb_root_get(struct ocdb *d, const char *id, char **root, struct ocdb_session *s);
/* The newest (time_updated) unarchived root session whose directory is dir; new string, or
 * NULL when there is none or the database gives no answers (ocdb_problem). */
char *ocdb_newest_root(struct ocdb *d, const char *dir);

#endif
