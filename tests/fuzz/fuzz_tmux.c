/* fuzz_tmux.c - the restore's reading of tmux's output (tools/restore/tserver.c, panes.c). */
#include "fuzz.h"
#include "restore.h"
#include "tmuxint.h"
#include "runcmd.h"
#include "strbuf.h"

/* tmux.c runs tmux through run_argv (runcmd.h); this file has its own run_argv and run_which
 * (runcmd.c is not linked): no process is run, each call gets the next part of the input as
 * tmux's standard output. tmux.c is reached through its public functions only:
 *   tmux_live_load  - `list-panes -a -F` (pid, session id, window index, pane index, pane id,
 *                     window id, session name; tab-separated, one pane a line);
 *   tmux_apply      - the `-P -F` lines of new-session, new-window and split-window (session
 *                     id, window id, window index, pane id, pane index), one run per tmux
 *                     session of the command list (tmuxcmds.c), for a plan of 1 to 4 panes to
 *                     restore and their layouts.
 *
 * Input: byte 0: the plan's size (1 + b & 3), 0x04: a dry run, 0x08..0x40: which entries
 * carry the recorded layout, 0x80: a shim to preload; bytes 1 to 4: each entry's tmux session
 * (b % 3 of "main", "work", "a;b"), window ((b >> 2) & 3) and pane ((b >> 4) & 3); two entries
 * on one pane: the second is a duplicate, as the plan makes it. Then parts cut at FZ_SEP:
 * the list-panes output, the recorded layout (kept when it passes the restore's own check, as
 * plan.c does), then one output per later tmux run. A part starting with 0x15: that run
 * failed (exit 1, the rest on stderr). When the parts run out, tmux fails.
 * A small process table stands in for /proc: an idle shell (pid 99999001), a busy one
 * (99999002) and one running opencode (99999004); pids that cannot exist, so nothing waits.
 *
 * Properties: no crash, no leak, every argv handed to tmux is whole; each entry ends with an
 * action or an error; the live view holds complete panes. */

static struct fz parts;
static int runs;

int run_argv(const char *const argv[], struct strbuf *out, struct strbuf *err, int timeout_ms)
{
    FZ_CHECK(argv && argv[0] && strcmp(argv[0], "tmux") == 0);
    for (int i = 0; argv[i]; i++)
        (void)strlen(argv[i]);
    runs++;
    const char *s;
    size_t n;
    if (!fz_part(&parts, &s, &n)) {
        if (err)
            sb_add(err, "no server running on /tmp/tmux-1000/default\n");
        return 1;
    }
    if (n && (uint8_t)s[0] == 0x15) {
        if (err)
            sb_addn(err, s + 1, n - 1);
        return 1;
    }
    if (out)
        sb_addn(out, s, n);
    return 0;
}

char *run_which(const char *prog)
{
    (void)prog;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "main", "work", "a;b" };
    struct fz f = { data, size };
    unsigned shape = fz_byte(&f, 0), pos[4];
    for (int i = 0; i < 4; i++)
        pos[i] = fz_byte(&f, 0);
    parts = f;
    runs = 0;

    struct tserver srv;
    memset(&srv, 0, sizeof srv);
    srv.argv[0] = "tmux";
    srv.argv[1] = "-u";
    srv.argc = 2;
    srv.socket = "/tmp/tmux-1000/default";
    srv.is_default = 1;

    struct tlive live;
    int lrc = tmux_live_load(&srv, &live);
    FZ_CHECK(lrc == 0 || lrc == -1);
    FZ_CHECK(live.n >= 0 && live.n <= live.cap);
    for (int i = 0; i < live.n; i++)
        FZ_CHECK(live.v[i].session_id && live.v[i].session_name && live.v[i].window_id && live.v[i].pane_id);

    const char *ls;
    size_t ln;
    char *layout = fz_part(&parts, &ls, &ln) ? fz_str(ls, ln) : NULL;
    if (layout && !plan_layout_valid(layout)) {
        free(layout);
        layout = NULL;
    }

    struct plan p = { 0 };
    int n = 1 + (int)(shape & 3);
    for (int i = 0; i < n; i++) {
        struct entry *e = plan_add(&p);
        e->tsession = xstrdup(names[pos[i] % 3]);
        e->win = (int)((pos[i] >> 2) & 3);
        e->pane = (int)((pos[i] >> 4) & 3);
        e->win_name = xstrdup(i & 1 ? "editor" : "");
        e->dir = xstrdup("/tmp");
        e->exe = xstrdup("/bin/sh");
        e->session_id = xstrdup(i & 1 ? "ses_df44de28cffew6XiCzZuRqPWmd" : "ses_df4423035ffeKTlLDp05v7QqSe");
        e->role = E_TUI;
        e->state = P_RESTORE;
        if (layout && (shape >> (3 + i)) & 1) {
            e->layout = xstrdup(layout);
            e->layout_ms = 1000 + i;
        }
    }
    qsort(p.v, (size_t)p.n, sizeof *p.v, plan_entry_cmp);
    for (int i = 1; i < p.n; i++)   /* one entry per pane, as the plan makes it */
        if (plan_entry_cmp(&p.v[i - 1], &p.v[i]) == 0)
            p.v[i].state = P_DUPLICATE;

    struct proc_entry pe[] = {
        { 99999001, 1, "bash", "bash" },
        { 99999002, 1, "bash", "bash" },
        { 99999003, 99999002, "sleep", "sleep" },
        { 99999004, 1, "zsh", "zsh" },
        { 99999005, 99999004, "opencode", "opencode" },
    };
    struct proc_table pt = { pe, (int)(sizeof pe / sizeof *pe) };
    struct notes notes = { 0 };
    struct tcmds cmds = { 0 };
    int failed = tmux_apply(&p, &srv, &live, &pt, (shape & 0x80) ? "/usr/lib/libocshim.so" : "", (shape >> 2) & 1,
                            0, &cmds, &notes);
    int batches = 0;
    for (int i = 0; i < cmds.n; i++) {
        FZ_CHECK(cmds.v[i].kind == TC_WAIT || (cmds.v[i].argc > 0 && cmds.v[i].argv[cmds.v[i].argc] == NULL));
        batches += cmds.v[i].kind == TC_TMUX && (i == 0 || cmds.v[i].batch != cmds.v[i - 1].batch);
    }
    FZ_CHECK((shape >> 2) & 1 ? runs == 1 : runs == 1 + batches);   /* list-panes, then one run a batch */
    tcmds_free(&cmds);
    FZ_CHECK(failed >= 0 && failed <= p.n);
    for (int i = 0; i < p.n; i++) {
        const struct entry *e = &p.v[i];
        if (e->state == P_RESTORE)
            FZ_CHECK(e->action || e->error);
    }
    for (int i = 0; i < live.n; i++)
        FZ_CHECK(live.v[i].session_id && live.v[i].session_name && live.v[i].window_id && live.v[i].pane_id);

    notes_free(&notes);
    plan_free(&p);
    tmux_live_free(&live);
    free(layout);
    return 0;
}
