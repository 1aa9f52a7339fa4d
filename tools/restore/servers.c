/* servers.c - opencode servers and their clients: each listener's port, each client's server. */
#include "restore.h"
#include "tmuxint.h"
#include "cmdline.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* host:port as a socket address; a wildcard host is this machine's loopback. 0 or -1. */
static int sock_addr(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    const char *h = !host_is_wildcard(host) ? host : strchr(host, ':') ? "::1" : "127.0.0.1";
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, h, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        *len = sizeof *in;
    } else if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof *in6;
    } else {
        return -1;
    }
    return 0;
}

/* 1 when something accepts TCP connections on host:port within 200 ms. */
static int tcp_answers(const char *host, int port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (sock_addr(host, port, &ss, &len) != 0)
        return 0;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return 0;
    int ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
    if (!ok && errno == EINPROGRESS) {
        struct pollfd pf = { .fd = fd, .events = POLLOUT };
        int err = 0;
        socklen_t el = sizeof err;
        ok = poll(&pf, 1, 200) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0;
    }
    close(fd);
    return ok;
}

/* 1 when host:port can be bound now (nothing listens there). */
static int port_free(const char *host, int port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (sock_addr(host, port, &ss, &len) != 0)
        return 0;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0)
        return 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);   /* as servers bind */
    int ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
    close(fd);
    return ok;
}

/* A restored listener's port: the one it had, unless something holds it now; then the first
 * free one above it (the dry run finds the same), with a note: its clients follow it. 0: it
 * never listened (its command as it was). */
static int restore_port(struct entry *e, struct notes *notes)
{
    char host[256];
    int port = listen_split(e->listen, host, sizeof host);
    if (port < 0)
        return 0;
    if (port_free(host, port))
        return port;
    int got = 0;
    for (int p = port + 1; p <= 65535 && p <= port + 200 && !got; p++)
        if (port_free(host, p))
            got = p;
    notes_add(notes, "the server of %s:%d.%d listened on %s, which is taken now: it comes back on port %d%s",
              e->tsession, e->win, e->pane, e->listen, got, got ? ", and its clients attach there" : "");
    return got;
}

/* Is a server for this URL there after the restore: running, restored by this run, or
 * another record's live process on its address (a duplicate)? */
static const struct entry *server_for(const struct plan *p, const char *url, int *was_local)
{
    *was_local = 0;
    for (int k = 0; k < p->n; k++) {
        const struct entry *f = &p->v[k];
        if (!f->listen || !url_matches_listen(url, f->listen))
            continue;
        *was_local = 1;
        if ((f->state == P_RESTORE && f->argv) || f->state == P_RUNNING || f->state == P_DUPLICATE)
            return f;
    }
    return NULL;
}

/* Decides what each pane runs: a listener's port first (its clients' URL follows it), then the
 * clients: attached to a server this run restores (started once it answers: held), to one
 * that runs, or, when their server was on this machine and will not be there, as a plain TUI
 * on the same conversation (opencode.db is this machine's). */
void choose_commands(struct plan *p, char **exes, struct notes *notes)
{
    for (int i = 0; i < p->n; i++) {
        struct entry *e = &p->v[i];
        if (e->state != P_RESTORE || !exes[i] || !e->listen || e->role == E_CLIENT)
            continue;
        e->port = restore_port(e, notes);
        if (e->role == E_SERVER)
            e->argv = cmdline_server(exes[i], e->rec->argv, e->port);
        else
            e->argv = cmdline_tui(exes[i], e->rec ? e->rec->argv : NULL, e->session_id, e->port);
    }
    for (int i = 0; i < p->n; i++) {
        struct entry *e = &p->v[i];
        if (e->state != P_RESTORE || !exes[i] || e->argv)
            continue;
        if (e->role != E_CLIENT) {
            e->argv = cmdline_tui(exes[i], NULL, e->session_id, 0);
            continue;
        }
        int was_local;
        const struct entry *srv = server_for(p, e->url, &was_local);
        char *url = NULL;
        if (srv && srv->state == P_RESTORE) {
            char host[256];
            e->held = 1;
            if (srv->port && srv->port != listen_split(srv->listen, host, sizeof host))
                url = url_with_port(e->url, srv->port);
        } else if (!srv && was_local) {
            notes_add(notes, "%s:%d.%d was attached to %s, whose server does not come back: opened in a plain "
                             "TUI on the same conversation", e->tsession, e->win, e->pane, e->url);
            e->argv = cmdline_tui(exes[i], NULL, e->session_id, 0);
            continue;
        }
        e->argv = cmdline_client(exes[i], e->rec ? e->rec->argv : NULL, url ? url : e->url, e->session_id);
        free(url);
    }
}

/* Waits (at most 60 s in all) until every listener this run started accepts connections. */
void wait_servers(struct plan *p, struct notes *notes)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < p->n; i++) {
        struct entry *e = &p->v[i];
        char host[256];
        if (!e->started || !e->port || !e->listen || listen_split(e->listen, host, sizeof host) < 0)
            continue;
        for (;;) {
            if (tcp_answers(host, e->port))
                break;
            struct timespec now, ts = { 0, 100 * 1000 * 1000 };
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec - t0.tv_sec >= 60) {
                notes_add(notes, "the server of %s:%d.%d did not answer on port %d within 60 s; its clients "
                                 "are started anyway", e->tsession, e->win, e->pane, e->port);
                break;
            }
            nanosleep(&ts, NULL);
        }
    }
}
