/* test_childenv.c - the environment given to opencode's children. */
#include "childenv.h"
#include "unit.h"

int main(void)
{
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
    /* no room at all (not even for the final NULL): refused, nothing written (found by
     * tests/fuzz/fuzz_childenv.c: it wrote out[0]) */
    out[0] = "untouched";
    CHECK(childenv_build(empty, NULL, out, 0) == NULL && strcmp(out[0], "untouched") == 0);
    CHECK(childenv_build(NULL, NULL, out, 0) == NULL && strcmp(out[0], "untouched") == 0);
    CHECK(childenv_build_server(empty, NULL, out, 0) == NULL && strcmp(out[0], "untouched") == 0);
    CHECK(childenv_build_server(NULL, "A=1", out, 0) == NULL && strcmp(out[0], "untouched") == 0);
    CHECK(childenv_build(empty, NULL, out, 1) == out && out[0] == NULL);
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
