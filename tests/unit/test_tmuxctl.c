/* test_tmuxctl.c - setting the pane option through a real tmux on a private socket
 * (tmuxctl.c): only in the server the pane was started in. */
#include "tmuxctl.h"
#include "unit.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

extern char **environ;

#define ID_A "ses_aaaaaaaaaaaaAAAAAAAAAAAAAA"
#define ID_B "ses_bbbbbbbbbbbbBBBBBBBBBBBBBB"

static char dir[64], sock[96];

/* tmux on the private socket; its output's first line in out (cap bytes); 0 when it succeeded. */
static int tm(char *out, size_t cap, const char *args)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "tmux -S %s %s 2>/dev/null", sock, args);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    char line[256] = "";
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    if (out)
        snprintf(out, cap, "%s", line);
    return pclose(f) == 0 ? 0 : -1;
}

/* A server started on the socket: its first pane's id and the server's pid. */
static int server_up(char *pane, size_t cap, long *pid)
{
    char out[128];
    if (tm(NULL, 0, "-f /dev/null new-session -d -s t -x 80 -y 20 'sleep 120'") != 0 ||
        tm(out, sizeof out, "display-message -p -t t '#{pane_id} #{pid}'") != 0)
        return -1;
    char *sp = strchr(out, ' ');
    if (!sp)
        return -1;
    *sp = '\0';
    if (strlen(out) >= cap)
        return -1;
    memcpy(pane, out, strlen(out) + 1);
    *pid = strtol(sp + 1, NULL, 10);
    return 0;
}

static void opt(const char *scope, const char *pane, char *out, size_t cap)
{
    char args[128];
    snprintf(args, sizeof args, "show-options %s -t '%s' -v @opencode_session", scope, pane);
    if (tm(out, cap, args) != 0)
        out[0] = '\0';
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_tmuxctl.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(sock, sizeof sock, "%s/s", dir);
    char pane[32], got[128];
    long pid;
    struct tmux_info ti;
    CHECK(server_up(pane, sizeof pane, &pid) == 0);

    /* its own server: both options set, the place read */
    CHECK(tmuxctl_publish(sock, pane, pid, ID_A, environ, &ti, NULL) == 0);
    CHECK_STR(ti.session, "t");
    CHECK_STR(ti.window, "0");
    CHECK(ti.window_id[0] == '@');
    opt("-p", pane, got, sizeof got);
    CHECK_STR(got, ID_A);
    opt("-w", pane, got, sizeof got);
    CHECK_STR(got, ID_A);

    /* a server whose pid is not the pane's: nothing set, said so */
    CHECK(tmuxctl_publish(sock, pane, pid + 1, ID_B, environ, &ti, NULL) == TMUXCTL_OTHER_SERVER);
    opt("-p", pane, got, sizeof got);
    CHECK_STR(got, ID_A);
    opt("-w", pane, got, sizeof got);
    CHECK_STR(got, ID_A);
    CHECK(tmuxctl_publish(sock, pane, pid + 1, NULL, environ, &ti, NULL) == TMUXCTL_OTHER_SERVER);

    /* refused before tmux runs: a pane or id tmux would parse as more than one */
    CHECK(tmuxctl_publish(sock, "%0 ; kill-server", pid, ID_B, environ, &ti, NULL) == -1);
    CHECK(tmuxctl_publish(sock, pane, pid, "ses_x ; kill-server", environ, &ti, NULL) == -1);
    CHECK(tmuxctl_publish(sock, pane, 0, ID_B, environ, &ti, NULL) == -1);
    CHECK(tm(NULL, 0, "has-session -t t") == 0);     /* the server is still there */
    /* a pane the server does not have, or no longer has (tmux >= 3.2 still prints the pid and
     * empty fields, and only its exit status says no) */
    CHECK(tmuxctl_publish(sock, "%999", pid, ID_B, environ, &ti, NULL) == -1);
    CHECK(tmuxctl_publish(sock, "%999", pid, NULL, environ, &ti, NULL) == -1);
    char gone[32];
    CHECK(tm(gone, sizeof gone, "split-window -d -P -F '#{pane_id}' -t t 'sleep 120'") == 0);
    char args[64];
    snprintf(args, sizeof args, "kill-pane -t '%s'", gone);
    CHECK(gone[0] == '%' && tm(NULL, 0, args) == 0);
    CHECK(tmuxctl_publish(sock, gone, pid, ID_B, environ, &ti, NULL) == -1);
    CHECK(tmuxctl_publish(sock, gone, pid, NULL, environ, &ti, NULL) == -1);
    opt("-w", pane, got, sizeof got);
    CHECK_STR(got, ID_A);
    /* ... also in a host that reaps its children (here: SIGCHLD ignored), where only tmux's
     * output tells */
    signal(SIGCHLD, SIG_IGN);
    int r_gone = tmuxctl_publish(sock, gone, pid, ID_B, environ, &ti, NULL);
    int r_own = tmuxctl_publish(sock, pane, pid, ID_A, environ, &ti, NULL);
    signal(SIGCHLD, SIG_DFL);
    CHECK(r_gone == -1);
    CHECK(r_own == 0 && strcmp(ti.session, "t") == 0);

    /* the server killed and another started on the same socket: its first pane has the old
     * pane's id, and is left alone */
    tm(NULL, 0, "kill-server");
    CHECK(tmuxctl_publish(sock, pane, pid, ID_B, environ, &ti, NULL) == -1);
    char pane2[32];
    long pid2;
    CHECK(server_up(pane2, sizeof pane2, &pid2) == 0);
    CHECK_STR(pane2, pane);
    CHECK(pid2 != pid);
    CHECK(tmuxctl_publish(sock, pane, pid, ID_B, environ, &ti, NULL) == TMUXCTL_OTHER_SERVER);
    /* a pane it does not have: tmux >= 3.2 still prints its pid (another server's), older
     * ones nothing (no answer) */
    CHECK(tmuxctl_publish(sock, "%7", pid, ID_B, environ, &ti, NULL) != 0);
    opt("-p", pane2, got, sizeof got);
    CHECK_STR(got, "");
    opt("-w", pane2, got, sizeof got);
    CHECK_STR(got, "");
    /* ... and the new server's own pane is set when the pid is its own */
    CHECK(tmuxctl_publish(sock, pane2, pid2, ID_B, environ, &ti, NULL) == 0);
    opt("-p", pane2, got, sizeof got);
    CHECK_STR(got, ID_B);

    tm(NULL, 0, "kill-server");
    unlink(sock);
    rmdir(dir);
    UNIT_END("test_tmuxctl");
}
