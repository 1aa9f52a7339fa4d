/* tmuxcmds.c - the restore's tmux commands: one ordered list, built from the plan and the live panes alone. */
#include "restore.h"
#include "tmuxint.h"
#include "quote.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The script a new pane runs: opencode with the shim preloaded, then the user's shell.
 * Everything variable arrives as positional parameters ($1 shim, then the command). */
static const char PANE_SCRIPT[] =
    "s=$1; shift; if [ -n \"$s\" ]; then LD_PRELOAD=\"$s${LD_PRELOAD:+:$LD_PRELOAD}\" \"$@\"; "
    "else \"$@\"; fi; exec \"${SHELL:-/bin/sh}\"";

/* What the pane of a client that waits for its server runs until the server answers (then
 * respawn-pane gives it its command): the pane is made with the others all the same, so every
 * pane keeps its index and its batch. */
static const char *const WAITING_ARGV[] = {
    "/bin/sh", "-c", "echo 'ocshim-restore: starting once its opencode server answers...'; exec sleep 600", NULL
};

/* One layout's worth of lead or layout shells at most (as many as tmux can fit in a window). */
#define MAX_SHELLS 16

static struct tcmd *cmd_new(struct tcmds *l, int kind, int batch, int entry)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = xrealloc(l->v, sizeof *l->v * (size_t)l->cap);
    }
    struct tcmd *c = &l->v[l->n++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->batch = batch;
    c->entry = entry;
    c->argv = xcalloc(1, sizeof *c->argv);
    return c;
}

static void arg(struct tcmd *c, const char *a)
{
    c->argv = xrealloc(c->argv, sizeof *c->argv * (size_t)(c->argc + 2));
    c->argv[c->argc++] = xstrdup(a);
    c->argv[c->argc] = NULL;
}

__attribute__((format(printf, 2, 3))) static void argf(struct tcmd *c, const char *fmt, ...)
{
    struct strbuf b;
    sb_init(&b);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&b, fmt, ap);
    va_end(ap);
    arg(c, b.s);
    sb_free(&b);
}

/* A value tmux expands formats in (-s, -n, -c): every '#' doubled. */
static void arg_fmt(struct tcmd *c, const char *a)
{
    struct strbuf b;
    sb_init(&b);
    quote_tmux_format(&b, a);
    arg(c, b.s);
    sb_free(&b);
}

/* A tmux command of the list, its name and arguments up to NULL. */
static struct tcmd *tmux(struct tcmds *l, int batch, int entry, const char *name, ...)
{
    struct tcmd *c = cmd_new(l, TC_TMUX, batch, entry);
    arg(c, name);
    va_list ap;
    va_start(ap, name);
    for (const char *a; (a = va_arg(ap, const char *));)
        arg(c, a);
    va_end(ap);
    return c;
}

/* The pane command: the shim and e's command (or the stand-in), after the pane script. */
static void pane_cmd(struct tcmd *c, const char *shim, char *const *cmd)
{
    arg(c, "/bin/sh");
    arg(c, "-c");
    arg(c, PANE_SCRIPT);
    arg(c, "ocshim-restore");
    arg(c, shim ? shim : "");
    for (int i = 0; cmd && cmd[i]; i++)
        arg(c, cmd[i]);
}

static char *const *pane_argv(const struct entry *e)
{
    return e->held ? (char *const *)WAITING_ARGV : e->argv;
}

/* "-c DIR [-n NAME] -P -F NEWFMT COMMAND" of a pane that starts e. */
static void pane_tail(struct tcmd *c, const struct entry *e, int named, const char *shim)
{
    arg(c, "-c");
    arg_fmt(c, e->dir);
    if (named && e->win_name && *e->win_name) {
        arg(c, "-n");
        arg_fmt(c, e->win_name);
    }
    arg(c, "-P");
    arg(c, "-F");
    arg(c, NEWFMT);
    pane_cmd(c, shim, pane_argv(e));
    c->prints = 1;
}

/* A tmux command string for if-shell: "split-window ... -c 'DIR' ; select-layout tiled". */
static char *shell_split(const char *opts, const char *dir)
{
    struct strbuf d, b;
    sb_init(&d);
    sb_init(&b);
    quote_tmux_format(&d, dir);
    sb_printf(&b, "split-window %s -c ", opts);
    quote_sh(&b, d.s);          /* tmux's parser reads '...' and \' as the shell does */
    sb_add(&b, " ; select-layout tiled");
    sb_free(&d);
    return sb_take(&b);
}

/* "=NAME:W" or "=NAME:W.P" (pane < 0: the window): the exact session name, never a prefix
 * (tmux session names hold no ':' or '.'). */
static void arg_target(struct tcmd *c, const char *name, int win, int pane)
{
    if (pane >= 0)
        argf(c, "=%s:%d.%d", name, win, pane);
    else
        argf(c, "=%s:%d", name, win);
}

static void tiled(struct tcmds *l, int batch, const char *name, int win)
{
    struct tcmd *c = tmux(l, batch, -1, "select-layout", "-t", NULL);
    arg_target(c, name, win, -1);
    arg(c, "tiled");
}

/* A new window holds one pane, at the server's pane-base-index (unknown here), where e was
 * recorded at e->pane: plain shells go in before it (split-window -b) until its index is
 * e->pane, each one only while it is not (tmux decides: if-shell -F). */
static void lead_shells(struct tcmds *l, int batch, const struct entry *e)
{
    if (e->pane <= 0 || e->pane > MAX_SHELLS)
        return;
    char cond[64];
    snprintf(cond, sizeof cond, "#{!=:#{pane_index},%d}", e->pane);
    char *inner = shell_split("-b -d", e->dir);
    for (int k = 0; k < e->pane; k++) {
        struct tcmd *c = tmux(l, batch, -1, "if-shell", "-F", "-t", NULL);
        arg_target(c, e->tsession, e->win, -1);
        arg(c, cond);
        arg(c, inner);
    }
    free(inner);
}

/* The text typed into an idle shell: cd DIR && [env LD_PRELOAD=SHIM] COMMAND. */
static char *typed(const struct entry *e, const char *shim)
{
    struct strbuf cmd;
    sb_init(&cmd);
    sb_add(&cmd, "cd ");
    quote_sh(&cmd, e->dir);
    sb_add(&cmd, " && ");
    if (shim && *shim) {
        struct strbuf v;
        sb_init(&v);
        sb_printf(&v, "LD_PRELOAD=%s", shim);
        sb_add(&cmd, "env ");
        quote_sh(&cmd, v.s);
        sb_addc(&cmd, ' ');
        sb_free(&v);
    }
    for (int i = 0; e->argv[i]; i++) {
        if (i)
            sb_addc(&cmd, ' ');
        quote_sh(&cmd, e->argv[i]);
    }
    return sb_take(&cmd);
}

static void fill(struct tcmds *l, int batch, int k, const struct entry *e, const struct tpane *tp, const char *shim)
{
    char *text = typed(e, shim);
    struct tcmd *c = tmux(l, batch, k, "send-keys", "-t", tp->pane_id, "-l", text, NULL);
    c->what = "existing pane";
    c = tmux(l, batch, k, "send-keys", "-t", tp->pane_id, "Enter", NULL);
    c->what = "existing pane";
    free(text);
}

/* How many panes a layout string describes: one "WxH" per cell, minus the cells that split
 * ('{' side by side, '[' one above the other). */
static int layout_panes(const char *lay)
{
    int cells = 0, splits = 0;
    for (; *lay; lay++) {
        cells += *lay == 'x';
        splits += *lay == '{' || *lay == '[';
    }
    return cells - splits;
}

/* A window this run made gets its recorded layout back: the freshest among its records. A
 * layout with more panes than the window has (plain shells after the last opencode pane: no
 * record) first gets those shells at the end (-f), in the last pane's directory; one with fewer
 * is not forced. tmux counts the panes (if-shell -F), as lead shells may have gone in front;
 * nmin: the panes the window has without them. */
static void layout_cmds(struct tcmds *l, int batch, const struct plan *p, int j, int wend, int nmin)
{
    const char *layout = NULL, *dir = NULL;
    long long fresh = -1;
    for (int k = j; k < wend; k++) {
        const struct entry *f = &p->v[k];
        if (f->layout && f->layout_ms > fresh) {
            layout = f->layout;
            fresh = f->layout_ms;
        }
        if (f->state == P_RESTORE && f->argv && !f->error)
            dir = f->dir;       /* the last pane's: for the shells after it */
    }
    if (!layout || !dir)
        return;
    int want = layout_panes(layout);
    if (want < 2 || nmin < 1 || want < nmin || want - nmin > MAX_SHELLS)
        return;
    const struct entry *e = &p->v[j];
    char *inner = shell_split("-d -f", dir);
    char cond[64];
    for (int n = nmin; n < want; n++) {
        snprintf(cond, sizeof cond, "#{==:#{window_panes},%d}", n);
        struct tcmd *c = tmux(l, batch, -1, "if-shell", "-F", "-t", NULL);
        arg_target(c, e->tsession, e->win, -1);
        arg(c, cond);
        arg(c, inner);
    }
    free(inner);
    snprintf(cond, sizeof cond, "#{==:#{window_panes},%d}", want);
    struct tcmd *c = tmux(l, batch, -1, "if-shell", "-F", "-t", NULL);
    arg_target(c, e->tsession, e->win, -1);
    arg(c, cond);
    argf(c, "select-layout '%s'", layout);   /* checked: hex, digits, ',', 'x', brackets */
    c->layout = layout;
    c->tsession = e->tsession;
    c->win = e->win;
}

/* The commands of one tmux session's entries v[i..end) that run before the wait: panes made
 * (or typed into) in plan order, then the layouts of the windows made. land[k]: the index
 * entry k's pane gets. */
static void session_cmds(struct tcmds *l, int batch, const struct plan *p, int i, int end, const char *go,
                         const struct tlive *live, const char *shim, int *land)
{
    const char *name = p->v[i].tsession;
    int has_ses = find_session(live, name) != NULL;
    int nwin = 0, *wstart = xcalloc((size_t)(end - i) + 1, sizeof *wstart);
    int *wmade = xcalloc((size_t)(end - i) + 1, sizeof *wmade);
    for (int j = i, wend; j < end; j = wend) {
        int w = p->v[j].win;
        for (wend = j; wend < end && p->v[wend].win == w; wend++)
            ;
        int has_win = find_pane(live, name, w, -1) != NULL, made = 0;
        int cur = has_win ? tlive_max_pane(live, name, w) : -1, panes = 0, first = -1;
        for (int k = 0; k < live->n; k++)
            panes += strcmp(live->v[k].session_name, name) == 0 && live->v[k].win == w;
        for (int k = j; k < wend; k++) {
            const struct entry *e = &p->v[k];
            if (!go[k])
                continue;
            const struct tpane *tp = find_pane(live, name, w, e->pane);
            if (tp) {
                if (!e->held)
                    fill(l, batch, k, e, tp, shim);
                land[k] = e->pane;
                continue;
            }
            struct tcmd *c;
            if (!has_ses) {
                c = tmux(l, batch, k, "new-session", "-d", "-s", NULL);
                struct strbuf given;     /* what tmux, escaping it, stores as the recorded name */
                sb_init(&given);
                quote_tmux_unvis(&given, name);
                arg_fmt(c, given.s);
                sb_free(&given);
                pane_tail(c, e, 1, shim);
                c->what = "tmux session";
                /* its first window sits at the server's base-index: moved to the recorded one */
                char cond[64], mv[64];
                snprintf(cond, sizeof cond, "#{!=:#{window_index},%d}", w);
                snprintf(mv, sizeof mv, "move-window -t :%d", w);
                c = tmux(l, batch, -1, "if-shell", "-F", "-t", NULL);
                argf(c, "=%s:", name);
                arg(c, cond);
                arg(c, mv);
                lead_shells(l, batch, e);
                has_ses = made = 1;
            } else if (!has_win && !made) {
                c = tmux(l, batch, k, "new-window", "-d", "-t", NULL);
                arg_target(c, name, w, -1);
                pane_tail(c, e, 1, shim);
                c->what = "tmux window";
                lead_shells(l, batch, e);
                made = 1;
            } else {
                /* the gap below this pane index: plain shells, as the panes were */
                for (; cur + 1 < e->pane; cur++) {
                    c = tmux(l, batch, -1, "split-window", "-d", "-t", NULL);
                    arg_target(c, name, w, cur);
                    arg(c, "-c");
                    arg_fmt(c, e->dir);
                    if (++panes > 2)
                        tiled(l, batch, name, w);
                }
                c = tmux(l, batch, k, "split-window", "-d", "-t", NULL);
                arg_target(c, name, w, cur);
                pane_tail(c, e, 0, shim);
                c->what = "tmux pane";
                land[k] = ++cur;
                /* tiled after each split: the next split then has room (a new session is
                 * 80x24; halving one pane again and again runs out of rows at 5) */
                if (++panes > 2)
                    tiled(l, batch, name, w);
                continue;
            }
            land[k] = cur = e->pane;
            first = e->pane;
            panes = 1;
        }
        if (made) {
            wstart[nwin] = j;
            wmade[nwin++] = first >= 0 ? cur - first + 1 : 0;
        }
    }
    for (int q = 0; q < nwin; q++) {
        int j = wstart[q], wend;
        for (wend = j; wend < end && p->v[wend].win == p->v[j].win; wend++)
            ;
        layout_cmds(l, batch, p, j, wend, wmade[q]);
    }
    free(wstart);
    free(wmade);
}

void tcmds_build(struct tcmds *l, const struct plan *p, const char *go, const struct tlive *live, const char *shim)
{
    memset(l, 0, sizeof *l);
    int *land = xcalloc((size_t)p->n + 1, sizeof *land);
    int batch = 0, held = 0;
    for (int i = 0, end; i < p->n; i = end) {
        for (end = i; end < p->n && strcmp(p->v[end].tsession, p->v[i].tsession) == 0; end++)
            held += go[end] && p->v[end].held;
        int before = l->n;
        session_cmds(l, batch, p, i, end, go, live, shim, land);
        batch += l->n > before;
    }
    if (held) {
        /* the clients of the servers started above, once those answer */
        cmd_new(l, TC_WAIT, batch++, -1);
        for (int i = 0, end; i < p->n; i = end) {
            int before = l->n;
            for (end = i; end < p->n && strcmp(p->v[end].tsession, p->v[i].tsession) == 0; end++) {
                const struct entry *e = &p->v[end];
                if (!go[end] || !e->held)
                    continue;
                const struct tpane *tp = find_pane(live, e->tsession, e->win, e->pane);
                if (tp) {
                    fill(l, batch, end, e, tp, shim);
                    continue;
                }
                struct tcmd *c = tmux(l, batch, end, "respawn-pane", "-k", "-t", NULL);
                arg_target(c, e->tsession, e->win, land[end]);
                arg(c, "-c");
                arg_fmt(c, e->dir);
                pane_cmd(c, shim, e->argv);
                c->what = "client";
            }
            batch += l->n > before;
        }
    }
    free(land);
}

void tcmds_free(struct tcmds *l)
{
    for (int i = 0; i < l->n; i++) {
        for (int k = 0; k < l->v[i].argc; k++)
            free(l->v[i].argv[k]);
        free(l->v[i].argv);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* A word as a shell reads it: bare when it holds nothing the shell treats specially (a leading
 * '=' is zsh's path expansion: "=s:0" would be "zsh: s:0 not found"). */
static void shell_word(struct strbuf *b, const char *s)
{
    int bare = *s != '\0' && *s != '=';
    for (const char *q = s; *q && bare; q++)
        bare = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-", *q) != NULL;
    if (bare)
        sb_add(b, s);
    else
        quote_sh(b, s);
}

void tcmd_line(struct strbuf *b, const struct tserver *s, const struct tcmd *c)
{
    if (c->kind == TC_WAIT) {
        sb_add(b, "# wait until the opencode servers started above answer (at most 60 s)");
        return;
    }
    for (int i = 0; i < s->argc; i++) {
        if (i)
            sb_addc(b, ' ');
        shell_word(b, s->argv[i]);
    }
    for (int i = 0; i < c->argc; i++) {
        char *a = quote_tmux_arg(c->argv[i]);   /* as tmux_run passes it */
        sb_addc(b, ' ');
        shell_word(b, a);
        free(a);
    }
}
