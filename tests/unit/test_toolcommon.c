/* test_toolcommon.c - the tools' helpers: quoting, JSON reader, argv runner, opencode.db reader,
 * the /proc snapshot, the option word getopt_long refused. */
#include "json.h"
#include "ocdb.h"
#include "optword.h"
#include "proc.h"
#include "quote.h"
#include "runcmd.h"
#include "strbuf.h"
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *q_sh(const char *s)
{
    struct strbuf b;
    sb_init(&b);
    quote_sh(&b, s);
    return sb_take(&b);
}

/* Round trip through a real shell: printf %s QUOTED must give back s. */
static int sh_roundtrip(const char *s)
{
    char *q = q_sh(s);
    struct strbuf script, out;
    sb_init(&script);
    sb_init(&out);
    sb_printf(&script, "printf %%s %s", q);
    const char *argv[] = { "sh", "-c", script.s, NULL };
    int rc = run_argv(argv, &out, NULL, 10000);
    int ok = rc == 0 && strcmp(out.s, s) == 0;
    free(q);
    sb_free(&script);
    sb_free(&out);
    return ok;
}

/* One scan of argv (a NULL-terminated list) as the ocshim commands make it ("-:" and
 * optind = 0): what each call gave, then the words after "--". */
static char *opt_trace(char **argv)
{
    static const struct option longs[] = {
        { "days", required_argument, NULL, 256 }, { "dry-run", no_argument, NULL, 257 },
        { "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
    };
    int argc = 0, c;
    while (argv[argc])
        argc++;
    struct strbuf b;
    sb_init(&b);
    const char *bad = NULL;
    optind = 0;
    while ((c = optword_getopt(argc, argv, "-:hnL:", longs, &bad)) != -1) {
        switch (c) {
        case 256: sb_printf(&b, "days=%s ", optarg); break;
        case 257: sb_add(&b, "dry "); break;
        case 'L': sb_printf(&b, "-L=%s ", optarg); break;
        case 1: sb_printf(&b, "+%s ", optarg); break;
        case '?': case ':': sb_printf(&b, "%c%s ", c, bad); break;
        default: sb_printf(&b, "-%c ", c); break;
        }
    }
    while (optind < argc)
        sb_printf(&b, "rest:%s ", argv[optind++]);
    return sb_take(&b);
}

#define CHECK_OPTS(want, ...)                                                        \
    do {                                                                             \
        char *argv_[] = { "gc", __VA_ARGS__, NULL };                                 \
        char *got_ = opt_trace(argv_);                                               \
        CHECK_STR(got_, want);                                                       \
        free(got_);                                                                  \
    } while (0)

int main(void)
{
    /* Shell quoting */
    char *q = q_sh("it's");
    CHECK_STR(q, "'it'\\''s'");
    free(q);
    const char *nasty[] = { "a b", "it's", "$(touch /tmp/x)", "a;b", "new\nline", "ü \xe2\x9c\x93", "`id`", "\\'\"", "" };
    for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++)
        CHECK(sh_roundtrip(nasty[i]));

    /* JSON string escaping, and the reader reading it back */
    struct strbuf b;
    sb_init(&b);
    quote_json(&b, "a\"b\\c\nd\x01\xc3\xa9");
    CHECK_STR(b.s, "\"a\\\"b\\\\c\\nd\\u0001\xc3\xa9\"");
    struct json *j = json_parse(b.s, b.len);
    CHECK(j && j->type == JSON_STR);
    CHECK_STR(json_str(j), "a\"b\\c\nd\x01\xc3\xa9");
    json_free(j);
    sb_free(&b);

    const char *doc = "[{\"id\":1,\"tabs\":[{\"title\":\"t\\u00e9\",\"windows\":[{\"cmdline\":[\"tmux\",\"attach\"],"
                      "\"ok\":true,\"n\":-1.5e2,\"z\":null}]}]}]";
    j = json_parse(doc, strlen(doc));
    CHECK(j && j->type == JSON_ARR && j->nkids == 1);
    const struct json *tabs = json_get(&j->kids[0], "tabs");
    CHECK(tabs && tabs->nkids == 1);
    CHECK_STR(json_str(json_get(&tabs->kids[0], "title")), "t\xc3\xa9");
    const struct json *w = &json_get(&tabs->kids[0], "windows")->kids[0];
    CHECK(json_get(w, "cmdline")->nkids == 2 && json_get(w, "n")->num == -150 && json_get(w, "z")->type == JSON_NULL);
    json_free(j);
    const char *bad[] = { "", "[", "{\"a\"}", "[1,]", "\"\\x\"", "[1] x", "{\"a\":1,}", "\"\\u0000\"", "tru" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = json_parse(bad[i], strlen(bad[i]));
        CHECK(j == NULL);
        json_free(j);
    }
    /* a NUL byte is valid nowhere in JSON, not even after a number (tests/fuzz/fuzz_json.c
     * found "[1\0]" read as [1]) */
    static const char nul[][5] = { "1\0", "[1\0]", "-2\0 ", "[\0]", "\0" };
    static const size_t nul_len[] = { 2, 4, 4, 3, 1 };
    for (size_t i = 0; i < sizeof nul / sizeof nul[0]; i++) {
        j = json_parse(nul[i], nul_len[i]);
        CHECK(j == NULL);
        json_free(j);
    }

    /* tmux quoting */
    sb_init(&b);
    quote_tmux_format(&b, "a#{host}#(id)");
    CHECK_STR(b.s, "a##{host}##(id)");
    /* tmux's session-name escapes undone; anything else kept as it is */
    sb_reset(&b);
    quote_tmux_unvis(&b, "a\\$b\\\\c\\nd\\te\\177f\\q\\07\\000\\");
    CHECK_STR(b.s, "a$b\\c\nd\te\177f\\q\\07\\000\\");
    sb_free(&b);
    char *t = quote_tmux_arg("x;");
    CHECK_STR(t, "x\\;");
    free(t);
    t = quote_tmux_arg("x;y");
    CHECK_STR(t, "x;y");
    free(t);

    /* Session ids */
    CHECK(session_id_valid("ses_df44de28cffew6XiCzZuRqPWmd"));
    CHECK(!session_id_valid("ses_"));
    CHECK(!session_id_valid("ses_ab-c"));
    CHECK(!session_id_valid("ses_ab c"));
    CHECK(!session_id_valid("ses_a;rm -rf"));
    CHECK(!session_id_valid("sesx_abc"));
    CHECK(!session_id_valid(NULL));

    /* The argv runner: exit codes, stdout/stderr, no shell, a missing program */
    struct strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    const char *a1[] = { "printf", "%s|", "a b", "$(x)", NULL };
    CHECK(run_argv(a1, &out, &err, 10000) == 0);
    CHECK_STR(out.s, "a b|$(x)|");
    const char *a2[] = { "sh", "-c", "echo e >&2; exit 7", NULL };
    sb_reset(&err);
    CHECK(run_argv(a2, NULL, &err, 10000) == 7);
    CHECK_STR(err.s, "e\n");
    const char *a3[] = { "/nonexistent/prog", NULL };
    CHECK(run_argv(a3, &out, &err, 10000) != 0);
    /* A program that never answers (a stopped tmux server) is killed at its time, and says so;
     * one that closes its output but lingers too (the child keeps running) as well. */
    const char *a4[] = { "sleep", "60", NULL };
    sb_reset(&err);
    CHECK(run_argv(a4, &out, &err, 200) == RUN_TIMEOUT);
    CHECK_STR(err.s, "sleep did not answer within 1 s");
    const char *a5[] = { "sh", "-c", "exec >/dev/null 2>&1; sleep 60", NULL };
    CHECK(run_argv(a5, &out, &err, 200) == RUN_TIMEOUT);
    sb_free(&out);
    sb_free(&err);
    char *sh = run_which("sh");
    CHECK(sh && sh[0] == '/');
    free(sh);

    /* opencode.db: a handmade database */
    char dir[] = "/tmp/test_toolcommon.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/opencode.db", dir);
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "PRAGMA journal_mode=WAL;"
                       "CREATE TABLE session (id TEXT PRIMARY KEY, parent_id TEXT, directory TEXT, title TEXT,"
                       " time_created INTEGER, time_updated INTEGER, time_archived INTEGER);"
                       "INSERT INTO session VALUES ('ses_old1', NULL, '/p', 'Old', 1, 100, NULL);"
                       "INSERT INTO session VALUES ('ses_new2', NULL, '/p', 'New ''q''', 2, 200, NULL);"
                       "INSERT INTO session VALUES ('ses_kid3', 'ses_new2', '/p', 'Sub', 3, 300, NULL);"
                       "INSERT INTO session VALUES ('ses_arch4', NULL, '/p', 'Arch', 4, 400, 401);",
                       NULL, NULL, NULL) == SQLITE_OK);
    struct ocdb d;
    struct notes ns = { 0 };
    CHECK(ocdb_open(&d, path, &ns) == 0 && ns.n == 0);
    struct ocdb_session s;
    CHECK(ocdb_session_get(&d, "ses_new2", &s) == 1);
    CHECK_STR(s.title, "New 'q'");
    CHECK(s.time_updated == 200 && !s.archived && s.is_root);
    ocdb_session_free(&s);
    CHECK(ocdb_session_get(&d, "ses_arch4", &s) == 1 && s.archived);
    ocdb_session_free(&s);
    CHECK(ocdb_session_get(&d, "ses_gone9", &s) == 0);
    CHECK(ocdb_session_get(&d, "not an id", &s) == -1);
    char *id = ocdb_newest_root(&d, "/p");   /* not the archived one, not the child */
    CHECK_STR(id, "ses_new2");
    free(id);
    CHECK(ocdb_newest_root(&d, "/elsewhere") == NULL);
    /* read-only: the database is not changed through it */
    CHECK(sqlite3_exec((sqlite3 *)d.db, "DELETE FROM session", NULL, NULL, NULL) != SQLITE_OK);
    ocdb_close(&d);
    /* while a writer holds a write lock, reads still work (WAL) */
    CHECK(sqlite3_exec(db, "BEGIN IMMEDIATE; UPDATE session SET title='X' WHERE id='ses_old1';", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(ocdb_open(&d, path, &ns) == 0);
    CHECK(ocdb_session_get(&d, "ses_old1", &s) == 1);
    CHECK_STR(s.title, "Old");
    ocdb_session_free(&s);
    ocdb_close(&d);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    /* a writer that locks readers out before the open (exclusive locking mode, in which
     * a WAL database is read without its shared memory): the open waits once and says so */
    CHECK(sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE session SET title='Y' WHERE id='ses_old1';",
                       NULL, NULL, NULL) == SQLITE_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(ocdb_open(&d, path, NULL) == -1 && d.db == NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(ocdb_problem(&d) && strstr(ocdb_problem(&d), "is locked by another process (gave up after 2 s)"));
    /* one busy wait, not one per schema probe: two waits take 2 x OCDB_BUSY_MS at the least */
    long long waited = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(waited >= OCDB_BUSY_MS && waited < 2 * OCDB_BUSY_MS);
    ocdb_close(&d);
    sqlite3_exec(db, "ROLLBACK; PRAGMA locking_mode=NORMAL; SELECT 1 FROM session;", NULL, NULL, NULL);
    sqlite3_close(db);
    /* a lock that comes after the open (a rollback-journal database: in WAL mode, as opencode's,
     * a reader once open is never locked out): the first query waits its busy time and fails
     * with the cause, every later one fails at once */
    char rb[256];
    snprintf(rb, sizeof rb, "%s/rollback.db", dir);
    CHECK(sqlite3_open(rb, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE session (id TEXT PRIMARY KEY, parent_id TEXT, directory TEXT, title TEXT,"
                           " time_updated INTEGER, time_archived INTEGER);"
                           "INSERT INTO session VALUES ('ses_old1', NULL, '/p', 'Old', 100, NULL);",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(ocdb_open(&d, rb, NULL) == 0 && ocdb_usable(&d) && ocdb_problem(&d) == NULL);
    sqlite3_busy_timeout((sqlite3 *)d.db, 50);
    CHECK(sqlite3_exec(db, "BEGIN EXCLUSIVE; UPDATE session SET title='Y';", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(ocdb_session_get(&d, "ses_old1", &s) == -1);
    CHECK(ocdb_problem(&d) && strstr(ocdb_problem(&d), "is locked by another process") && !ocdb_usable(&d));
    CHECK(ocdb_problem(&d) && strstr(ocdb_problem(&d), rb) == ocdb_problem(&d) + strlen("opencode database "));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    CHECK(ocdb_session_get(&d, "ses_old1", &s) == -1 && ocdb_newest_root(&d, "/p") == NULL);  /* no second wait */
    ocdb_close(&d);
    sqlite3_close(db);

    /* degraded: missing, corrupt, unknown schema -> -1 with one note each, no crash */
    notes_free(&ns);
    snprintf(path, sizeof path, "%s/missing.db", dir);
    CHECK(ocdb_open(&d, path, &ns) == -1 && d.db == NULL && ns.n == 1);
    CHECK(ocdb_session_get(&d, "ses_new2", &s) == -1 && ocdb_newest_root(&d, "/p") == NULL);
    CHECK(ocdb_problem(&d) && strstr(ocdb_problem(&d), "missing.db does not exist") && strcmp(ns.items[0], ocdb_problem(&d)) == 0);
    CHECK(access(path, F_OK) != 0);         /* not created */
    ocdb_close(&d);
    snprintf(path, sizeof path, "%s/nodir/opencode.db", dir);
    CHECK(ocdb_open(&d, path, NULL) == -1 && ocdb_problem(&d) && strstr(ocdb_problem(&d), "does not exist"));
    ocdb_close(&d);
    snprintf(path, sizeof path, "%s/empty.db", dir);
    fclose(fopen(path, "w"));
    CHECK(ocdb_open(&d, path, NULL) == -1 && ocdb_problem(&d) && strstr(ocdb_problem(&d), "empty.db is empty"));
    ocdb_close(&d);
    CHECK(ocdb_open(&d, dir, NULL) == -1 && ocdb_problem(&d) && strstr(ocdb_problem(&d), "is not a file"));
    ocdb_close(&d);
    snprintf(path, sizeof path, "%s/corrupt.db", dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a database, just some text that is long enough to look like a header.....", f);
    fclose(f);
    CHECK(ocdb_open(&d, path, &ns) == -1 && ns.n == 2);
    CHECK(ocdb_problem(&d) && strstr(ocdb_problem(&d), "is damaged (file is not a database)"));
    ocdb_close(&d);
    snprintf(path, sizeof path, "%s/other.db", dir);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE session (x INTEGER)", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK(ocdb_open(&d, path, &ns) == -1 && ns.n == 3);
    ocdb_close(&d);
    notes_free(&ns);

    /* path resolution */
    setenv("OPENCODE_DB", "/x/y.db", 1);
    char *p = ocdb_default_path();
    CHECK_STR(p, "/x/y.db");
    free(p);
    unsetenv("OPENCODE_DB");
    setenv("XDG_DATA_HOME", dir, 1);
    char sub[300];
    snprintf(sub, sizeof sub, "%s/opencode", dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/opencode/opencode-beta.db", dir);
    fclose(fopen(sub, "w"));
    p = ocdb_default_path();
    CHECK_STR(p, sub);
    free(p);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);

    /* The /proc snapshot and the fresh child count, with two children of ours */
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        int pfd[2];
        CHECK(pipe2(pfd, O_CLOEXEC) == 0);
        kids[i] = fork();
        if (kids[i] == 0) {
            close(pfd[0]);
            execlp("sleep", "sleep", "30", (char *)NULL);
            _exit(127);
        }
        close(pfd[1]);
        char c;
        CHECK(read(pfd[0], &c, 1) == 0); /* EOF: the exec closed the write end */
        close(pfd[0]);
    }
    struct proc_table pt;
    CHECK(proc_table_load(&pt) == 0);
    const struct proc_entry *me = proc_get(&pt, getpid());
    char comm[32] = "";
    FILE *cf = fopen("/proc/self/comm", "r");
    CHECK(cf && fgets(comm, sizeof comm, cf));
    if (cf)
        fclose(cf);
    comm[strcspn(comm, "\n")] = '\0';
    CHECK(me && me->ppid == getppid() && comm[0] && strcmp(me->comm, comm) == 0);
    CHECK(proc_children(&pt, getpid()) == 2);
    CHECK(proc_children_now(getpid()) == 2);
    CHECK(proc_find_below(&pt, getpid(), "sleep") == kids[0] || proc_find_below(&pt, getpid(), "sleep") == kids[1]);
    CHECK(proc_find_below(&pt, getpid(), "no-such-name") == 0);
    proc_table_free(&pt);
    for (int i = 0; i < 2; i++) {
        kill(kids[i], SIGKILL);
        waitpid(kids[i], NULL, 0);
    }
    CHECK(proc_children_now(getpid()) == 0);

    /* A snapshot where pid reuse made 10 and 11 each other's parent: the search ends. */
    struct proc_entry cyc[] = { { 10, 11, "bash", "bash" }, { 11, 10, "tmux", "tmux" },
                                { 12, 11, "opencode", "opencode" } };
    struct proc_table ct = { cyc, 3 };
    CHECK(proc_find_below(&ct, 10, "no-such-name") == 0);
    CHECK(proc_find_below(&ct, 10, "opencode") == 12);

    /* The option word getopt_long refused: a long one as typed, a short one alone, also in a
     * cluster after a long option (where argv[optind - 1] would name the long one). */
    CHECK_OPTS("days=5 +x -n -h dry ", "--days", "5", "x", "-nh", "--dry-run");
    CHECK_OPTS("dry ?-x -n ", "--dry-run", "-xn");
    CHECK_OPTS("-n ?-x ", "-nx");
    CHECK_OPTS("?--bogus=1 ?--d ?--dry-run=1 ?--help=2 :--days ", "--bogus=1", "--d", "--dry-run=1",
               "--help=2", "--days");
    CHECK_OPTS(":-L ", "-L");
    CHECK_OPTS("-n :-L ", "-nL");
    CHECK_OPTS("-L=x -L=-n days=--dry-run ", "-Lx", "-L", "-n", "--days", "--dry-run");
    CHECK_OPTS("days=7 days=8 +- rest:-n rest:x ", "--days=7", "--da", "8", "-", "--", "-n", "x");
    UNIT_END("test_toolcommon");
}
