/* session.c - the active-session state machine (see session.h).
 * Runs in: any (pure).
 * No state of its own (the caller's struct session_state); only the worker thread calls it. */
#include "session.h"

#include <string.h>

void session_init(struct session_state *s)
{
    memset(s, 0, sizeof *s);
}

int session_is_sub(const struct session_state *s, const char *id)
{
    for (int i = 0; i < s->nsubs; i++)
        if (strcmp(s->subs[i], id) == 0)
            return 1;
    return 0;
}

static void remember_root(struct session_state *s, const char *id)
{
    for (int i = 0; i < s->nroots; i++)
        if (strcmp(s->roots[i], id) == 0)
            return;
    if (s->nroots == SESSION_ROOTS_MAX) {   /* keep the newest: drop the oldest */
        memmove(s->roots[0], s->roots[1], sizeof s->roots[0] * (SESSION_ROOTS_MAX - 1));
        s->nroots--;
    }
    strcpy(s->roots[s->nroots++], id);
}

int session_set(struct session_state *s, const char *id, const char *source)
{
    if (!logscan_valid_id(id, strlen(id)) || session_is_sub(s, id))
        return 0;
    remember_root(s, id);
    if (strcmp(s->active, id) == 0) {
        if (strcmp(source, "log") == 0)
            s->source = source;     /* the log confirms what the database showed first */
        return 0;
    }
    strcpy(s->active, id);
    s->source = source;
    return 1;
}

int session_apply(struct session_state *s, const struct logscan_event *ev)
{
    if (ev->kind == LOGSCAN_CREATED) {
        if (ev->parent[0]) {
            if (!session_is_sub(s, ev->id)) {
                strcpy(s->subs[s->subnext], ev->id);
                s->subnext = (s->subnext + 1) % SESSION_SUBS_MAX;
                if (s->nsubs < SESSION_SUBS_MAX)
                    s->nsubs++;
            }
            /* Taken for a root before its parent was known: give the root back. */
            if (strcmp(s->active, ev->id) == 0) {
                for (int i = 0; i < s->nroots; i++)
                    if (strcmp(s->roots[i], ev->id) == 0) {
                        memmove(s->roots[i], s->roots[i + 1],
                                sizeof s->roots[0] * (size_t)(s->nroots - i - 1));
                        s->nroots--;
                        break;
                    }
                s->active[0] = '\0';
                return session_set(s, ev->parent, "log") || 1;
            }
            return 0;
        }
        /* The database is shared by every opencode process: a page this process rewrites (to
         * update its own session) can hold another process's brand-new session, youngest of
         * all. So a database sighting only names the first session of a process that has
         * none; after that, sessions come from this process's own log. (The log can lag by
         * seconds under load, or never come if the process is killed first: a second sighting
         * must not stand in for it.) */
        if (ev->from_db && s->active[0])
            return 0;
        if (ev->version[0])
            strcpy(s->version, ev->version);
        if (ev->directory[0])
            strcpy(s->directory, ev->directory);
        return session_set(s, ev->id, ev->from_db ? "db" : "log");
    }
    return session_set(s, ev->id, ev->from_http ? "http" : "log");
}
