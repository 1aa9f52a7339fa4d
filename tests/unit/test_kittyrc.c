/* test_kittyrc.c - the framing of kitty's remote-control protocol (tools/restore/kittyrc.c):
 * several commands on one connection, replies split at any byte, a peer that stops early.
 * The peer is a scripted socket server in a thread: a mock, because a real kitty cannot be
 * made to misbehave on cue (the end-to-end tests drive a real kitty 0.26 for the good path). */
#include "kittyrc.h"
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct peer {
    int lfd;
    int replies;      /* how many replies to send before closing */
    int chunk;        /* bytes per write (1: byte by byte) */
    int commands;     /* out: complete commands received */
    char first[256];  /* out: the first command's JSON */
};

static void *serve(void *arg)
{
    struct peer *p = arg;
    int fd = accept(p->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    char in[65536];
    size_t n = 0;
    ssize_t r;
    /* read until the client half-closes (it does once everything is sent) */
    while (n < sizeof in - 1 && (r = read(fd, in + n, sizeof in - 1 - n)) > 0)
        n += (size_t)r;
    in[n] = '\0';
    for (char *c = in; (c = strstr(c, "\x1bP@kitty-cmd")); c++) {
        if (p->commands++ == 0) {
            char *end = strstr(c, "\x1b\\");
            size_t len = end ? (size_t)(end - c - 12) : 0;
            if (len >= sizeof p->first)
                len = sizeof p->first - 1;
            memcpy(p->first, c + 12, len);
            p->first[len] = '\0';
        }
    }
    char out[8192];
    size_t m = 0;
    for (int i = 0; i < p->replies; i++)
        m += (size_t)snprintf(out + m, sizeof out - m, "\x1bP@kitty-cmd{\"ok\": %s, \"n\": %d}\x1b\\",
                              i == 1 ? "false, \"error\": \"no\"" : "true", i);
    for (size_t off = 0; off < m; off += (size_t)p->chunk) {
        size_t len = m - off < (size_t)p->chunk ? m - off : (size_t)p->chunk;
        if (write(fd, out + off, len) != (ssize_t)len)
            break;
        if (p->chunk == 1)
            usleep(200);
    }
    close(fd);
    return NULL;
}

static int run(const char *path, int replies, int chunk, int n, struct json **rep, struct peer *p, struct strbuf *err)
{
    memset(p, 0, sizeof *p);
    p->replies = replies;
    p->chunk = chunk;
    unlink(path);
    p->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (bind(p->lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(p->lfd, 1) != 0)
        return -1;
    pthread_t t;
    pthread_create(&t, NULL, serve, p);
    const char *cmds[8];
    for (int i = 0; i < n; i++)
        cmds[i] = i == 0 ? "{\"cmd\":\"launch\",\"payload\":{\"tab_title\":\"a\\u001b\\\\b\"}}" : "{\"cmd\":\"ls\"}";
    char addr[200];
    snprintf(addr, sizeof addr, "unix:%s", path);
    sb_reset(err);
    int got = kittyrc_calls(addr, cmds, n, rep, err);
    pthread_join(t, NULL);
    close(p->lfd);
    return got;
}

int main(void)
{
    char dir[] = "/tmp/test_kittyrc.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/k.sock", dir);
    struct peer p;
    struct json *rep[8];
    struct strbuf err;
    sb_init(&err);

    /* three commands, one connection, three replies in one write: in order */
    CHECK(run(path, 3, 4096, 3, rep, &p, &err) == 3);
    CHECK(p.commands == 3);
    CHECK_STR(p.first, "{\"cmd\":\"launch\",\"payload\":{\"tab_title\":\"a\\u001b\\\\b\"}}");
    CHECK(rep[0] && json_get(rep[0], "n")->num == 0 && json_get(rep[0], "ok")->num == 1);
    CHECK(rep[1] && json_get(rep[1], "ok")->num == 0);
    CHECK_STR(json_str(json_get(rep[1], "error")), "no");
    CHECK(rep[2] && json_get(rep[2], "n")->num == 2);
    for (int i = 0; i < 3; i++)
        json_free(rep[i]);
    CHECK(err.len == 0);

    /* the replies trickle in byte by byte */
    CHECK(run(path, 3, 1, 3, rep, &p, &err) == 3);
    CHECK(rep[2] && json_get(rep[2], "n")->num == 2);
    for (int i = 0; i < 3; i++)
        json_free(rep[i]);

    /* the peer answers one of three and hangs up: one reply, the rest NULL, a reason */
    CHECK(run(path, 1, 4096, 3, rep, &p, &err) == 1);
    CHECK(rep[0] && rep[1] == NULL && rep[2] == NULL);
    CHECK(err.len > 0 && strstr(err.s, "1 of 3"));
    json_free(rep[0]);

    /* nobody listening; a bad address: 0 replies and a reason, no crash */
    sb_reset(&err);
    char addr[200];
    snprintf(addr, sizeof addr, "unix:%s", path);
    unlink(path);
    CHECK(kittyrc_call(addr, "{}", &err) == NULL && strstr(err.s, "cannot connect"));
    sb_reset(&err);
    CHECK(kittyrc_call("carrier-pigeon:1", "{}", &err) == NULL && strstr(err.s, "unsupported address"));
    sb_free(&err);
    rmdir(dir);
    UNIT_END("test_kittyrc");
}
