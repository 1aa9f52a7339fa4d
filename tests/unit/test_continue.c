/* test_continue.c - `opencode --continue`: the shim's reading of opencode's name and command line, and the
 * tool's replay of opencode's rule over a handmade opencode.db (real directories, real git
 * markers; the database is SQLite through libsqlite3, its rows written here). */
#include "occontinue.h"
#include "procinfo.h"
#include "unit.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void cli(struct cli_session *c, const char *const *args)
{
    int n = 0;
    while (args[n])
        n++;
    procinfo_parse_cli(n, (char **)args, c);
}

static char *cont(struct ocdb *d, const char *dir, enum oc_mode m)
{
    return oc_continue_session(d, dir, m);
}

#define CHECK_CONT(d, dir, m, want)                                                   \
    do {                                                                              \
        char *got_ = cont((d), (dir), (m));                                           \
        if (want)                                                                     \
            CHECK_STR(got_, (want));                                                  \
        else                                                                          \
            CHECK(got_ == NULL);                                                      \
        free(got_);                                                                   \
    } while (0)

int main(void)
{
    /* --- the command line --- */
    struct cli_session c;
    cli(&c, (const char *const[]){ "opencode", "-c", NULL });
    CHECK(c.cont && !c.run && !c.other && !c.dir && !c.fork && !c.server);
    /* servers: their sessions are their clients' */
    cli(&c, (const char *const[]){ "opencode", "serve", "--port", "4096", NULL });
    CHECK(c.server && c.other);
    cli(&c, (const char *const[]){ "opencode", "--print-logs", "web", NULL });
    CHECK(c.server);
    CHECK(procinfo_role(&c) == ROLE_SERVER);
    cli(&c, (const char *const[]){ "opencode", "acp", NULL });
    CHECK(c.acp && !c.server);              /* an editor's agent: the shim stays out */
    /* clients: attach URL, run --attach URL */
    cli(&c, (const char *const[]){ "opencode", "attach", "http://x", NULL });
    CHECK(!c.server && c.client && c.url && strcmp(c.url, "http://x") == 0);
    CHECK(procinfo_role(&c) == ROLE_CLIENT);
    cli(&c, (const char *const[]){ "opencode", "attach", "--dir", "/p", "http://127.0.0.1:9", "-s", "ses_a", NULL });
    CHECK(c.client && c.url && strcmp(c.url, "http://127.0.0.1:9") == 0 && c.session && !c.dir);
    cli(&c, (const char *const[]){ "opencode", "run", "--attach", "http://h:1", "say", "hi", NULL });
    CHECK(c.client && c.run && c.url && strcmp(c.url, "http://h:1") == 0);
    CHECK(procinfo_role(&c) == ROLE_CLIENT);
    cli(&c, (const char *const[]){ "opencode", "run", "--attach=http://h:2", NULL });
    CHECK(c.client && c.url && strcmp(c.url, "http://h:2") == 0);
    cli(&c, (const char *const[]){ "opencode", "run", "hi", NULL });
    CHECK(!c.client && procinfo_role(&c) == ROLE_RUN);
    cli(&c, (const char *const[]){ "opencode", NULL });
    CHECK(procinfo_role(&c) == ROLE_TUI);
    CHECK(strcmp(procinfo_role_name(ROLE_CLIENT), "client") == 0 && strcmp(procinfo_role_name(ROLE_SERVER), "server") == 0);
    cli(&c, (const char *const[]){ "opencode", "run", "serve", NULL });
    CHECK(!c.server && c.run);              /* run's message, not a command */
    cli(&c, (const char *const[]){ "opencode", "serve-dir", NULL });
    CHECK(!c.server && c.dir);              /* a project directory named like it */
    cli(&c, (const char *const[]){ "opencode", "--model", "mock/m", "proj dir", "--continue", NULL });
    CHECK(c.cont && !c.run && c.dir && strcmp(c.dir, "proj dir") == 0);
    cli(&c, (const char *const[]){ "opencode", "run", "-c", "--dir", "/x", "hello", NULL });
    CHECK(c.cont && c.run && c.dir && strcmp(c.dir, "/x") == 0);
    cli(&c, (const char *const[]){ "opencode", "run", "-c", "hello", NULL });
    CHECK(c.run && c.dir == NULL);          /* run's positional is its message */
    cli(&c, (const char *const[]){ "opencode", "attach", "http://x", "-c", NULL });
    CHECK(c.cont && c.other && !c.run);
    cli(&c, (const char *const[]){ "opencode", "run", "--dir", "/srv/x", "--attach", "http://h:4096", "-c", "hi", NULL });
    CHECK(c.cont && c.run && c.other);      /* another server's database: not resolved here */
    cli(&c, (const char *const[]){ "opencode", "run", "--attach=http://h", "-c", NULL });
    CHECK(c.cont && c.other);
    cli(&c, (const char *const[]){ "opencode", "-m", "proj", "-c", NULL });
    CHECK(c.cont && c.dir == NULL);         /* an option's value is not the project */
    cli(&c, (const char *const[]){ "opencode", "-c", "--fork", NULL });
    CHECK(c.cont && c.fork);
    cli(&c, (const char *const[]){ "opencode", "--dir", "/x", NULL });
    CHECK(c.dir == NULL);                   /* --dir belongs to run */
    cli(&c, (const char *const[]){ "opencode", "--", "-c", NULL });
    CHECK(!c.cont);
    cli(&c, (const char *const[]){ "opencode", "-s", "ses_abc", NULL });
    CHECK(c.session && strcmp(c.session, "ses_abc") == 0 && !c.dir);

    /* --- relative paths as opencode computes them --- */
    CHECK_STR(oc_rel_path("/", "/a/b"), "a/b");
    CHECK_STR(oc_rel_path("/r", "/r"), "");
    CHECK_STR(oc_rel_path("/r", "/r/x/y"), "x/y");
    CHECK(oc_rel_path("/r", "/rx") == NULL);

    /* --- the rule over a database --- */
    char root[64] = "/tmp/test_continue.XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char p[2048], a[512], sub[512], b[512], repo[512], rsub[512], kvdir[512];
    snprintf(a, sizeof a, "%s/a", root);
    snprintf(sub, sizeof sub, "%s/a/sub", root);
    snprintf(b, sizeof b, "%s/b", root);
    snprintf(repo, sizeof repo, "%s/repo", root);
    snprintf(rsub, sizeof rsub, "%s/repo/pkg", root);
    mkdir(a, 0700);
    mkdir(sub, 0700);
    mkdir(b, 0700);
    mkdir(repo, 0700);
    mkdir(rsub, 0700);
    snprintf(p, sizeof p, "%s/.git", repo);
    mkdir(p, 0700);
    snprintf(kvdir, sizeof kvdir, "%s/state", root);
    setenv("XDG_STATE_HOME", kvdir, 1);   /* no kv.json yet: the filter is on */

    snprintf(p, sizeof p, "%s/opencode.db", root);
    sqlite3 *db;
    CHECK(sqlite3_open(p, &db) == SQLITE_OK);
    long long now = (long long)time(NULL) * 1000;
    char sql[8192];
    snprintf(sql, sizeof sql,
             "CREATE TABLE project (id TEXT PRIMARY KEY, worktree TEXT NOT NULL);"
             "INSERT INTO project VALUES ('global', '/'), ('abc123', '%s');"
             "CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT, parent_id TEXT, directory TEXT,"
             " path TEXT, title TEXT, time_created INTEGER, time_updated INTEGER, time_archived INTEGER);"
             /* global project: a, a/sub (newer), b (newest); a child of a's session newer still */
             "INSERT INTO session VALUES ('ses_a1', 'global', NULL, '%s', '%s', 't', 1, %lld, NULL);"
             "INSERT INTO session VALUES ('ses_sub2', 'global', NULL, '%s', '%s', 't', 2, %lld, NULL);"
             "INSERT INTO session VALUES ('ses_b3', 'global', NULL, '%s', '%s', 't', 3, %lld, NULL);"
             "INSERT INTO session VALUES ('ses_kid4', 'global', 'ses_a1', '%s', '%s', 't', 4, %lld, NULL);"
             /* too old for the TUI's 30-day list, but run -c has no such window */
             "INSERT INTO session VALUES ('ses_old5', 'global', NULL, '%s', '%s', 't', 5, %lld, NULL);"
             /* the git project: one at its root, a newer one in pkg/ */
             "INSERT INTO session VALUES ('ses_r6', 'abc123', NULL, '%s', '', 't', 6, %lld, NULL);"
             "INSERT INTO session VALUES ('ses_rp7', 'abc123', NULL, '%s', 'pkg', 't', 7, %lld, NULL);",
             repo, a, a + 1, now - 5000, sub, sub + 1, now - 4000, b, b + 1, now - 3000, a, a + 1, now - 1000,
             b, b + 1, now - 40LL * 24 * 3600 * 1000, repo, now - 2000, rsub, now - 1500);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    struct ocdb d;
    struct notes ns = { 0 };
    CHECK(ocdb_open(&d, p, &ns) == 0);

    CHECK_CONT(&d, a, OC_TUI, "ses_sub2");     /* the TUI: at or below a, newest root (not the child) */
    CHECK_CONT(&d, a, OC_RUN, "ses_a1");       /* run: a itself */
    CHECK_CONT(&d, sub, OC_TUI, "ses_sub2");
    CHECK_CONT(&d, b, OC_TUI, "ses_b3");
    CHECK_CONT(&d, repo, OC_TUI, "ses_rp7");   /* the worktree itself: the whole project */
    CHECK_CONT(&d, rsub, OC_TUI, "ses_rp7");
    snprintf(p, sizeof p, "%s/a/../a/sub/", root);
    CHECK_CONT(&d, p, OC_TUI, "ses_sub2");     /* the path is resolved first */
    CHECK_CONT(&d, root, OC_TUI, "ses_b3");    /* the parent of a and b: all of them */
    CHECK_CONT(&d, "/nonexistent/dir", OC_TUI, NULL);
    sqlite3_exec(db, "UPDATE session SET time_updated = 0 WHERE id = 'ses_b3'", NULL, NULL, NULL);
    CHECK_CONT(&d, b, OC_TUI, NULL);           /* outside the 30-day window: nothing to resume */
    CHECK_CONT(&d, b, OC_RUN, "ses_old5");     /* run has no window */

    /* the TUI's "session directory filtering" turned off: the whole project */
    snprintf(p, sizeof p, "%s/opencode", kvdir);
    mkdir(kvdir, 0700);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/opencode/kv.json", kvdir);
    FILE *f = fopen(p, "w");
    fputs("{ \"theme\": \"x\", \"session_directory_filter_enabled\": false }", f);
    fclose(f);
    CHECK_CONT(&d, a, OC_TUI, "ses_sub2");
    CHECK_CONT(&d, b, OC_TUI, "ses_sub2");
    f = fopen(p, "w");
    fputs("not json", f);
    fclose(f);
    CHECK_CONT(&d, b, OC_TUI, NULL);           /* unreadable kv.json: the default (on) */

    /* a git repository opencode.db does not know (no commit yet): the "global" project, paths
     * relative to the repository (a session made there before, with path "sub", counts) */
    snprintf(p, sizeof p, "%s/.git", a);
    mkdir(p, 0700);
    snprintf(sql, sizeof sql,
             "INSERT INTO session VALUES ('ses_g8', 'global', NULL, '%s', 'sub', 't', 8, %lld, NULL);", sub, now - 500);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    CHECK_CONT(&d, a, OC_TUI, "ses_g8");
    CHECK_CONT(&d, sub, OC_TUI, "ses_g8");
    /* a linked worktree of the known repository: its project, paths relative to itself */
    char wt[1024];
    snprintf(wt, sizeof wt, "%s/wt", root);
    mkdir(wt, 0700);
    snprintf(p, sizeof p, "%s/.git", wt);
    f = fopen(p, "w");
    fprintf(f, "gitdir: %s/.git/worktrees/wt\n", repo);
    fclose(f);
    snprintf(sql, sizeof sql,
             "INSERT INTO session VALUES ('ses_w9', 'abc123', NULL, '%s', '', 't', 9, %lld, NULL);", wt, now - 400);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    CHECK_CONT(&d, wt, OC_TUI, "ses_w9");
    ocdb_close(&d);

    /* an older schema (no project table, no path): the directory's own sessions */
    sqlite3_exec(db, "DROP TABLE project; ALTER TABLE session DROP COLUMN path;", NULL, NULL, NULL);
    snprintf(p, sizeof p, "%s/opencode.db", root);
    CHECK(ocdb_open(&d, p, &ns) == 0);
    CHECK_CONT(&d, sub, OC_TUI, "ses_g8");      /* sub's own sessions, newest first */
    /* locked by a writer after the open (this database keeps a rollback journal): no answer,
     * with the cause, never the older schema's query tried in its place */
    sqlite3_busy_timeout((sqlite3 *)d.db, 50);
    CHECK(sqlite3_exec(db, "BEGIN EXCLUSIVE; UPDATE session SET title = 'u';", NULL, NULL, NULL) == SQLITE_OK);
    CHECK_CONT(&d, sub, OC_TUI, NULL);
    CHECK(ocdb_problem(&d) && strstr(ocdb_problem(&d), "is locked by another process"));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    CHECK_CONT(&d, sub, OC_RUN, NULL);          /* and no more answers from it */
    ocdb_close(&d);
    CHECK(ocdb_open(&d, p, &ns) == 0);
    sqlite3_busy_timeout((sqlite3 *)d.db, 50);
    CHECK(sqlite3_exec(db, "BEGIN EXCLUSIVE; UPDATE session SET title = 'u';", NULL, NULL, NULL) == SQLITE_OK);
    CHECK_CONT(&d, sub, OC_RUN, NULL);
    CHECK(ocdb_problem(&d) && strstr(ocdb_problem(&d), "is locked by another process"));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    ocdb_close(&d);
    /* degraded database: nothing, no crash */
    CHECK_CONT(&d, a, OC_TUI, NULL);
    sqlite3_close(db);
    notes_free(&ns);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
    UNIT_END("test_continue");
}
