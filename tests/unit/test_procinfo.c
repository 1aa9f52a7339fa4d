/* test_procinfo.c - when the shim takes the process to be in tmux ($TMUX, $TMUX_PANE). */
#include "procinfo.h"
#include "unit.h"

static char sock[64];
static long pid;

static int tmux_env(const char *tmux, const char *pane)
{
    strcpy(sock, "junk");
    pid = -7;
    return procinfo_tmux_env(tmux, pane, sock, sizeof sock, &pid);
}

int main(void)
{
    CHECK(tmux_env("/tmp/tmux-0/default,2740,0", "%3") == 0);
    CHECK_STR(sock, "/tmp/tmux-0/default");
    CHECK(pid == 2740);
    /* the socket path may hold commas: the last two fields are the pid and the session */
    CHECK(tmux_env("/tmp/a,b/sock,99,12", "%0") == 0);
    CHECK_STR(sock, "/tmp/a,b/sock");
    CHECK(pid == 99);
    CHECK(tmux_env("/s,2147483647,0", "%4294967295") == 0 && pid == 2147483647);

    /* anything else: not in tmux, nothing filled */
    const char *bad[][2] = {
        { NULL, "%1" }, { "/s,1,0", NULL },
        { "/s,1,0", "" }, { "/s,1,0", "%" }, { "/s,1,0", "3" }, { "/s,1,0", "%3 " },
        { "/s,1,0", "%3;kill-server" }, { "/s,1,0", "%12345678901" }, { "/s,1,0", "%-1" },
        { "/s,0,0", "%1" }, { "/s,,0", "%1" }, { "/s,x1,0", "%1" }, { "/s,-5,0", "%1" },
        { "/s,2147483648,0", "%1" }, { "/s,12345678901,0", "%1" }, { "/s, 12,0", "%1" },
        { ",1,0", "%1" }, { "/s,1", "%1" }, { "/s", "%1" }, { "", "%1" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int r = tmux_env(bad[i][0], bad[i][1]);
        CHECK(r == -1 && sock[0] == '\0' && pid == 0);
        if (r != -1 || sock[0] || pid)
            fprintf(stderr, "  (TMUX=%s TMUX_PANE=%s)\n", bad[i][0] ? bad[i][0] : "(unset)",
                    bad[i][1] ? bad[i][1] : "(unset)");
    }
    /* a socket path longer than the buffer */
    char longer[128];
    memset(longer, 'a', 100);
    strcpy(longer + 100, ",5,0");
    CHECK(tmux_env(longer, "%1") == -1 && sock[0] == '\0');
    UNIT_END("test_procinfo");
}
