/* panes.c - tmux_apply: what can be started, then the list of tmux commands (tmuxcmds.c), run or printed. */
#include "restore.h"
#include "tmuxint.h"
#include "quote.h"
#include "runcmd.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
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

/* An existing pane of e: left alone when opencode runs in it, typed into when it is an idle
 * shell (0), else busy (-1). */
static int check_fill(struct entry *e, const struct tpane *tp, const struct proc_table *pt)
{
    e->pane_id = xstrdup(tp->pane_id);
    if (proc_find_below(pt, tp->pid, "opencode")) {
        set_action(e, "opencode already runs in pane %s: left alone", tp->pane_id);
        return 1;
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
    return 0;
}

/* What a command did for its entry: the action (dry: what it would do). */
static void started(struct entry *e, const struct tcmd *c, int dry_run)
{
    if (c->what && strcmp(c->what, "client") == 0)
        return;                      /* its pane was made before (started there) */
    if (c->what && strcmp(c->what, "existing pane") == 0)
        set_action(e, "%s in the existing pane %s", dry_run ? "would be started" : "started", e->pane_id);
    else
        set_action(e, "%s (%s)", dry_run ? "would be started" : "started", c->what);
    e->started = 1;
}

/* Runs the commands v[from..to) (one batch) in one tmux run, then reads back what it needs: each
 * new pane's id (a line per -P -F command, in order). tmux stops at the first failing command
 * (a command inside if-shell -F excepted): the panes after it are not made. */
static void run_batch(struct plan *p, const struct tcmds *l, int from, int to, const struct tserver *s,
                      int verbose, struct notes *notes)
{
    struct targv t = { 0 };
    struct strbuf line, out, err;
    sb_init(&line);
    sb_init(&out);
    sb_init(&err);
    for (int i = from; i < to; i++) {
        const struct tcmd *c = &l->v[i];
        if (verbose) {
            sb_reset(&line);
            tcmd_line(&line, s, c);
            fprintf(stderr, "%s\n", line.s);
        }
        ta_cmd(&t, c->argv[0]);
        for (int k = 1; k < c->argc; k++)
            ta_add(&t, c->argv[k]);
    }
    int rc = tmux_run(s, t.v, &out, &err);
    /* a failure inside if-shell -F (a layout tmux refuses) does not stop the run */
    int only_layouts = rc != 0 && strncmp(err.s ? err.s : "", "invalid layout", 14) == 0;
    int last_line = -1;              /* the last command known to have run */
    char *o = out.s;
    for (int i = from; i < to; i++) {
        const struct tcmd *c = &l->v[i];
        if (!c->prints)
            continue;
        struct entry *e = &p->v[c->entry];
        char *next = o ? strchr(o, '\n') : NULL, *f[5];
        if (!o || !*o || fields(o, f, 5) != 5) {
            set_error(e, "tmux could not create the pane", err.s);
            o = NULL;
            continue;
        }
        free(e->pane_id);
        e->pane_id = xstrdup(f[3]);
        started(e, c, 0);
        last_line = i;
        o = next ? next + 1 : NULL;
    }
    for (int i = from; i < to; i++) {
        const struct tcmd *c = &l->v[i];
        if (c->entry < 0 || c->prints || p->v[c->entry].error)
            continue;
        struct entry *e = &p->v[c->entry];
        if (rc == 0 || only_layouts || i < last_line)
            started(e, c, 0);
        else
            set_error(e, strcmp(c->what, "client") == 0 ? "tmux could not start the client in its pane"
                                                          : "tmux send-keys failed", err.s);
    }
    for (int i = from; i < to && rc != 0; i++) {
        const struct tcmd *c = &l->v[i];
        if (c->layout && err.s && strstr(err.s, c->layout))
            notes_add(notes, "tmux could not give %s:%d its recorded layout", c->tsession, c->win);
    }
    sb_free(&line);
    sb_free(&out);
    sb_free(&err);
    ta_free(&t);
}

int tmux_apply(struct plan *p, const struct tserver *s, struct tlive *live, const struct proc_table *pt,
               const char *shim, int dry_run, int verbose, struct tcmds *l, struct notes *notes)
{
    int failed = 0;
    char **exes = xcalloc((size_t)p->n + 1, sizeof *exes);
    char *go = xcalloc((size_t)p->n + 1, 1);
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
    for (int i = 0; i < p->n; i++) {
        struct entry *e = &p->v[i];
        if (e->state != P_RESTORE || !exes[i])
            continue;
        const struct tpane *tp = find_pane(live, e->tsession, e->win, e->pane);
        int rc = tp ? check_fill(e, tp, pt) : 0;
        failed += rc < 0;
        go[i] = rc == 0;
    }
    tcmds_build(l, p, go, live, shim);
    if (dry_run) {
        for (int i = 0; i < l->n; i++) {
            const struct tcmd *c = &l->v[i];
            if (c->entry >= 0 && !p->v[c->entry].started)
                started(&p->v[c->entry], c, 1);
        }
    } else {
        for (int i = 0, j; i < l->n; i = j) {
            for (j = i; j < l->n && l->v[j].batch == l->v[i].batch; j++)
                ;
            if (l->v[i].kind == TC_WAIT) {
                if (verbose) {
                    struct strbuf line;
                    sb_init(&line);
                    tcmd_line(&line, s, &l->v[i]);
                    fprintf(stderr, "%s\n", line.s);
                    sb_free(&line);
                }
                wait_servers(p, notes);
            } else {
                run_batch(p, l, i, j, s, verbose, notes);
            }
        }
    }
    for (int i = 0; i < p->n; i++) {
        struct entry *e = &p->v[i];
        if (go[i] && e->error)
            failed++;
        else if (go[i] && e->held && e->started)
            add_action(e, ", attached to %s once its server answers", e->argv[2]);
        if (e->started && e->port)
            add_action(e, ", listening on port %d", e->port);
    }
    for (int i = 0; i < p->n; i++)
        free(exes[i]);
    free(exes);
    free(go);
    return failed;
}
