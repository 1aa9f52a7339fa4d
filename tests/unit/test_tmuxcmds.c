/* test_tmuxcmds.c - the restore's tmux command list: sessions, windows, splits, gaps, filled panes, servers before clients, layouts. */
#include "restore.h"
#include "tmuxint.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static char *OC[] = { "oc", "-s", "ses_1", NULL };
static char *CLIENT[] = { "oc", "attach", "http://127.0.0.1:4096", NULL };

static struct entry *add(struct plan *p, const char *ses, int win, int pane, const char *dir)
{
    struct entry *e = plan_add(p);
    e->tsession = strdup(ses);
    e->win = win;
    e->pane = pane;
    e->dir = strdup(dir);
    e->argv = OC;
    e->state = P_RESTORE;
    return e;
}

static void live(struct tlive *l, const char *ses, int win, int pane, const char *pane_id)
{
    live_add(l, "$1", ses, "@1", win, pane_id, pane);
    l->v[l->n - 1].pid = 100;
}

/* The list as lines, the pane script cut to "...": one string, a line per command. */
static char *lines(const struct tcmds *l)
{
    struct tserver s = { .argv = { "tmux", "-S", "/s" }, .argc = 3 };
    struct strbuf b, one;
    sb_init(&b);
    sb_init(&one);
    for (int i = 0; i < l->n; i++) {
        sb_reset(&one);
        tcmd_line(&one, &s, &l->v[i]);
        char *a = strstr(one.s, "/bin/sh -c 's=$1"), *z = a ? strstr(a, " ocshim-restore ") : NULL;
        if (a && z) {
            sb_addn(&b, one.s, (size_t)(a - one.s));
            sb_add(&b, "SH");
            sb_add(&b, z);
        } else {
            sb_add(&b, one.s);
        }
        sb_printf(&b, " [%d]\n", l->v[i].batch);
    }
    sb_free(&one);
    return sb_take(&b);
}

static char *build(struct plan *p, struct tlive *l)
{
    char go[64];
    for (int i = 0; i < p->n; i++)
        go[i] = p->v[i].state == P_RESTORE;
    struct tcmds c;
    tcmds_build(&c, p, go, l, "/lib/shim.so");
    char *s = lines(&c);
    tcmds_free(&c);
    for (int i = 0; i < p->n; i++) {
        free(p->v[i].tsession);
        free(p->v[i].dir);
        p->v[i].tsession = p->v[i].dir = NULL;
        p->v[i].argv = NULL;
    }
    free(p->v);
    memset(p, 0, sizeof *p);
    tmux_live_free(l);
    return s;
}

#define F " -P -F '#{session_id}\t#{window_id}\t#{window_index}\t#{pane_id}\t#{pane_index}' SH ocshim-restore /lib/shim.so oc -s ses_1"

int main(void)
{
    struct plan p = { 0 };
    struct tlive l = { 0 };
    char *got;

    /* a new session: its first window moved to the recorded index whatever base-index is,
     * its second pane split off by name, a later window, one run for all */
    add(&p, "a b", 0, 0, "/d")->win_name = "w#1";
    add(&p, "a b", 0, 1, "/d");
    add(&p, "a b", 2, 0, "/e");
    got = build(&p, &l);
    CHECK_STR(got,
              "tmux -S /s new-session -d -s 'a b' -c /d -n 'w##1'" F " [0]\n"
              "tmux -S /s if-shell -F -t '=a b:' '#{!=:#{window_index},0}' 'move-window -t :0' [0]\n"
              "tmux -S /s split-window -d -t '=a b:0.0' -c /d" F " [0]\n"
              "tmux -S /s new-window -d -t '=a b:2' -c /e" F " [0]\n");
    free(got);

    /* a session named ';' arrives as a name, not as tmux's separator */
    add(&p, ";", 0, 0, "/d");
    got = build(&p, &l);
    CHECK(strncmp(got, "tmux -S /s new-session -d -s '\\;' ", 34) == 0);
    free(got);

    /* a session tmux named from "c$d\\x<tab>" is recorded as it reports it, escaped: it is
     * created from the unescaped name (tmux escapes it back), every target is the escaped one */
    add(&p, "c\\$d\\\\x\\t\\001", 0, 0, "/d");
    got = build(&p, &l);
    CHECK(strstr(got, "new-session -d -s 'c$d\\x\t\001' -c /d") != NULL);
    CHECK(strstr(got, "-t '=c\\$d\\\\x\\t\\001:'") != NULL);
    free(got);

    /* an existing session: a new window; an existing window: the gap below the pane gets a
     * plain shell, then the pane, tiled once three panes share the window */
    live(&l, "s", 0, 0, "%7");
    add(&p, "s", 0, 2, "/d");
    add(&p, "s", 3, 0, "/e");
    got = build(&p, &l);
    CHECK_STR(got,
              "tmux -S /s split-window -d -t '=s:0.0' -c /d [0]\n"
              "tmux -S /s split-window -d -t '=s:0.1' -c /d" F " [0]\n"
              "tmux -S /s select-layout -t '=s:0' tiled [0]\n"
              "tmux -S /s new-window -d -t '=s:3' -c /e" F " [0]\n");
    free(got);

    /* an idle shell in a live pane: the command typed in (by the pane's id); two sessions,
     * two runs */
    live(&l, "s", 0, 0, "%7");
    add(&p, "s", 0, 0, "/my dir");
    add(&p, "t", 0, 0, "/d");
    got = build(&p, &l);
    CHECK_STR(got,
              "tmux -S /s send-keys -t %7 -l 'cd '\\''/my dir'\\'' && env '\\''LD_PRELOAD=/lib/shim.so'\\'' "
              "'\\''oc'\\'' '\\''-s'\\'' '\\''ses_1'\\''' [0]\n"
              "tmux -S /s send-keys -t %7 Enter [0]\n"
              "tmux -S /s new-session -d -s t -c /d" F " [1]\n"
              "tmux -S /s if-shell -F -t '=t:' '#{!=:#{window_index},0}' 'move-window -t :0' [1]\n");
    free(got);

    /* the first recorded pane of a new window is not the first: plain shells in front, while
     * its index (pane-base-index unknown) is not the recorded one */
    live(&l, "s", 0, 0, "%7");
    add(&p, "s", 1, 2, "/d");
    got = build(&p, &l);
    CHECK_STR(got,
              "tmux -S /s new-window -d -t '=s:1' -c /d" F " [0]\n"
              "tmux -S /s if-shell -F -t '=s:1' '#{!=:#{pane_index},2}' 'split-window -b -d -c '\\''/d'\\'' ; select-layout tiled' [0]\n"
              "tmux -S /s if-shell -F -t '=s:1' '#{!=:#{pane_index},2}' 'split-window -b -d -c '\\''/d'\\'' ; select-layout tiled' [0]\n");
    free(got);

    /* servers before clients: the server's pane and the client's stand-in in the first run;
     * the wait; then the client's command, and the idle shell of another client, typed into */
    live(&l, "c", 0, 0, "%9");
    add(&p, "a", 0, 0, "/d");
    struct entry *cl = add(&p, "a", 0, 1, "/d");
    cl->argv = CLIENT;
    cl->held = 1;
    cl = add(&p, "c", 0, 0, "/d");
    cl->argv = CLIENT;
    cl->held = 1;
    got = build(&p, &l);
    CHECK(strstr(got, "tmux -S /s split-window -d -t '=a:0.0' -c /d -P -F '#{session_id}\t#{window_id}\t#{window_index}\t"
                      "#{pane_id}\t#{pane_index}' SH ocshim-restore /lib/shim.so /bin/sh -c 'echo '\\''ocshim-restore: starting once its opencode "
                      "server answers...'\\''; exec sleep 600' [0]\n") != NULL);
    CHECK(strstr(got, "# wait until the opencode servers started above answer (at most 60 s) [1]\n"
                      "tmux -S /s respawn-pane -k -t '=a:0.1' -c /d SH ocshim-restore /lib/shim.so oc attach "
                      "http://127.0.0.1:4096 [2]\n"
                      "tmux -S /s send-keys -t %9 -l ") != NULL);
    CHECK(strstr(got, "tmux -S /s send-keys -t %9 Enter [3]\n") != NULL);
    CHECK(strstr(got, "send-keys -t %9 -l") > strstr(got, "# wait"));
    free(got);

    /* layouts: the freshest of a made window; a shell after the last pane while the window has
     * fewer panes than the layout; a layout with fewer panes than the window is not forced; a
     * window that existed keeps its own */
    static char L3[] = "b25e,80x24,0,0{40x24,0,0,0,39x24,41,0[39x12,41,0,1,39x11,41,13,2]}";
    static char L2[] = "a1b2,80x24,0,0{40x24,0,0,0,39x24,41,0,1}";
    struct entry *e = add(&p, "x", 0, 0, "/d");
    e->layout = L2;
    e->layout_ms = 1;
    e = add(&p, "x", 0, 1, "/e");
    e->layout = L3;
    e->layout_ms = 2;
    e = add(&p, "x", 1, 0, "/d");
    add(&p, "x", 1, 1, "/d");
    add(&p, "x", 1, 2, "/d")->layout = L2;
    got = build(&p, &l);
    CHECK(strstr(got, "tmux -S /s if-shell -F -t '=x:0' '#{==:#{window_panes},2}' 'split-window -d -f -c '\\''/e'\\'' ; "
                      "select-layout tiled' [0]\n"
                      "tmux -S /s if-shell -F -t '=x:0' '#{==:#{window_panes},3}' 'select-layout '\\''b25e,") != NULL);
    CHECK(strstr(got, "a1b2") == NULL);
    free(got);
    live(&l, "k", 0, 0, "%1");
    e = add(&p, "k", 0, 1, "/d");
    e->layout = L2;
    got = build(&p, &l);
    CHECK(strstr(got, "window_panes") == NULL && strstr(got, "split-window -d -t '=k:0.0' -c /d") != NULL);
    free(got);

    /* nothing to start: no command */
    add(&p, "z", 0, 0, "/d")->state = P_RUNNING;
    got = build(&p, &l);
    CHECK_STR(got, "");
    free(got);
    UNIT_END("test_tmuxcmds");
}
