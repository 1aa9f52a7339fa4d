/* test_walscan.c - the database scan that spots a new session before the log does: rows in a
 * page, and the one-new-row rule over whole write transactions. */
#include "unit.h"
#include "walscan.h"

#include <time.h>

/* An encoded id created at ms (mod 2^36): hex = ~(ms * 4096 + counter) in 48 bits. */
static void make_id(char *out, long long ms, const char *tail)
{
    unsigned long long v = 0xffffffffffffULL - (((unsigned long long)ms << 12) + 5);
    sprintf(out, "ses_%012llx%s", v & 0xffffffffffffULL, tail);
}

/* A frame header: page number 7, database size after commit (0: not the last frame). */
static void header(char *h, unsigned commit)
{
    memset(h, 0, WALSCAN_FRAME_HEADER);
    h[3] = 7;
    h[4] = (char)(commit >> 24), h[5] = (char)(commit >> 16), h[6] = (char)(commit >> 8);
    h[7] = (char)commit;
}

static char page[4096];

/* A 4096-byte page holding text at offset 100 (zeros elsewhere, as in a b-tree page). */
static const char *page_with(const char *text)
{
    memset(page, 0, sizeof page);
    memcpy(page + 100, text, strlen(text));
    return page;
}

int main(void)
{
    /* Session ids encode their creation time (checked against opencode's real ids). */
    CHECK(walscan_id_time("ses_df44de28cffew6XiCzZuRqPWmd") >= 0);
    char id[64];
    make_id(id, 123456789, "AbCdEfGhIjKlMn");
    CHECK(walscan_id_time(id) == 123456789);
    CHECK(walscan_id_time("ses_nothexnothexAbCdEfGhIjKlMn") == -1);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    char fresh[64], parent[64], old[64], fresh2[64];
    make_id(fresh, now - 40, "FreshFreshFres");
    make_id(fresh2, now - 10, "YoungerYounger");
    make_id(parent, now - 60000, "ParentParentPa");
    make_id(old, now - 3600000, "OldOldOldOldOl");

    /* --- rows in one page --- */
    char text[512];
    struct walscan_hit rows[4];
    /* A session-table row: id, project id, [parent id], slug, directory... */
    int n = sprintf(text, "\x17I\x05\x05%sglobaljolly-panda/tmp/x1/proj", fresh);
    CHECK(walscan_rows(text, (size_t)n, now, WALSCAN_WINDOW_MS, rows, 4) == 1);
    CHECK_STR(rows[0].id, fresh);
    CHECK_STR(rows[0].parent, "");
    CHECK(rows[0].age_ms >= 40 && rows[0].age_ms < 1000);
    /* ... with a git project id and a parent: a subagent. */
    n = sprintf(text, "xx%s0123456789abcdef0123456789abcdef01234567%sbrave-cabin/tmp", fresh, parent);
    CHECK(walscan_rows(text, (size_t)n, now, WALSCAN_WINDOW_MS, rows, 4) == 1);
    CHECK_STR(rows[0].parent, parent);
    /* Old rows (other sessions on the same page) do not count; every new one does. */
    n = sprintf(text, "%sglobalslug-a/d\x01\x02%sglobalslug-b/d%sglobalslug-c", old, fresh, fresh2);
    CHECK(walscan_rows(text, (size_t)n, now, WALSCAN_WINDOW_MS, rows, 4) == 2);
    CHECK_STR(rows[0].id, fresh);
    CHECK_STR(rows[1].id, fresh2);
    CHECK(walscan_rows(text, (size_t)n, now, WALSCAN_WINDOW_MS, rows, 1) == 1);   /* at most max */
    n = sprintf(text, "%sglobalslug-a/d", old);
    CHECK(walscan_rows(text, (size_t)n, now, WALSCAN_WINDOW_MS, rows, 4) == 0);
    /* An id not followed by a project id (an index entry, a message row) is not a session row. */
    n = sprintf(text, "%s\x01\x02%s\x05msg_abc{\"x\":1}", fresh, fresh2);
    CHECK(walscan_rows(text, (size_t)n, now, WALSCAN_WINDOW_MS, rows, 4) == 0);
    /* Cut at the page's end. */
    n = sprintf(text, "%sglob", fresh);
    CHECK(walscan_rows(text, (size_t)n, now, WALSCAN_WINDOW_MS, rows, 4) == 0);
    CHECK(walscan_rows(text, 10, now, WALSCAN_WINDOW_MS, rows, 4) == 0);

    /* --- whole transactions --- */
    struct walscan_txn t;
    struct walscan_hit hit;
    char h[WALSCAN_FRAME_HEADER];
    memset(&t, 0, sizeof t);
    sprintf(text, "%sglobalslug-b/d", fresh);
    char one_row[128], two_rows[256], old_row[128], young_row[128];
    strcpy(one_row, text);
    sprintf(two_rows, "%sglobalslug-b/d\x01%sglobalslug-c/e", fresh, fresh2);
    sprintf(old_row, "%sglobalslug-a/d", old);
    sprintf(young_row, "%sglobalslug-c/e", fresh2);

    /* One frame, the commit: the one new row names the session. */
    header(h, 12);
    CHECK(walscan_txn_write(&t, h, sizeof h, now, &hit) == 0);
    CHECK(walscan_txn_write(&t, page_with(one_row), 4096, now, &hit) == 1);
    CHECK_STR(hit.id, fresh);
    /* The row is seen in an early frame; the transaction ends on a page without one. */
    header(h, 0);
    CHECK(walscan_txn_write(&t, h, sizeof h, now, &hit) == 0);
    CHECK(walscan_txn_write(&t, page_with(one_row), 4096, now, &hit) == 0);   /* not yet */
    header(h, 12);
    CHECK(walscan_txn_write(&t, h, sizeof h, now, &hit) == 0);
    CHECK(walscan_txn_write(&t, page_with(old_row), 4096, now, &hit) == 1);
    CHECK_STR(hit.id, fresh);
    /* Two processes created sessions at once: both rows on the page this one writes. Which is
     * its own is not known from bytes (stamp and commit orders differ): no session named. */
    header(h, 12);
    walscan_txn_write(&t, h, sizeof h, now, &hit);
    CHECK(walscan_txn_write(&t, page_with(two_rows), 4096, now, &hit) == 0);
    /* ... nor when the two rows are on two pages of one transaction (a page split). */
    header(h, 0);
    walscan_txn_write(&t, h, sizeof h, now, &hit);
    CHECK(walscan_txn_write(&t, page_with(one_row), 4096, now, &hit) == 0);
    header(h, 12);
    walscan_txn_write(&t, h, sizeof h, now, &hit);
    CHECK(walscan_txn_write(&t, page_with(young_row), 4096, now, &hit) == 0);
    /* The next transaction starts afresh: one row again names it. */
    header(h, 12);
    walscan_txn_write(&t, h, sizeof h, now, &hit);
    CHECK(walscan_txn_write(&t, page_with(young_row), 4096, now, &hit) == 1);
    CHECK_STR(hit.id, fresh2);
    /* The same row written twice in one transaction is still one row. */
    header(h, 0);
    walscan_txn_write(&t, h, sizeof h, now, &hit);
    walscan_txn_write(&t, page_with(one_row), 4096, now, &hit);
    header(h, 9);
    walscan_txn_write(&t, h, sizeof h, now, &hit);
    CHECK(walscan_txn_write(&t, page_with(one_row), 4096, now, &hit) == 1);
    /* Old rows only: nothing. */
    header(h, 9);
    walscan_txn_write(&t, h, sizeof h, now, &hit);
    CHECK(walscan_txn_write(&t, page_with(old_row), 4096, now, &hit) == 0);
    /* A header and its page written in one call (4096 + 24 bytes). */
    {
        static char both[WALSCAN_FRAME_HEADER + 4096];
        header(h, 3);
        memcpy(both, h, sizeof h);
        memcpy(both + sizeof h, page_with(one_row), 4096);
        CHECK(walscan_txn_write(&t, both, sizeof both, now, &hit) == 1);
        CHECK_STR(hit.id, fresh);
        header(both, 0);   /* not the commit: wait for it */
        CHECK(walscan_txn_write(&t, both, sizeof both, now, &hit) == 0);
        header(h, 3);
        walscan_txn_write(&t, h, sizeof h, now, &hit);
        CHECK(walscan_txn_write(&t, page_with(old_row), 4096, now, &hit) == 1);
    }
    /* Under load a process stamps its session seconds before it commits: its own row (4 s old)
     * no longer looks new beside another process's new row on the page. The other's is not its
     * own: no session named (CI, test_load: a pane was given its neighbour's session). */
    {
        char own_late[64], mine_page[256], minute[64], hour[64], page2[256];
        make_id(own_late, now - 4000, "LateLateLateLa");
        sprintf(mine_page, "%sglobalslug-l/d\x01%sglobalslug-b/d", own_late, fresh);
        header(h, 12);
        walscan_txn_write(&t, h, sizeof h, now, &hit);
        CHECK(walscan_txn_write(&t, page_with(mine_page), 4096, now, &hit) == 0);
        /* ... nor beside any session of the last minute */
        make_id(minute, now - 30000, "MinuteMinuteMi");
        sprintf(page2, "%sglobalslug-m/d\x01%sglobalslug-b/d", minute, fresh);
        header(h, 12);
        walscan_txn_write(&t, h, sizeof h, now, &hit);
        CHECK(walscan_txn_write(&t, page_with(page2), 4096, now, &hit) == 0);
        /* ... but older sessions on the page are no rivals */
        make_id(hour, now - 3600000, "HourHourHourHo");
        sprintf(page2, "%sglobalslug-h/d\x01%sglobalslug-b/d", hour, fresh);
        header(h, 12);
        walscan_txn_write(&t, h, sizeof h, now, &hit);
        CHECK(walscan_txn_write(&t, page_with(page2), 4096, now, &hit) == 1);
        CHECK_STR(hit.id, fresh);
        /* ... and a recent row that is not new names nothing on its own */
        sprintf(page2, "%sglobalslug-l/d", own_late);
        header(h, 12);
        walscan_txn_write(&t, h, sizeof h, now, &hit);
        CHECK(walscan_txn_write(&t, page_with(page2), 4096, now, &hit) == 0);
    }
    /* A write of no known shape (the 32-byte WAL header) changes nothing. */
    memset(text, 0, 32);
    CHECK(walscan_txn_write(&t, text, 32, now, &hit) == 0);
    UNIT_END("test_walscan");
}
