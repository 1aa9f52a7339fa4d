/* childenv.c - the session id for opencode's children (see childenv.h). A seqlock: the
 * worker is the only writer; readers retry while a write is under way.
 * Runs in: vfork child, host threads, worker thread, load time.
 *   vfork child and host threads (the execve hook): childenv_read, childenv_build,
 *     childenv_build_server, childenv_count, childenv_server;
 *   worker thread: childenv_publish (the only writer); load time: childenv_set_server.
 * Restricted contexts: no allocation, no locks a signal could leave held, no loader calls.
 * (A reader's retries are bounded; the environment is built in the caller's stack array.) */
#include "childenv.h"

#include <stdatomic.h>
#include <string.h>

static atomic_uint seq;           /* odd while the worker writes */
static _Atomic char published[64];

void childenv_publish(const char *id)
{
    size_t n = strlen(id);
    if (n >= sizeof published)
        n = 0;
    atomic_fetch_add_explicit(&seq, 1, memory_order_acq_rel);
    for (size_t i = 0; i < sizeof published; i++)   /* byte by byte: readers may race */
        atomic_store_explicit(&published[i], i < n ? id[i] : '\0', memory_order_relaxed);
    atomic_fetch_add_explicit(&seq, 1, memory_order_release);
}

size_t childenv_read(char *out)
{
    static const char pre[] = CHILDENV_VAR "=";
    char id[64];
    /* The writer stores 64 bytes; if it was preempted midway, wait for it (bounded). */
    for (long tries = 0; tries < 2000000; tries++) {
        unsigned s0 = atomic_load_explicit(&seq, memory_order_acquire);
        if (s0 & 1) {
            __builtin_ia32_pause();
            continue;
        }
        for (size_t i = 0; i < sizeof id; i++)
            id[i] = atomic_load_explicit(&published[i], memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&seq, memory_order_relaxed) != s0)
            continue;
        id[sizeof id - 1] = '\0';
        size_t n = strlen(id);
        if (n == 0)
            return 0;
        memcpy(out, pre, sizeof pre - 1);
        memcpy(out + sizeof pre - 1, id, n + 1);
        return sizeof pre - 1 + n;
    }
    return 0;
}

static int server;
static const char *server_inherited;

void childenv_set_server(const char *inherited)
{
    server_inherited = inherited;
    server = 1;
}

int childenv_server(const char **inherited)
{
    *inherited = server_inherited;
    return server;
}

char **childenv_build_server(char *const envp[], const char *stale, char **out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return NULL;               /* no room even for the final NULL */
    for (size_t i = 0; envp && envp[i]; i++) {
        if (stale && strcmp(envp[i], stale) == 0)
            continue;
        if (o + 1 >= cap)
            return NULL;
        out[o++] = envp[i];
    }
    out[o] = NULL;
    return out;
}

size_t childenv_count(char *const envp[])
{
    size_t n = 0;
    while (envp && envp[n])
        n++;
    return n;
}

char **childenv_build(char *const envp[], const char *line, char **out, size_t cap)
{
    static const char pre[] = CHILDENV_VAR "=";
    size_t o = 0;
    if (cap == 0)
        return NULL;               /* no room even for the final NULL */
    for (size_t i = 0; envp && envp[i]; i++) {
        if (strncmp(envp[i], pre, sizeof pre - 1) == 0)
            continue;              /* replaced (or removed), never duplicated */
        if (o + 1 >= cap)
            return NULL;
        out[o++] = envp[i];
    }
    if (line) {
        if (o + 1 >= cap)
            return NULL;
        out[o++] = (char *)line;
    }
    out[o] = NULL;
    return out;
}
