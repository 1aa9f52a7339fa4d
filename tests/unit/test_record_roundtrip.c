/* test_record_roundtrip.c - a record the shim writes (record.c) is the record the tools read
 * (ocrec.c): every key of the one key table (recfmt.h, and docs/RECORD.md's), odd values, the
 * name the shim takes when its own is taken, and the rules both halves share. */
#include "logscan.h"
#include "ocrec.h"
#include "quote.h"
#include "recfmt.h"
#include "recname.h"
#include "record.h"
#include "unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define ODD "a\\b\nc\td\re\x01\x7f f=g \xc3\xa9 ;$(x)"

static const char *const keys[] = {
#define NAME(k) #k,
    RECFMT_KEYS(NAME)
#undef NAME
};
#define NKEYS (sizeof keys / sizeof *keys)

/* Marks in seen[] each key of the table that a formatted record holds; the number of lines
 * whose key is not in the table. */
static int mark_keys(const char *buf, long n, int *seen)
{
    int unknown = 0;
    for (const char *p = buf, *end = buf + n; p < end;) {
        const char *eq = memchr(p, '=', (size_t)(end - p)), *nl = memchr(p, '\n', (size_t)(end - p));
        if (!eq || !nl || eq > nl)
            return unknown + 1;
        size_t k;
        for (k = 0; k < NKEYS; k++)
            if (strlen(keys[k]) == (size_t)(eq - p) && memcmp(keys[k], p, (size_t)(eq - p)) == 0)
                break;
        if (k < NKEYS)
            seen[k] = 1;
        else
            unknown++;
        unknown += recfmt_key_known(p, (size_t)(eq - p)) != (k < NKEYS);
        p = nl + 1;
    }
    return unknown;
}

/* The keys of docs/RECORD.md's key table, in its order, each on its own line. */
static void doc_keys(char *out, size_t cap)
{
    FILE *f = fopen("docs/RECORD.md", "r");
    char line[4096];
    size_t o = 0;
    out[0] = '\0';
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "| `", 3) == 0) {
            char *e = strchr(line + 3, '`');
            if (e && o + (size_t)(e - line - 3) + 2 < cap) {
                memcpy(out + o, line + 3, (size_t)(e - line - 3));
                o += (size_t)(e - line - 3);
                out[o++] = '\n';
                out[o] = '\0';
            }
        }
    if (f)
        fclose(f);
}

static const struct ocrec *find(const struct ocrec_list *l, const char *file)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i].file, file) == 0)
            return &l->v[i];
    return NULL;
}

int main(void)
{
    /* names: one rule for both halves */
    char nm[160];
    CHECK(recname_format(nm, sizeof nm, 42, "0123456789abcdef0123456789abcdef", 777, 0) == 0);
    CHECK_STR(nm, "42-0123456789abcdef0123456789abcdef-777.rec");
    CHECK(recname_format(nm, sizeof nm, 42, "0123456789abcdef0123456789abcdef", 777, 3) == 0);
    CHECK_STR(nm, "42-0123456789abcdef0123456789abcdef-777.3.rec");
    CHECK(recname_matches("42-b-7.rec", 42, "b", 7));
    CHECK(recname_matches("42-b-7.1.rec", 42, "b", 7));
    CHECK(recname_matches("42-b-7.99.rec", 42, "b", 7));
    CHECK(!recname_matches("42-b-7.100.rec", 42, "b", 7));
    CHECK(!recname_matches("42-b-7.01.rec", 42, "b", 7));
    CHECK(!recname_matches("42-b-7.0.rec", 42, "b", 7));
    CHECK(!recname_matches("42-b-7..rec", 42, "b", 7));
    CHECK(!recname_matches("42-b-7.1.rec.x", 42, "b", 7));
    CHECK(!recname_matches("43-b-7.rec", 42, "b", 7));
    CHECK(!recname_matches("42-b-70.rec", 42, "b", 7));
    CHECK(recname_format(nm, 10, 42, "b", 7, 0) == -1);

    /* a temp file's name, and the process it belongs to (gc removes it once that one is gone) */
    long tp;
    char tb[33];
    unsigned long long ts;
    CHECK(recname_tmp(nm, sizeof nm, "42-b-7.rec") == 0);
    CHECK_STR(nm, ".42-b-7.rec.tmp");
    CHECK(recname_tmp_owner(nm, &tp, tb, &ts) == 0 && tp == 42 && ts == 7);
    CHECK_STR(tb, "b");
    CHECK(recname_tmp_owner(".42-0123456789abcdef0123456789abcdef-777.3.rec.tmp", &tp, tb, &ts) == 0 &&
          tp == 42 && ts == 777);
    CHECK_STR(tb, "0123456789abcdef0123456789abcdef");
    CHECK(recname_tmp(nm, 10, "42-b-7.rec") == -1);
    CHECK(recname_tmp_owner("42-b-7.rec.tmp", &tp, tb, &ts) == -1);     /* no dot first */
    CHECK(recname_tmp_owner(".42-b-7.rec", &tp, tb, &ts) == -1);        /* not a temp file */
    CHECK(recname_tmp_owner(".42-b-7.tmp", &tp, tb, &ts) == -1);        /* not a record's */
    CHECK(recname_tmp_owner(".042-b-7.rec.tmp", &tp, tb, &ts) == -1);   /* one name per pid */
    CHECK(recname_tmp_owner(".42--7.rec.tmp", &tp, tb, &ts) == -1);
    CHECK(recname_tmp_owner(".42-b-.rec.tmp", &tp, tb, &ts) == -1);
    CHECK(recname_tmp_owner(".42-b-7x.rec.tmp", &tp, tb, &ts) == -1);
    CHECK(recname_tmp_owner(".42-b-7.0.rec.tmp", &tp, tb, &ts) == -1);
    CHECK(recname_tmp_owner(".-42-b-7.rec.tmp", &tp, tb, &ts) == -1);
    CHECK(recname_tmp_owner(".42-0123456789abcdef0123456789abcdef0-7.rec.tmp", &tp, tb, &ts) == -1);
    CHECK(recname_tmp_owner(".tmp", &tp, tb, &ts) == -1);

    /* a record written by the shim ... */
    char dir[] = "/tmp/ocshim-roundtrip.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    struct procinfo pi;
    memset(&pi, 0, sizeof pi);
    char *argv[] = { "/opt/opencode", "attach", "http://127.0.0.1:4096", ODD, "" };
    pi.argc = 5;
    pi.argv = argv;
    pi.pid = 4242;
    pi.uid = getuid();
    strcpy(pi.boot_id, "0123456789abcdef0123456789abcdef");
    pi.start_time = 987654;
    pi.started_ms = 1700000000123LL;
    strcpy(pi.exe, "/opt/open code/opencode");
    strcpy(pi.cwd, "/tmp/dir with\nnewline");
    strcpy(pi.tmux_socket, "/tmp/tmux-0/default");
    pi.tmux_pane = "%7";
    pi.kitty_window_id = "3";
    pi.kitty_listen_on = "unix:/tmp/kitty-1";
    pi.role = ROLE_CLIENT;
    pi.server_url = "http://127.0.0.1:4096";
    CHECK(recname_format(pi.name, sizeof pi.name, pi.pid, pi.boot_id, pi.start_time, 0) == 0);
    struct session_state ss;
    session_init(&ss);
    session_set(&ss, "ses_dcc13d353ffe2xSLiIRPve9BBh", "http");
    session_set(&ss, "ses_dcc13b59bffed5tooIL9Uz3ZOI", "http");
    strcpy(ss.version, "1.18.34");
    strcpy(ss.directory, "/srv/proj " ODD);
    struct tmux_info ti;
    memset(&ti, 0, sizeof ti);
    strcpy(ti.session, "work: \xc3\xa9t\xc3\xa9 " ODD);
    strcpy(ti.window, "2");
    strcpy(ti.window_name, "oc\tname");
    strcpy(ti.pane_index, "1");
    strcpy(ti.layout, "b25f,200x50,0,0{100x50,0,0,1,99x50,101,0,2}");
    ti.layout_ms = 1700000000500LL;
    struct record_exit ex = { "exit", 3, 1 };
    char buf[65536];
    long n = record_format(buf, sizeof buf, &pi, &ss, &ti, &ex, 1700000000999LL);
    CHECK(n > 0);
    int seen[NKEYS] = { 0 };
    CHECK(mark_keys(buf, n, seen) == 0);   /* the writer writes keys of the table only */
    const char *why = NULL;
    int dfd = record_open_dir(dir, &why);
    CHECK(dfd >= 0);
    /* ... whose own name is taken (a stale file of another process) */
    int stale = openat(dfd, pi.name, O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(stale >= 0 && write(stale, "junk\n", 5) == 5);
    close(stale);
    char name[160];
    strcpy(name, pi.name);
    int created = 0;
    CHECK(record_write(dfd, name, sizeof name, &created, buf, (size_t)n, NULL) == 0 && created);
    CHECK_STR(name, "4242-0123456789abcdef0123456789abcdef-987654.1.rec");

    /* ... is the record the tools read, key for key */
    struct ocrec_list l = { 0 };
    struct notes notes = { 0 };
    CHECK(ocrec_load_dir(dir, &l, &notes) == 1);
    const struct ocrec *r = find(&l, name);
    CHECK(r != NULL);
    if (r) {
        CHECK(r->pid == 4242 && r->start_time == 987654 && r->started_ms == 1700000000123LL);
        CHECK_STR(r->boot_id, pi.boot_id);
        CHECK(r->uid == (long)getuid());
        CHECK_STR(r->exe, pi.exe);
        CHECK_STR(r->cwd, pi.cwd);
        CHECK(r->argc == 5);
        for (int i = 0; i < 5 && r->argc == 5; i++)
            CHECK_STR(r->argv[i], argv[i]);
        CHECK_STR(r->role, "client");
        CHECK_STR(r->server_url, "http://127.0.0.1:4096");
        CHECK(r->listen == NULL);
        CHECK_STR(r->session, "ses_dcc13b59bffed5tooIL9Uz3ZOI");
        CHECK_STR(r->session_source, "http");
        CHECK_STR(r->sessions, "ses_dcc13d353ffe2xSLiIRPve9BBh ses_dcc13b59bffed5tooIL9Uz3ZOI");
        CHECK_STR(r->opencode_version, "1.18.34");
        CHECK_STR(r->directory, ss.directory);
        CHECK_STR(r->tmux_socket, "/tmp/tmux-0/default");
        CHECK_STR(r->tmux_pane, "%7");
        CHECK_STR(r->tmux_session, ti.session);
        CHECK_STR(r->tmux_window, "2");
        CHECK_STR(r->tmux_window_name, "oc\tname");
        CHECK_STR(r->tmux_window_layout, ti.layout);
        CHECK(r->tmux_layout_ms == 1700000000500LL);
        CHECK_STR(r->tmux_pane_index, "1");
        CHECK_STR(r->kitty_window_id, "3");
        CHECK_STR(r->kitty_listen_on, "unix:/tmp/kitty-1");
        CHECK(r->updated_ms == 1700000000999LL);
        CHECK_STR(r->state, "exited");
        CHECK_STR(r->exit_how, "exit");
        CHECK(r->exit_code == 3 && r->hangup == 1);
        CHECK(!ocrec_is_server(r) && ocrec_is_client(r));
    }
    ocrec_list_free(&l);

    /* a server's record: its address, no session of its own */
    pi.role = ROLE_SERVER;
    pi.pid = 4343;
    strcpy(pi.listen, "[0:0:0:0:0:0:0:1]:4096");
    CHECK(recname_format(pi.name, sizeof pi.name, pi.pid, pi.boot_id, pi.start_time, 0) == 0);
    struct record_exit running = { NULL, 0, 0 };
    n = record_format(buf, sizeof buf, &pi, &ss, &ti, &running, 1700000001000LL);
    CHECK(mark_keys(buf, n, seen) == 0);
    /* A client that exited and a server: between them, every key of the table. */
    for (size_t k = 0; k < NKEYS; k++)
        if (!seen[k])
            fprintf(stderr, "  key %s: never written\n", keys[k]);
    int all = 1;
    for (size_t k = 0; k < NKEYS; k++)
        all &= seen[k];
    CHECK(all);
    strcpy(name, pi.name);
    created = 0;
    CHECK(n > 0 && record_write(dfd, name, sizeof name, &created, buf, (size_t)n, NULL) == 0);
    CHECK(ocrec_load_dir(dir, &l, &notes) == 2);
    r = find(&l, name);
    CHECK(r && ocrec_is_server(r) && strcmp(r->listen, "[0:0:0:0:0:0:0:1]:4096") == 0 &&
          strcmp(r->session, "") == 0 && strcmp(r->state, "running") == 0 && r->server_url == NULL);
    ocrec_list_free(&l);
    notes_free(&notes);
    close(dfd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);

    /* docs/RECORD.md's key table is the key table, in the order the shim writes them */
    {
        char want[2048] = "", got[2048];
        for (size_t k = 0; k < NKEYS; k++)
            strcat(strcat(want, keys[k]), "\n");
        doc_keys(got, sizeof got);
        CHECK_STR(got, want);
    }

    /* a session id: one rule for the log scan, the records and the tools */
    {
        char id[80] = "ses_";
        memset(id + 4, 'a', 59);
        id[63] = '\0';
        CHECK(recfmt_id_valid(id, 63) && logscan_valid_id(id, 63) && session_id_valid(id));
        strcat(id, "b");   /* 60 after the prefix: too long for every side */
        CHECK(!recfmt_id_valid(id, 64) && !logscan_valid_id(id, 64) && !session_id_valid(id));
        static const char *const ids[] = { "ses_", "ses_a", "ses_a-b", "ses_a b", "SES_abc", "ses_\xc3\xa9",
                                           "ses_dcc13d353ffe2xSLiIRPve9BBh", "sesx_abc" };
        int agree = 1;
        for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
            agree &= recfmt_id_valid(ids[i], strlen(ids[i])) == logscan_valid_id(ids[i], strlen(ids[i])) &&
                     recfmt_id_valid(ids[i], strlen(ids[i])) == session_id_valid(ids[i]);
        CHECK(agree);
        CHECK(!recfmt_id_valid("ses_", 4) && recfmt_id_valid("ses_a", 5) && !recfmt_id_valid("ses_a-b", 7));
    }

    /* the quit rule: exited with the terminal still there; a hangup or no exit is not a quit */
    CHECK(recfmt_is_quit("exited", 0) && recfmt_is_quit("exited", -1));
    CHECK(!recfmt_is_quit("exited", 1) && !recfmt_is_quit("running", 0) && !recfmt_is_quit(NULL, 0));

    /* the state directory: the first absolute one of OCSHIM_STATE_DIR, XDG_STATE_HOME, HOME */
    {
        char sd[64];
        CHECK(recfmt_state_dir(sd, sizeof sd, "/s", "/x", "/h") == 0);
        CHECK_STR(sd, "/s");
        CHECK(recfmt_state_dir(sd, sizeof sd, "", "/x", "/h") == 0);
        CHECK_STR(sd, "/x/ocshim");
        CHECK(recfmt_state_dir(sd, sizeof sd, NULL, "rel", "/h") == 0);
        CHECK_STR(sd, "/h/.local/state/ocshim");
        CHECK(recfmt_state_dir(sd, sizeof sd, NULL, NULL, "h") == -1);        /* relative HOME */
        CHECK(recfmt_state_dir(sd, sizeof sd, "rel/dir", "/x", "/h") == -1);  /* asked, unusable */
        CHECK(recfmt_state_dir(sd, 8, NULL, NULL, "/home/someone") == -1);    /* too long */
        setenv("OCSHIM_STATE_DIR", "", 1);
        setenv("XDG_STATE_HOME", "", 1);
        setenv("HOME", "relative", 1);
        CHECK(ocrec_state_dir() == NULL);    /* the tools read where the shim writes: nowhere */
        setenv("HOME", "/home/u", 1);
        char *t = ocrec_state_dir();
        CHECK(t && strcmp(t, "/home/u/.local/state/ocshim") == 0);
        free(t);
    }
    /* the state directory's verdict, one rule for both halves: refused (nothing written, nothing
     * read) when a symlink, not a directory, another user's, or writable by others; read but
     * not writable when read-only or full; the first that applies wins */
    {
        struct recfmt_dir ok = { .is_dir = 1, .uid = 1000, .mode = 040700, .me = 1000, .read_only = 0,
                                 .room = 1 << 20 };
        struct recfmt_dir d = ok;
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_OK && recfmt_dir_why(RECFMT_DIR_OK) == NULL);
        d.read_only = -1, d.room = -1;          /* unknown (the shim finds out by writing) */
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_OK);
        d = ok, d.is_link = 1, d.is_dir = 0;
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_LINK);
        d.uid = 0;                              /* a symlink to another's: still a symlink */
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_LINK);
        d = ok, d.is_dir = 0;
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_NOTDIR);
        d = ok, d.uid = 65534, d.read_only = 1;
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_FOREIGN);
        d = ok, d.mode = 040770;
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_OPEN);
        d.mode = 040702;
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_OPEN);
        d = ok, d.read_only = 1, d.room = 0;
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_READONLY);
        d = ok, d.room = RECFMT_DIR_ROOM - 1;
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_FULL);
        d.room = RECFMT_DIR_ROOM;
        CHECK(recfmt_dir_judge(&d) == RECFMT_DIR_OK);
        for (int v = RECFMT_DIR_LINK; v <= RECFMT_DIR_FULL; v++)
            CHECK(recfmt_dir_why(v) && recfmt_dir_refused(v) == (v <= RECFMT_DIR_OPEN));
        CHECK(!recfmt_dir_refused(RECFMT_DIR_OK));
    }
    UNIT_END("test_record_roundtrip");
}
