/* test_childenv.c - the environment given to opencode's children, and the database scan
 * that spots a new session before the log does. */
#include "childenv.h"
#include "unit.h"
#include "walscan.h"

#include <time.h>

/* An encoded id created at ms (mod 2^36): hex = ~(ms * 4096 + counter) in 48 bits. */
static void make_id(char *out, long long ms, const char *tail)
{
    unsigned long long v = 0xffffffffffffULL - (((unsigned long long)ms << 12) + 5);
    sprintf(out, "ses_%012llx%s", v & 0xffffffffffffULL, tail);
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
    make_id(old, now - 5000, "OldOldOldOldOl");

    /* A session-table row: id, project id, [parent id], slug, directory... */
    char page[4096];
    struct walscan_hit hit;
    memset(page, 0, sizeof page);
    int n = sprintf(page, "\x17I\x05\x05%sglobaljolly-panda/tmp/x1/proj", fresh);
    CHECK(walscan_find(page, (size_t)n, now, &hit) == 1);
    CHECK_STR(hit.id, fresh);
    CHECK_STR(hit.parent, "");
    CHECK(hit.age_ms >= 40 && hit.age_ms < 1000);
    /* ... with a git project id and a parent: a subagent. */
    n = sprintf(page, "xx%s0123456789abcdef0123456789abcdef01234567%sbrave-cabin/tmp", fresh, parent);
    CHECK(walscan_find(page, (size_t)n, now, &hit) == 1);
    CHECK_STR(hit.parent, parent);
    /* Old rows (other sessions on the same page) do not count; the youngest new one wins. */
    n = sprintf(page, "%sglobalslug-a/d\x01\x02%sglobalslug-b/d%sglobalslug-c", old, fresh, fresh2);
    CHECK(walscan_find(page, (size_t)n, now, &hit) == 1);
    CHECK_STR(hit.id, fresh2);
    n = sprintf(page, "%sglobalslug-a/d", old);
    CHECK(walscan_find(page, (size_t)n, now, &hit) == 0);
    /* An id not followed by a project id (an index entry, a message row) is not a session row. */
    n = sprintf(page, "%s\x01\x02%s\x05msg_abc{\"x\":1}", fresh, fresh2);
    CHECK(walscan_find(page, (size_t)n, now, &hit) == 0);
    /* Cut at the page's end. */
    n = sprintf(page, "%sglob", fresh);
    CHECK(walscan_find(page, (size_t)n, now, &hit) == 0);
    CHECK(walscan_find(page, 10, now, &hit) == 0);

    /* Children's environment: replaced, not duplicated; removed when no session is known. */
    char *envp[] = { "PATH=/bin", "OPENCODE_SESSION_ID=ses_stale", "HOME=/root",
                     "OPENCODE_SESSION_ID=ses_stale2", NULL };
    char *out[8];
    char line[CHILDENV_LINE_MAX];
    CHECK(childenv_read(line) == 0);
    childenv_publish("ses_abc");
    size_t len = childenv_read(line);
    CHECK(len == strlen("OPENCODE_SESSION_ID=ses_abc"));
    CHECK_STR(line, "OPENCODE_SESSION_ID=ses_abc");
    CHECK(childenv_build(envp, line, out, 8) == out);
    CHECK_STR(out[0], "PATH=/bin");
    CHECK_STR(out[1], "HOME=/root");
    CHECK_STR(out[2], "OPENCODE_SESSION_ID=ses_abc");
    CHECK(out[3] == NULL);
    CHECK(childenv_build(envp, NULL, out, 8) == out);
    CHECK(out[2] == NULL);
    CHECK(childenv_build(envp, line, out, 3) == NULL);
    char *empty[] = { NULL };
    CHECK(childenv_build(empty, line, out, 2) == out && out[1] == NULL);
    CHECK(childenv_count(envp) == 4);
    childenv_publish("");
    CHECK(childenv_read(line) == 0);

    /* a server: opencode's own value (the plugin's) is kept, the inherited one removed */
    {
        char *in[] = { "A=1", "OPENCODE_SESSION_ID=ses_stale", "B=2", NULL };
        char *plug[] = { "A=1", "OPENCODE_SESSION_ID=ses_tool", "B=2", NULL };
        char *sv[8];
        CHECK(childenv_build_server(in, "OPENCODE_SESSION_ID=ses_stale", sv, 8) == sv);
        CHECK(sv[0] == in[0] && sv[1] == in[2] && sv[2] == NULL);
        CHECK(childenv_build_server(plug, "OPENCODE_SESSION_ID=ses_stale", sv, 8) == sv);
        CHECK(strcmp(sv[1], "OPENCODE_SESSION_ID=ses_tool") == 0 && sv[3] == NULL);
        CHECK(childenv_build_server(plug, NULL, sv, 8) == sv && sv[3] == NULL);
        CHECK(childenv_build_server(plug, NULL, sv, 3) == NULL);   /* too small: refused */
        const char *st;
        CHECK(childenv_server(&st) == 0);
        childenv_set_server("OPENCODE_SESSION_ID=x");
        CHECK(childenv_server(&st) == 1 && strcmp(st, "OPENCODE_SESSION_ID=x") == 0);
    }
    UNIT_END("test_childenv");
}
