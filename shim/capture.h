/* capture.h - the hand-off from trapped syscalls to the background worker.
 *
 * The SIGSYS handler (any host thread, signal context) only records: which descriptors are
 * opencode's log, and the bytes written to them, copied into a bounded queue; then it wakes the
 * worker through an eventfd. Everything slow happens in the worker (worker.c). */
#ifndef OCSHIM_CAPTURE_H
#define OCSHIM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define CAPTURE_SLOTS 8             /* log descriptors tracked at once */
#define CAPTURE_DB_SLOT CAPTURE_SLOTS   /* the queue's extra slot: lines the shim makes (database
                                         * writes, a client's HTTP requests) */
#define CAPTURE_QUEUES (CAPTURE_SLOTS + 1)
#define CAPTURE_QUEUE (256 * 1024)  /* bytes in flight to the worker; beyond that: a gap */

struct capture_chunk {
    uint32_t slot;      /* which tracked descriptor (parser state is per slot) */
    uint32_t len;       /* bytes of data that follow */
    uint32_t gap;       /* bytes were lost before this chunk */
    uint32_t pad;
    int64_t trap_ns;    /* CLOCK_MONOTONIC when the write was trapped */
};

/* Sets up the queue and its eventfd; 0 on success. Called once from the constructor. */
int capture_init(void);
int capture_eventfd(void);

/* 1 if path names an opencode log file ("<...>/opencode/log/<name>.log"). */
int capture_is_log_path(const char *path);
/* Descriptor bookkeeping, called after the real syscall succeeded. */
void capture_track(int fd);
void capture_untrack(int fd);
void capture_dup(int oldfd, int newfd);
/* Slot of a tracked descriptor, or -1. */
int capture_slot(int fd);

/* opencode's database write-ahead log ("<...>/opencode*.db-wal"), written through glibc. */
int capture_is_wal_path(const char *path);
void capture_track_wal(int fd);
int capture_is_wal(int fd);
/* Scans bytes written to the write-ahead log; a just-created session becomes a line
 * "message=created id=ID parentID=P source=db" in the queue's CAPTURE_DB_SLOT. */
void capture_wal_write(const void *buf, size_t n);
/* An opencode client (attach, run --attach): its HTTP requests name the sessions it shows.
 * capture_http_write looks at the head of every send() of a client process (Bun's sockets
 * go through glibc: the hooks of send and sendto) and queues "session.id=ID source=http" for a request that shows a session (httpreq.h). */
void capture_set_client(void);
extern int capture_client;   /* set once, before opencode runs: the hooks test it inline */
void capture_http_write(const void *buf, size_t n);
/* An opencode server (or a TUI started with --port): the address of its first listening TCP
 * socket ("HOST:PORT"), taken from the kernel (getsockname) when listen() succeeds (the listen
 * hook). capture_listen_take copies it out once. */
void capture_set_listener(void);
int capture_is_listener(void);
void capture_listen(int fd);
int capture_listen_take(char *out, size_t cap);
/* Queue the bytes written to a tracked descriptor (n = what the syscall wrote). */
void capture_write(int slot, const void *buf, size_t n);
void capture_writev(int slot, const struct iovec *iov, int iovcnt, size_t n);

/* Worker side: copy out queued chunks into out (cap bytes); returns bytes copied (whole chunks). */
size_t capture_drain(void *out, size_t cap);

/* 1 in the opencode process itself, 0 in a (v)fork child sharing its memory (a syscall). */
int capture_is_owner(void);
/* 1 if fd is a tracked log or write-ahead-log descriptor. */
int capture_is_tracked(int fd);
/* The worker is gone (it could not start): exits no longer wait for it. */
void capture_worker_gone(void);

/* Process exit: record how, wake the worker, wait (at most 1 s) until it wrote the final record. */
void capture_exit(const char *how, int code);
/* Worker side: 1 if an exit is pending; fills how/code. */
int capture_exit_pending(const char **how, int *code, int *hangup);
void capture_exit_done(void);

/* Monotonic clock in ns (through the vDSO: no syscall). */
int64_t capture_now_ns(void);

#endif
