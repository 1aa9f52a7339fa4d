/* walscan.h - spot a session the moment opencode's database receives its row.
 *
 * opencode's buffered log names a new session ~0.5-1.5 s late, after the first bash command
 * has already started. Its SQLite write-ahead log gets the row at once, through glibc's
 * pwrite64. This scans those written pages (bytes only: no SQLite parsing, no database
 * access) for a session-table row: "ses_" + 12 hex + 14 alphanumerics, followed by the
 * project id ("global" or 40 hex digits), then, for a subagent, the parent's id. A session id
 * carries its creation time; only rows created in the last moments count.
 *
 * The database is shared: a page this process writes can also hold another process's new row,
 * and two processes that create sessions at once stamp and commit them in either order. So the
 * scan follows whole write transactions (SQLite writes a 24-byte frame header, then the page;
 * the header of a transaction's last frame holds the database size, others hold 0), and names
 * a session only when the transaction held exactly one recent row, and that row is new. A
 * process stamps its session's id before it gets the write lock, seconds before under load: its
 * own row may no longer look new when it commits beside another process's newer row, so every
 * row of the last minute counts against the one. Otherwise the log, which is this process's
 * own, tells a moment later. Pure code. */
#ifndef OCSHIM_WALSCAN_H
#define OCSHIM_WALSCAN_H

#include <stddef.h>

#define WALSCAN_ID_LEN 30          /* "ses_" + 12 hex + 14 base62 */
#define WALSCAN_WINDOW_MS 1500     /* a row counts as new if its session is this young */
#define WALSCAN_RECENT_MS 60000    /* ... and as recent (a rival of the new one) this young */

struct walscan_hit {
    char id[WALSCAN_ID_LEN + 1];
    char parent[WALSCAN_ID_LEN + 1];   /* "" for a root session */
    long long age_ms;
};

/* Creation time of a session id in ms, modulo 2^36 (as encoded); -1 if not an encoded id. */
long long walscan_id_time(const char *id);
#define WALSCAN_FRAME_HEADER 24    /* bytes before each page in the WAL */

/* One write transaction's new session rows, frame by frame. Zero it to start. */
struct walscan_txn {
    struct walscan_hit first;      /* the first recent row seen */
    int rows;                      /* distinct recent rows: 0, 1, or 2 for "more than one" */
    int commit_next;               /* the page to come ends the transaction */
};

/* Counts the session rows in buf created at most window_ms before now_ms (Unix ms), at most
 * max; fills hits[0..n). */
int walscan_rows(const char *buf, size_t n, long long now_ms, long long window_ms, struct walscan_hit *hits,
                 int max);
/* Feeds one write to the WAL (a frame header, a page, or both in one buffer). Returns 1 and
 * fills *hit when it ends a transaction whose only recent session row is new. */
int walscan_txn_write(struct walscan_txn *t, const char *buf, size_t n, long long now_ms,
                      struct walscan_hit *hit);

#endif
