/* kittyrc.c - kitty's remote-control protocol over its socket (see kittyrc.h): each command is
 * ESC P @kitty-cmd JSON ESC \, and so is each reply. Several commands go on one connection,
 * written while the replies are read, so kitty works through them without waiting on us. */
#include "kittyrc.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RC_TIMEOUT_MS 10000   /* without any progress */

static const char pre[] = "\x1bP@kitty-cmd", term[] = "\x1b\\";

static int rc_connect(const char *addr, struct strbuf *err)
{
    if (strncmp(addr, "unix:", 5) == 0) {
        const char *path = addr + 5;
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        size_t n = strlen(path);
        if (n == 0 || n >= sizeof sa.sun_path) {
            sb_printf(err, "bad address %s", addr);
            return -1;
        }
        memcpy(sa.sun_path, path, n);
        socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
        if (path[0] == '@')
            sa.sun_path[0] = '\0'; /* abstract socket */
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, len) != 0) {
            sb_printf(err, "cannot connect to %s: %s", addr, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        return fd;
    }
    if (strncmp(addr, "tcp:", 4) == 0) {
        char host[256];
        const char *hp = addr + 4, *colon = strrchr(hp, ':');
        if (!colon || (size_t)(colon - hp) >= sizeof host) {
            sb_printf(err, "bad address %s", addr);
            return -1;
        }
        memcpy(host, hp, (size_t)(colon - hp));
        host[colon - hp] = '\0';
        struct addrinfo hints, *res;
        memset(&hints, 0, sizeof hints);
        hints.ai_socktype = SOCK_STREAM;
        if (getaddrinfo(host, colon + 1, &hints, &res) != 0) {
            sb_printf(err, "cannot resolve %s", addr);
            return -1;
        }
        int fd = -1;
        for (struct addrinfo *a = res; a; a = a->ai_next) {
            fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
            if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0)
                break;
            if (fd >= 0)
                close(fd);
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0)
            sb_printf(err, "cannot connect to %s: %s", addr, strerror(errno));
        return fd;
    }
    sb_printf(err, "unsupported address %s (unix:PATH or tcp:HOST:PORT)", addr);
    return -1;
}


static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Takes the complete replies at the start of in (in order) into replies[*got...]. */
static void take_replies(struct strbuf *in, struct json **replies, int n, int *got)
{
    size_t off = 0;
    while (*got < n) {
        char *start = memmem(in->s + off, in->len - off, pre, sizeof pre - 1);
        if (!start)
            break;
        char *body = start + sizeof pre - 1;
        char *end = memmem(body, in->len - (size_t)(body - in->s), term, sizeof term - 1);
        if (!end)
            break;
        replies[(*got)++] = json_parse(body, (size_t)(end - body));
        off = (size_t)(end - in->s) + sizeof term - 1;
    }
    if (off) {
        memmove(in->s, in->s + off, in->len - off);
        in->len -= off;
        in->s[in->len] = '\0';
    }
}

int kittyrc_calls(const char *addr, const char *const *cmds, int n, struct json **replies, struct strbuf *err)
{
    for (int i = 0; i < n; i++)
        replies[i] = NULL;
    int fd = rc_connect(addr, err);
    if (fd < 0)
        return 0;
    struct strbuf out, in;
    sb_init(&out);
    sb_init(&in);
    for (int i = 0; i < n; i++) {
        sb_add(&out, pre);
        sb_add(&out, cmds[i]);
        sb_add(&out, term);
    }
    size_t sent = 0;
    int got = 0, eof = 0;
    long long deadline = now_ms() + RC_TIMEOUT_MS;
    char buf[16384];
    while (got < n && !eof) {
        long long left = deadline - now_ms();
        struct pollfd pf = { fd, (short)(POLLIN | (sent < out.len ? POLLOUT : 0)), 0 };
        int pr = left > 0 ? poll(&pf, 1, (int)left) : 0;
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            sb_printf(err, "no reply from kitty at %s", addr);
            break;
        }
        if (pf.revents & POLLOUT) {
            ssize_t w = send(fd, out.s + sent, out.len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w < 0 && errno != EINTR && errno != EAGAIN) {
                sb_printf(err, "cannot write to %s: %s", addr, strerror(errno));
                break;
            }
            if (w > 0) {
                sent += (size_t)w;
                deadline = now_ms() + RC_TIMEOUT_MS;
                if (sent == out.len)
                    shutdown(fd, SHUT_WR);
            }
        }
        if (pf.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (r < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (r <= 0) {
                eof = 1;
            } else {
                sb_addn(&in, buf, (size_t)r);
                take_replies(&in, replies, n, &got);
                deadline = now_ms() + RC_TIMEOUT_MS;
            }
        }
    }
    if (got < n && !err->len)
        sb_printf(err, "kitty at %s closed the connection after %d of %d replies", addr, got, n);
    close(fd);
    sb_free(&out);
    sb_free(&in);
    return got;
}

struct json *kittyrc_call(const char *addr, const char *cmd, struct strbuf *err)
{
    struct json *r = NULL;
    kittyrc_calls(addr, &cmd, 1, &r, err);
    return r;
}
