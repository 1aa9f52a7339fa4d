/* record.c - format and atomically write the per-process record (see record.h).
 * Runs in: worker thread.
 */
#include "record.h"
#include "recfmt.h"
#include "recname.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int put_ll(char *buf, size_t cap, size_t *len, const char *key, long long v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    return recfmt_put(buf, cap, len, key, num);
}

long record_format(char *buf, size_t cap, const struct procinfo *pi, const struct session_state *s,
                   const struct tmux_info *t, const struct record_exit *x, long long updated_ms)
{
    size_t n = 0;
    int e = 0;
    char sessions[SESSION_ROOTS_MAX * LOGSCAN_ID_MAX];
    size_t so = 0;
    for (int i = 0; i < s->nroots; i++) {
        size_t l = strlen(s->roots[i]);
        if (so)
            sessions[so++] = ' ';
        memcpy(sessions + so, s->roots[i], l);
        so += l;
    }
    sessions[so] = '\0';

    e |= recfmt_put(buf, cap, &n, "ocshim_record", "1");
    e |= put_ll(buf, cap, &n, "pid", pi->pid);
    e |= recfmt_put(buf, cap, &n, "boot_id", pi->boot_id);
    e |= put_ll(buf, cap, &n, "start_time", (long long)pi->start_time);
    e |= put_ll(buf, cap, &n, "started_ms", pi->started_ms);
    e |= put_ll(buf, cap, &n, "uid", pi->uid);
    e |= recfmt_put(buf, cap, &n, "exe", pi->exe);
    e |= recfmt_put(buf, cap, &n, "cwd", pi->cwd);
    e |= put_ll(buf, cap, &n, "argc", pi->argc);
    for (int i = 0; i < pi->argc; i++)
        e |= recfmt_put(buf, cap, &n, "arg", pi->argv[i]);
    int server = pi->role == ROLE_SERVER;
    e |= recfmt_put(buf, cap, &n, "role", procinfo_role_name(pi->role));
    if (pi->role == ROLE_CLIENT)
        e |= recfmt_put(buf, cap, &n, "server_url", pi->server_url ? pi->server_url : "");
    if (server || pi->listen[0])
        e |= recfmt_put(buf, cap, &n, "listen", pi->listen);
    /* A server's sessions are its clients': none is its own (sessions= lists what it served). */
    e |= recfmt_put(buf, cap, &n, "session", server ? "" : s->active);
    e |= recfmt_put(buf, cap, &n, "session_source", s->source && !server ? s->source : "");
    e |= recfmt_put(buf, cap, &n, "sessions", sessions);
    e |= recfmt_put(buf, cap, &n, "opencode_version", s->version);
    e |= recfmt_put(buf, cap, &n, "directory", s->directory);
    e |= recfmt_put(buf, cap, &n, "tmux_socket", pi->tmux_socket);
    e |= recfmt_put(buf, cap, &n, "tmux_pane", pi->tmux_socket[0] ? pi->tmux_pane : "");
    e |= recfmt_put(buf, cap, &n, "tmux_session", t->session);
    e |= recfmt_put(buf, cap, &n, "tmux_window", t->window);
    e |= recfmt_put(buf, cap, &n, "tmux_window_name", t->window_name);
    e |= recfmt_put(buf, cap, &n, "tmux_window_layout", t->layout);
    if (t->layout[0])
        e |= put_ll(buf, cap, &n, "tmux_layout_ms", t->layout_ms);
    e |= recfmt_put(buf, cap, &n, "tmux_pane_index", t->pane_index);
    if (pi->kitty_window_id)
        e |= recfmt_put(buf, cap, &n, "kitty_window_id", pi->kitty_window_id);
    if (pi->kitty_listen_on)
        e |= recfmt_put(buf, cap, &n, "kitty_listen_on", pi->kitty_listen_on);
    e |= put_ll(buf, cap, &n, "updated_ms", updated_ms);
    e |= recfmt_put(buf, cap, &n, "state", x->how ? "exited" : "running");
    if (x->how) {
        e |= recfmt_put(buf, cap, &n, "exit_how", x->how);
        e |= put_ll(buf, cap, &n, "exit_code", x->code);
        e |= put_ll(buf, cap, &n, "hangup", x->hangup ? 1 : 0);
    }
    e |= recfmt_put(buf, cap, &n, "end", "1");
    return e ? -1 : (long)n;
}

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int record_open_dir(const char *path, const char **why)
{
    *why = NULL;
    if (make_dirs(path) != 0) {
        *why = "cannot be created";
        return -1;
    }
    struct stat st;
    struct recfmt_dir d = { .read_only = -1, .room = -1, .me = geteuid() };
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 ? fstat(fd, &st) != 0 : lstat(path, &st) != 0) {
        *why = "cannot be opened";
        if (fd >= 0)
            close(fd);
        return -1;
    }
    d.is_link = S_ISLNK(st.st_mode);
    d.is_dir = S_ISDIR(st.st_mode);
    d.uid = st.st_uid;
    d.mode = st.st_mode;
    enum recfmt_dir_verdict v = recfmt_dir_judge(&d);   /* the tools' rule too (recfmt.c) */
    if (recfmt_dir_refused(v) || fd < 0) {
        *why = recfmt_dir_refused(v) ? recfmt_dir_why(v) : "cannot be opened";
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int record_write(int dirfd, char *name, size_t cap, int *created, const char *buf, size_t len,
                 int *sync_fd)
{
    char tmp[160];
    if (recname_tmp(tmp, sizeof tmp, name) != 0)
        return -1;
    unlinkat(dirfd, tmp, 0);   /* a leftover of this very process's name: ours to replace */
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlinkat(dirfd, tmp, 0);
            return -1;
        }
        off += (size_t)w;
    }
    /* Replacing a good record: make the new one durable first, so a crash can never leave an
     * empty file in its place. A first record replaces nothing: rename at once (readers see it
     * immediately; this is what the latency target measures), fsync right after. */
    int rc = -1;
    if (*created) {
        if (fsync(fd) != 0) {
            close(fd);
            unlinkat(dirfd, tmp, 0);
            return -1;
        }
        rc = renameat(dirfd, tmp, dirfd, name);
    } else {
        /* First write: never replace a record of another process, whatever its name. */
        char base[128];
        snprintf(base, sizeof base, "%s", name);
        for (int i = 1; i <= RECNAME_CLASH_MAX + 1; i++) {
            rc = renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE);
            if (rc == 0 || errno != EEXIST || i > RECNAME_CLASH_MAX)
                break;
            if (recname_clash(name, cap, base, i) != 0)   /* the clash name readers accept */
                break;
        }
        if (rc == 0)
            *created = 1;
    }
    if (rc != 0) {
        close(fd);
        unlinkat(dirfd, tmp, 0);
        return -1;
    }
    if (sync_fd) {
        *sync_fd = fd;          /* the caller runs record_sync() when latency no longer counts */
        return 0;
    }
    record_sync(fd, dirfd);
    return 0;
}

void record_sync(int fd, int dirfd)
{
    fsync(fd);
    close(fd);
    fsync(dirfd);
}
