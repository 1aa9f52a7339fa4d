/* plan.c - the restore's decisions: gathered facts (facts.c) -> one plan entry per tmux pane.
 * Pure: no /proc, no database, no file is read here; each rule has its check in test_plan. */
#include "restore.h"
#include "cmdline.h"
#include "quote.h"
#include "recfmt.h"
#include "strbuf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A window layout as tmux prints it ("b25f,200x50,0,0{100x50,0,0,1,99x50,101,0,2}"): only
 * hex, digits, ',', 'x' and brackets, and short; anything else is not passed on. */
int plan_layout_valid(const char *l)
{
    if (!l || !*l || strlen(l) > 1023)   /* the shim keeps up to 1023 bytes */
        return 0;
    for (const char *c = l; *c; c++)
        if (!strchr("0123456789abcdefx,{}[]", *c))
            return 0;
    return 1;
}

/* A displaced record's entry: a running process keeps the pane tmux shows for its pane id;
 * otherwise a new pane after every pane the window has in the plan or in live tmux. */
static void place_displaced(struct plan *p, struct entry *e, const struct tlive *live, struct notes *notes)
{
    char was[64];
    snprintf(was, sizeof was, "%d.%d", e->win, e->pane);
    for (int i = 0; e->state == P_RUNNING && live && e->rec->tmux_pane && i < live->n; i++)
        if (strcmp(live->v[i].pane_id, e->rec->tmux_pane) == 0) {
            free(e->tsession);
            e->tsession = xstrdup(live->v[i].session_name);
            e->win = live->v[i].win;
            e->pane = live->v[i].pane;
            return;
        }
    if (e->state != P_RESTORE)   /* nothing will be made for it: it keeps its recorded place */
        return;
    int next = 0;
    for (int k = 0; k < p->n; k++) {
        const struct entry *f = &p->v[k];
        int holds = f->state == P_RESTORE || f->state == P_RUNNING || f->state == P_GUESS;
        if (f != e && holds && !(f->displaced && f > e) && strcmp(f->tsession, e->tsession) == 0 &&
            f->win == e->win && f->pane >= next)
            next = f->pane + 1;
    }
    int live_max = live ? tlive_max_pane(live, e->tsession, e->win) : -1;
    if (live_max >= next)
        next = live_max + 1;
    e->pane = next;
    notes_add(notes, "record %s: %s:%s is also claimed by a newer record of a process that ran at the same "
                  "time (the panes moved); its conversation goes to a new pane %s:%d.%d",
                  e->rec->file, e->tsession, was, e->tsession, e->win, e->pane);
}

/* 1 if some record of this machine is a server that url names (its sessions are in this
 * machine's opencode.db). */
static int local_server(const struct ocrec_list *recs, const char *url)
{
    for (int i = 0; url && i < recs->n; i++)
        if (url_matches_listen(url, recs->v[i].listen))   /* a server, or a TUI with --port */
            return 1;
    return 0;
}

/* One server per address: one alive there already, or a newer record to restore there. */
static void server_duplicate(struct plan *p, int k, const struct ocrec_list *recs, const char *alive)
{
    struct entry *e = &p->v[k];
    char host[256];
    if (listen_split(e->listen, host, sizeof host) < 0)
        return;
    struct strbuf b;
    sb_init(&b);
    for (int i = 0; i < recs->n && !b.len; i++)
        if (alive[i] && recs->v[i].listen && listen_clash(recs->v[i].listen, e->listen))
            sb_printf(&b, "a server already listens on %s (pid %ld)", e->listen, recs->v[i].pid);
    for (int k2 = 0; k2 < p->n && !b.len; k2++) {
        const struct entry *f = &p->v[k2];
        if (k2 != k && f->role == E_SERVER && f->state == P_RESTORE && listen_clash(f->listen, e->listen) &&
            (f->updated_ms > e->updated_ms || (f->updated_ms == e->updated_ms && k2 < k)))
            sb_printf(&b, "the server on %s is restored in %s:%d.%d instead (newer)", e->listen, f->tsession,
                      f->win, f->pane);
    }
    if (b.len) {
        e->state = P_DUPLICATE;
        e->why = sb_take(&b);
    } else {
        sb_free(&b);
    }
}

int plan_entry_cmp(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    int c = strcmp(a->tsession, b->tsession);
    if (c)
        return c;
    if (a->win != b->win)
        return a->win - b->win;
    return a->pane - b->pane;
}

static int has_entry(const struct plan *p, const char *sname, int win, int pane)
{
    for (int k = 0; k < p->n; k++)
        if (strcmp(p->v[k].tsession, sname) == 0 && p->v[k].win == win && p->v[k].pane == pane)
            return 1;
    return 0;
}

static int session_taken(const struct plan *p, const char *sid)
{
    for (int k = 0; k < p->n; k++)
        if (p->v[k].session_id && strcmp(p->v[k].session_id, sid) == 0 &&
            (p->v[k].state == P_RESTORE || p->v[k].state == P_RUNNING || p->v[k].state == P_GUESS))
            return 1;
    return 0;
}

/* tmux-resurrect's panes that ran opencode, where no record and no live pane speaks: the
 * newest root session of the directory, as a guess. */
static void saved_guesses(struct plan *p, const struct facts *f, struct notes *notes)
{
    for (int i = 0; i < f->nsaved; i++) {
        const struct guessfact *g = &f->saved[i];
        if (has_entry(p, g->tsession, g->win, g->pane))
            continue;                      /* a record (or live pane) speaks */
        if (!g->sid && f->db_broken)
            continue;                      /* the database's own note says why */
        if (!g->sid) {
            notes_add(notes, "%s:%d.%d ran opencode (tmux-resurrect) but its directory has no "
                      "session in opencode's database", g->tsession, g->win, g->pane);
            continue;
        }
        int taken = session_taken(p, g->sid);   /* before the new entry joins the plan */
        struct entry *e = plan_add(p);
        e->tsession = xstrdup(g->tsession);
        e->win = g->win;
        e->pane = g->pane;
        e->win_name = xstrdup(g->win_name ? g->win_name : "");
        e->dir = xstrdup(g->dir);
        e->exe = g->exe ? xstrdup(g->exe) : NULL;
        e->session_id = xstrdup(g->sid);
        e->guess = 1;
        if (taken) {
            e->state = P_DUPLICATE;
            e->why = xstrdup("the guessed session is already restored or open elsewhere");
        } else {
            e->state = P_RESTORE;
            e->why = xstrdup("no record: newest root session of its directory (a guess, from tmux-resurrect)");
        }
        plan_fill_db(e, f, 0);
    }
}

void plan_decide(struct plan *p, const struct facts *fx, const struct opts *o, struct notes *notes)
{
    memset(p, 0, sizeof *p);
    const struct ocrec_list *recs = fx->recs;
    const struct tlive *live = fx->live;
    const char *alive = fx->alive;
    int n = recs->n, other = 0;
    int *best = xmalloc(sizeof(int) * (size_t)(n ? n : 1)); /* per record: the record that keeps its pane */
    for (int i = 0; i < n; i++) {
        const struct ocrec *r = &recs->v[i];
        best[i] = -2; /* not a pane record */
        int w, pn;
        if (!r->tmux_session || !*r->tmux_session)   /* not run in tmux */
            continue;
        if (ocrec_index(r->tmux_window, &w) || ocrec_index(r->tmux_pane_index, &pn)) {
            if (fx->here[i])
                notes_add(notes, "record %s: its tmux window or pane index is not a number from 0 to 100000; "
                                 "not restored", r->file);
            continue;
        }
        if (!fx->here[i]) {
            other++;
            continue;
        }
        best[i] = -1;
    }
    /* Per pane (session name, window, pane index), the record that looked at tmux last keeps it. */
    for (int i = 0; i < n; i++) {
        if (best[i] != -1)
            continue;
        const struct ocrec *r = &recs->v[i];
        int top = i;
        for (int j = 0; j < n; j++) {
            if (j == i || best[j] == -2)
                continue;
            const struct ocrec *q = &recs->v[j];
            if (ocrec_same_pane(q, r) && ocrec_pane_newer(q, &recs->v[top]))
                top = j;
        }
        for (int j = 0; j < n; j++) {
            if (best[j] == -2)
                continue;
            const struct ocrec *q = &recs->v[j];
            if (ocrec_same_pane(q, r))
                best[j] = top;
        }
    }
    /* A record that lost its pane to another, but was not superseded there (no process that
     * started after its last word took the pane): it ran alongside them and the panes moved
     * (swapped, or one closed before the other). The record that saw the move at its last look
     * keeps the pane; this conversation is not dropped: it gets its own entry, in a new pane
     * (placed below). A superseded record is an earlier occupant and is dropped as before. */
    /* Decided on the pane's claims as they were, before any record is displaced: the order
     * of the records (the state directory's order) must not change the answer. */
    /* (A record that supersedes another names its pane, so has the same claim: the rule looks
     * among this server's pane records, ocrec_superseded.) */
    char *displaced = xcalloc((size_t)(n ? n : 1), 1);
    char *pane_rec = xcalloc((size_t)(n ? n : 1), 1);
    for (int j = 0; j < n; j++)
        pane_rec[j] = best[j] >= 0;
    for (int j = 0; j < n; j++) {
        if (best[j] < 0 || best[j] == j)
            continue;
        if (!ocrec_superseded(recs->v, n, j, pane_rec)) {
            best[j] = j;
            displaced[j] = 1;
        }
    }
    free(pane_rec);
    if (other)
        notes_add(notes, "%d record(s) of other tmux servers ignored (this one: %s)", other, fx->socket);
    for (int i = 0; i < n; i++) {
        if (best[i] != i)
            continue;
        const struct ocrec *r = &recs->v[i];
        struct entry *e = plan_add(p);
        e->rec = r;
        e->tsession = xstrdup(r->tmux_session);
        ocrec_index(r->tmux_window, &e->win);
        ocrec_index(r->tmux_pane_index, &e->pane);
        e->win_name = r->tmux_window_name ? xstrdup(r->tmux_window_name) : NULL;
        e->layout = plan_layout_valid(r->tmux_window_layout) ? xstrdup(r->tmux_window_layout) : NULL;
        e->layout_ms = ocrec_place_ms(r);
        e->dir = xstrdup(ocrec_dir(r));
        e->exe = r->exe && *r->exe ? xstrdup(r->exe) : NULL;
        if (!e->exe && r->argc > 0 && strchr(r->argv[0], '/'))
            e->exe = xstrdup(r->argv[0]);
        e->updated_ms = r->updated_ms;
        e->displaced = displaced[i];
        e->role = ocrec_is_server(r) ? E_SERVER : ocrec_is_client(r) ? E_CLIENT : E_TUI;
        if (e->role == E_CLIENT)
            e->url = xstrdup(r->server_url ? r->server_url : "");
        if (e->role == E_SERVER || (r->listen && *r->listen))
            e->listen = xstrdup(r->listen ? r->listen : "");
        if (r->session && session_id_valid(r->session) && e->role != E_SERVER)
            e->session_id = xstrdup(r->session);
        if (e->role == E_CLIENT && !*e->url) {
            e->state = P_BADID;
            e->why = xstrdup("a client record without its server's URL");
            continue;
        }
        if (!e->session_id && e->role != E_SERVER) {
            e->state = P_BADID;
            e->why = xstrdup("the record has no valid session id");
            notes_add(notes, "record %s: no valid session id, skipped", r->file);
            continue;
        }
        if (alive[i]) {
            e->state = P_RUNNING;
        } else if (recfmt_is_quit(r->state, r->hangup)) {   /* running-but-gone, or a hangup: restored */
            e->state = o->all ? P_RESTORE : P_QUIT;
            e->was_quit = o->all;
            if (!o->all)
                e->why = xstrdup("quit on purpose (use --all to restore)");
        } else {
            e->state = P_RESTORE;
        }
        plan_fill_db(e, fx, e->role == E_CLIENT && !local_server(recs, r->server_url));
    }
    /* Never the same session in two places: alive anywhere wins; else the newest pane. */
    for (int k = 0; k < p->n; k++) {
        struct entry *e = &p->v[k];
        if (e->state != P_RESTORE)
            continue;
        if (e->role == E_SERVER) {
            server_duplicate(p, k, recs, alive);
            continue;
        }
        for (int i = 0; i < n; i++) {
            const struct ocrec *r = &recs->v[i];
            if (alive[i] && r->session && strcmp(r->session, e->session_id) == 0) {
                struct strbuf b;
                sb_init(&b);
                if (r->tmux_session && *r->tmux_session)
                    sb_printf(&b, "already open in %s:%s.%s (pid %ld)", r->tmux_session,
                              r->tmux_window ? r->tmux_window : "?", r->tmux_pane_index ? r->tmux_pane_index : "?", r->pid);
                else
                    sb_printf(&b, "already open outside tmux (pid %ld)", r->pid);
                e->state = P_DUPLICATE;
                e->why = sb_take(&b);
                break;
            }
        }
        if (e->state != P_RESTORE)
            continue;
        for (int k2 = 0; k2 < p->n; k2++) {
            struct entry *f = &p->v[k2];
            if (k2 == k || f->state != P_RESTORE || !f->session_id || strcmp(f->session_id, e->session_id) != 0)
                continue;
            if (f->updated_ms > e->updated_ms || (f->updated_ms == e->updated_ms && k2 < k)) {
                struct strbuf b;
                sb_init(&b);
                if (f->displaced) /* its own new pane is chosen below */
                    sb_printf(&b, "restored in a new pane of %s:%d instead (newer)", f->tsession, f->win);
                else
                    sb_printf(&b, "restored in %s:%d.%d instead (newer)", f->tsession, f->win, f->pane);
                e->state = P_DUPLICATE;
                e->why = sb_take(&b);
                break;
            }
        }
    }
    for (int k = 0; k < p->n; k++)
        if (p->v[k].displaced)
            place_displaced(p, &p->v[k], live, notes);
    /* Live panes running opencode without a live record: the fallback guess. */
    for (int i = 0; i < fx->nrunning; i++) {
        const struct guessfact *g = &fx->running[i];
        int known = 0;
        for (int j = 0; j < n && !known; j++) {
            const struct ocrec *r = &recs->v[j];
            known = alive[j] && (r->pid == g->oc_pid ||
                                 (r->tmux_pane && strcmp(r->tmux_pane, g->pane_id) == 0 && fx->here[j]));
        }
        for (int k = 0; k < p->n && !known; k++) /* a record already speaks for this pane */
            known = strcmp(p->v[k].tsession, g->tsession) == 0 && p->v[k].win == g->win && p->v[k].pane == g->pane;
        if (known)
            continue;
        struct entry *e = plan_add(p);
        e->tsession = xstrdup(g->tsession);
        e->win = g->win;
        e->pane = g->pane;
        e->dir = xstrdup(g->dir);
        e->state = P_GUESS;
        e->pane_id = xstrdup(g->pane_id);
        e->session_id = g->sid ? xstrdup(g->sid) : NULL;
        e->why = xstrdup(e->session_id ? "no record: newest root session of its directory (a guess)"
                                       : "no record, and no session of its directory in opencode's database");
        plan_fill_db(e, fx, 0);
    }
    saved_guesses(p, fx, notes);
    if (p->n)                              /* an empty plan has no array to sort (NULL) */
        qsort(p->v, (size_t)p->n, sizeof *p->v, plan_entry_cmp);
    free(best);
    free(displaced);
}

void plan_free(struct plan *p)
{
    for (int i = 0; i < p->n; i++) {
        struct entry *e = &p->v[i];
        free(e->tsession);
        free(e->win_name);
        free(e->layout);
        free(e->dir);
        free(e->session_id);
        free(e->exe);
        free(e->url);
        free(e->listen);
        argv_free(e->argv);
        free(e->why);
        free(e->title);
        free(e->action);
        free(e->error);
        free(e->pane_id);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}
