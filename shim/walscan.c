/* walscan.c - find a just-created session's row in written database pages (see walscan.h).
 * Runs in: any (pure).
 * No state of its own (the caller's struct walscan_txn); called from the pwrite64 hook (host
 * threads) through capture_wal_write. */
#include "walscan.h"

#include <string.h>

#define MOD36 (1LL << 36)

static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
static int is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1 if p[0..30) (within end) is an encoded session id. */
static int id_at(const char *p, const char *end)
{
    if (end - p < WALSCAN_ID_LEN || memcmp(p, "ses_", 4) != 0)
        return 0;
    for (int i = 4; i < 16; i++)
        if (!is_hex(p[i]))
            return 0;
    for (int i = 16; i < WALSCAN_ID_LEN; i++)
        if (!is_alnum(p[i]))
            return 0;
    return 1;
}

long long walscan_id_time(const char *id)
{
    if (!id_at(id, id + WALSCAN_ID_LEN))
        return -1;
    unsigned long long v = 0;
    for (int i = 4; i < 16; i++)
        v = v * 16 + (unsigned long long)(id[i] <= '9' ? id[i] - '0' : id[i] - 'a' + 10);
    return (long long)(((0xffffffffffffULL - v) >> 12) % (unsigned long long)MOD36);
}

/* Length of the project id at p: "global" or 40 hex digits; 0 if neither. */
static size_t project_at(const char *p, const char *end)
{
    if (end - p >= 6 && memcmp(p, "global", 6) == 0)
        return 6;
    if (end - p < 40)
        return 0;
    for (int i = 0; i < 40; i++)
        if (!is_hex(p[i]))
            return 0;
    return 40;
}

int walscan_rows(const char *buf, size_t n, long long now_ms, long long window_ms, struct walscan_hit *hits,
                 int max)
{
    const char *end = buf + n, *p = buf;
    int found = 0;
    long long now36 = now_ms % MOD36;
    while (found < max && (p = memmem(p, (size_t)(end - p), "ses_", 4)) != NULL) {
        if (!id_at(p, end)) {
            p += 4;
            continue;
        }
        const char *q = p + WALSCAN_ID_LEN;
        size_t pl = project_at(q, end);
        long long t = walscan_id_time(p);
        long long age = ((now36 - t) % MOD36 + MOD36) % MOD36;
        if (pl && age <= window_ms) {
            struct walscan_hit *h = &hits[found++];
            memcpy(h->id, p, WALSCAN_ID_LEN);
            h->id[WALSCAN_ID_LEN] = '\0';
            h->age_ms = age;
            h->parent[0] = '\0';
            /* After the project id: an optional workspace id, then the parent's id. */
            const char *r = q + pl, *lim = r + 48 < end ? r + 48 : end;
            const char *par = memmem(r, (size_t)(lim - r), "ses_", 4);
            if (par && id_at(par, end) && walscan_id_time(par) >= 0) {
                memcpy(h->parent, par, WALSCAN_ID_LEN);
                h->parent[WALSCAN_ID_LEN] = '\0';
            }
        }
        p = q;
    }
    return found;
}

/* 1 if n bytes are a frame header followed by a whole page (a power of two, 512 to 64 KiB). */
static int header_and_page(size_t n)
{
    size_t page = n - WALSCAN_FRAME_HEADER;
    return n > WALSCAN_FRAME_HEADER && page >= 512 && page <= 65536 && (page & (page - 1)) == 0;
}

int walscan_txn_write(struct walscan_txn *t, const char *buf, size_t n, long long now_ms,
                      struct walscan_hit *hit)
{
    if (n == WALSCAN_FRAME_HEADER || header_and_page(n)) {
        const unsigned char *h = (const unsigned char *)buf;
        t->commit_next = (h[4] | h[5] | h[6] | h[7]) != 0;   /* database size after commit */
        if (n == WALSCAN_FRAME_HEADER)
            return 0;
        buf += WALSCAN_FRAME_HEADER;
        n -= WALSCAN_FRAME_HEADER;
    }
    struct walscan_hit rows[2];
    int k = walscan_rows(buf, n, now_ms, WALSCAN_RECENT_MS, rows, 2);
    for (int i = 0; i < k && t->rows < 2; i++) {
        if (t->rows == 0)
            t->first = rows[i], t->rows = 1;
        else if (strcmp(t->first.id, rows[i].id) != 0)
            t->rows = 2;
    }
    if (!t->commit_next)
        return 0;
    int one = t->rows == 1 && t->first.age_ms <= WALSCAN_WINDOW_MS;
    if (one)
        *hit = t->first;
    t->rows = 0;
    t->commit_next = 0;
    return one;
}
