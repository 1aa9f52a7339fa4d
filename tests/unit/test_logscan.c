/* test_logscan.c - the log parser and the session state machine, on both log formats. */
#include "logscan.h"
#include "session.h"
#include "unit.h"

#include <stdlib.h>

#define L118_CREATED(id, parent)                                                            \
    "timestamp=2026-11-24T03:55:52.051Z level=INFO run=05791694 message=created id=" id       \
    " slug=calm-canyon version=1.18.34 projectID=global directory=/tmp/proj path=tmp/proj "  \
    "workspaceID=undefined parentID=" parent " title=\"New session - x\" agent=undefined\n"
#define L118_LOOP(id) \
    "timestamp=2026-11-24T03:55:53.000Z level=INFO run=05791694 message=loop session.id=" id " step=0\n"
#define L114_CREATED(id, parent)                                                            \
    "INFO  2026-11-24T04:08:38 +62ms service=session id=" id " slug=brave-cabin "            \
    "version=1.14.48 projectID=global directory=/tmp/p parentID=" parent " title=x\n"
#define L114_PROMPT(id) "INFO  2026-11-24T04:08:38 +1ms service=session.prompt session.id=" id " step=0\n"

#define A "ses_df44de28cffew6XiCzZuRqPWmd"
#define B "ses_df4423035ffeKTlLDp05v7QqSe"
#define C "ses_df4000000ffeSUBAGENTxxxxxxx"

struct seen {
    int n;
    struct logscan_event ev[16];
    struct session_state ss;
};

static void cb(const struct logscan_event *ev, void *arg)
{
    struct seen *s = arg;
    if (s->n < 16)
        s->ev[s->n] = *ev;
    s->n++;
    session_apply(&s->ss, ev);
}

static void feed_all(struct seen *s, struct logscan *ls, const char *text, size_t step)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i += step)
        logscan_feed(ls, text + i, n - i < step ? n - i : step, cb, s);
}

static struct seen *fresh(struct logscan *ls)
{
    static struct seen s;
    memset(&s, 0, sizeof s);
    session_init(&s.ss);
    logscan_init(ls);
    return &s;
}

int main(void)
{
    static struct logscan ls;
    struct seen *s;

    /* 1.18: created + loop, whole. */
    s = fresh(&ls);
    feed_all(s, &ls, L118_CREATED(A, "undefined") L118_LOOP(A), 100000);
    CHECK(s->n == 2);
    CHECK(s->ev[0].kind == LOGSCAN_CREATED);
    CHECK_STR(s->ev[0].id, A);
    CHECK_STR(s->ev[0].parent, "");
    CHECK_STR(s->ev[0].version, "1.18.34");
    CHECK_STR(s->ev[0].directory, "/tmp/proj");
    CHECK(s->ev[1].kind == LOGSCAN_ACTIVE);
    CHECK_STR(s->ss.active, A);

    /* Every split point of a line across two writes, and one byte at a time. */
    for (size_t step = 1; step < 300; step += 7) {
        s = fresh(&ls);
        feed_all(s, &ls, L118_CREATED(A, "undefined") L118_LOOP(A), step);
        CHECK(s->n == 2 && strcmp(s->ss.active, A) == 0);
    }
    {
        const char *text = L118_LOOP(B);
        size_t n = strlen(text);
        int good = 1;
        for (size_t cut = 0; cut <= n; cut++) {
            s = fresh(&ls);
            logscan_feed(&ls, text, cut, cb, s);
            logscan_feed(&ls, text + cut, n - cut, cb, s);
            good &= s->n == 1 && strcmp(s->ss.active, B) == 0;
        }
        CHECK(good);
    }

    /* 1.14 format. */
    s = fresh(&ls);
    feed_all(s, &ls, L114_CREATED(B, "undefined") L114_PROMPT(B), 100000);
    CHECK(s->n == 2);
    CHECK(s->ev[0].kind == LOGSCAN_CREATED);
    CHECK_STR(s->ev[0].version, "1.14.48");
    CHECK_STR(s->ss.active, B);

    /* A turn's first step (step=0) is told apart, in both formats; later steps, the end of a
     * loop and a session's creation are not turn starts. */
    {
        struct logscan_event ev;
        static const char *const turn[] = { L118_LOOP(A), L114_PROMPT(B) };
        for (int i = 0; i < 2; i++)
            CHECK(logscan_line(turn[i], strlen(turn[i]) - 1, &ev) && ev.kind == LOGSCAN_ACTIVE && ev.turn_start);
        static const char *const not_turn[] = {
            "timestamp=x level=INFO run=1 message=loop session.id=" A " step=1",
            "timestamp=x level=INFO run=1 message=loop session.id=" A " step=10",
            "timestamp=x level=INFO run=1 message=\"exiting loop\" session.id=" A,
            "timestamp=x level=INFO run=1 message=process session.id=" A " step=",
            L118_CREATED(A, "undefined"),
        };
        for (size_t i = 0; i < sizeof not_turn / sizeof *not_turn; i++)
            CHECK(logscan_line(not_turn[i], strlen(not_turn[i]), &ev) && !ev.turn_start);
    }

    /* Several ids in one buffer; a subagent never replaces its root. */
    s = fresh(&ls);
    feed_all(s, &ls,
             L118_CREATED(A, "undefined") L118_LOOP(A) L118_CREATED(C, A) L118_LOOP(C) L118_LOOP(C),
             100000);
    CHECK(s->n == 5);
    CHECK_STR(s->ev[2].parent, A);
    CHECK_STR(s->ss.active, A);
    CHECK(session_is_sub(&s->ss, C));
    CHECK(s->ss.nroots == 1);
    /* ... also in the 1.14 format. */
    s = fresh(&ls);
    feed_all(s, &ls, L114_CREATED(B, "undefined") L114_CREATED(C, B) L114_PROMPT(C), 100000);
    CHECK_STR(s->ss.active, B);
    /* A second root session replaces the first; both are remembered, oldest first. */
    s = fresh(&ls);
    feed_all(s, &ls, L118_CREATED(A, "undefined") L118_LOOP(B), 100000);
    CHECK_STR(s->ss.active, B);
    CHECK(s->ss.nroots == 2 && strcmp(s->ss.roots[0], A) == 0 && strcmp(s->ss.roots[1], B) == 0);

    /* Lines that do not name a session; garbage; binary bytes; malformed ids. */
    s = fresh(&ls);
    feed_all(s, &ls,
             "timestamp=x level=INFO run=1 message=init\n"
             "\x01\x02\xff\xfe session.id=ses_ \x7fgarbage\n"
             "session.id=ses_abc$def\n"
             "message=created id=ses_" "0123456789012345678901234567890123456789012345678901234567890" "\n"
             "id=ses_abc message=created\n"     /* key order does not matter */
             "===== = =\"unterminated\n",
             100000);
    CHECK(s->n == 1);
    CHECK_STR(s->ss.active, "ses_abc");
    {
        /* NUL bytes inside a line: the feed is length-based, not string-based. */
        static const char bin[] = "junk\0\0\0 message=loop session.id=" A "\n";
        s = fresh(&ls);
        logscan_feed(&ls, bin, sizeof bin - 1, cb, s);
        CHECK(s->n == 1 && strcmp(s->ss.active, A) == 0);
    }

    /* Quoted values with spaces and escaped quotes before the interesting keys. */
    s = fresh(&ls);
    feed_all(s, &ls,
             "timestamp=t level=INFO message=created title=\"a \\\"quoted\\\" title id=ses_fake\" "
             "id=" A " directory=\"/tmp/with space\" parentID=undefined\n",
             100000);
    CHECK(s->n == 1);
    CHECK_STR(s->ev[0].id, A);
    CHECK_STR(s->ev[0].directory, "/tmp/with space");

    /* A 1 MB line: its head is parsed, its tail dropped, the next line is whole. */
    {
        size_t big = 1024 * 1024;
        char *line = malloc(big + 256);
        size_t o = (size_t)sprintf(line, "message=loop session.id=%s text=", A);
        memset(line + o, 'x', big - o);
        line[big] = '\n';
        s = fresh(&ls);
        for (size_t i = 0; i <= big; i += 4096)
            logscan_feed(&ls, line + i, big + 1 - i < 4096 ? big + 1 - i : 4096, cb, s);
        CHECK(s->n == 1 && strcmp(s->ss.active, A) == 0);
        /* A session id only in the tail of a huge line is not seen (documented limit) ... */
        memset(line, 'y', big);
        memcpy(line + big - 64, " session.id=" B " ", 12 + strlen(B) + 1);
        line[big] = '\n';
        logscan_feed(&ls, line, big + 1, cb, s);
        CHECK(s->n == 1);
        /* ... and the following line is parsed normally. */
        feed_all(s, &ls, L118_LOOP(B), 100000);
        CHECK(s->n == 2 && strcmp(s->ss.active, B) == 0);
        free(line);
    }

    /* A gap (bytes lost): the partial line is dropped, parsing resumes after the next newline. */
    s = fresh(&ls);
    const char *l1 = L118_LOOP(A);
    logscan_feed(&ls, l1, 40, cb, s);
    logscan_gap(&ls);
    feed_all(s, &ls, "tail of a line session.id=" B "\n" L118_LOOP(A), 100000);
    CHECK(s->n == 1 && strcmp(s->ss.active, A) == 0);

    /* Ids at the very edges of a buffer. */
    CHECK(logscan_line("session.id=" A, strlen("session.id=" A), &s->ev[0]) == 1);
    CHECK_STR(s->ev[0].id, A);
    CHECK(logscan_line("x session.id=" A " ", strlen("x session.id=" A " "), &s->ev[0]) == 1);
    CHECK(logscan_line("", 0, &s->ev[0]) == 0);
    CHECK(logscan_valid_id(A, strlen(A)));
    CHECK(!logscan_valid_id("ses_", 4));
    CHECK(!logscan_valid_id("sess_abc", 8));
    CHECK(!logscan_valid_id("ses_ab;rm", 9));

    /* CRLF line ends. */
    s = fresh(&ls);
    feed_all(s, &ls, "message=loop session.id=" A "\r\n", 100000);
    CHECK(s->n == 1 && strcmp(s->ss.active, A) == 0);

    /* session_set: argv ids; malformed ones refused; subagents refused. */
    struct session_state ss;
    session_init(&ss);
    CHECK(session_set(&ss, A, "argv") == 1);
    CHECK_STR(ss.source, "argv");
    CHECK(session_set(&ss, A, "log") == 0);
    CHECK(session_set(&ss, "ses_$(reboot)", "argv") == 0);
    CHECK_STR(ss.active, A);

    /* Database sightings: they name a process's first session, never replace a confirmed one. */
    session_init(&ss);
    struct logscan_event dbev;
    CHECK(logscan_line("message=created id=" A " parentID=undefined source=db", strlen("message=created id=" A " parentID=undefined source=db"), &dbev) == 1);
    CHECK(dbev.from_db == 1);
    CHECK(session_apply(&ss, &dbev) == 1);
    CHECK_STR(ss.source, "db");
    /* ... the log confirms it ... */
    struct logscan_event logev;
    CHECK(logscan_line("message=loop session.id=" A, strlen("message=loop session.id=" A), &logev) == 1);
    CHECK(logev.from_db == 0);
    CHECK(session_apply(&ss, &logev) == 0);
    CHECK_STR(ss.source, "log");
    /* ... then another process's new session seen in a shared page changes nothing. */
    CHECK(logscan_line("message=created id=" B " parentID=undefined source=db", strlen("message=created id=" B " parentID=undefined source=db"), &dbev) == 1);
    CHECK(session_apply(&ss, &dbev) == 0);
    CHECK_STR(ss.active, A);
    /* Two sightings and no log yet (it lags under load, or never comes when the process is
     * killed): the second, even from the same moment, is another process's row in a page this
     * process rewrote, and changes nothing ... */
#define DB_LINE(id) "message=created id=" id " parentID=undefined source=db"
#define A_500MS "ses_df44de098ffew6XiCzZuRqPWmd"   /* created 500 ms after A */
    session_init(&ss);
    CHECK(logscan_line(DB_LINE(A), strlen(DB_LINE(A)), &dbev) == 1 && session_apply(&ss, &dbev) == 1);
    CHECK(logscan_line(DB_LINE(A_500MS), strlen(DB_LINE(A_500MS)), &dbev) == 1 && session_apply(&ss, &dbev) == 0);
    CHECK_STR(ss.active, A);
    CHECK_STR(ss.source, "db");
    /* ... and the log still names this process's own next session, whenever it comes. */
    CHECK(logscan_line("message=created id=" A_500MS " parentID=undefined", strlen("message=created id=" A_500MS " parentID=undefined"), &logev) == 1);
    CHECK(session_apply(&ss, &logev) == 1);
    CHECK_STR(ss.active, A_500MS);
    CHECK_STR(ss.source, "log");

    /* A subagent first taken for a root (its row seen before its parent was) gives it back. */
    session_init(&ss);
    session_set(&ss, A, "log");
    session_init(&ss);
    CHECK(logscan_line("message=created id=" C " parentID=undefined source=db", strlen("message=created id=" C " parentID=undefined source=db"), &dbev) == 1);
    session_apply(&ss, &dbev);
    CHECK_STR(ss.active, C);
    CHECK(logscan_line("message=created id=" C " parentID=" A, strlen("message=created id=" C " parentID=" A), &logev) == 1);
    CHECK(session_apply(&ss, &logev) == 1);
    CHECK_STR(ss.active, A);
    CHECK(ss.nroots == 1 && strcmp(ss.roots[0], A) == 0);

    UNIT_END("test_logscan");
}
