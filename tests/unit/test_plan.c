/* test_plan.c - ocshim-restore's planning rules (plan_decide), one check group per rule, over
 * facts made by hand: records as the reader parses them, which processes are alive, the
 * database's answers, panes that ran opencode without a record. Then the gathering of the
 * database's answers (facts_db_add) over a real opencode.db written here through libsqlite3. */
#include "ocdb.h"
#include "ocrec.h"
#include "proc.h"
#include "restore.h"
#include "unit.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#define SOCK "/tmp/ocshim-plan-test/sock"
#define ID(n) "ses_plan" #n "AAAAAAAAAAAAAAAAAAAAAAA"

static struct ocrec_list recs;
static char alive[16], here[16];
static const char *boot = "0123456789abcdef0123456789abcdef";

/* A record as the shim writes it; alive: the facts say its process runs. */
static void rec(int alive_, long pid, const char *session, const char *tses, int win, int pane,
                long long started, long long updated, const char *state, int hangup, const char *extra)
{
    char buf[4096];
    int n = snprintf(buf, sizeof buf,
                     "ocshim_record=1\npid=%ld\nboot_id=%s\nstart_time=%llu\nstarted_ms=%lld\nuid=0\n"
                     "exe=/bin/true\ncwd=/tmp\nargc=1\narg=opencode\nsession=%s\nsessions=%s\n"
                     "directory=/tmp\ntmux_socket=" SOCK "\ntmux_pane=%%%ld\ntmux_session=%s\n"
                     "tmux_window=%d\ntmux_window_name=w\ntmux_pane_index=%d\n%supdated_ms=%lld\n"
                     "state=%s\n%s%send=1\n",
                     pid, boot, 77ULL,
                     started, session, session, pid, tses, win, pane, extra ? extra : "", updated, state,
                     strcmp(state, "exited") == 0 ? "exit_how=exit\nexit_code=0\n" : "",
                     hangup < 0 ? "" : hangup ? "hangup=1\n" : "hangup=0\n");
    if (recs.n == recs.cap) {
        recs.cap = recs.cap ? recs.cap * 2 : 8;
        recs.v = realloc(recs.v, sizeof *recs.v * (size_t)recs.cap);
    }
    const char *why;
    struct ocrec *r = &recs.v[recs.n];
    if (ocrec_parse(buf, (size_t)n, r, &why) == 0) {
        alive[recs.n] = (char)alive_;
        here[recs.n] = 1;
        char name[32];
        snprintf(name, sizeof name, "%ld.rec", pid);
        r->file = strdup(name);
        recs.n++;
    } else {
        fprintf(stderr, "  record %ld refused: %s\n", pid, why);
    }
}

static struct plan plan;
static struct notes notes;
static struct opts o;
static struct facts fx;
static struct dbfact dbf[8];
static struct guessfact running[4], saved[4];

/* opencode.db's answer for an id, as the gathering step would have it. */
static void dbfact(int i, const char *id, int known, const char *root, const char *title, int archived)
{
    dbf[i] = (struct dbfact){ (char *)id, known, (char *)(root ? root : id), (char *)title, 10L * (i + 1), archived };
}

static void build(void)
{
    plan_free(&plan);
    notes_free(&notes);
    fx.recs = &recs;
    fx.socket = SOCK;
    fx.alive = alive;
    fx.here = here;
    fx.db = dbf;
    fx.ndb = 6;
    fx.running = running;
    fx.saved = saved;
    plan_decide(&plan, &fx, &o, &notes);
}

static void reset(void)
{
    ocrec_list_free(&recs);
    memset(&o, 0, sizeof o);
    fx.nrunning = fx.nsaved = 0;
}

static const struct entry *of(const char *session)
{
    for (int i = 0; i < plan.n; i++)
        if (plan.v[i].session_id && strcmp(plan.v[i].session_id, session) == 0)
            return &plan.v[i];
    return NULL;
}

static int count(const char *session)
{
    int n = 0;
    for (int i = 0; i < plan.n; i++)
        n += plan.v[i].session_id && strcmp(plan.v[i].session_id, session) == 0;
    return n;
}

static int state_is(const char *session, enum pstate s)
{
    const struct entry *e = of(session);
    return e && e->state == s;
}

static int noted(const char *part)
{
    for (int i = 0; i < notes.n; i++)
        if (strstr(notes.items[i], part))
            return 1;
    return 0;
}

int main(void)
{
    dbfact(0, ID(1), 1, NULL, "one", 0);
    dbfact(1, ID(2), 1, NULL, "two", 0);
    dbfact(2, ID(3), 1, NULL, "three", 0);
    dbfact(3, ID(4), 1, NULL, "archived", 1);
    dbfact(4, ID(5), 1, ID(1), "one", 0);        /* a subagent's session: its root is ID(1) */
    dbfact(5, ID(9), 0, NULL, NULL, 0);          /* not in the database */

    /* open when things went down (state=running, process gone): restored, with the db's title */
    reset();
    rec(0, 101, ID(1), "s", 0, 0, 1000, 2000, "running", -1, NULL);
    build();
    CHECK(plan.n == 1 && state_is(ID(1), P_RESTORE));
    CHECK(of(ID(1)) && of(ID(1))->title && strcmp(of(ID(1))->title, "one") == 0 && of(ID(1))->last_ms == 10);
    /* ... with no answer from the database (none there): restored all the same */
    dbf[0].known = -1;
    build();
    CHECK(state_is(ID(1), P_RESTORE) && !of(ID(1))->title);
    dbf[0].known = 1;

    /* a tmux pane record whose window index is out of range (damaged): no entry, and a note */
    reset();
    rec(0, 120, ID(1), "s", 100001, 0, 1000, 2000, "running", -1, NULL);
    build();
    CHECK(plan.n == 0 && noted("record 120.rec: its tmux window or pane index is not a number"));
    /* ... a pane index out of range too; 100000 is still an index; another server's: no note */
    reset();
    rec(0, 121, ID(1), "s", 0, 100001, 1000, 2000, "running", -1, NULL);
    rec(0, 122, ID(2), "t", 100000, 0, 1000, 2000, "running", -1, NULL);
    rec(0, 123, ID(3), "u", 100001, 0, 1000, 2000, "running", -1, NULL);
    here[2] = 0;
    build();
    CHECK(plan.n == 1 && state_is(ID(2), P_RESTORE) && noted("record 121.rec: its tmux window or pane") &&
          !noted("record 123.rec"));

    /* quit on purpose (exited, no hangup): skipped, with its reason; --all restores it */
    reset();
    rec(0, 102, ID(1), "s", 0, 0, 1000, 2000, "exited", 0, NULL);
    build();
    CHECK(state_is(ID(1), P_QUIT) && strstr(of(ID(1))->why, "quit on purpose"));
    o.all = 1;
    build();
    CHECK(state_is(ID(1), P_RESTORE) && of(ID(1))->was_quit);

    /* a hangup (tmux or the terminal died) is not a quit; nor is an exit with no hangup known */
    reset();
    rec(0, 103, ID(1), "s", 0, 0, 1000, 2000, "exited", 1, NULL);
    build();
    CHECK(state_is(ID(1), P_RESTORE));

    /* its process is alive: running, nothing to do */
    reset();
    rec(1, 104, ID(1), "s", 0, 0, 1000, 2000, "running", -1, NULL);
    build();
    CHECK(state_is(ID(1), P_RUNNING));

    /* superseded: a later process took the pane after this one's last word: one entry, the later */
    reset();
    rec(0, 105, ID(1), "s", 0, 0, 1000, 2000, "running", -1, NULL);
    rec(0, 106, ID(2), "s", 0, 0, 3000, 4000, "running", -1, NULL);
    build();
    CHECK(plan.n == 1 && state_is(ID(2), P_RESTORE) && !of(ID(1)));

    /* displaced: two processes alive at the same time named the pane (the panes moved): the
     * one that saw the pane last keeps it, the other comes back in a new pane of the window */
    reset();
    rec(0, 107, ID(1), "s", 0, 0, 1000, 5000, "running", -1, NULL);
    rec(0, 108, ID(2), "s", 0, 0, 3000, 6000, "running", -1, NULL);
    build();
    CHECK(plan.n == 2 && state_is(ID(1), P_RESTORE) && state_is(ID(2), P_RESTORE));
    CHECK(of(ID(1)) && of(ID(1))->displaced && !of(ID(2))->displaced);
    CHECK(of(ID(1)) && of(ID(2)) && of(ID(1))->win == 0 && of(ID(2))->pane == 0 && of(ID(1))->pane == 1);

    /* the same conversation in two panes: the newer pane restores it, the other is a duplicate */
    reset();
    rec(0, 109, ID(1), "s", 0, 0, 1000, 2000, "running", -1, NULL);
    rec(0, 110, ID(1), "t", 0, 0, 1000, 3000, "running", -1, NULL);
    build();
    CHECK(plan.n == 2 && count(ID(1)) == 2);
    {
        int restore = 0, dup = 0;
        for (int i = 0; i < plan.n; i++) {
            restore += plan.v[i].state == P_RESTORE && strcmp(plan.v[i].tsession, "t") == 0;
            dup += plan.v[i].state == P_DUPLICATE && strcmp(plan.v[i].tsession, "s") == 0 &&
                   strstr(plan.v[i].why, "restored in t:0.0 instead");
        }
        CHECK(restore == 1 && dup == 1);
    }

    /* ... and a conversation open in a live process is never started a second time */
    reset();
    rec(0, 111, ID(3), "s", 0, 0, 1000, 9000, "running", -1, NULL);
    rec(1, 112, ID(3), "u", 0, 0, 1000, 2000, "running", -1, NULL);
    build();
    {
        int dup = 0;
        for (int i = 0; i < plan.n; i++)
            dup += plan.v[i].state == P_DUPLICATE && strstr(plan.v[i].why, "already open in u:0.0");
        CHECK(dup == 1);
    }

    /* archived in opencode.db: skipped; gone from it: deleted */
    reset();
    rec(0, 113, ID(4), "s", 0, 0, 1000, 2000, "running", -1, NULL);
    rec(0, 114, ID(9), "t", 0, 0, 1000, 2000, "running", -1, NULL);
    build();
    CHECK(state_is(ID(4), P_ARCHIVED) && state_is(ID(9), P_DELETED));

    /* no valid session id: skipped, with a note */
    reset();
    rec(0, 115, "ses_bad-id", "s", 0, 0, 1000, 2000, "running", -1, NULL);
    build();
    CHECK(plan.n == 1 && plan.v[0].state == P_BADID && noted("no valid session id"));

    /* records of another tmux server are not this one's to restore */
    reset();
    rec(0, 116, ID(1), "s", 0, 0, 1000, 2000, "running", -1, NULL);
    here[0] = 0;
    build();
    CHECK(plan.n == 0 && noted("other tmux servers ignored"));

    /* a client that had opened a subagent's session comes back on its root conversation */
    reset();
    rec(0, 117, ID(5), "s", 0, 0, 1000, 2000, "running", -1,
        "role=client\nserver_url=http://127.0.0.1:4096\n");
    build();
    CHECK(plan.n == 1 && plan.v[0].role == E_CLIENT && plan.v[0].session_id &&
          strcmp(plan.v[0].session_id, ID(1)) == 0);

    /* a client record without its server's URL cannot be brought back */
    reset();
    rec(0, 118, ID(2), "s", 0, 0, 1000, 2000, "running", -1, "role=client\n");
    build();
    CHECK(plan.n == 1 && plan.v[0].state == P_BADID && strstr(plan.v[0].why, "server's URL"));

    /* a live pane running opencode with no live record: the newest root session of its
     * directory, as a guess; a live record of that process speaks for it instead */
    reset();
    running[0] = (struct guessfact){ .tsession = "g", .win = 0, .pane = 0, .pane_id = "%9", .oc_pid = 999,
                                     .dir = "/tmp", .sid = ID(2) };
    fx.nrunning = 1;
    build();
    CHECK(plan.n == 1 && state_is(ID(2), P_GUESS) && strcmp(of(ID(2))->pane_id, "%9") == 0);
    rec(1, 999, ID(3), "elsewhere", 0, 0, 1000, 2000, "running", -1, NULL);
    build();
    CHECK(plan.n == 1 && state_is(ID(3), P_RUNNING) && !of(ID(2)));

    /* tmux-resurrect's pane that ran opencode, with no record: a guess to restore; taken
     * already, a duplicate; no session in its directory, a note */
    reset();
    saved[0] = (struct guessfact){ .tsession = "r", .win = 1, .pane = 0, .win_name = "w", .dir = "/tmp",
                                   .exe = "/opt/opencode", .sid = ID(2) };
    saved[1] = (struct guessfact){ .tsession = "r", .win = 1, .pane = 1, .win_name = "w", .dir = "/tmp", .sid = ID(2) };
    saved[2] = (struct guessfact){ .tsession = "r", .win = 2, .pane = 0, .win_name = "w", .dir = "/nowhere" };
    fx.nsaved = 3;
    build();
    CHECK(plan.n == 2 && plan.v[0].guess && plan.v[0].state == P_RESTORE && plan.v[0].win == 1 &&
          strcmp(plan.v[0].exe, "/opt/opencode") == 0);
    CHECK(plan.n == 2 && plan.v[1].state == P_DUPLICATE && strstr(plan.v[1].why, "already restored"));
    CHECK(noted("r:2.0 ran opencode (tmux-resurrect) but its directory has no session"));
    /* ... unless the database gave no answers: then nobody knows, and its own note says so */
    fx.db_broken = 1;
    build();
    CHECK(plan.n == 2 && !noted("r:2.0 ran opencode"));
    fx.db_broken = 0;
    /* ... and a record for that pane speaks instead */
    rec(0, 120, ID(1), "r", 1, 0, 1000, 2000, "running", -1, NULL);
    build();
    CHECK(state_is(ID(1), P_RESTORE) && count(ID(2)) == 1 && of(ID(2))->pane == 1);
    reset();
    plan_free(&plan);
    notes_free(&notes);

    /* tmux-resurrect's save file: a pane line is taken only with real window and pane indexes
     * (an empty one, or one too big for an int, which came out as -1; tests/fuzz/fuzz_resurrect.c) */
    {
        char save[] = "/tmp/ocshim-plan-last.XXXXXX";
        int sfd = mkstemp(save);
        FILE *sf = sfd >= 0 ? fdopen(sfd, "w") : NULL;
        CHECK(sf != NULL);
        if (sf) {
            fputs("pane\tr\t\t:w\t1\t:*\t0\t:t\t:/tmp\t1\topencode\t:\n"
                  "pane\tr\t0\t:w\t1\t:*\t09999999999999999999999999\t:t\t:/tmp\t1\topencode\t:\n"
                  "pane\tr\t4294967296\t:w\t1\t:*\t0\t:t\t:/tmp\t1\topencode\t:\n"
                  "pane\tr\t1\t:w\t1\t:*\t2\t:t\t:/tmp\t1\topencode\t:\n", sf);
            CHECK(fclose(sf) == 0);
        }
        setenv("OCSHIM_RESURRECT_FILE", save, 1);
        struct facts g;
        memset(&g, 0, sizeof g);
        resurrect_load(&g, &notes);
        CHECK(g.nsaved == 1 && g.saved[0].win == 1 && g.saved[0].pane == 2 && strcmp(g.saved[0].dir, "/tmp") == 0);
        facts_free(&g);
        setenv("OCSHIM_RESURRECT_FILE", "", 1);
        unlink(save);
    }

    /* the gathering of the database's answers, over a real opencode.db */
    {
        char dir[] = "/tmp/ocshim-plan.XXXXXX", path[64];
        CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof path, "%s/opencode.db", dir);
        sqlite3 *w;
        CHECK(sqlite3_open(path, &w) == SQLITE_OK);
        CHECK(sqlite3_exec(w,
            "CREATE TABLE session (id TEXT PRIMARY KEY, parent_id TEXT, directory TEXT, title TEXT,"
            " time_updated INTEGER, time_archived INTEGER);"
            "INSERT INTO session VALUES ('" ID(1) "', NULL, '/tmp', 'one', 10, NULL);"
            "INSERT INTO session VALUES ('" ID(4) "', NULL, '/tmp', 'archived', 40, 41);"
            "INSERT INTO session VALUES ('" ID(5) "', '" ID(1) "', '/tmp', 'a subagent', 50, NULL);"
            "INSERT INTO session VALUES ('" ID(6) "', '" ID(8) "', '/tmp', 'an orphan', 60, NULL);",
            NULL, NULL, NULL) == SQLITE_OK);
        sqlite3_close(w);
        struct ocdb db;
        CHECK(ocdb_open(&db, path, &notes) == 0);
        struct facts g;
        memset(&g, 0, sizeof g);
        facts_db_add(&g, &db, ID(1));
        facts_db_add(&g, &db, ID(1));            /* once per id */
        facts_db_add(&g, &db, ID(4));
        facts_db_add(&g, &db, ID(5));
        facts_db_add(&g, &db, ID(6));
        facts_db_add(&g, &db, ID(9));
        facts_db_add(&g, &db, "ses_bad-id");    /* not an id: not asked */
        CHECK(g.ndb == 5);
        const struct dbfact *d = facts_db(&g, ID(1));
        CHECK(d && d->known == 1 && strcmp(d->root, ID(1)) == 0 && strcmp(d->title, "one") == 0 &&
              d->time_updated == 10 && !d->archived);
        CHECK((d = facts_db(&g, ID(4))) && d->known == 1 && d->archived);
        CHECK((d = facts_db(&g, ID(5))) && d->known == 1 && strcmp(d->root, ID(1)) == 0 &&
              strcmp(d->title, "one") == 0);
        CHECK((d = facts_db(&g, ID(6))) && d->known == 0 && strcmp(d->root, ID(8)) == 0);  /* parent gone */
        CHECK((d = facts_db(&g, ID(9))) && d->known == 0);
        facts_free(&g);
        ocdb_close(&db);
        struct ocdb none;                        /* no database: no answer, never "deleted" */
        ocdb_open(&none, "/nonexistent/opencode.db", &notes);
        memset(&g, 0, sizeof g);
        facts_db_add(&g, &none, ID(1));
        CHECK(g.ndb == 1 && g.db[0].known == -1);
        facts_free(&g);
        ocdb_close(&none);
        notes_free(&notes);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        CHECK(system(cmd) == 0);
    }
    UNIT_END("test_plan");
}
