/* occontinue.c - which session `opencode --continue` resumes: opencode's own rule, replayed
 * read-only on opencode.db (see occontinue.h).
 *
 * Read off the 1.14.48 and 1.18.34 binaries (the same in both):
 *  - the TUI lists the sessions of the current project updated in the last 30 days, newest
 *    time_updated first, at most 100 (children included), restricted to the directory's `path`
 *    (relative to the project's worktree): path = P, or below P, or (no path and directory = DIR);
 *    no restriction when P is "" (the worktree itself) or when the user turned the TUI's
 *    "session directory filtering" off (kv.json). It resumes the newest root of that list, ties
 *    to the smaller id.
 *  - `opencode run -c` lists the sessions whose directory is DIR (at most 100, newest first) and
 *    resumes the first root.
 * The project: see project_of(). */
#include "occontinue.h"
#include "json.h"
#include "quote.h"
#include "strbuf.h"

#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The rows newest_root_of() reads, and their order and page (opencode's default: 100). */
#define ROWS_WHERE "SELECT id, parent_id, time_updated FROM session WHERE "
#define NEWEST_PAGE " ORDER BY time_updated DESC LIMIT 100"
#define WINDOW_MS (30LL * 24 * 3600 * 1000)

const char *oc_rel_path(const char *worktree, const char *dir)
{
    if (strcmp(worktree, "/") == 0)
        return dir[0] == '/' ? dir + 1 : NULL;
    size_t n = strlen(worktree);
    if (strncmp(dir, worktree, n) != 0)
        return NULL;
    if (dir[n] == '\0')
        return dir + n;
    return dir[n] == '/' ? dir + n + 1 : NULL;
}

/* The nearest ancestor of dir (or dir) holding .git; a new string or NULL. */
static char *git_root(const char *dir)
{
    char *p = xstrdup(dir);
    for (;;) {
        struct strbuf g;
        sb_init(&g);
        sb_printf(&g, "%s/.git", strcmp(p, "/") == 0 ? "" : p);
        struct stat st;
        int found = lstat(g.s, &st) == 0;
        sb_free(&g);
        if (found)
            return p;
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) {
            free(p);
            return NULL;
        }
        *slash = '\0';
    }
}

/* 0 when the user turned the TUI's session directory filter off, else 1 (its default). */
static int directory_filter_on(void)
{
    char *path = oc_xdg_path("XDG_STATE_HOME", ".local/state", "opencode/kv.json");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return 1;
    struct strbuf text;
    sb_init(&text);
    int rc = sb_read_fd(&text, fd, 1u << 20);
    close(fd);
    int on = 1;
    struct json *j = rc == 0 ? json_parse(text.s ? text.s : "", text.len) : NULL;
    const struct json *v = json_get(j, "session_directory_filter_enabled");
    if (v && v->type == JSON_BOOL && !v->num)
        on = 0;
    json_free(j);
    sb_free(&text);
    return on;
}

/* The main worktree of a linked git worktree whose .git file is at dotgit ("gitdir:
 * MAIN/.git/worktrees/NAME"), or NULL. */
static char *main_worktree(const char *dotgit)
{
    FILE *f = fopen(dotgit, "re");
    if (!f)
        return NULL;
    char line[4200];
    char *r = NULL;
    if (fgets(line, sizeof line, f) && strncmp(line, "gitdir: ", 8) == 0) {
        char *cut = strstr(line + 8, "/.git/worktrees/");
        if (cut && line[8] == '/') {
            *cut = '\0';
            r = xstrdup(line + 8);
        }
    }
    fclose(f);
    return r;
}

/* The project of dir as opencode sees it (Project.resolve in 1.18): outside git, "global" with
 * the worktree "/"; in git, the project opencode.db knows for the repository (a linked worktree
 * shares its main worktree's), with the worktree the directory's own; a repository it does not
 * know (no commit yet) is "global" with that worktree. id and worktree: new strings. */
static void project_of(struct ocdb *d, const char *dir, char **id, char **worktree)
{
    sqlite3 *db = (sqlite3 *)d->db;
    *id = NULL;
    *worktree = git_root(dir);
    if (!*worktree) {
        *id = xstrdup("global");
        *worktree = xstrdup("/");
        return;
    }
    struct strbuf g;
    sb_init(&g);
    sb_printf(&g, "%s/.git", *worktree);
    char *main = main_worktree(g.s);
    sb_free(&g);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT id FROM project WHERE worktree = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, main ? main : *worktree, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
            *id = xstrdup((const char *)sqlite3_column_text(st, 0));
        else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            ocdb_failed(d, rc);         /* not "global": the answer would be another project's */
        sqlite3_finalize(st);
    } else if (rc != SQLITE_ERROR) {    /* SQLITE_ERROR: an older schema, without projects */
        ocdb_failed(d, rc);
    }
    free(main);
    if (!*id)
        *id = xstrdup("global");
}

/* Runs q (bound by the caller) and returns the newest root among its rows (id, parent_id,
 * time_updated), ties to the smaller id, as the TUI's sort does. NULL, with d's problem, when
 * the rows cannot all be read (locked, damaged): part of the list would give a wrong answer. */
static char *newest_root_of(struct ocdb *d, sqlite3_stmt *st)
{
    char *best = NULL;
    long long best_t = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (!id || sqlite3_column_type(st, 1) != SQLITE_NULL || !session_id_valid(id))
            continue;
        long long t = sqlite3_column_int64(st, 2);
        if (!best || t > best_t || (t == best_t && strcmp(id, best) < 0)) {
            free(best);
            best = xstrdup(id);
            best_t = t;
        }
    }
    if (rc != SQLITE_DONE) {
        ocdb_failed(d, rc);
        free(best);
        best = NULL;
    }
    return best;
}

char *oc_continue_session(struct ocdb *d, const char *dir, enum oc_mode mode)
{
    if (!ocdb_usable(d) || !dir)
        return NULL;
    char abs[PATH_MAX];
    if (!realpath(dir, abs))
        return NULL;
    sqlite3 *db = (sqlite3 *)d->db;
    sqlite3_stmt *st = NULL;
    char *pid = NULL, *wt = NULL, *like = NULL;
    const char *rel = NULL;
    int rc = SQLITE_OK;
    if (mode == OC_RUN) {
        rc = sqlite3_prepare_v2(db,
                           ROWS_WHERE "directory = ?1" NEWEST_PAGE,
                           -1, &st, NULL);
        if (st)
            sqlite3_bind_text(st, 1, abs, -1, SQLITE_TRANSIENT);
    } else {
        project_of(d, abs, &pid, &wt);
        rel = directory_filter_on() ? oc_rel_path(wt, abs) : NULL;
        int filtered = rel && *rel;
        if (ocdb_usable(d))
            rc = sqlite3_prepare_v2(db,
                           filtered
                               ? ROWS_WHERE "project_id = ?1 AND time_updated >= ?2 AND (path = ?3 OR "
                                 "path LIKE ?4 OR (path IS NULL AND directory = ?5))" NEWEST_PAGE
                               : ROWS_WHERE "project_id = ?1 AND time_updated >= ?2" NEWEST_PAGE,
                           -1, &st, NULL);
        if (st) {
            sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, (long long)time(NULL) * 1000 - WINDOW_MS);
            if (filtered) {
                struct strbuf l;
                sb_init(&l);
                sb_printf(&l, "%s/%%", rel);   /* as opencode: its LIKE pattern is not escaped */
                like = sb_take(&l);
                sqlite3_bind_text(st, 3, rel, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 4, like, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 5, abs, -1, SQLITE_TRANSIENT);
            }
        }
    }
    if (!st && mode == OC_TUI && rc == SQLITE_ERROR) {
        /* an older schema (no project_id or path): the sessions of this very directory */
        rc = sqlite3_prepare_v2(db,
                           ROWS_WHERE "directory = ?1 AND time_updated >= ?2" NEWEST_PAGE,
                           -1, &st, NULL);
        if (st) {
            sqlite3_bind_text(st, 1, abs, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, (long long)time(NULL) * 1000 - WINDOW_MS);
        }
    }
    if (!st && rc != SQLITE_OK)
        ocdb_failed(d, rc);             /* locked, damaged, not opencode's: no answer, with the cause */
    char *id = st ? newest_root_of(d, st) : NULL;
    sqlite3_finalize(st);
    free(pid);
    free(wt);
    free(like);
    return id;
}
