/* fuzz_walscan.c - the WAL page scan (shim/walscan.c) over writes carved from the input. */
#include "fuzz.h"
#include "walscan.h"

/* Input: byte 0: flags; byte 1: a delay. Then writes, each one control byte c and its bytes:
 *   c & 3 == 0: a 24-byte frame header (its bytes from the input);
 *   c & 3 == 1: a header and a page in one buffer; == 2: a page alone. The page holds
 *               512 << ((c >> 2) & 7) bytes (512 to 64 KiB), zeros but for the input's next
 *               bytes: a length byte L (4 * L bytes) and an offset byte (in 256ths of the page);
 *   c & 3 == 3: a write of any length (the next byte * 16 + c >> 2), straight from the input.
 * Every write is its own allocation of exactly its size (reads past it are caught).
 * The time: flags & 1: the creation time of the input's first encoded id plus 8 * delay ms
 * (modulo 2^36, as ids encode it), so rows are new; else a fixed day in 2026.
 *
 * Properties: every row found is an encoded id not older than the window, its parent empty or
 * an encoded id; a transaction ends with a hit only when it saw exactly one new row. */

#define NOW_FIXED 1767225600000LL   /* 2026-01-01 */

static void check_hit(const struct walscan_hit *h)
{
    FZ_CHECK(strlen(h->id) == WALSCAN_ID_LEN && walscan_id_time(h->id) >= 0);
    FZ_CHECK(h->age_ms >= 0 && h->age_ms <= WALSCAN_WINDOW_MS);
    FZ_CHECK(h->parent[0] == '\0' || (strlen(h->parent) == WALSCAN_ID_LEN && walscan_id_time(h->parent) >= 0));
}

static long long first_id_time(const uint8_t *p, size_t n)
{
    for (const uint8_t *q = p; (q = memmem(q, n - (size_t)(q - p), "ses_", 4)); q++) {
        char id[WALSCAN_ID_LEN + 1] = { 0 };
        size_t k = n - (size_t)(q - p);
        memcpy(id, q, k < WALSCAN_ID_LEN ? k : WALSCAN_ID_LEN);
        long long t = walscan_id_time(id);
        if (t >= 0)
            return t;
    }
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    unsigned flags = fz_byte(&f, 0), delay = fz_byte(&f, 0);
    long long now = NOW_FIXED;
    if (flags & 1) {
        long long t = first_id_time(f.p, f.n);
        if (t >= 0)
            now = t + 8 * (long long)delay;
    }

    /* The whole input as one page, as a scan with room for 1 to 4 rows. */
    struct walscan_hit hits[4];
    int max = 1 + (int)((flags >> 1) & 3);
    char *all = malloc(f.n ? f.n : 1);
    memcpy(all, f.p, f.n);
    int k = walscan_rows(all, f.n, now, WALSCAN_WINDOW_MS, hits, max);
    FZ_CHECK(k >= 0 && k <= max);
    for (int i = 0; i < k; i++)
        check_hit(&hits[i]);
    free(all);

    struct walscan_txn t;
    memset(&t, 0, sizeof t);
    while (f.n) {
        unsigned c = fz_byte(&f, 0), kind = c & 3;
        size_t n;
        char *w;
        if (kind == 3) {
            n = (size_t)fz_byte(&f, 0) * 16 + (c >> 2);
            if (n > f.n)
                n = f.n;
            w = malloc(n ? n : 1);
            memcpy(w, f.p, n);
            f.p += n;
            f.n -= n;
        } else {
            size_t page = kind == 0 ? 0 : (size_t)512 << ((c >> 2) & 7);
            size_t head = kind == 2 ? 0 : WALSCAN_FRAME_HEADER;
            n = head + page;
            w = calloc(1, n);
            size_t h = head < f.n ? head : f.n;
            memcpy(w, f.p, h);
            f.p += h;
            f.n -= h;
            if (page) {
                size_t len = (size_t)fz_byte(&f, 0) * 4, off = page / 256 * fz_byte(&f, 0);
                if (len > f.n)
                    len = f.n;
                if (len > page - off)
                    len = page - off;
                memcpy(w + head + off, f.p, len);
                f.p += len;
                f.n -= len;
            }
        }
        struct walscan_hit hit;
        int before = t.rows;
        int r = walscan_txn_write(&t, w, n, now, &hit);
        free(w);
        FZ_CHECK(r == 0 || r == 1);
        FZ_CHECK(t.rows >= 0 && t.rows <= 2);
        if (r) {
            check_hit(&hit);
            FZ_CHECK(t.rows == 0 && !t.commit_next);
        } else if (before) {
            FZ_CHECK(t.rows >= before || t.rows == 0);
        }
    }
    return 0;
}
