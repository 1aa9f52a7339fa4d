/* test_resume.c - `ocshim resume`'s rules (resume_decide) and its text (resume_format), over
 * records as the reader parses them and opencode.db's answers made by hand. */
#include "ocrec.h"
#include "quote.h"
#include "resume.h"
#include "unit.h"

#include <stdlib.h>

#define ID(n) "ses_resume" #n "AAAAAAAAAAAAAAAAAAAAA"

static struct ocrec recs[16];
static struct resume_fact facts[16];
static int nrec;
static struct resume_index x;
static struct notes notes;
static const char *boot = "0123456789abcdef0123456789abcdef";

/* A record as the shim writes it. tses NULL: outside tmux. */
static void rec(long pid, const char *session, const char *tses, int win, int pane, const char *dir,
                long long started, long long updated, const char *extra)
{
    char buf[4096], where[256] = "";
    if (tses)
        snprintf(where, sizeof where, "tmux_socket=/tmp/s\ntmux_pane=%%%ld\ntmux_session=%s\ntmux_window=%d\n"
                 "tmux_pane_index=%d\n", pid, tses, win, pane);
    int n = snprintf(buf, sizeof buf,
                     "ocshim_record=1\npid=%ld\nboot_id=%s\nstart_time=77\nstarted_ms=%lld\nuid=0\n"
                     "cwd=%s\nargc=1\narg=opencode\nsession=%s\n%s%supdated_ms=%lld\nend=1\n",
                     pid, boot, started, dir, session, where, extra ? extra : "", updated);
    const char *why;
    if (ocrec_parse(buf, (size_t)n, &recs[nrec], &why) != 0) {
        fprintf(stderr, "  record %ld refused: %s\n", pid, why);
        return;
    }
    char name[32];
    snprintf(name, sizeof name, "%ld.rec", pid);
    recs[nrec].file = strdup(name);
    facts[nrec] = (struct resume_fact){ 0, 1, recs[nrec].session, NULL, 0 };
    nrec++;
}

static void reset(void)
{
    for (int i = 0; i < nrec; i++)
        ocrec_free(&recs[i]);
    nrec = 0;
    resume_index_free(&x);
    notes_free(&notes);
}

static int decide(char **names, int nnames, const char **unknown)
{
    resume_index_free(&x);
    notes_free(&notes);
    const char *u;
    return resume_decide(recs, nrec, facts, names, nnames, &x, unknown ? unknown : &u, &notes);
}

static char *text(int md)
{
    struct strbuf b;
    sb_init(&b);
    resume_format(&b, &x, md);
    return sb_take(&b);
}

/* "tsession:win.pane=id" of each line, joined by spaces. */
static char *lines(void)
{
    struct strbuf b;
    sb_init(&b);
    for (int i = 0; i < x.n; i++)
        sb_printf(&b, "%s%s:%d.%d=%s", i ? " " : "", x.v[i].tsession, x.v[i].win, x.v[i].pane, x.v[i].id);
    return sb_take(&b);
}

static int noted(const char *part)
{
    for (int i = 0; i < notes.n; i++)
        if (strstr(notes.items[i], part))
            return 1;
    return 0;
}

#define CHECK_LINES(want)        \
    do {                         \
        char *l_ = lines();      \
        CHECK_STR(l_, want);     \
        free(l_);                \
    } while (0)

int main(void)
{
    /* one block per tmux session, panes in window/pane order, whatever the records' order;
     * running, gone (state=running, process dead) and quit on purpose alike */
    rec(3, ID(3), "beta", 0, 0, "/w/b", 100, 300, "state=exited\nexit_how=exit\nexit_code=0\nhangup=0\n");
    rec(2, ID(2), "alpha", 1, 0, "/w/a", 100, 200, "state=running\n");
    rec(1, ID(1), "alpha", 0, 1, "/w/a", 100, 200, NULL);
    rec(4, ID(4), "alpha", 0, 0, "/w/a b'c", 100, 200, NULL);
    facts[1].alive = 1;
    facts[0].title = "Beta's task";
    facts[3].title = "two\nlines";
    CHECK(decide(NULL, 0, NULL) == 0);
    CHECK_LINES("alpha:0.0=" ID(4) " alpha:0.1=" ID(1) " alpha:1.0=" ID(2) " beta:0.0=" ID(3));
    char *t = text(0);
    CHECK_STR(t, "# alpha\n"
                 "# 0.0  two lines\n"
                 "cd '/w/a b'\\''c' && opencode --session " ID(4) "\n"
                 "# 0.1\n"
                 "cd /w/a && opencode --session " ID(1) "\n"
                 "# 1.0\n"
                 "cd /w/a && opencode --session " ID(2) "\n"
                 "\n# beta\n"
                 "# 0.0  Beta's task\n"
                 "cd /w/b && opencode --session " ID(3) "\n");
    free(t);
    t = text(1);
    CHECK_STR(t, "## Resume\n"
                 "\n### alpha\n\n```sh\n"
                 "# 0.0  two lines\n"
                 "cd '/w/a b'\\''c' && opencode --session " ID(4) "\n"
                 "# 0.1\n"
                 "cd /w/a && opencode --session " ID(1) "\n"
                 "# 1.0\n"
                 "cd /w/a && opencode --session " ID(2) "\n"
                 "```\n"
                 "\n### beta\n\n```sh\n"
                 "# 0.0  Beta's task\n"
                 "cd /w/b && opencode --session " ID(3) "\n"
                 "```\n");
    free(t);

    /* SESSION...: only those, in the order given; a name no record knows: -1, named */
    char *only_b[] = { "beta" }, *b_then_a[] = { "beta", "alpha" }, *bad[] = { "alpha", "gamma" };
    CHECK(decide(only_b, 1, NULL) == 0);
    CHECK_LINES("beta:0.0=" ID(3));
    CHECK(decide(b_then_a, 2, NULL) == 0);
    CHECK(x.n == 4 && strcmp(x.v[0].tsession, "beta") == 0 && strcmp(x.v[1].tsession, "alpha") == 0);
    const char *unknown = NULL;
    CHECK(decide(bad, 2, &unknown) == -1 && unknown && strcmp(unknown, "gamma") == 0 && x.n == 0);

    /* several records name one pane: the one that took it last (ocrec_superseded) */
    reset();
    rec(1, ID(1), "s", 0, 0, "/w", 100, 200, "state=exited\nexit_how=exit\nexit_code=0\nhangup=0\n");
    rec(2, ID(2), "s", 0, 0, "/w", 300, 400, NULL);
    rec(3, ID(3), "s", 0, 0, "/w", 500, 600, "state=exited\nexit_how=sigint\nexit_code=130\nhangup=0\n");
    CHECK(decide(NULL, 0, NULL) == 0);
    CHECK_LINES("s:0.0=" ID(3));
    /* ... but one that ran alongside (the panes moved) is not dropped: both, the latest first */
    reset();
    rec(1, ID(1), "s", 0, 0, "/w", 100, 700, NULL);
    rec(2, ID(2), "s", 0, 0, "/w", 300, 800, NULL);
    CHECK(decide(NULL, 0, NULL) == 0);
    CHECK_LINES("s:0.0=" ID(2) " s:0.0=" ID(1));

    /* a subagent's session: its conversation, the root (the facts' root) */
    reset();
    rec(1, ID(5), "s", 0, 0, "/w", 100, 200, NULL);
    facts[0].root = ID(1);
    facts[0].title = "root's title";
    CHECK(decide(NULL, 0, NULL) == 0);
    CHECK_LINES("s:0.0=" ID(1));
    CHECK(x.n == 1 && x.v[0].title && strcmp(x.v[0].title, "root's title") == 0);

    /* deleted from opencode.db: not listed, with a note; no answer (no database): listed, no title */
    reset();
    rec(1, ID(1), "s", 0, 0, "/w", 100, 200, NULL);
    rec(2, ID(2), "s", 0, 1, "/w", 100, 200, NULL);
    facts[0].known = 0;
    facts[1].known = -1;
    facts[1].title = "stale";
    CHECK(decide(NULL, 0, NULL) == 0);
    CHECK_LINES("s:0.1=" ID(2));
    CHECK(x.n == 1 && !x.v[0].title);
    CHECK(noted("1.rec") && noted("deleted"));

    /* archived: listed, marked */
    reset();
    rec(1, ID(1), "s", 0, 0, "/w", 100, 200, NULL);
    facts[0].archived = 1;
    facts[0].title = "old";
    CHECK(decide(NULL, 0, NULL) == 0);
    t = text(0);
    CHECK_STR(t, "# s\n# 0.0  old (archived)\ncd /w && opencode --session " ID(1) "\n");
    free(t);

    /* not listed: outside tmux, a server, a record without a valid session; a server that took
     * a pane after a TUI leaves that pane with no conversation */
    reset();
    rec(1, ID(1), NULL, 0, 0, "/w", 100, 200, NULL);
    rec(2, "", "s", 0, 0, "/w", 100, 200, "role=server\nlisten=127.0.0.1:4096\n");
    facts[1].root = NULL;
    rec(3, "bogus", "s", 0, 1, "/w", 100, 200, NULL);
    facts[2].root = NULL;
    rec(4, ID(4), "s", 0, 2, "/w", 100, 200, NULL);
    rec(5, "", "s", 0, 2, "/w", 300, 400, "role=server\nlisten=127.0.0.1:4097\n");
    facts[4].root = NULL;
    CHECK(decide(NULL, 0, NULL) == 0);
    CHECK(x.n == 0);
    CHECK(noted("3.rec") && noted("no valid session"));
    char *only_s[] = { "s" };
    CHECK(decide(only_s, 1, NULL) == 0 && x.n == 0);   /* known, nothing to resume: no error */

    /* one conversation in two panes: listed once, where its process runs, else the newest */
    reset();
    rec(1, ID(1), "s", 0, 0, "/w", 100, 900, NULL);
    rec(2, ID(1), "s", 0, 1, "/w", 100, 200, NULL);
    facts[1].alive = 1;
    CHECK(decide(NULL, 0, NULL) == 0);
    CHECK_LINES("s:0.1=" ID(1));
    facts[1].alive = 0;
    CHECK(decide(NULL, 0, NULL) == 0);
    CHECK_LINES("s:0.0=" ID(1));

    /* a name that needs quoting as a heading: control bytes become spaces */
    reset();
    rec(1, ID(1), "a\\tb", 0, 0, "", 100, 200, NULL);
    CHECK(decide(NULL, 0, NULL) == 0);
    t = text(1);
    CHECK_STR(t, "## Resume\n\n### a b\n\n```sh\n# 0.0\nopencode --session " ID(1) "\n```\n");
    free(t);
    /* nothing recorded: the heading alone (md), nothing (plain) */
    reset();
    CHECK(decide(NULL, 0, NULL) == 0);
    t = text(1);
    CHECK_STR(t, "## Resume\n");
    free(t);
    t = text(0);
    CHECK_STR(t, "");
    free(t);

    /* the same session name and pane on two tmux servers: two panes, neither hides the other */
    rec(71, ID(71), "main", 0, 0, "/a", 1000, 2000, NULL);
    rec(72, ID(72), "main", 0, 0, "/b", 3000, 4000, NULL);
    free(recs[1].tmux_socket);
    recs[1].tmux_socket = strdup("/tmp/other");
    CHECK(decide(NULL, 0, NULL) == 0);
    t = lines();
    CHECK_STR(t, "main:0.0=" ID(72) " main:0.0=" ID(71));
    free(t);
    reset();

    /* quote_sh_word: bare when a shell reads nothing in it, else single-quoted */
    struct strbuf q;
    sb_init(&q);
    quote_sh_word(&q, "/home/u/my-proj_2.0+x,y:z@h");
    CHECK_STR(q.s, "/home/u/my-proj_2.0+x,y:z@h");
    const char *needs[] = { "/a b", "/a$b", "/a*", "~/x", "/a=b", "-x", "", "/é" };
    for (size_t i = 0; i < sizeof needs / sizeof *needs; i++) {
        sb_reset(&q);
        quote_sh_word(&q, needs[i]);
        CHECK(q.s[0] == '\'');
    }
    sb_free(&q);
    reset();
    UNIT_END("test_resume");
}
