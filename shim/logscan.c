/* logscan.c - streaming parser of opencode's log lines into session events (see logscan.h).
 * Runs in: any (pure).
 * No state of its own (the caller's struct logscan); in the shim only the worker thread calls it.
 *
 * Both formats are sequences of space-separated tokens, the interesting ones `key=value` or
 * `key="quoted value"`:
 *   1.18: timestamp=... level=INFO run=1a2b message=created id=ses_X ... parentID=undefined ...
 *         timestamp=... level=INFO run=1a2b message=loop session.id=ses_X step=0
 *   1.14: INFO  2026-11-24T04:08:38 +62ms service=session id=ses_X ... parentID=ses_P ...
 *         INFO  2026-11-24T04:08:38 +1ms service=session.prompt session.id=ses_X step=0 */
#include "logscan.h"

#include <string.h>

void logscan_init(struct logscan *ls)
{
    ls->len = 0;
    ls->overflow = 0;
    ls->skipping = 0;
}

void logscan_gap(struct logscan *ls)
{
    ls->len = 0;
    ls->overflow = 0;
    ls->skipping = 1;
}

int logscan_valid_id(const char *s, size_t n)
{
    return recfmt_id_valid(s, n);
}

static int key_is(const char *k, size_t kn, const char *want)
{
    size_t wn = strlen(want);
    return kn == wn && memcmp(k, want, wn) == 0;
}

/* Copies a token value into dst (size cap), unquoting \" and \\ inside quotes; cuts if long. */
static void copy_value(char *dst, size_t cap, const char *v, size_t vn, int quoted)
{
    size_t o = 0;
    for (size_t i = 0; i < vn && o + 1 < cap; i++) {
        if (quoted && v[i] == '\\' && i + 1 < vn)
            i++;
        dst[o++] = v[i];
    }
    dst[o] = '\0';
}

int logscan_line(const char *line, size_t n, struct logscan_event *ev)
{
    const char *id = NULL, *sid = NULL, *parent = NULL;
    size_t idn = 0, sidn = 0, parentn = 0;
    int created = 0, session_service = 0, from_db = 0, from_http = 0, step0 = 0;
    const char *version = NULL, *dir = NULL;
    size_t versionn = 0, dirn = 0;
    int dirq = 0;

    size_t i = 0;
    while (i < n) {
        while (i < n && line[i] == ' ')
            i++;
        size_t ks = i;
        while (i < n && line[i] != ' ' && line[i] != '=')
            i++;
        if (i >= n || line[i] != '=') {          /* a token without '=': skip it */
            while (i < n && line[i] != ' ')
                i++;
            continue;
        }
        const char *k = line + ks;
        size_t kn = i - ks;
        i++;                                      /* past '=' */
        int quoted = 0;
        size_t vs;
        if (i < n && line[i] == '"') {
            quoted = 1;
            vs = ++i;
            while (i < n && line[i] != '"') {
                if (line[i] == '\\' && i + 1 < n)
                    i++;
                i++;
            }
        } else {
            vs = i;
            while (i < n && line[i] != ' ')
                i++;
        }
        const char *v = line + vs;
        size_t vn = (i <= n ? i : n) - vs;
        if (quoted && i < n)
            i++;                                  /* past the closing quote */

        if (key_is(k, kn, "message"))
            created |= (vn == 7 && memcmp(v, "created", 7) == 0);
        else if (key_is(k, kn, "source"))
            from_db |= (vn == 2 && memcmp(v, "db", 2) == 0),
            from_http |= (vn == 4 && memcmp(v, "http", 4) == 0);
        else if (key_is(k, kn, "service"))
            session_service |= (vn == 7 && memcmp(v, "session", 7) == 0);
        else if (key_is(k, kn, "id") && !id)
            id = v, idn = vn;
        else if (key_is(k, kn, "session.id") && !sid)
            sid = v, sidn = vn;
        else if (key_is(k, kn, "parentID") && !parent)
            parent = v, parentn = vn;
        else if (key_is(k, kn, "version") && !version)
            version = v, versionn = vn;
        else if (key_is(k, kn, "directory") && !dir)
            dir = v, dirn = vn, dirq = quoted;
        else if (key_is(k, kn, "step"))
            step0 = vn == 1 && v[0] == '0';
    }

    memset(ev, 0, sizeof *ev - sizeof ev->directory);
    ev->directory[0] = '\0';
    if ((created || session_service) && id && logscan_valid_id(id, idn)) {
        ev->kind = LOGSCAN_CREATED;
        ev->from_db = from_db;
        memcpy(ev->id, id, idn);
        if (parent && logscan_valid_id(parent, parentn))
            memcpy(ev->parent, parent, parentn);
        if (version)
            copy_value(ev->version, sizeof ev->version, version, versionn, 0);
        if (dir)
            copy_value(ev->directory, sizeof ev->directory, dir, dirn, dirq);
        return 1;
    }
    if (sid && logscan_valid_id(sid, sidn)) {
        ev->kind = LOGSCAN_ACTIVE;
        ev->turn_start = step0;
        ev->from_http = from_http;
        memcpy(ev->id, sid, sidn);
        return 1;
    }
    return 0;
}

static void end_line(struct logscan *ls, logscan_cb cb, void *arg)
{
    struct logscan_event ev;
    size_t n = ls->len;
    if (n && ls->buf[n - 1] == '\r')
        n--;
    if (logscan_line(ls->buf, n, &ev))
        cb(&ev, arg);
    ls->len = 0;
    ls->overflow = 0;
}

void logscan_feed(struct logscan *ls, const char *p, size_t n, logscan_cb cb, void *arg)
{
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        if (ls->skipping) {
            if (nl)
                ls->skipping = 0;
        } else {
            size_t room = sizeof ls->buf - ls->len;
            if (take > room) {
                ls->overflow = 1;
                take = room;   /* keep the head of an over-long line, drop its tail */
            }
            memcpy(ls->buf + ls->len, p, take);
            ls->len += take;
            if (nl)
                end_line(ls, cb, arg);
        }
        if (!nl)
            return;
        size_t used = (size_t)(nl - p) + 1;
        p += used;
        n -= used;
    }
}
