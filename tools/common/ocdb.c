/* ocdb.c - read-only access to opencode.db through libsqlite3 (see ocdb.h). */
#include "ocdb.h"
#include "quote.h"
#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *oc_xdg_path(const char *var, const char *home_rel, const char *rest)
{
    struct strbuf b;
    sb_init(&b);
    const char *e = getenv(var), *home = getenv("HOME");
    if (e && *e == '/')
        sb_printf(&b, "%s/%s", e, rest);
    else
        sb_printf(&b, "%s/%s/%s", home ? home : "", home_rel, rest);
    return sb_take(&b);
}

char *ocdb_default_path(void)
{
    const char *e = getenv("OPENCODE_DB");
    if (e && *e)
        return xstrdup(e);
    char *dir = oc_xdg_path("XDG_DATA_HOME", ".local/share", "opencode");
    struct strbuf p;
    sb_init(&p);
    sb_printf(&p, "%s/opencode.db", dir);
    struct stat st;
    if (stat(p.s, &st) == 0) {
        free(dir);
        return sb_take(&p);
    }
    /* Other channels' builds: opencode-<channel>.db; take the newest. */
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        time_t best = 0;
        char *bestp = NULL;
        while ((de = readdir(d))) {
            size_t n = strlen(de->d_name);
            if (n < 13 || strncmp(de->d_name, "opencode-", 9) != 0 || strcmp(de->d_name + n - 3, ".db") != 0)
                continue;
            struct strbuf c;
            sb_init(&c);
            sb_printf(&c, "%s/%s", dir, de->d_name);
            if (stat(c.s, &st) == 0 && S_ISREG(st.st_mode) && (!bestp || st.st_mtime > best)) {
                free(bestp);
                bestp = sb_take(&c);
                best = st.st_mtime;
            } else {
                sb_free(&c);
            }
        }
        closedir(d);
        if (bestp) {
            free(dir);
            sb_free(&p);
            return bestp;
        }
    }
    free(dir);
    return sb_take(&p);
}

/* file: URI for a path, percent-encoding what a URI would misread. */
static char *file_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    struct strbuf b;
    sb_init(&b);
    sb_add(&b, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#' || *p <= 0x20 || *p >= 0x7f) {
            sb_addc(&b, '%');
            sb_addc(&b, hex[*p >> 4]);
            sb_addc(&b, hex[*p & 15]);
        } else {
            sb_addc(&b, (char)*p);
        }
    }
    sb_add(&b, "?mode=ro");
    return sb_take(&b);
}

/* The one line that says why d gives no answers: SQLite's rc and message, in the user's words. */
static void set_problem(struct ocdb *d, int rc, const char *msg, int empty)
{
    if (d->problem)
        return;                         /* the first cause is the one to tell */
    struct strbuf b;
    sb_init(&b);
    sb_printf(&b, "opencode database %s ", d->path);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        sb_printf(&b, "is locked by another process (gave up after %d s)", OCDB_BUSY_MS / 1000);
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        sb_printf(&b, "is damaged (%s)", msg);
        break;
    default:
        if (empty)
            sb_add(&b, "is empty");
        else
            sb_printf(&b, "cannot be read (%s)", msg);
    }
    d->problem = sb_take(&b);
}

void ocdb_failed(struct ocdb *d, int rc)
{
    set_problem(d, rc, d->db ? sqlite3_errmsg((sqlite3 *)d->db) : sqlite3_errstr(rc), 0);
}

int ocdb_usable(const struct ocdb *d)
{
    return d->db && !d->problem;
}

const char *ocdb_problem(const struct ocdb *d)
{
    return d->problem;
}

/* -1 with d's problem noted (and added to notes), d->db closed. */
static int open_failed(struct ocdb *d, struct notes *notes)
{
    if (d->db)
        sqlite3_close((sqlite3 *)d->db);
    d->db = NULL;
    if (notes)
        notes_add(notes, "%s", d->problem);
    return -1;
}

int ocdb_open(struct ocdb *d, const char *path, struct notes *notes)
{
    memset(d, 0, sizeof d[0]);
    d->path = path ? xstrdup(path) : ocdb_default_path();
    struct stat st;
    int e = stat(d->path, &st) == 0 ? 0 : errno;
    if (e || !S_ISREG(st.st_mode)) {
        /* never opened: SQLite would create the file that a read-only open finds missing */
        struct strbuf b;
        sb_init(&b);
        sb_printf(&b, "opencode database %s ", d->path);
        if (e == ENOENT || e == ENOTDIR)
            sb_add(&b, "does not exist");
        else if (e)
            sb_printf(&b, "cannot be read (%s)", strerror(e));
        else
            sb_add(&b, "is not a file");
        d->problem = sb_take(&b);
        return open_failed(d, notes);
    }
    char *uri = file_uri(d->path);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    free(uri);
    d->db = db;
    if (rc != SQLITE_OK) {
        set_problem(d, rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), 0);
        return open_failed(d, notes);
    }
    sqlite3_busy_timeout(db, OCDB_BUSY_MS);
    sqlite3_stmt *st1 = NULL;
    rc = sqlite3_prepare_v2(db, "SELECT id, parent_id, directory, title, time_updated, time_archived FROM session LIMIT 1",
                            -1, &st1, NULL);
    if (rc == SQLITE_OK) {
        d->has_archived = 1;
    } else if (rc == SQLITE_ERROR) {    /* an older schema (no such column), not a lock or damage */
        sqlite3_finalize(st1);
        st1 = NULL;
        rc = sqlite3_prepare_v2(db, "SELECT id, parent_id, directory, title, time_updated FROM session LIMIT 1",
                                -1, &st1, NULL);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st1);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) {
        set_problem(d, rc, sqlite3_errmsg(db), st.st_size == 0);
        sqlite3_finalize(st1);
        return open_failed(d, notes);
    }
    sqlite3_finalize(st1);
    return 0;
}

void ocdb_close(struct ocdb *d)
{
    if (d->db)
        sqlite3_close((sqlite3 *)d->db);
    free(d->path);
    free(d->problem);
    memset(d, 0, sizeof *d);
}

static char *col_str(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? xstrdup((const char *)t) : NULL;
}

int ocdb_session_get(struct ocdb *d, const char *id, struct ocdb_session *s)
{
    memset(s, 0, sizeof *s);
    if (!ocdb_usable(d) || !session_id_valid(id))
        return -1;
    sqlite3_stmt *st;
    const char *q = d->has_archived
        ? "SELECT title, directory, time_updated, parent_id IS NULL, time_archived IS NOT NULL, parent_id FROM session WHERE id = ?1"
        : "SELECT title, directory, time_updated, parent_id IS NULL, 0, parent_id FROM session WHERE id = ?1";
    int rc = sqlite3_prepare_v2((sqlite3 *)d->db, q, -1, &st, NULL), ret;
    if (rc != SQLITE_OK) {
        ocdb_failed(d, rc);
        return -1;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->title = col_str(st, 0);
        s->directory = col_str(st, 1);
        s->time_updated = sqlite3_column_int64(st, 2);
        s->is_root = sqlite3_column_int(st, 3);
        s->archived = sqlite3_column_int(st, 4);
        s->parent_id = col_str(st, 5);
        ret = 1;
    } else if (rc == SQLITE_DONE) {
        ret = 0;
    } else {
        ocdb_failed(d, rc);
        ret = -1;
    }
    sqlite3_finalize(st);
    return ret;
}

void ocdb_session_free(struct ocdb_session *s)
{
    free(s->title);
    free(s->directory);
    free(s->parent_id);
    memset(s, 0, sizeof *s);
}

int ocdb_root_get(struct ocdb *d, const char *id, char **root, struct ocdb_session *s)
{
    char *cur = xstrdup(id);
    int rc = ocdb_session_get(d, cur, s);
    for (int depth = 0; rc == 1 && !s->is_root && s->parent_id && depth < 16; depth++) {
        free(cur);
        cur = s->parent_id;
        s->parent_id = NULL;
        ocdb_session_free(s);
        rc = ocdb_session_get(d, cur, s);
    }
    *root = cur;
    return rc;
}

char *ocdb_newest_root(struct ocdb *d, const char *dir)
{
    if (!ocdb_usable(d) || !dir)
        return NULL;
    sqlite3_stmt *st;
    const char *q = d->has_archived
        ? "SELECT id FROM session WHERE parent_id IS NULL AND directory = ?1 AND time_archived IS NULL "
          "ORDER BY time_updated DESC LIMIT 1"
        : "SELECT id FROM session WHERE parent_id IS NULL AND directory = ?1 ORDER BY time_updated DESC LIMIT 1";
    int rc = sqlite3_prepare_v2((sqlite3 *)d->db, q, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        ocdb_failed(d, rc);
        return NULL;
    }
    sqlite3_bind_text(st, 1, dir, -1, SQLITE_TRANSIENT);
    char *id = NULL;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ocdb_failed(d, rc);
    if (rc == SQLITE_ROW) {
        id = col_str(st, 0);
        if (id && !session_id_valid(id)) {
            free(id);
            id = NULL;
        }
    }
    sqlite3_finalize(st);
    return id;
}
