/* session.c - the active-session state machine (see session.h). */
#include "session.h"

#include "walscan.h"

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

/* 1 when both ids were created within WALSCAN_WINDOW_MS of each other (times mod 2^36 ms). */
static int same_moment(const char *a, const char *b)
{
    long long ta = walscan_id_time(a), tb = walscan_id_time(b);
    if (ta < 0 || tb < 0)
        return 0;
    long long d = ta > tb ? ta - tb : tb - ta;
    const long long wrap = 1LL << 36;
    if (d > wrap / 2)
        d = wrap - d;
    return d <= WALSCAN_WINDOW_MS;
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
        /* The database is shared by every opencode process: a page this process rewrites can
         * hold another process's brand-new session. So a database sighting only names the
         * session of a process that has none confirmed yet (its first session); after that,
         * new sessions wait for this process's own log. */
        if (ev->from_db && s->active[0] && !(s->source && strcmp(s->source, "db") == 0))
            return 0;
        /* Both from the database, the log silent so far (it can lag by seconds, or never come
         * when the process is killed): a second row replaces the first only when the two were
         * created in the same moment (which of two simultaneous sessions is ours). A row made
         * later is far likelier another process's, in a page this process rewrote to update its
         * own session; a later session of this process's own is named by its log. */
        if (ev->from_db && s->active[0] && !same_moment(s->active, ev->id))
            return 0;
        if (ev->version[0])
            strcpy(s->version, ev->version);
        if (ev->directory[0])
            strcpy(s->directory, ev->directory);
        return session_set(s, ev->id, ev->from_db ? "db" : "log");
    }
    return session_set(s, ev->id, "log");
}
