/* panes.c - tmux_apply: make each pane (or type into its idle shell) and start opencode in it. */
#include "restore.h"
#include "tmuxint.h"
#include "quote.h"
#include "runcmd.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const SHELLS[] = { "bash", "zsh", "fish", "sh", "dash", "ksh", "mksh", "tcsh", "csh", "ash", "nu", "elvish", "xonsh", "yash", NULL };

static int is_shell(const char *comm)
{
    if (comm[0] == '-')
        comm++;
    for (int i = 0; SHELLS[i]; i++)
        if (strcmp(comm, SHELLS[i]) == 0)
            return 1;
    return 0;
}

static char *resolve_exe(const struct entry *e)
{
    if (e->exe && access(e->exe, X_OK) == 0)
        return xstrdup(e->exe);
    if (e->rec && e->rec->argc > 0 && strchr(e->rec->argv[0], '/') && access(e->rec->argv[0], X_OK) == 0)
        return xstrdup(e->rec->argv[0]);
    return run_which("opencode");
}

/* The script a new pane runs: opencode with the shim preloaded, then the user's shell.
 * Everything variable arrives as positional parameters ($1 shim, then the command). */
static const char PANE_SCRIPT[] =
    "s=$1; shift; if [ -n \"$s\" ]; then LD_PRELOAD=\"$s${LD_PRELOAD:+:$LD_PRELOAD}\" \"$@\"; "
    "else \"$@\"; fi; exec \"${SHELL:-/bin/sh}\"";

static int argv_len(char *const *v)
{
    int n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* Adds the pane command to args (room for 5 + argv_len(cmd)). */
static int push_cmd(const char **args, int k, const char *shim, char *const *cmd)
{
    args[k++] = "/bin/sh";
    args[k++] = "-c";
    args[k++] = PANE_SCRIPT;
    args[k++] = "ocshim-restore";
    args[k++] = shim ? shim : "";
    for (int i = 0; cmd && cmd[i]; i++)
        args[k++] = cmd[i];
    return k;
}

/* What a pane is created with: its command, or, for a client that waits for its server, a
 * stand-in that the second pass replaces (respawn-pane) once the server answers. The pane
 * is made in the first pass all the same, so every pane keeps its index and batch. */
static const char *const WAITING_ARGV[] = {
    "/bin/sh", "-c", "echo 'ocshim-restore: starting once its opencode server answers...'; exec sleep 600", NULL
};

static char *const *pane_argv(const struct entry *e)
{
    return e->waiting ? (char *const *)WAITING_ARGV : e->argv;
}

/* Sets what was done for e (append: adds a detail to it), printf-style. */
__attribute__((format(printf, 3, 0))) static void action_v(struct entry *e, int append, const char *fmt, va_list ap)
{
    struct strbuf b;
    sb_init(&b);
    if (append && e->action)
        sb_add(&b, e->action);
    sb_vprintf(&b, fmt, ap);
    free(e->action);
    e->action = sb_take(&b);
}

__attribute__((format(printf, 2, 3))) static void set_action(struct entry *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    action_v(e, 0, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void add_action(struct entry *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    action_v(e, 1, fmt, ap);
    va_end(ap);
}

static void set_error(struct entry *e, const char *msg, const char *detail)
{
    struct strbuf b;
    sb_init(&b);
    sb_add(&b, msg);
    if (detail && *detail) {
        sb_add(&b, ": ");
        size_t n = strcspn(detail, "\n");
        sb_addn(&b, detail, n);
    }
    free(e->error);
    e->error = sb_take(&b);
}

/* Splits a line "a\tb\t..." from -P -F output into fields (in place). */
static int fields(char *s, char **f, int max)
{
    int k = 0;
    char *nl = strchr(s, '\n');
    if (nl)
        *nl = '\0';
    while (k < max) {
        f[k++] = s;
        char *t = strchr(s, '\t');
        if (!t)
            break;
        *t = '\0';
        s = t + 1;
    }
    return k;
}

#define NEWFMT "#{session_id}\t#{window_id}\t#{window_index}\t#{pane_id}\t#{pane_index}"

/* A window just made holds one pane, at the window's first pane index (first), where e was
 * recorded further on (the panes before it ran no opencode): plain shells go in before it
 * (split-window -b), tiled between splits so there is room. Updates live and returns e's index. */
static int lead_shells(const struct entry *e, const struct tserver *s, struct tlive *live, const char *sid,
                       const char *wid, int win, const char *pane_id, int first)
{
    int k = e->pane - first;
    if (k <= 0 || k > 16)
        return first;
    struct targv t = { 0 };
    for (int i = 0; i < k; i++) {
        ta_cmd(&t, "split-window");
        ta_add(&t, "-b");
        ta_add(&t, "-d");
        ta_add(&t, "-t");
        ta_add(&t, pane_id);
        ta_add(&t, "-c");
        ta_add(&t, ta_quoted(&t, e->dir));
        ta_add(&t, "-P");
        ta_add(&t, "-F");
        ta_add(&t, NEWFMT);
        ta_layout(&t, wid, "tiled");
    }
    struct strbuf out;
    sb_init(&out);
    tmux_run(s, t.v, &out, NULL);
    int made = 0;
    for (char *line = out.s; line && *line && made < k; made++) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *f[5];
        if (fields(line, f, 5) != 5)
            break;
        live_add(live, sid, e->tsession, wid, win, f[3], first + made);
        line = nl ? nl + 1 : NULL;
    }
    sb_free(&out);
    ta_free(&t);
    return first + made;
}

/* Creates the pane of e (and its session/window when missing). sid/wid: existing ids or NULL. */
static int create_pane(struct entry *e, const struct tserver *s, struct tlive *live, const char *shim,
                       int dry_run, int *base)
{
    const struct tpane *win = find_pane(live, e->tsession, e->win, -1);
    const struct tpane *ses = find_session(live, e->tsession);
    int has_ses = ses != NULL, has_win = win != NULL;
    struct strbuf name, wname, dir, target, out, err;
    sb_init(&name);
    sb_init(&wname);
    sb_init(&dir);
    sb_init(&target);
    sb_init(&out);
    sb_init(&err);
    quote_tmux_format(&dir, e->dir);
    const char **args = xcalloc((size_t)argv_len(pane_argv(e)) + 24, sizeof *args);
    int k = 0, rc = 0, placeholders = 0, target_at = -1;
    const char *what;
    if (!ses) {
        what = "created tmux session";
        quote_tmux_format(&name, e->tsession);
        args[k++] = "new-session";
        args[k++] = "-d";
        args[k++] = "-s";
        args[k++] = name.s;
    } else if (!win) {
        what = "created tmux window";
        sb_printf(&target, "%s:%d", ses->session_id, e->win);
        args[k++] = "new-window";
        args[k++] = "-d";
        args[k++] = "-t";
        args[k++] = target.s;
    } else {
        what = "created tmux pane";
        /* Fill the gap below this pane index with plain shells, as the panes were. */
        int m = tlive_max_pane(live, e->tsession, e->win);
        placeholders = e->pane - 1 - m;
        const struct tpane *last = find_pane(live, e->tsession, e->win, m);
        sb_add(&target, last->pane_id);
        args[k++] = "split-window";
        args[k++] = "-d";
        args[k++] = "-t";
        target_at = k;
        args[k++] = target.s;
    }
    args[k++] = "-c";
    args[k++] = dir.s;
    if (!win && e->win_name && *e->win_name) {
        quote_tmux_format(&wname, e->win_name);
        args[k++] = "-n";
        args[k++] = wname.s;
    }
    args[k++] = "-P";
    args[k++] = "-F";
    args[k++] = NEWFMT;
    k = push_cmd(args, k, shim, pane_argv(e));
    args[k] = NULL;
    if (dry_run) {
        set_action(e, "would be started (%s)", what + 8);
        e->started = 1;
        live_add(live, ses ? ses->session_id : "(new)", e->tsession, win ? win->window_id : "(new)", e->win,
                 "(new)", e->pane);
        goto done;
    }
    for (int i = 0; i < placeholders && has_win; i++) {
        const char *pa[] = { "split-window", "-d", "-t", target.s, "-c", dir.s, "-P", "-F", NEWFMT, NULL };
        sb_reset(&out);
        if (tmux_run(s, pa, &out, &err) != 0)
            break;
        char *f[5];
        if (fields(out.s, f, 5) == 5) {
            live_add(live, f[0], e->tsession, f[1], atoi(f[2]), f[3], atoi(f[4]));
            sb_reset(&target);
            sb_add(&target, f[3]);
            args[target_at] = target.s;   /* after the newest shell; sb_add may have moved it */
        }
    }
    sb_reset(&out);
    rc = tmux_run(s, args, &out, &err);
    char *f[5];
    if (rc != 0 || fields(out.s, f, 5) != 5) {
        set_error(e, "tmux could not create the pane", err.s);
        rc = -1;
        goto done;
    }
    int got_win = atoi(f[2]);
    if (!has_ses)
        *base = got_win;        /* where this server puts a new session's first window */
    if (!has_ses && got_win != e->win) {
        /* a new session's first window sits at base-index: move it to the recorded index */
        struct strbuf t2;
        sb_init(&t2);
        sb_printf(&t2, "%s:%d", f[0], e->win);
        const char *ma[] = { "move-window", "-s", f[1], "-t", t2.s, NULL };
        if (tmux_run(s, ma, NULL, NULL) == 0)
            got_win = e->win;
        sb_free(&t2);
    }
    int got_pane = atoi(f[4]);
    if (!has_win)
        got_pane = lead_shells(e, s, live, f[0], f[1], got_win, f[3], got_pane);
    live_add(live, f[0], e->tsession, f[1], got_win, f[3], got_pane);
    e->pane_id = xstrdup(f[3]);
    e->new_window = !has_win;
    set_action(e, "started (%s)", what + 8);
    e->started = 1;
    if (has_win) {
        const char *la[] = { "select-layout", "-t", f[1], "tiled", NULL };
        int panes = 0;
        for (int i = 0; i < live->n; i++)
            panes += strcmp(live->v[i].window_id, f[1]) == 0;
        if (panes > 2)
            tmux_run(s, la, NULL, NULL);
    }
done:
    free(args);
    sb_free(&name);
    sb_free(&wname);
    sb_free(&dir);
    sb_free(&target);
    sb_free(&out);
    sb_free(&err);
    return rc;
}

/* A tmux session that does not exist yet, whose first recorded window sits at the index this
 * server gives a new session's first window (base): its panes v[i], v[i+1], ... (sorted) are
 * created in one tmux run instead of one run per pane. Targets name the session exactly
 * ("=NAME:W.P"; tmux session names hold no ':' or '.'). Takes panes while they are dense (the
 * next pane of the window, or pane 0 of a later window); each created pane prints its ids.
 * Marks what it created in done[]; the rest is left to create_pane. Returns how many. */
static int create_session_batch(struct plan *p, int i, char **exes, char *done, const struct tserver *s,
                                struct tlive *live, const char *shim)
{
    struct targv t = { 0 };
    const char *name = p->v[i].tsession;
    int n = 0, prev_win = -1, prev_pane = -1, panes_in_win = 0;
    for (int j = i; j < p->n && strcmp(p->v[j].tsession, name) == 0; j++) {
        struct entry *e = &p->v[j];
        if (e->state != P_RESTORE || !exes[j] || done[j])
            break;
        int next_pane = n > 0 && e->win == prev_win && e->pane == prev_pane + 1;
        int next_win = n > 0 && e->win > prev_win && e->pane == 0;
        if (n > 0 && !next_pane && !next_win)
            break;
        if (n == 0) {
            ta_cmd(&t, "new-session");
            ta_add(&t, "-d");
            ta_add(&t, "-s");
            ta_add(&t, ta_quoted(&t, name));
        } else if (next_pane) {
            ta_cmd(&t, "split-window");
            ta_add(&t, "-d");
            ta_add(&t, "-t");
            ta_add(&t, ta_target(&t, name, e->win, prev_pane));
        } else {
            ta_cmd(&t, "new-window");
            ta_add(&t, "-d");
            ta_add(&t, "-t");
            ta_add(&t, ta_target(&t, name, e->win, -1));
        }
        panes_in_win = next_pane ? panes_in_win + 1 : 1;
        ta_add(&t, "-c");
        ta_add(&t, ta_quoted(&t, e->dir));
        if (!next_pane && e->win_name && *e->win_name) {
            ta_add(&t, "-n");
            ta_add(&t, ta_quoted(&t, e->win_name));
        }
        ta_add(&t, "-P");
        ta_add(&t, "-F");
        ta_add(&t, NEWFMT);
        const char **cmd = xcalloc((size_t)argv_len(pane_argv(e)) + 6, sizeof *cmd);
        int k = push_cmd(cmd, 0, shim, pane_argv(e));
        for (int a = 0; a < k; a++)
            ta_add(&t, cmd[a]);
        free(cmd);
        if (panes_in_win > 2) {
            /* tiled after each split, as pane by pane: the next split then has room (a new
             * session is 80x24; halving one pane again and again runs out of rows at 5) */
            ta_layout(&t, ta_target(&t, name, e->win, -1), "tiled");
        }
        prev_win = e->win;
        prev_pane = e->pane;
        n++;
    }
    if (n == 0)
        return 0;
    struct strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    tmux_run(s, t.v, &out, &err);   /* tmux stops at a failing command: count the lines */
    int made = 0;
    char *line = out.s;
    for (int j = i; made < n && line && *line; j++) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *f[5];
        if (fields(line, f, 5) != 5)
            break;
        struct entry *e = &p->v[j];
        live_add(live, f[0], name, f[1], atoi(f[2]), f[3], atoi(f[4]));
        e->pane_id = xstrdup(f[3]);
        e->new_window = made == 0 || e->pane == 0;
        set_action(e, "started (%s)", made == 0 ? "tmux session" : e->pane ? "tmux pane" : "tmux window");
        e->started = 1;
        done[j] = 1;
        made++;
        line = nl ? nl + 1 : NULL;
    }
    sb_free(&out);
    sb_free(&err);
    ta_free(&t);
    return made;
}

/* Types the command into an idle shell of an existing pane. */
static int fill_pane(struct entry *e, const struct tserver *s, const struct tpane *tp, const struct proc_table *pt,
                     const char *shim, int dry_run)
{
    e->pane_id = xstrdup(tp->pane_id);
    long oc = proc_find_below(pt, tp->pid, "opencode");
    if (oc) {
        set_action(e, "opencode already runs in pane %s: left alone", tp->pane_id);
        return 0;
    }
    const struct proc_entry *pe = proc_get(pt, tp->pid);
    int busy = !pe || !is_shell(pe->comm) || proc_children(pt, tp->pid) > 0;
    /* A shell that is just starting (under 3 s old) runs short-lived children for its prompt
     * setup: give it a moment. An older shell with a child is busy. */
    for (int i = 0; busy && pe && is_shell(pe->comm) && proc_age_ms(tp->pid) < 3000 && i < 20; i++) {
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        busy = proc_children_now(tp->pid) != 0;
    }
    if (busy) {
        set_error(e, "the pane exists but is busy (not an idle shell): not touched", pe ? pe->comm : "");
        return -1;
    }
    struct strbuf cmd;
    sb_init(&cmd);
    sb_add(&cmd, "cd ");
    quote_sh(&cmd, e->dir);
    sb_add(&cmd, " && ");
    if (shim && *shim) {
        sb_add(&cmd, "env ");
        struct strbuf v;
        sb_init(&v);
        sb_printf(&v, "LD_PRELOAD=%s", shim);
        quote_sh(&cmd, v.s);
        sb_free(&v);
        sb_addc(&cmd, ' ');
    }
    for (int i = 0; e->argv[i]; i++) {
        if (i)
            sb_addc(&cmd, ' ');
        quote_sh(&cmd, e->argv[i]);
    }
    int rc = 0;
    if (dry_run) {
        set_action(e, "would be started in the existing pane %s", tp->pane_id);
        e->started = 1;
    } else {
        struct strbuf err;
        sb_init(&err);
        const char *a1[] = { "send-keys", "-t", tp->pane_id, "-l", cmd.s, NULL };
        const char *a2[] = { "send-keys", "-t", tp->pane_id, "Enter", NULL };
        if (tmux_run(s, a1, NULL, &err) != 0 || tmux_run(s, a2, NULL, &err) != 0) {
            set_error(e, "tmux send-keys failed", err.s);
            rc = -1;
        } else {
            set_action(e, "started in the existing pane %s", tp->pane_id);
            e->started = 1;
        }
        sb_free(&err);
    }
    sb_free(&cmd);
    return rc;
}

/* A waiting client's pane gets its real command (its server answers now). */
static int release_pane(struct entry *e, const struct tserver *s, const char *shim)
{
    const char **args = xcalloc((size_t)argv_len(e->argv) + 12, sizeof *args);
    int k = 0;
    args[k++] = "respawn-pane";
    args[k++] = "-k";
    args[k++] = "-t";
    args[k++] = e->pane_id;
    args[k++] = "-c";
    args[k++] = e->dir;
    k = push_cmd(args, k, shim, e->argv);
    args[k] = NULL;
    struct strbuf err;
    sb_init(&err);
    int rc = tmux_run(s, args, NULL, &err);
    if (rc != 0)
        set_error(e, "tmux could not start the client in its pane", err.s);
    e->waiting = 0;
    sb_free(&err);
    free(args);
    return rc;
}

int tmux_apply(struct plan *p, const struct tserver *s, struct tlive *live, const struct proc_table *pt,
               const char *shim, int dry_run, struct notes *notes)
{
    int failed = 0, base = -1;
    char **exes = xcalloc((size_t)p->n + 1, sizeof *exes);
    char *done = xcalloc((size_t)p->n + 1, 1);
    for (int i = 0; i < p->n; i++) {
        struct entry *e = &p->v[i];
        if (e->state != P_RESTORE)
            continue;
        struct stat st;
        if (!e->dir[0] || stat(e->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            set_error(e, "its directory no longer exists", e->dir);
            failed++;
        } else if (!(exes[i] = resolve_exe(e))) {
            set_error(e, "no opencode executable (the recorded one is gone and none is on PATH)", NULL);
            failed++;
        }
    }
    choose_commands(p, exes, notes);
    for (int i = 0; i < p->n; i++)
        p->v[i].waiting = p->v[i].held;
    /* First every pane, in place (a client that waits for its server runs a stand-in), then,
     * once the servers this run started answer, those clients. */
    for (int i = 0; i < p->n; i++) {
        struct entry *e = &p->v[i];
        if (e->state != P_RESTORE || !exes[i] || done[i])
            continue;
        const struct tpane *tp = find_pane(live, e->tsession, e->win, e->pane);
        int rc;
        if (tp && tp->pid) {
            if (e->held)
                continue;               /* an idle shell: typed into once the server answers */
            rc = fill_pane(e, s, tp, pt, shim, dry_run);
        } else if (!dry_run && !tp && e->pane == 0 && e->win == base && !find_session(live, e->tsession) &&
                   create_session_batch(p, i, exes, done, s, live, shim) > 0) {
            rc = 0;
        } else {
            rc = create_pane(e, s, live, shim, dry_run, &base);
        }
        if (rc != 0)
            failed++;
        done[i] = 1;
    }
    int waited = 0;
    for (int i = 0; i < p->n; i++) {
        struct entry *e = &p->v[i];
        if (e->state != P_RESTORE || !exes[i] || !e->held || e->error)
            continue;
        if (!waited++ && !dry_run)
            wait_servers(p, notes);
        int rc = 0;
        if (!done[i]) {                 /* an idle shell */
            const struct tpane *tp = find_pane(live, e->tsession, e->win, e->pane);
            rc = tp ? fill_pane(e, s, tp, pt, shim, dry_run) : -1;
            done[i] = 1;
        } else if (!dry_run && e->pane_id && e->waiting) {
            rc = release_pane(e, s, shim);
        }
        if (rc != 0)
            failed++;
        else if (e->started)
            add_action(e, ", attached to %s once its server answers", e->argv[2]);
    }
    for (int i = 0; i < p->n; i++) {
        struct entry *e = &p->v[i];
        if (e->started && e->port)
            add_action(e, ", listening on port %d", e->port);
    }
    if (!dry_run)
        apply_layouts(p, s, live, notes);
    for (int i = 0; i < p->n; i++)
        free(exes[i]);
    free(exes);
    free(done);
    return failed;
}
