/* entry.c - a plan's entries: adding one, naming its state, and what opencode.db says of its
 * session. Below both plan.c (records) and resurrect.c (tmux-resurrect's guesses), which each
 * add entries, so that neither depends on the other's file. */
#include "restore.h"

#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

const char *pstate_name(enum pstate s)
{
    switch (s) {
    case P_RESTORE: return "restore";
    case P_RUNNING: return "running";
    case P_QUIT: return "quit";
    case P_DELETED: return "deleted";
    case P_ARCHIVED: return "archived";
    case P_DUPLICATE: return "duplicate";
    case P_BADID: return "bad-id";
    case P_GUESS: return "guess";
    }
    return "?";
}

struct entry *plan_add(struct plan *p)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = xrealloc(p->v, sizeof *p->v * (size_t)p->cap);
    }
    struct entry *e = &p->v[p->n++];
    memset(e, 0, sizeof *e);
    return e;
}

void plan_fill_db(struct entry *e, const struct facts *f, int elsewhere)
{
    if (!e->session_id)
        return;
    const struct dbfact *d = facts_db(f, e->session_id);
    if (!d)
        return;
    if (d->root && strcmp(d->root, e->session_id) != 0) {
        /* A client that opened a subagent's session (navigating into it) comes back on its
         * root: the conversation, as a TUI's record names it. */
        free(e->session_id);
        e->session_id = xstrdup(d->root);
    }
    if (d->known == 1) {
        e->title = d->title ? xstrdup(d->title) : NULL;
        e->last_ms = d->time_updated;
        if (d->archived && (e->state == P_RESTORE || e->state == P_QUIT)) {
            e->state = P_ARCHIVED;
            e->why = xstrdup("archived in opencode's database");
        }
    } else if (d->known == 0 && !elsewhere && (e->state == P_RESTORE || e->state == P_QUIT)) {
        e->state = P_DELETED;
        e->why = xstrdup("not in opencode's database (deleted)");
    }
}
