/* ocrec.c - strict reader for the shim's record files (see ocrec.h, docs/RECORD.md). */
#include "ocrec.h"
#include "recfmt.h"
#include "recname.h"
#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define RECORD_MAX_BYTES (1 << 20)

char *ocrec_unescape(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    if (recfmt_unescape(s, n, out) < 0) {
        free(out);
        return NULL;
    }
    return out;
}

static int parse_ll(const char *s, long long *v)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end || (*s != '-' && (*s < '0' || *s > '9')))
        return -1;
    *v = x;
    return 0;
}

static int parse_ull(const char *s, unsigned long long *v)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

static void set_str(char **field, char *val)
{
    free(*field);
    *field = val;
}

int ocrec_parse(const char *buf, size_t len, struct ocrec *r, const char **why)
{
    memset(r, 0, sizeof *r);
    r->uid = -1;
    r->hangup = -1;
    r->pid = -1;
    int have_pid = 0, have_boot = 0, have_start = 0, ended = 0, line_no = 0, argcap = 0;
    size_t pos = 0;
    *why = NULL;
    if (len == 0 || buf[len - 1] != '\n') {
        *why = "truncated (no final newline)";
        goto fail;
    }
    while (pos < len) {
        const char *line = buf + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = (size_t)(nl - line);
        pos += ll + 1;
        line_no++;
        if (ended) {
            *why = "data after end=1";
            goto fail;
        }
        const char *eq = memchr(line, '=', ll);
        if (!eq || eq == line) {
            *why = "malformed line (no key=value)";
            goto fail;
        }
        size_t kl = (size_t)(eq - line);
        for (size_t i = 0; i < kl; i++)
            if (!((line[i] >= 'a' && line[i] <= 'z') || line[i] == '_')) {
                *why = "malformed key";
                goto fail;
            }
        char key[64];
        if (kl >= sizeof key) {
            *why = "malformed key (too long)";
            goto fail;
        }
        memcpy(key, line, kl);
        key[kl] = '\0';
        char *val = ocrec_unescape(eq + 1, ll - kl - 1);
        if (!val) {
            *why = "malformed value (bad escape or control byte)";
            goto fail;
        }
        r->kv = xrealloc(r->kv, sizeof *r->kv * (size_t)(2 * r->nkv + 2));
        r->kv[2 * r->nkv] = xstrdup(key);
        r->kv[2 * r->nkv + 1] = xstrdup(val);
        r->nkv++;
        if (line_no == 1) {
            int okv = strcmp(key, "ocshim_record") == 0 && strcmp(val, "1") == 0;
            free(val);
            if (!okv) {
                *why = "not a version 1 record (first line is not ocshim_record=1)";
                goto fail;
            }
            continue;
        }
        long long n;
        unsigned long long u;
        if (strcmp(key, "end") == 0) {
            ended = strcmp(val, "1") == 0;
            free(val);
            if (!ended) {
                *why = "malformed end line";
                goto fail;
            }
        } else if (strcmp(key, "pid") == 0) {
            if (parse_ll(val, &n) || n <= 0 || n > 0x7fffffff) {
                free(val);
                *why = "bad pid";
                goto fail;
            }
            r->pid = (long)n;
            have_pid = 1;
            free(val);
        } else if (strcmp(key, "boot_id") == 0) {
            size_t bl = strlen(val);
            int okb = bl == 32;
            for (size_t i = 0; okb && i < bl; i++)
                okb = (val[i] >= '0' && val[i] <= '9') || (val[i] >= 'a' && val[i] <= 'f');
            if (!okb) {
                free(val);
                *why = "bad boot_id";
                goto fail;
            }
            memcpy(r->boot_id, val, 33);
            have_boot = 1;
            free(val);
        } else if (strcmp(key, "start_time") == 0) {
            if (parse_ull(val, &u)) {
                free(val);
                *why = "bad start_time";
                goto fail;
            }
            r->start_time = u;
            have_start = 1;
            free(val);
        } else if (strcmp(key, "started_ms") == 0) {
            if (parse_ll(val, &n) == 0)
                r->started_ms = n;
            free(val);
        } else if (strcmp(key, "updated_ms") == 0) {
            if (parse_ll(val, &n) == 0)
                r->updated_ms = n;
            free(val);
        } else if (strcmp(key, "tmux_layout_ms") == 0) {
            if (parse_ll(val, &n) == 0)
                r->tmux_layout_ms = n;
            free(val);
        } else if (strcmp(key, "uid") == 0) {
            if (parse_ll(val, &n) == 0 && n >= 0)
                r->uid = (long)n;
            free(val);
        } else if (strcmp(key, "exit_code") == 0) {
            if (parse_ll(val, &n) == 0)
                r->exit_code = (int)n;
            free(val);
        } else if (strcmp(key, "hangup") == 0) {
            r->hangup = strcmp(val, "1") == 0 ? 1 : strcmp(val, "0") == 0 ? 0 : -1;
            free(val);
        } else if (strcmp(key, "arg") == 0) {
            if (r->argc + 2 > argcap) {
                argcap = argcap ? argcap * 2 : 8;
                r->argv = xrealloc(r->argv, sizeof *r->argv * (size_t)argcap);
            }
            r->argv[r->argc++] = val;
            r->argv[r->argc] = NULL;
        }
#define STR(k) else if (strcmp(key, #k) == 0) set_str(&r->k, val);
        STR(exe) STR(cwd) STR(directory) STR(session) STR(session_source) STR(sessions)
        STR(opencode_version) STR(tmux_socket) STR(tmux_pane) STR(tmux_session) STR(tmux_window)
        STR(tmux_window_name) STR(tmux_pane_index) STR(tmux_window_layout) STR(kitty_window_id) STR(kitty_listen_on)
        STR(state) STR(exit_how) STR(role) STR(server_url) STR(listen)
#undef STR
        else
            free(val); /* unknown keys are ignored (later versions add keys) */
    }
    if (!ended) {
        *why = "truncated (no end=1 line)";
        goto fail;
    }
    if (!have_pid || !have_boot || !have_start) {
        *why = "missing pid, boot_id or start_time";
        goto fail;
    }
    return 0;
fail:
    ocrec_free(r);
    return -1;
}

void ocrec_free(struct ocrec *r)
{
    free(r->file);
    free(r->exe);
    free(r->cwd);
    free(r->directory);
    for (int i = 0; i < r->argc; i++)
        free(r->argv[i]);
    free(r->argv);
    free(r->session);
    free(r->role);
    free(r->server_url);
    free(r->listen);
    free(r->session_source);
    free(r->sessions);
    free(r->opencode_version);
    free(r->tmux_socket);
    free(r->tmux_pane);
    free(r->tmux_session);
    free(r->tmux_window);
    free(r->tmux_window_name);
    free(r->tmux_window_layout);
    free(r->tmux_pane_index);
    free(r->kitty_window_id);
    free(r->kitty_listen_on);
    free(r->state);
    free(r->exit_how);
    for (int i = 0; i < 2 * r->nkv; i++)
        free(r->kv[i]);
    free(r->kv);
    memset(r, 0, sizeof *r);
}

char *ocrec_state_dir(void)
{
    char dir[PATH_MAX];
    if (recfmt_state_dir(dir, sizeof dir, getenv("OCSHIM_STATE_DIR"), getenv("XDG_STATE_HOME"),
                         getenv("HOME")))
        return NULL;
    return xstrdup(dir);
}

static int name_ok(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && name[0] != '.' && strcmp(name + n - 4, ".rec") == 0;
}

enum recfmt_dir_verdict ocrec_dir_check(const char *dir, int *missing)
{
    struct stat st;
    struct recfmt_dir d = { .read_only = -1, .room = -1, .me = geteuid() };
    *missing = 0;
    if (lstat(dir, &st) != 0) {
        *missing = errno == ENOENT;
        return RECFMT_DIR_OK;           /* the shim creates it; anything else shows on opening */
    }
    d.is_link = S_ISLNK(st.st_mode);
    d.is_dir = S_ISDIR(st.st_mode);
    d.uid = st.st_uid;
    d.mode = st.st_mode;
    struct statvfs vs;
    if (d.is_dir && statvfs(dir, &vs) == 0) {
        d.read_only = (vs.f_flag & ST_RDONLY) || access(dir, W_OK) != 0;
        unsigned long long blocks = d.me == 0 ? vs.f_bfree : vs.f_bavail;
        d.room = vs.f_files && !vs.f_favail ? 0 : (long long)(blocks * vs.f_frsize);
    }
    return recfmt_dir_judge(&d);
}

int ocrec_dir_open(const char *dir, enum recfmt_dir_verdict *verdict, int *missing, struct notes *notes)
{
    enum recfmt_dir_verdict v = ocrec_dir_check(dir, missing);
    *verdict = v;
    if (*missing)
        return -1;
    if (recfmt_dir_refused(v)) {
        notes_add(notes, "state directory %s %s", dir, recfmt_dir_why(v));
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (dfd < 0 || fstat(dfd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
        /* changed since it was looked at */
        notes_add(notes, "state directory %s cannot be read: %s", dir,
                  dfd < 0 ? strerror(errno) : "it changed while being opened");
        if (dfd >= 0)
            close(dfd);
        return -1;
    }
    return dfd;
}

int ocrec_load_dir(const char *dir, struct ocrec_list *out, struct notes *notes)
{
    int missing;
    enum recfmt_dir_verdict v;
    int dfd = ocrec_dir_open(dir, &v, &missing, notes);
    if (dfd < 0)
        return missing ? 0 : -1;
    if (v != RECFMT_DIR_OK)             /* read-only or full: read, but say so */
        notes_add(notes, "state directory %s %s", dir, recfmt_dir_why(v));
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return -1;
    }
    int loaded = 0;
    struct dirent *de;
    struct strbuf b;
    sb_init(&b);
    while ((de = readdir(d))) {
        if (!name_ok(de->d_name))
            continue;
        int fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            notes_add(notes, "record %s skipped: %s", de->d_name,
                      errno == ELOOP ? "a symlink" : strerror(errno));
            continue;
        }
        struct stat fs;
        const char *why = NULL;
        if (fstat(fd, &fs) != 0 || !S_ISREG(fs.st_mode))
            why = "not a regular file";
        else if (fs.st_uid != geteuid())
            why = "owned by another user";
        sb_reset(&b);
        if (!why && sb_read_fd(&b, fd, RECORD_MAX_BYTES) != 0)
            why = "unreadable or too large";
        close(fd);
        struct ocrec r;
        if (!why && ocrec_parse(b.s, b.len, &r, &why) == 0) {
            if (!recname_matches(de->d_name, r.pid, r.boot_id, r.start_time)) {
                why = "file name does not match its pid, boot_id and start_time";
                ocrec_free(&r);
            } else if (r.uid >= 0 && (unsigned long)r.uid != (unsigned long)geteuid()) {
                why = "foreign (uid is another user's)";
                ocrec_free(&r);
            }
        }
        if (why) {
            notes_add(notes, "record %s skipped: %s", de->d_name, why);
            continue;
        }
        r.file = xstrdup(de->d_name);
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 32;
            out->v = xrealloc(out->v, sizeof *out->v * (size_t)out->cap);
        }
        out->v[out->n++] = r;
        loaded++;
    }
    sb_free(&b);
    closedir(d);
    return loaded;
}

void ocrec_list_free(struct ocrec_list *l)
{
    for (int i = 0; i < l->n; i++)
        ocrec_free(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

int ocrec_newer(const struct ocrec *a, const struct ocrec *b)
{
    if (a->updated_ms != b->updated_ms)
        return a->updated_ms > b->updated_ms;
    return a->started_ms > b->started_ms;
}

long long ocrec_place_ms(const struct ocrec *r)
{
    return r->tmux_layout_ms ? r->tmux_layout_ms : r->updated_ms;
}

int ocrec_pane_newer(const struct ocrec *a, const struct ocrec *b)
{
    if (ocrec_place_ms(a) != ocrec_place_ms(b))
        return ocrec_place_ms(a) > ocrec_place_ms(b);
    return ocrec_newer(a, b);
}

static int same_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

int ocrec_same_pane(const struct ocrec *a, const struct ocrec *b)
{
    return same_str(a->tmux_session, b->tmux_session) && same_str(a->tmux_window, b->tmux_window) &&
           same_str(a->tmux_pane_index, b->tmux_pane_index);
}

int ocrec_same_server(const struct ocrec *a, const struct ocrec *b)
{
    return same_str(a->tmux_socket, b->tmux_socket);
}

int ocrec_supersedes(const struct ocrec *q, const struct ocrec *r)
{
    return ocrec_same_pane(q, r) && ocrec_pane_newer(q, r) &&
           (strcmp(q->boot_id, r->boot_id) != 0 || q->started_ms >= r->updated_ms);
}

int ocrec_superseded(const struct ocrec *v, int n, int i, const char *among)
{
    for (int k = 0; k < n; k++)
        if (k != i && (!among || among[k]) && ocrec_supersedes(&v[k], &v[i]))
            return 1;
    return 0;
}

const char *ocrec_dir(const struct ocrec *r)
{
    return r->directory && *r->directory ? r->directory : r->cwd ? r->cwd : "";
}

int ocrec_is_server(const struct ocrec *r)
{
    return r->role && strcmp(r->role, "server") == 0;
}

int ocrec_is_client(const struct ocrec *r)
{
    return r->role && strcmp(r->role, "client") == 0;
}

int ocrec_index(const char *s, int *v)
{
    if (!s || *s < '0' || *s > '9')   /* strtol would take a sign or spaces */
        return -1;
    char *end;
    long x = strtol(s, &end, 10);
    if (*end || x < 0 || x > 100000)
        return -1;
    *v = (int)x;
    return 0;
}
