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

void plan_fill_db(struct entry *e, struct ocdb *db, int elsewhere)
{
    if (!e->session_id)
        return;
    struct ocdb_session s;
    int rc = ocdb_session_get(db, e->session_id, &s);
    /* A client that opened a subagent's session (navigating into it) comes back on its root:
     * the conversation, as a TUI's record names it. */
    for (int depth = 0; rc == 1 && !s.is_root && s.parent_id && depth < 16; depth++) {
        char *parent = s.parent_id;
        s.parent_id = NULL;
        ocdb_session_free(&s);
        free(e->session_id);
        e->session_id = parent;
        rc = ocdb_session_get(db, e->session_id, &s);
    }
    if (rc == 1) {
        e->title = s.title ? xstrdup(s.title) : NULL;
        e->last_ms = s.time_updated;
        if (s.archived && (e->state == P_RESTORE || e->state == P_QUIT)) {
            e->state = P_ARCHIVED;
            e->why = xstrdup("archived in opencode's database");
        }
        ocdb_session_free(&s);
    } else if (rc == 0 && !elsewhere && (e->state == P_RESTORE || e->state == P_QUIT)) {
        e->state = P_DELETED;
        e->why = xstrdup("not in opencode's database (deleted)");
    }
}
