/* fuzz_resurrect.c - tmux-resurrect's save file as the restore reads it (resurrect.c). */
#include "fuzz.h"
#include "ocdb.h"
#include "quote.h"
#include "restore.h"
#include "strbuf.h"

#include <sqlite3.h>
#include <sys/mman.h>
#include <unistd.h>

/* The save file is read by resurrect_load, inside facts_gather, from the file that
 * OCSHIM_RESURRECT_FILE names: each input is written to a memory file (memfd), gathered with
 * one record of a pane (main:0.1, on ses_aaaa..., its process gone) against a small
 * opencode.db made at start in a private temporary directory ($TMPDIR or /tmp): root sessions
 * in /home/u/proj, /tmp/with space and /srv/app, an archived one in /srv/old, a subagent.
 * Then plan_decide decides.
 *
 * Input: the save file (tab-separated `pane` lines, see resurrect.c).
 *
 * Properties: every guess is a pane of a `pane` line (session name, window and pane indexes
 * >= 0), in an absolute directory with a root session of that directory, is marked a guess,
 * is restored or a duplicate (the recorded pane's session is taken), and its executable, when
 * the line names one, is a path without spaces. */

#define ID_A "ses_aaaaaaaaaaaaAAAAAAAAAAAAAA"
#define ID_B "ses_bbbbbbbbbbbbBBBBBBBBBBBBBB"
#define ID_C "ses_ccccccccccccCCCCCCCCCCCCCC"
#define ID_D "ses_ddddddddddddDDDDDDDDDDDDDD"
#define ID_E "ses_eeeeeeeeeeeeEEEEEEEEEEEEEE"
#define ID_F "ses_ffffffffffffFFFFFFFFFFFFFF"

static char dir[512], save[600];

static void cleanup(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/opencode.db", dir);
    unlink(path);
    unlink(save);
    rmdir(dir);
}
static struct ocdb db;
static int memfd = -1;
static struct ocrec_list recs;

/* The recorded pane main:0.1 (tmux server /tmp/fuzz-tmux), whose process is gone. */
static const char record[] =
    "ocshim_record=1\npid=4242\nboot_id=0123456789abcdef0123456789abcdef\nstart_time=7\n"
    "started_ms=1\nexe=/bin/true\ncwd=/home/u/proj\nargc=1\narg=opencode\nsession=" ID_A "\n"
    "directory=/home/u/proj\ntmux_socket=/tmp/fuzz-tmux\ntmux_pane=%1\ntmux_session=main\n"
    "tmux_window=0\ntmux_pane_index=1\nupdated_ms=2\nstate=running\nend=1\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/ocshim-fuzz-resurrect.XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    char path[700];
    snprintf(path, sizeof path, "%s/opencode.db", dir);
    snprintf(save, sizeof save, "%s/last", dir);
    sqlite3 *w;
    if (sqlite3_open(path, &w) != SQLITE_OK ||
        sqlite3_exec(w,
                     "CREATE TABLE session (id TEXT PRIMARY KEY, parent_id TEXT, directory TEXT, title TEXT,"
                     " time_updated INTEGER, time_archived INTEGER);"
                     "INSERT INTO session VALUES ('" ID_A "', NULL, '/home/u/proj', 'a', 30, NULL);"
                     "INSERT INTO session VALUES ('" ID_B "', NULL, '/home/u/proj', 'b', 20, NULL);"
                     "INSERT INTO session VALUES ('" ID_C "', '" ID_A "', '/home/u/proj', 'sub', 40, NULL);"
                     "INSERT INTO session VALUES ('" ID_D "', NULL, '/srv/old', 'old', 50, 51);"
                     "INSERT INTO session VALUES ('" ID_E "', NULL, '/tmp/with space', 'e', 10, NULL);"
                     "INSERT INTO session VALUES ('" ID_F "', NULL, '/srv/app', 'f', 10, NULL);",
                     NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "fuzz_resurrect: cannot make %s\n", path);
        abort();
    }
    sqlite3_close(w);
    struct notes notes = { 0 };
    if (ocdb_open(&db, path, &notes) != 0)
        abort();
    notes_free(&notes);
    /* The save file: a memory file (a file on disk costs a journal write per input), through
     * its /proc/self/fd name; else a file in the temporary directory. */
    memfd = memfd_create("resurrect-last", MFD_CLOEXEC);
    if (memfd >= 0)
        snprintf(save, sizeof save, "/proc/self/fd/%d", memfd);
    setenv("OCSHIM_RESURRECT_FILE", save, 1);
    const char *why;
    recs.v = calloc(1, sizeof *recs.v);
    if (!recs.v || ocrec_parse(record, sizeof record - 1, &recs.v[0], &why) != 0)
        abort();
    recs.v[0].file = xstrdup("4242.rec");
    recs.n = recs.cap = 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd >= 0) {
        if (ftruncate(memfd, 0) != 0 || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
            abort();
    } else {
        FILE *f = fopen(save, "w");
        if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
            abort();
    }

    struct notes notes = { 0 };
    struct tserver srv = { .socket = (char *)"/tmp/fuzz-tmux" };
    struct facts fx;
    facts_gather(&fx, &recs, &srv, NULL, NULL, &db, &notes);
    struct opts o = { 0 };
    struct plan p;
    plan_decide(&p, &fx, &o, &notes);
    int recorded = 0;
    for (int i = 0; i < p.n; i++)
        recorded += !p.v[i].guess && p.v[i].state == P_RESTORE && strcmp(p.v[i].tsession, "main") == 0 &&
                    p.v[i].win == 0 && p.v[i].pane == 1;
    FZ_CHECK(recorded == 1);
    for (int i = 0; i < p.n; i++) {
        const struct entry *e = &p.v[i];
        if (!e->guess)
            continue;
        FZ_CHECK(e->guess && e->tsession && e->win >= 0 && e->pane >= 0 && e->win_name);
        FZ_CHECK(e->dir && e->dir[0] == '/');
        FZ_CHECK(e->session_id && session_id_valid(e->session_id));
        FZ_CHECK(strcmp(e->session_id, ID_C) != 0 && strcmp(e->session_id, ID_D) != 0);
        FZ_CHECK(e->state == P_RESTORE || e->state == P_DUPLICATE);
        FZ_CHECK(e->state == P_DUPLICATE || strcmp(e->session_id, ID_A) != 0);
        FZ_CHECK(!(strcmp(e->tsession, "main") == 0 && e->win == 0 && e->pane == 1));
        FZ_CHECK(e->why && e->title);
        if (e->exe)
            FZ_CHECK(e->exe[0] == '/' && !strchr(e->exe, ' '));
        for (int k = 0; k < i; k++)   /* one entry per pane */
            FZ_CHECK(!(strcmp(p.v[k].tsession, e->tsession) == 0 && p.v[k].win == e->win && p.v[k].pane == e->pane));
    }
    notes_free(&notes);
    plan_free(&p);
    facts_free(&fx);
    return 0;
}
