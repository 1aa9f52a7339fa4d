/* facts.c - the restore's first step: read everything the plan decides on, once (records'
 * processes in /proc, opencode.db, live tmux panes, tmux-resurrect's save file). plan.c then
 * decides from these facts alone. */
#include "restore.h"

#include "quote.h"
#include "strbuf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Same socket: equal paths, or equal after resolving the directory part. */
static int same_socket(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    if (strcmp(a, b) == 0)
        return 1;
    char ra[PATH_MAX], rb[PATH_MAX];
    const char *sa = strrchr(a, '/'), *sb2 = strrchr(b, '/');
    if (!sa || !sb2 || strcmp(sa, sb2) != 0)
        return 0;
    char da[PATH_MAX], db[PATH_MAX];
    snprintf(da, sizeof da, "%.*s", (int)(sa - a), a);
    snprintf(db, sizeof db, "%.*s", (int)(sb2 - b), b);
    if (!realpath(da[0] ? da : "/", ra) || !realpath(db[0] ? db : "/", rb))
        return 0;
    return strcmp(ra, rb) == 0;
}

const struct dbfact *facts_db(const struct facts *f, const char *id)
{
    for (int i = 0; id && i < f->ndb; i++)
        if (strcmp(f->db[i].id, id) == 0)
            return &f->db[i];
    return NULL;
}

void facts_db_add(struct facts *f, struct ocdb *db, const char *id)
{
    if (!id || !session_id_valid(id) || facts_db(f, id))
        return;
    f->db = xrealloc(f->db, sizeof *f->db * (size_t)(f->ndb + 1));
    struct dbfact *d = &f->db[f->ndb++];
    memset(d, 0, sizeof *d);
    d->id = xstrdup(id);
    struct ocdb_session s;
    char *cur;
    int rc = ocdb_root_get(db, id, &cur, &s);   /* a subagent's session: its root, the conversation */
    d->known = rc == 1 ? 1 : rc == 0 ? 0 : -1;
    d->root = cur;
    if (rc == 1) {
        d->title = s.title ? xstrdup(s.title) : NULL;
        d->time_updated = s.time_updated;
        d->archived = s.archived;
        ocdb_session_free(&s);
    }
}

static struct guessfact *add_guess(struct guessfact **v, int *n)
{
    *v = xrealloc(*v, sizeof **v * (size_t)(*n + 1));
    struct guessfact *g = &(*v)[(*n)++];
    memset(g, 0, sizeof *g);
    return g;
}

void facts_gather(struct facts *f, const struct ocrec_list *recs, const struct tserver *srv,
                  const struct tlive *live, const struct proc_table *pt, struct ocdb *db, struct notes *notes)
{
    memset(f, 0, sizeof *f);
    int n = recs->n;
    f->recs = recs;
    f->socket = srv->socket;
    f->live = live;
    f->alive = xcalloc((size_t)(n ? n : 1), 1);
    f->here = xcalloc((size_t)(n ? n : 1), 1);
    for (int i = 0; i < n; i++) {
        const struct ocrec *r = &recs->v[i];
        f->alive[i] = (char)proc_alive(r->pid, r->start_time, r->boot_id);
        f->here[i] = (char)same_socket(r->tmux_socket, srv->socket);
        facts_db_add(f, db, r->session);
    }
    /* live panes running opencode: the fallback guess where no live record speaks for one */
    for (int i = 0; live && pt && i < live->n; i++) {
        const struct tpane *tp = &live->v[i];
        long oc = proc_find_below(pt, tp->pid, "opencode");
        if (!oc)
            continue;
        struct guessfact *g = add_guess(&f->running, &f->nrunning);
        g->tsession = xstrdup(tp->session_name);
        g->win = tp->win;
        g->pane = tp->pane;
        g->pane_id = xstrdup(tp->pane_id);
        g->oc_pid = oc;
        char path[64], cwd[PATH_MAX];
        snprintf(path, sizeof path, "/proc/%ld/cwd", oc);
        ssize_t cl = readlink(path, cwd, sizeof cwd - 1);
        cwd[cl > 0 ? cl : 0] = '\0';
        g->dir = xstrdup(cwd);
        g->sid = cwd[0] ? ocdb_newest_root(db, cwd) : NULL;
        facts_db_add(f, db, g->sid);
    }
    resurrect_load(f, notes);
    for (int i = 0; i < f->nsaved; i++) {
        struct guessfact *g = &f->saved[i];
        g->sid = ocdb_newest_root(db, g->dir);
        facts_db_add(f, db, g->sid);
    }
    f->db_broken = ocdb_problem(db) != NULL;
    if (f->db_broken)
        notes_add(notes, "%s: going by the records alone (no titles, no check for deleted or archived "
                  "sessions, no guess for a pane without a record)", ocdb_problem(db));
}

static void guesses_free(struct guessfact *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].tsession);
        free(v[i].win_name);
        free(v[i].pane_id);
        free(v[i].dir);
        free(v[i].exe);
        free(v[i].sid);
    }
    free(v);
}

void facts_free(struct facts *f)
{
    free(f->alive);
    free(f->here);
    for (int i = 0; i < f->ndb; i++) {
        free(f->db[i].id);
        free(f->db[i].root);
        free(f->db[i].title);
    }
    free(f->db);
    guesses_free(f->running, f->nrunning);
    guesses_free(f->saved, f->nsaved);
    memset(f, 0, sizeof *f);
}
