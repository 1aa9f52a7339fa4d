/* record.h - the per-process record file: formatting (docs/RECORD.md) and the atomic write. */
#ifndef OCSHIM_RECORD_H
#define OCSHIM_RECORD_H

#include <stddef.h>

#include "procinfo.h"
#include "session.h"

struct tmux_info {
    char session[512];
    char window[32];
    char window_name[512];
    char pane_index[32];
    char layout[1024];     /* the window's layout (select-layout's form); "" when longer */
    long long layout_ms;   /* when tmux last gave that layout (Unix ms) */
    char window_id[32];    /* @N: which window, whatever its index (not recorded) */
};

struct record_exit {
    const char *how;   /* NULL while running */
    int code;
    int hangup;
};

/* Formats the whole record into buf; returns its length, or -1 if cap is too small. */
long record_format(char *buf, size_t cap, const struct procinfo *pi, const struct session_state *s,
                   const struct tmux_info *t, const struct record_exit *x, long long updated_ms);

/* Opens (creating, 0700) the state directory; refuses a symlink, another owner, or group/other
 * write permission. Returns a directory descriptor or -1 (with a reason in *why). */
int record_open_dir(const char *path, const char **why);
/* Writes buf atomically as dirfd/name: temp file, then rename. An update (*created) is
 * fsync'd before its rename; a first record is renamed at once and fsync'd after (file and
 * directory): it replaces nothing, and readers skip a record cut short by a crash.
 * The first write of a process (*created == 0) never replaces an existing file: on a clash it
 * picks "name" + ".N" and keeps that name in name (cap bytes). With sync_fd non-NULL the fsyncs
 * are left to the caller: record_sync(*sync_fd, dirfd). 0 on success. */
int record_write(int dirfd, char *name, size_t cap, int *created, const char *buf, size_t len,
                 int *sync_fd);
void record_sync(int fd, int dirfd);

#endif
