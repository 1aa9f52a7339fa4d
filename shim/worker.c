/* worker.c - the background thread: capture queue -> log parser -> session state -> record
 * file, then tmux (see worker.h). The record always lands first; tmux is best effort.
 * Runs in: worker thread, load time.
 *   load time: worker_start (from ocshim_start); worker thread: worker_main and all else here,
 *   which may allocate, block, run tmux and call the loader (dladdr). */
#include "worker.h"

#include "capture.h"
#include "childenv.h"
#include "debug.h"
#include "logscan.h"
#include "record.h"
#include "session.h"
#include "spawnread.h"
#include "sud.h"
#include "tmuxctl.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#ifndef OCSHIM_BINDIR
#define OCSHIM_BINDIR "/usr/local/bin"   /* the Makefile's default; it passes the configured one */
#endif

struct worker {
    struct procinfo *pi;
    struct session_state ss;
    struct logscan ls[CAPTURE_QUEUES];
    struct tmux_info ti;
    struct record_exit ex;
    int dirfd, created, broken;
    char name[160];
    char *rec;
    size_t rec_cap;
    unsigned char *chunks;
    int changed;
    int turn;                /* this drain saw the active session start a turn (step=0) */
    int64_t first_trap_ns;   /* trap time of the write that changed the session */
    int64_t last_place_ns;   /* when tmux last told the pane's place (monotonic) */
    int served_n;            /* a server: the sessions its record lists (count, newest) */
    char served_last[LOGSCAN_ID_MAX];
    int tmux_due;            /* tmux has not taken the active session yet (it did not answer) */
    int tmux_other;          /* the socket's server is not the pane's: tmux is left alone */
    int retry_ms;            /* ... the wait before the next try, and when that is */
    int64_t retry_at_ns;
};

/* A turn of the active session refreshes the pane's place and its window's layout (a split, a
 * renamed session or a moved pane since the last look), at most once per PLACE_GAP_NS: one
 * display-message per prompt, nothing while opencode is idle or inside a turn. */
#define PLACE_GAP_NS (2LL * 1000000000)

/* tmux did not take the session (its server stopped, wedged or gone): it is asked again after
 * 1 s, then 2, 4, 8 and every 10 s, and at each turn, until it does. A tmux that is back shows
 * the session within seconds without a prompt; one that is gone for good costs a tmux client
 * that fails at once every 10 s. */
#define TMUX_RETRY_FIRST_MS 1000
#define TMUX_RETRY_MAX_MS 10000

static long long realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes the record; with sync_fd, leaves its fsync to the caller (record_sync). */
static int write_record_at(struct worker *w, int *sync_fd)
{
    if (w->broken)
        return -1;
    if (w->dirfd < 0) {
        const char *why;
        w->dirfd = record_open_dir(w->pi->state_dir, &why);
        if (w->dirfd < 0) {
            dbg("no records: state directory %s %s", w->pi->state_dir, why);
            w->broken = 1;
            return -1;
        }
    }
    long n = record_format(w->rec, w->rec_cap, w->pi, &w->ss, &w->ti, &w->ex, realtime_ms());
    if (n < 0 || record_write(w->dirfd, w->name, sizeof w->name, &w->created, w->rec, (size_t)n,
                              sync_fd)) {
        dbg("record write failed: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int write_record(struct worker *w)
{
    return write_record_at(w, NULL);
}

/* Everything but the time the layout was seen: 1 when the pane moved, its window was renamed
 * or its layout changed. */
static int place_differs(const struct tmux_info *a, const struct tmux_info *b)
{
    return strcmp(a->session, b->session) || strcmp(a->window, b->window) ||
           strcmp(a->window_name, b->window_name) || strcmp(a->pane_index, b->pane_index) ||
           strcmp(a->layout, b->layout);
}

/* tmux answered: its place and layout as of now (the restore takes a window's freshest layout). */
static void took_place(struct worker *w, const struct tmux_info *ti)
{
    w->ti = *ti;
    w->ti.layout_ms = realtime_ms();
    w->last_place_ns = capture_now_ns();
}

/* Not in tmux, its server gone for another, or leaving (the final record comes first): no
 * tmux run. */
static int tmux_off(struct worker *w)
{
    const char *how;
    int code, hangup;
    return !w->pi->tmux_socket[0] || w->tmux_other || w->ex.how ||
           capture_exit_pending(&how, &code, &hangup);
}

/* opencode is leaving: its final record must not wait behind a slow tmux (capture_exit waits
 * for the worker 1 s at most). */
static int leaving(void)
{
    const char *how;
    int code, hangup;
    return capture_exit_pending(&how, &code, &hangup);
}

/* One tmux run: sets the pane and window option to id (NULL: sets nothing) and reads the
 * pane's place into *ti; 0 when tmux answered. */
static int tmux_ask(struct worker *w, const char *id, struct tmux_info *ti)
{
    memset(ti, 0, sizeof *ti);
    int r = tmuxctl_publish(w->pi->tmux_socket, w->pi->tmux_pane, w->pi->tmux_server_pid, id,
                            w->pi->env, ti, leaving);
    if (r == TMUXCTL_OTHER_SERVER) {
        /* a server started anew on the socket: its pane of that number is someone else's */
        dbg("tmux: the server on %s is not pane %s's (pid %ld): tmux left alone from now on",
            w->pi->tmux_socket, w->pi->tmux_pane, w->pi->tmux_server_pid);
        w->tmux_other = 1;
    }
    return r == 0 ? 0 : -1;
}

/* Whether tmux took the active session: if not (and its server is still the pane's), when
 * to ask again. */
static void tmux_took(struct worker *w, int ok)
{
    if (ok || w->tmux_other) {
        w->tmux_due = 0;
        w->retry_ms = 0;
        return;
    }
    w->tmux_due = 1;
    w->retry_ms = !w->retry_ms ? TMUX_RETRY_FIRST_MS
                  : w->retry_ms * 2 > TMUX_RETRY_MAX_MS ? TMUX_RETRY_MAX_MS : w->retry_ms * 2;
    w->retry_at_ns = capture_now_ns() + (int64_t)w->retry_ms * 1000000;
}

static int is_server(const struct worker *w)
{
    return w->pi->role == ROLE_SERVER;
}

/* A process has a record once it knows a session; a server from its start (docs/RECORD.md). */
static int keeps_record(const struct worker *w)
{
    return w->ss.active[0] || is_server(w);
}

/* The session changed (or the process is leaving): record first, then tmux. A server's
 * sessions are its clients': its record lists them, and nothing else learns of them. */
static void publish(struct worker *w)
{
    int64_t t0 = w->first_trap_ns;
    int sync_fd = -1;
    if (is_server(w)) {
        /* Its clients' sessions alternate as "active": the record changes only when the list
         * of sessions it served does. */
        const char *newest = w->ss.nroots ? w->ss.roots[w->ss.nroots - 1] : "";
        if (w->ss.nroots != w->served_n || strcmp(newest, w->served_last) != 0) {
            w->served_n = w->ss.nroots;
            snprintf(w->served_last, sizeof w->served_last, "%s", newest);
            write_record(w);
        }
        return;
    }
    childenv_publish(w->ss.active);     /* children first: the next spawn may be imminent */
    if (write_record_at(w, &sync_fd) == 0 && t0)
        dbg("record id=%s source=%s trap_to_record_us=%lld", w->ss.active, w->ss.source,
            (long long)(capture_now_ns() - t0) / 1000);
    struct tmux_info ti;
    if (tmux_off(w)) {
        /* not in tmux, or leaving: the final record comes first */
    } else if (tmux_ask(w, w->ss.active, &ti) != 0) {
        dbg("tmux: could not set the pane option (socket %s, pane %s)", w->pi->tmux_socket,
            w->pi->tmux_pane);
        tmux_took(w, 0);
    } else {
        tmux_took(w, 1);
        dbg("tmux id=%s trap_to_tmux_us=%lld tmux_done_ms=%lld", w->ss.active,
            t0 ? (long long)(capture_now_ns() - t0) / 1000 : -1LL, realtime_ms());
        int moved = place_differs(&ti, &w->ti);
        took_place(w, &ti);
        if (moved)
            write_record(w);
    }
    /* Durability last: the record is already in place for readers, and its fsync (milliseconds
     * on a slow disk) no longer delays the tmux option. */
    if (sync_fd >= 0)
        record_sync(sync_fd, w->dirfd);
}

/* The session did not change, but a new turn began: tmux may have moved the pane, renamed its
 * session or split its window since the last look. A display-message only (setting an option
 * makes tmux redraw every client); when the pane changed windows (its window id, not the
 * index: a join-pane then renumber-windows keeps the index), the options are set again so
 * that the window option follows it. The record is rewritten with the layout's new time. */
static void refresh_place(struct worker *w)
{
    struct tmux_info ti, again;
    int due = w->tmux_due;
    if (!w->ss.active[0] || tmux_off(w)) {
        w->tmux_due = 0;        /* leaving: nothing more for tmux */
        return;
    }
    if (due) {                  /* tmux has yet to take the session: set it, with the place */
        int r = tmux_ask(w, w->ss.active, &ti);
        tmux_took(w, r == 0);
        if (r != 0)             /* no answer, or another server's: ti holds nothing */
            return;
        dbg("tmux caught up id=%s", w->ss.active);
    } else if (tmux_ask(w, NULL, &ti) != 0) {
        return;
    }
    if (!due && strcmp(ti.window_id, w->ti.window_id) != 0 && !is_server(w)) {
        dbg("tmux place now session=%s window=%s pane_index=%s", ti.session, ti.window, ti.pane_index);
        tmux_ask(w, w->ss.active, &again);
    }
    took_place(w, &ti);
    write_record(w);
}

static void on_event(const struct logscan_event *ev, void *arg)
{
    struct worker *w = arg;
    if (session_apply(&w->ss, ev))
        w->changed = 1;
    if (ev->kind == LOGSCAN_ACTIVE && ev->turn_start && strcmp(ev->id, w->ss.active) == 0)
        w->turn = 1;
}

static void drain(struct worker *w)
{
    size_t n;
    while ((n = capture_drain(w->chunks, CAPTURE_QUEUE)) > 0) {
        size_t off = 0;
        while (off < n) {
            struct capture_chunk h;
            memcpy(&h, w->chunks + off, sizeof h);
            off += sizeof h;
            struct logscan *ls = &w->ls[h.slot % CAPTURE_QUEUES];
            if (h.gap)
                logscan_gap(ls);
            int was = w->changed;
            logscan_feed(ls, (const char *)w->chunks + off, h.len, on_event, w);
            if (!was && w->changed)
                w->first_trap_ns = h.trap_ns;
            off += h.len;
        }
    }
}

/* `opencode DIR` (and `opencode run --dir DIR`) works in DIR: the record names DIR, resolved against
 * the directory opencode started in. */
static void use_project_dir(struct procinfo *pi, const char *dir)
{
    char buf[sizeof pi->cwd + 8], real[PATH_MAX];
    int n = dir[0] == '/' ? snprintf(buf, sizeof buf, "%s", dir) : snprintf(buf, sizeof buf, "%s/%s", pi->cwd, dir);
    if (n > 0 && (size_t)n < sizeof buf && realpath(buf, real) && strlen(real) < sizeof pi->cwd)
        memcpy(pi->cwd, real, strlen(real) + 1);
    else
        dbg("project directory %s not resolved; keeping %s", dir, pi->cwd);
}

/* `opencode --continue` resumes a session chosen by opencode's own rule over opencode.db (the
 * project's newest root session at or below the directory; `run`: of the directory itself).
 * Ask the ocshim tool, which replays that rule read-only in a process of its own: never a second
 * SQLite library inside opencode. */
static void resolve_continue(struct worker *w, int run)
{
    /* the tool installed with the shim (PREFIX/lib -> PREFIX/bin, or the build folder), then
     * BINDIR as configured (LIBDIR and BINDIR set apart), else the first on opencode's PATH */
    char path[4200];
    int found = 0;
    Dl_info self;
    if (dladdr((void *)&worker_start, &self) && self.dli_fname && self.dli_fname[0] == '/') {
        const char *slash = strrchr(self.dli_fname, '/');
        const char *cand[] = { "../bin/ocshim", "ocshim", OCSHIM_BINDIR "/ocshim" };
        for (size_t i = 0; i < sizeof cand / sizeof *cand && !found; i++) {
            int n = cand[i][0] == '/' ? snprintf(path, sizeof path, "%s", cand[i])
                                      : snprintf(path, sizeof path, "%.*s/%s", (int)(slash - self.dli_fname),
                                                 self.dli_fname, cand[i]);
            found = n > 0 && (size_t)n < sizeof path && access(path, X_OK) == 0;
        }
    }
    if (!found && spawn_find(w->pi->env, "ocshim", path, sizeof path) != 0) {
        dbg("--continue: the ocshim tool is neither next to the shim nor on PATH");
        return;
    }
    const char *argv[] = { path, "id", "--continue", w->pi->cwd, run ? "--run" : NULL, NULL };
    char out[128];
    int n = spawn_read(path, (char *const *)argv, w->pi->env, out, sizeof out, 3000, leaving);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    if (n > 0 && session_set(&w->ss, out, "continue"))
        publish(w);
    else
        dbg("--continue: no session found for %s", w->pi->cwd);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct procinfo *pi = w->pi;
    if (procinfo_load(pi) != 0) {
        capture_worker_gone();          /* nowhere to write: capture stays silent */
        return NULL;
    }
    if (pi->debug && pi->debug[0] && pi->debug[0] != '/') {
        const char *why;                /* the debug file lives in the state directory */
        w->dirfd = record_open_dir(pi->state_dir, &why);
    }
    debug_open(pi->debug, pi->state_dir, pi->pid);
    snprintf(w->name, sizeof w->name, "%s", pi->name);
    dbg("active: exe=%s opencode=%s hooked_slots=%d tmux=%s pane=%s", pi->exe, pi->version,
        pi->hooked_slots, pi->tmux_socket[0] ? pi->tmux_socket : "-",
        pi->tmux_pane ? pi->tmux_pane : "-");

    struct cli_session cli;
    procinfo_parse_cli(pi->argc, pi->argv, &cli);
    if (cli.dir && !cli.other)
        use_project_dir(pi, cli.dir);

    struct tmux_info ti;                /* learn the pane's place before any session */
    if (pi->tmux_socket[0] && tmux_ask(w, NULL, &ti) == 0)
        took_place(w, &ti);

    if (is_server(w)) {
        write_record(w);                /* a server is restored even before it served a session */
    } else if (cli.session && !cli.fork) {
        if (session_set(&w->ss, cli.session, "argv"))
            publish(w);
        else
            dbg("ignoring a malformed --session value");
    } else if (cli.cont && !cli.fork && !cli.other) {
        resolve_continue(w, cli.run);
    }

    int efd = capture_eventfd();
    for (;;) {
        if (w->tmux_due) {              /* wait for opencode, or for the time to ask tmux again */
            int64_t left = (w->retry_at_ns - capture_now_ns()) / 1000000;
            struct pollfd p = { .fd = efd, .events = POLLIN };
            int pr = left > 0 ? poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left) : 0;
            if (pr < 0 && errno != EINTR)
                break;
            if (pr == 0) {
                refresh_place(w);
                continue;
            }
        }
        uint64_t v;
        ssize_t r = read(efd, &v, sizeof v);
        if (r < 0 && errno != EINTR && errno != EAGAIN)
            break;
        w->changed = 0;
        w->turn = 0;
        w->first_trap_ns = 0;
        drain(w);
        if (capture_listen_take(pi->listen, sizeof pi->listen)) {
            dbg("listening on %s", pi->listen);
            if (keeps_record(w))
                write_record(w);
        }
        if (w->changed)
            publish(w);
        else if (w->turn && capture_now_ns() - w->last_place_ns >= PLACE_GAP_NS)
            refresh_place(w);
        const char *how;
        int code, hangup;
        if (capture_exit_pending(&how, &code, &hangup)) {
            drain(w);
            w->ex.how = how;
            w->ex.code = code;
            w->ex.hangup = hangup;
            w->first_trap_ns = 0;
            if (keeps_record(w))
                write_record(w);
            struct sud_stats st;
            sud_get_stats(&st);
            struct rusage ru;           /* this thread's own CPU time: the benchmark reads it */
            if (getrusage(RUSAGE_THREAD, &ru) != 0)
                memset(&ru, 0, sizeof ru);
            dbg("exit how=%s code=%d hangup=%d traps=%lu replayed=%lu foreign_sigsys=%lu worker_cpu_us=%lld",
                how, code, hangup, st.traps, st.passthrough, st.foreign,
                (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
                    ru.ru_stime.tv_usec);
            capture_exit_done();
        }
    }
    return NULL;
}

int worker_start(struct procinfo *pi)
{
    struct worker *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    w->pi = pi;
    w->dirfd = -1;
    session_init(&w->ss);
    for (int i = 0; i < CAPTURE_QUEUES; i++)
        logscan_init(&w->ls[i]);
    /* Room for the fixed keys, escaped at worst 4x, plus every argument escaped at worst 4x. */
    w->rec_cap = 64 * 1024;
    for (int i = 0; i < pi->argc; i++)
        w->rec_cap += strlen(pi->argv[i]) * 4 + 8;
    w->rec = malloc(w->rec_cap);
    w->chunks = malloc(CAPTURE_QUEUE);
    if (!w->rec || !w->chunks)
        goto fail;

    pthread_attr_t at;
    sigset_t mask;
    sigfillset(&mask);
    sigdelset(&mask, SIGSYS);
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_attr_setsigmask_np(&at, &mask);
    pthread_t t;
    int rc = pthread_create(&t, &at, worker_main, w);
    pthread_attr_destroy(&at);
    if (rc == 0) {
        pthread_setname_np(t, "ocshim");
        return 0;
    }
fail:
    free(w->rec);
    free(w->chunks);
    free(w);
    return -1;
}
