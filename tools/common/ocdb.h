/* ocdb.h - read opencode's own database (opencode.db) read-only: titles, archive state, fallback. */
#ifndef OCSHIM_OCDB_H
#define OCSHIM_OCDB_H

#include "notes.h"

struct sqlite3;

struct ocdb {
    struct sqlite3 *db;   /* NULL when degraded: no titles, no fallback */
    char *path;
    int has_archived;     /* the session table has time_archived */
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
/* Opens path (NULL: the default) read-only with a busy timeout and checks the schema.
 * Returns 0, or -1 with a note and d->db NULL (degraded). */
int ocdb_open(struct ocdb *d, const char *path, struct notes *notes);
void ocdb_close(struct ocdb *d);
/* 1 found (s filled; free with ocdb_session_free), 0 no such session, -1 unknown (degraded,
 * locked, error). */
int ocdb_session_get(struct ocdb *d, const char *id, struct ocdb_session *s);
void ocdb_session_free(struct ocdb_session *s);
/* The newest (time_updated) unarchived root session whose directory is dir; new string or NULL. */
char *ocdb_newest_root(struct ocdb *d, const char *dir);

#endif
