/* capture.c - the hand-off from trapped syscalls to the worker (see capture.h).
 * Runs in: SIGSYS handler, SIGINT handler, vfork child, host threads, worker thread, load time.
 *   SIGSYS handler (sud.c): capture_is_log_path, capture_track, capture_slot, capture_untrack,
 *     capture_dup, capture_write and capture_writev (push: capture_now_ns, the queue lock,
 *     wake), capture_exit (exit_group);
 *   SIGINT handler (sigint.c): capture_exit, capture_is_owner;
 *   vfork child (hooks.c): capture_is_owner, capture_is_tracked, capture_is_wal_path,
 *     capture_track_wal, capture_exit (which returns at once there: not the owner);
 *   host threads (hooks.c): those, capture_untrack, capture_is_wal, capture_wal_write,
 *     capture_http_write, capture_is_listener, capture_listen;
 *   worker thread: capture_drain, capture_eventfd, capture_listen_take, capture_exit_pending,
 *     capture_exit_done, capture_worker_gone, capture_now_ns;
 *   load time: capture_init (the queue, allocated once), capture_set_client, capture_set_listener.
 * Restricted contexts: no allocation, no locks a signal could leave held, no loader calls.
 *
 * The queue lock is taken with all signals but SIGSYS blocked on the thread, so a signal
 * (JavaScriptCore suspends threads with SIGPWR for GC) cannot stop a holder midway, and nothing
 * makes a syscall while it is held, so no SIGSYS comes either. Only glibc functions or syscall()
 * are used here, never raw `syscall` instructions: those would trap. */
#include "capture.h"

#include "httpreq.h"
#include "walscan.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>

static atomic_int slot_fd[CAPTURE_SLOTS];   /* fd + 1, 0 = free */
static atomic_int wal_fd[4];                 /* fd + 1, 0 = free */
static int wake_fd = -1;

static atomic_flag qlock = ATOMIC_FLAG_INIT;
static unsigned char *queue;                 /* CAPTURE_QUEUE bytes, allocated in opencode only */
static size_t qlen;                          /* bytes used, under qlock */
static uint32_t qgap[CAPTURE_QUEUES];        /* per slot: bytes lost since last chunk */

static atomic_int exit_state;                /* 0 none, 3 being filled, 1 requested, 2 done */
static pid_t owner_pid;                      /* opencode's pid: a vfork child shares our memory */
static const char *exit_how;
static int exit_code, exit_hangup;

static void wake(void);

int capture_client;                           /* set once before the host runs on */
static int role_listener;
static atomic_int listen_state;               /* 0 none, 1 being filled, 2 ready, 3 taken */
static char listen_addr[64];

int64_t capture_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int capture_init(void)
{
    owner_pid = getpid();
    int e = errno;
    (void)isatty(-1);   /* bound now: capture_exit() may first call it from a signal handler */
    errno = e;
    queue = malloc(CAPTURE_QUEUE);
    if (!queue)
        return -1;
    wake_fd = eventfd(0, EFD_CLOEXEC);
    return wake_fd < 0 ? -1 : 0;
}

int capture_eventfd(void)
{
    return wake_fd;
}

int capture_is_log_path(const char *path)
{
    if (!path)
        return 0;
    const char *dir = strstr(path, "opencode/log/");
    if (!dir)
        return 0;
    const char *name = dir + 13;
    size_t n = strlen(name);
    return n > 4 && !strchr(name, '/') && memcmp(name + n - 4, ".log", 4) == 0;
}

void capture_track(int fd)
{
    if (fd < 0)
        return;
    for (int i = 0; i < CAPTURE_SLOTS; i++) {
        int want = 0;
        if (atomic_compare_exchange_strong(&slot_fd[i], &want, fd + 1))
            return;
    }
}

int capture_slot(int fd)
{
    if (fd < 0)
        return -1;
    for (int i = 0; i < CAPTURE_SLOTS; i++)
        if (atomic_load_explicit(&slot_fd[i], memory_order_relaxed) == fd + 1)
            return i;
    return -1;
}

void capture_untrack(int fd)
{
    int s = capture_slot(fd);
    if (s >= 0)
        atomic_store(&slot_fd[s], 0);
    for (int i = 0; i < 4; i++)
        if (atomic_load_explicit(&wal_fd[i], memory_order_relaxed) == fd + 1)
            atomic_store(&wal_fd[i], 0);
}

int capture_is_owner(void)
{
    return syscall(SYS_getpid) == owner_pid;
}

int capture_is_tracked(int fd)
{
    return capture_slot(fd) >= 0 || capture_is_wal(fd);
}

void capture_worker_gone(void)
{
    atomic_store(&exit_state, 2);
}

int capture_is_wal_path(const char *path)
{
    if (!path)
        return 0;
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    /* opencode.db-wal, opencode-<channel>.db-wal, or $OPENCODE_DB's file (any *.db-wal in a
     * folder named opencode). */
    return n > 7 && memcmp(b + n - 7, ".db-wal", 7) == 0 &&
           (strncmp(b, "opencode", 8) == 0 || strstr(path, "/opencode/") != NULL);
}

void capture_track_wal(int fd)
{
    if (fd < 0)
        return;
    for (int i = 0; i < 4; i++) {
        int want = 0;
        if (atomic_compare_exchange_strong(&wal_fd[i], &want, fd + 1))
            return;
    }
}

int capture_is_wal(int fd)
{
    for (int i = 0; i < 4; i++)
        if (atomic_load_explicit(&wal_fd[i], memory_order_relaxed) == fd + 1)
            return 1;
    return 0;
}

/* The write transaction being written. SQLite holds the WAL write lock from a transaction's
 * first frame to its commit frame, so this process's frames never interleave. */
static struct walscan_txn wal_txn;

void capture_wal_write(const void *buf, size_t n)
{
    static char last[WALSCAN_ID_LEN + 1];   /* the last id sent: pages repeat it often */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct walscan_hit hit;
    if (!walscan_txn_write(&wal_txn, buf, n, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, &hit))
        return;
    if (memcmp(last, hit.id, WALSCAN_ID_LEN) == 0)
        return;
    memcpy(last, hit.id, WALSCAN_ID_LEN);
    char line[160];
    int len = snprintf(line, sizeof line, "message=created id=%s parentID=%s source=db age_ms=%lld\n",
                       hit.id, hit.parent[0] ? hit.parent : "undefined", hit.age_ms);
    if (len > 0 && (size_t)len < sizeof line)
        capture_write(CAPTURE_DB_SLOT, line, (size_t)len);
}

void capture_set_client(void)
{
    capture_client = 1;
}

void capture_http_write(const void *buf, size_t n)
{
    char id[HTTPREQ_ID_MAX];
    if (!capture_client || !httpreq_session(buf, n < HTTPREQ_HEAD ? n : HTTPREQ_HEAD, id))
        return;
    /* A request names the same session many times in a row (a prompt, then its GETs): the
     * worker drops repeats; lines cost a memcpy each. */
    char line[HTTPREQ_ID_MAX + 32];
    size_t idn = strlen(id), k = 0;
    memcpy(line, "session.id=", 11), k = 11;
    memcpy(line + k, id, idn), k += idn;
    memcpy(line + k, " source=http\n", 13), k += 13;
    capture_write(CAPTURE_DB_SLOT, line, k);
}

void capture_set_listener(void)
{
    role_listener = 1;
}

int capture_is_listener(void)
{
    return role_listener;
}

/* Appends the decimal v to p; returns the new end. */
static char *put_uint(char *p, unsigned v)
{
    char t[12];
    int k = 0;
    do
        t[k++] = (char)('0' + v % 10);
    while ((v /= 10) && k < 11);
    while (k)
        *p++ = t[--k];
    return p;
}

void capture_listen(int fd)
{
    int zero = 0;
    if (!role_listener || atomic_load_explicit(&listen_state, memory_order_relaxed))
        return;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (syscall(SYS_getsockname, fd, &ss, &len) != 0)
        return;
    char buf[sizeof listen_addr], *p = buf;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
        const unsigned char *a = (const unsigned char *)&in->sin_addr;
        for (int i = 0; i < 4; i++) {
            p = put_uint(p, a[i]);
            *p++ = i < 3 ? '.' : ':';
        }
        p = put_uint(p, ntohs(in->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
        static const char hex[] = "0123456789abcdef";
        *p++ = '[';
        for (int i = 0; i < 16; i += 2) {   /* full form: each group in 1-4 hex digits */
            unsigned g = (unsigned)in6->sin6_addr.s6_addr[i] << 8 | in6->sin6_addr.s6_addr[i + 1];
            int started = 0;
            for (int sh = 12; sh >= 0; sh -= 4)
                if ((started |= (g >> sh) & 15) || sh == 0)
                    *p++ = hex[(g >> sh) & 15];
            *p++ = i < 14 ? ':' : ']';
        }
        *p++ = ':';
        p = put_uint(p, ntohs(in6->sin6_port));
    } else {
        return;                             /* a unix socket (an IPC channel), not the server */
    }
    if (!atomic_compare_exchange_strong(&listen_state, &zero, 1))
        return;
    memcpy(listen_addr, buf, (size_t)(p - buf));
    listen_addr[p - buf] = '\0';
    atomic_store(&listen_state, 2);
    wake();
}

int capture_listen_take(char *out, size_t cap)
{
    int two = 2;
    if (!atomic_compare_exchange_strong(&listen_state, &two, 3))
        return 0;
    size_t n = strlen(listen_addr);
    if (n >= cap)
        return 0;
    memcpy(out, listen_addr, n + 1);
    return 1;
}

void capture_dup(int oldfd, int newfd)
{
    if (newfd < 0 || newfd == oldfd)
        return;
    capture_untrack(newfd);
    if (capture_slot(oldfd) >= 0)
        capture_track(newfd);
}

static void lock_all(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGSYS);
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, old, 8);
    while (atomic_flag_test_and_set_explicit(&qlock, memory_order_acquire))
        ;
}

static void unlock_all(const sigset_t *old)
{
    atomic_flag_clear_explicit(&qlock, memory_order_release);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, old, NULL, 8);
}

static void wake(void)
{
    uint64_t one = 1;
    if (wake_fd >= 0)
        syscall(SYS_write, wake_fd, &one, sizeof one);
}

/* Appends one chunk made of the iovec's first n bytes; what does not fit is counted as a gap. */
static void push(int slot, const struct iovec *iov, int iovcnt, size_t n)
{
    if (slot < 0 || slot >= CAPTURE_QUEUES || n == 0 || !queue)
        return;
    int64_t t = capture_now_ns();
    sigset_t old;
    lock_all(&old);
    size_t room = CAPTURE_QUEUE - qlen;
    if (room <= sizeof(struct capture_chunk)) {
        qgap[slot] += (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
    } else {
        size_t take = n < room - sizeof(struct capture_chunk) ? n : room - sizeof(struct capture_chunk);
        struct capture_chunk h = { .slot = (uint32_t)slot, .len = (uint32_t)take,
                                   .gap = qgap[slot], .trap_ns = t };
        memcpy(queue + qlen, &h, sizeof h);
        size_t off = qlen + sizeof h, left = take;
        for (int i = 0; i < iovcnt && left; i++) {
            size_t c = iov[i].iov_len < left ? iov[i].iov_len : left;
            memcpy(queue + off, iov[i].iov_base, c);
            off += c;
            left -= c;
        }
        qlen = off;
        /* A cut write loses its tail: the next chunk of this slot resynchronises. */
        qgap[slot] = take < n ? (uint32_t)(n - take) : 0;
    }
    unlock_all(&old);
    wake();
}

void capture_write(int slot, const void *buf, size_t n)
{
    struct iovec v = { .iov_base = (void *)buf, .iov_len = n };
    push(slot, &v, 1, n);
}

void capture_writev(int slot, const struct iovec *iov, int iovcnt, size_t n)
{
    push(slot, iov, iovcnt, n);
}

size_t capture_drain(void *out, size_t cap)
{
    sigset_t old;
    lock_all(&old);
    size_t n = 0;
    while (n < qlen) {
        struct capture_chunk h;
        memcpy(&h, queue + n, sizeof h);
        size_t whole = sizeof h + h.len;
        if (n + whole > cap)
            break;
        n += whole;
    }
    memcpy(out, queue, n);
    memmove(queue, queue + n, qlen - n);
    qlen -= n;
    unlock_all(&old);
    return n;
}

/* The terminal is gone (tmux or the terminal emulator died) when a tty on 0-2 reports a hangup. */
static int tty_hung_up(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        struct pollfd p = { .fd = fd, .events = 0 };
        if (!isatty(fd) && errno != EIO)
            continue;
        if (syscall(SYS_poll, &p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
            return 1;
    }
    return 0;
}

void capture_exit(const char *how, int code)
{
    int zero = 0;
    if (wake_fd < 0 || syscall(SYS_getpid) != owner_pid)
        return;                            /* not capturing, or a (v)fork child leaving */
    int saved = errno;
    if (atomic_compare_exchange_strong(&exit_state, &zero, 3)) {
        exit_how = how;                    /* filled before the worker may look (state 1) */
        exit_code = code;
        exit_hangup = tty_hung_up();
        atomic_store(&exit_state, 1);
        wake();
    }                                      /* else another thread is leaving: wait with it */
    /* Wait for the worker, at most 1 s (it normally takes under a millisecond; a loaded
     * machine can delay the thread): leaving must never hang on us. */
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    for (int i = 0; i < 50; i++) {
        int st = atomic_load(&exit_state);
        if (st == 2)
            break;
        syscall(SYS_futex, &exit_state, FUTEX_WAIT_PRIVATE, st, &ts, NULL, 0);
    }
    errno = saved;
}

int capture_exit_pending(const char **how, int *code, int *hangup)
{
    if (atomic_load(&exit_state) != 1)
        return 0;
    *how = exit_how;
    *code = exit_code;
    *hangup = exit_hangup;
    return 1;
}

void capture_exit_done(void)
{
    atomic_store(&exit_state, 2);
    syscall(SYS_futex, &exit_state, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, NULL, 0);
}
