/* walscan.h - spot a session the moment opencode's database receives its row.
 *
 * opencode's buffered log names a new session ~0.5-1.5 s late, after the first bash command
 * has already started. Its SQLite write-ahead log gets the row at once, through glibc's
 * pwrite64. This scans those written pages (bytes only: no SQLite parsing, no database
 * access) for a session-table row: "ses_" + 12 hex + 14 alphanumerics, followed by the
 * project id ("global" or 40 hex digits), then, for a subagent, the parent's id. A session id
 * carries its creation time; only rows created in the last moments count. Pure code. */
#ifndef OCSHIM_WALSCAN_H
#define OCSHIM_WALSCAN_H

#include <stddef.h>

#define WALSCAN_ID_LEN 30          /* "ses_" + 12 hex + 14 base62 */
#define WALSCAN_WINDOW_MS 1500     /* a row counts as new if its session is this young */

struct walscan_hit {
    char id[WALSCAN_ID_LEN + 1];
    char parent[WALSCAN_ID_LEN + 1];   /* "" for a root session */
    long long age_ms;
};

/* Creation time of a session id in ms, modulo 2^36 (as encoded); -1 if not an encoded id. */
long long walscan_id_time(const char *id);
/* Finds the youngest new session row in buf (now_ms: Unix ms); 1 and *hit filled if found. */
int walscan_find(const char *buf, size_t n, long long now_ms, struct walscan_hit *hit);

#endif
