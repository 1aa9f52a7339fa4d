/* fuzz_kitty.c - kitty's remote-control replies as the restore reads them (kittyrc.c, kitty.c). */
#include "fuzz.h"
#include "kittyrc.h"
#include "restore.h"
#include "strbuf.h"

#include <errno.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* A stand-in kitty: a thread of this process listens on an abstract unix socket; for each
 * connection it reads the commands to their end, then writes the next part of the input as
 * its replies and hangs up. kittyrc.c's parsing (take_replies) is static: it is reached
 * through the public calls, with the bytes arriving in the pieces the input asks for.
 *
 * Input: byte 0: 0x03: 1 + b & 3 tmux sessions to open tabs for; 0x04: the tmux server is not
 * the default one; 0x08: a dry run; 0x10: call kittyrc_calls directly with 1 + (b >> 5)
 * commands instead of kitty_apply. Then parts cut at FZ_SEP, one per connection, in order
 * (kitty_apply: the `ls` reply, then the replies to the tab launches). Inside a part, a 0x1f
 * byte is a pause: what came before it is sent and read by the client before the rest goes.
 * Replies are kitty's framing: ESC P @kitty-cmd JSON ESC \.
 *
 * Properties: replies beyond those received are NULL and a reason is given; kitty_apply opens
 * or finds a tab for every session, or says why not. */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct fz parts;        /* what is left of the input: guarded by mu */
static int accepted, served;   /* connections in this run: guarded by mu */
static int lfd = -1;
static char addr[108];

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends n bytes; then waits (up to 2 s) until the peer has read them all. 0, or -1 when the
 * peer is gone. */
static int send_and_wait(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    long long end = now_ms() + 2000;
    int q;
    while (ioctl(fd, SIOCOUTQ, &q) == 0 && q > 0 && now_ms() < end)
        sched_yield();
    return 0;
}

static void serve_one(int fd, const char *s, size_t n)
{
    char buf[4096];
    for (;;) {   /* the commands, to the end the client marks (shutdown) */
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
    }
    while (n) {
        const char *pause = memchr(s, 0x1f, n);
        size_t k = pause ? (size_t)(pause - s) : n;
        if (send_and_wait(fd, s, k) != 0)
            break;
        s += k + (pause != NULL);
        n -= k + (pause != NULL);
    }
}

static void *server(void *arg)
{
    (void)arg;
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        const char *s = NULL;
        size_t n = 0;
        pthread_mutex_lock(&mu);
        accepted++;
        if (!fz_part(&parts, &s, &n))
            s = NULL, n = 0;
        pthread_mutex_unlock(&mu);
        serve_one(fd, s, n);   /* parts points into the input, alive until served counts this */
        close(fd);
        pthread_mutex_lock(&mu);
        served++;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int n = snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "ocshim-fuzz-kitty-%ld", (long)getpid());
    snprintf(addr, sizeof addr, "unix:@%s", sa.sun_path + 1);
    lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n)) != 0 ||
        listen(lfd, 16) != 0) {
        perror("fuzz_kitty: listen");
        abort();
    }
    pthread_t t;
    if (pthread_create(&t, NULL, server, NULL) != 0)
        abort();
    pthread_detach(t);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *names[] = { "main", "work", "a b", "=x" };
    struct fz f = { data, size };
    unsigned flags = fz_byte(&f, 0);
    pthread_mutex_lock(&mu);
    parts = f;
    accepted = served = 0;
    pthread_mutex_unlock(&mu);

    if (flags & 0x10) {
        int n = 1 + (int)(flags >> 5);
        const char *cmds[8];
        struct json *rep[8];
        for (int i = 0; i < n; i++)
            cmds[i] = "{\"cmd\":\"ls\",\"version\":[0,14,2]}";
        struct strbuf err;
        sb_init(&err);
        int got = kittyrc_calls(addr, cmds, n, rep, &err);
        FZ_CHECK(got >= 0 && got <= n);
        FZ_CHECK((got < n) == (err.len > 0));
        for (int i = got; i < n; i++)
            FZ_CHECK(rep[i] == NULL);
        for (int i = 0; i < n; i++)
            json_free(rep[i]);
        sb_free(&err);
    } else {
        struct tserver srv;
        memset(&srv, 0, sizeof srv);
        srv.socket = (flags & 4) ? "/tmp/tmux-1000/other" : "/tmp/tmux-1000/default";
        srv.is_default = !(flags & 4);
        struct opts o;
        memset(&o, 0, sizeof o);
        o.to = addr;
        int n = 1 + (int)(flags & 3);
        struct kitty_result kr;
        struct notes notes = { 0 };
        kitty_apply(names, n, &srv, &o, (flags >> 3) & 1, &kr, &notes);
        FZ_CHECK(kr.opened >= 0 && kr.present >= 0 && kr.opened + kr.present <= n);
        if (!kr.error)
            FZ_CHECK(kr.opened + kr.present == n);
        free(kr.error);
        notes_free(&notes);
    }

    /* The stand-in is done with this input before it goes. */
    pthread_mutex_lock(&mu);
    while (served < accepted)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return 0;
}
