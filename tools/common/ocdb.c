/* ocdb.c - read-only access to opencode.db through libsqlite3 (see ocdb.h). */
#include "ocdb.h"
#include "quote.h"
#include "strbuf.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUSY_MS 2000

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

int ocdb_open(struct ocdb *d, const char *path, struct notes *notes)
{
    memset(d, 0, sizeof d[0]);
    d->path = path ? xstrdup(path) : ocdb_default_path();
    struct stat st;
    if (stat(d->path, &st) != 0) {
        notes_add(notes, "opencode database %s not found: no titles, no fallback", d->path);
        return -1;
    }
    char *uri = file_uri(d->path);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    free(uri);
    if (rc != SQLITE_OK) {
        notes_add(notes, "opencode database %s cannot be opened (%s): no titles, no fallback", d->path,
                  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, BUSY_MS);
    sqlite3_stmt *st1 = NULL;
    rc = sqlite3_prepare_v2(db, "SELECT id, parent_id, directory, title, time_updated, time_archived FROM session LIMIT 1",
                            -1, &st1, NULL);
    if (rc == SQLITE_OK) {
        d->has_archived = 1;
    } else {
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
        notes_add(notes, "opencode database %s unusable (%s): no titles, no fallback", d->path, sqlite3_errmsg(db));
        sqlite3_finalize(st1);
        sqlite3_close(db);
        return -1;
    }
    sqlite3_finalize(st1);
    d->db = db;
    return 0;
}

void ocdb_close(struct ocdb *d)
{
    if (d->db)
        sqlite3_close((sqlite3 *)d->db);
    free(d->path);
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
    if (!d->db || !session_id_valid(id))
        return -1;
    sqlite3_stmt *st;
    const char *q = d->has_archived
        ? "SELECT title, directory, time_updated, parent_id IS NULL, time_archived IS NOT NULL, parent_id FROM session WHERE id = ?1"
        : "SELECT title, directory, time_updated, parent_id IS NULL, 0, parent_id FROM session WHERE id = ?1";
    if (sqlite3_prepare_v2((sqlite3 *)d->db, q, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), ret;
    if (rc == SQLITE_ROW) {
        s->title = col_str(st, 0);
        s->directory = col_str(st, 1);
        s->time_updated = sqlite3_column_int64(st, 2);
        s->is_root = sqlite3_column_int(st, 3);
        s->archived = sqlite3_column_int(st, 4);
        s->parent_id = col_str(st, 5);
        ret = 1;
    } else {
        ret = rc == SQLITE_DONE ? 0 : -1;
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

char *ocdb_newest_root(struct ocdb *d, const char *dir)
{
    if (!d->db || !dir)
        return NULL;
    sqlite3_stmt *st;
    const char *q = d->has_archived
        ? "SELECT id FROM session WHERE parent_id IS NULL AND directory = ?1 AND time_archived IS NULL "
          "ORDER BY time_updated DESC LIMIT 1"
        : "SELECT id FROM session WHERE parent_id IS NULL AND directory = ?1 ORDER BY time_updated DESC LIMIT 1";
    if (sqlite3_prepare_v2((sqlite3 *)d->db, q, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, dir, -1, SQLITE_TRANSIENT);
    char *id = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = col_str(st, 0);
        if (id && !session_id_valid(id)) {
            free(id);
            id = NULL;
        }
    }
    sqlite3_finalize(st);
    return id;
}
