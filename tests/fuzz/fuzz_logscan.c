/* fuzz_logscan.c - the log parser (shim/logscan.c) fed in random splits, with gaps. */
#include "fuzz.h"
#include "logscan.h"
#include "session.h"

/* Input: c = byte 0 % 16 control bytes, then the log text. Control byte k cuts the next piece
 * of the text: (b & 0x3f) + 1 bytes; b & 0x40: the piece is fed 300 times over (reaching the
 * 16 KiB line limit from a small input; the first such piece only, for speed); b & 0x80: a
 * gap (lost bytes) before it. What is left
 * after the control bytes is fed in one piece.
 *
 * Properties: every event names a well-formed id and its strings end inside their arrays;
 * without gaps, the events are the same whatever the splits (compared with one whole feed). */

#define MAXEV 4096
#define REPEAT 300

struct seen {
    int n;
    struct logscan_event ev[MAXEV];
    struct session_state ss;
};

static void check_event(const struct logscan_event *ev)
{
    FZ_CHECK(ev->kind == LOGSCAN_CREATED || ev->kind == LOGSCAN_ACTIVE);
    FZ_CHECK(memchr(ev->id, '\0', sizeof ev->id));
    FZ_CHECK(logscan_valid_id(ev->id, strlen(ev->id)));
    FZ_CHECK(memchr(ev->parent, '\0', sizeof ev->parent));
    FZ_CHECK(!ev->parent[0] || logscan_valid_id(ev->parent, strlen(ev->parent)));
    FZ_CHECK(memchr(ev->version, '\0', sizeof ev->version));
    FZ_CHECK(memchr(ev->directory, '\0', sizeof ev->directory));
}

static void cb(const struct logscan_event *ev, void *arg)
{
    struct seen *s = arg;
    check_event(ev);
    if (s->n < MAXEV)
        s->ev[s->n] = *ev;
    s->n++;
    session_apply(&s->ss, ev);
    FZ_CHECK(memchr(s->ss.active, '\0', sizeof s->ss.active));
}

static int same_event(const struct logscan_event *a, const struct logscan_event *b)
{
    return a->kind == b->kind && strcmp(a->id, b->id) == 0 && strcmp(a->parent, b->parent) == 0 &&
           strcmp(a->version, b->version) == 0 && a->from_db == b->from_db && a->from_http == b->from_http &&
           a->turn_start == b->turn_start && strcmp(a->directory, b->directory) == 0;
}

static struct logscan ls;
static struct seen split, whole;
static char text[1 << 20];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    unsigned nctl = fz_byte(&f, 0) % 16;
    uint8_t ctl[16];
    for (unsigned i = 0; i < nctl; i++)
        ctl[i] = (uint8_t)fz_byte(&f, 0);

    split.n = 0;
    session_init(&split.ss);
    logscan_init(&ls);
    size_t tn = 0;   /* the text as fed, for the whole feed */
    int gaps = 0, cut = 0, repeated = 0;
    const char *p = (const char *)f.p;
    size_t left = f.n;
    for (unsigned i = 0; i <= nctl; i++) {
        size_t take = i < nctl ? (size_t)(ctl[i] & 0x3f) + 1 : left;
        if (take > left)
            take = left;
        int times = i < nctl && (ctl[i] & 0x40) && !repeated++ ? REPEAT : 1;
        if (i < nctl && (ctl[i] & 0x80)) {
            logscan_gap(&ls);
            gaps = 1;
        }
        for (int t = 0; t < times; t++) {
            logscan_feed(&ls, p, take, cb, &split);
            FZ_CHECK(ls.len <= sizeof ls.buf);
            if (tn + take <= sizeof text) {
                memcpy(text + tn, p, take);
                tn += take;
            } else {
                cut = 1;
            }
        }
        p += take;
        left -= take;
    }
    if (gaps || cut)
        return 0;

    whole.n = 0;
    session_init(&whole.ss);
    logscan_init(&ls);
    logscan_feed(&ls, text, tn, cb, &whole);
    FZ_CHECK(whole.n == split.n);
    for (int i = 0; i < whole.n && i < MAXEV; i++)
        FZ_CHECK(same_event(&whole.ev[i], &split.ev[i]));
    FZ_CHECK(strcmp(whole.ss.active, split.ss.active) == 0);
    return 0;
}
