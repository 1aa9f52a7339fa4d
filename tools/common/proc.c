/* proc.c - boot id, start time, liveness and a process-table snapshot from /proc (see proc.h). */
#include "proc.h"
#include "strbuf.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ssize_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return n;
}

int proc_boot_id(char out[33])
{
    char buf[64];
    if (read_small("/proc/sys/kernel/random/boot_id", buf, sizeof buf) < 0)
        return -1;
    int o = 0;
    for (char *p = buf; *p && o < 32; p++)
        if (isxdigit((unsigned char)*p))
            out[o++] = (char)tolower((unsigned char)*p);
    out[o] = '\0';
    return o == 32 ? 0 : -1;
}

static int parse_stat(const char *buf, unsigned long long *start_time, long *ppid, char *comm, size_t commcap)
{
    const char *lp = strchr(buf, '(');
    const char *rp = strrchr(buf, ')');
    if (!lp || !rp || rp < lp)
        return -1;
    if (comm) {
        size_t n = (size_t)(rp - lp - 1);
        if (n >= commcap)
            n = commcap - 1;
        memcpy(comm, lp + 1, n);
        comm[n] = '\0';
    }
    /* after ") ": field 3 is state; ppid is field 4; start_time is field 22 */
    const char *p = rp + 2;
    int field = 3;
    unsigned long long st = 0;
    long pp = 0;
    while (*p && field <= 22) {
        if (field == 4)
            pp = strtol(p, NULL, 10);
        if (field == 22)
            st = strtoull(p, NULL, 10);
        p = strchr(p, ' ');
        if (!p)
            break;
        p++;
        field++;
    }
    if (field < 22)
        return -1;
    if (start_time)
        *start_time = st;
    if (ppid)
        *ppid = pp;
    return 0;
}

int proc_stat(long pid, unsigned long long *start_time, long *ppid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (read_small(path, buf, sizeof buf) < 0)
        return -1;
    return parse_stat(buf, start_time, ppid, NULL, 0);
}

int proc_alive(long pid, unsigned long long start_time, const char *boot_id)
{
    char now[33];
    unsigned long long st;
    if (pid <= 0 || proc_boot_id(now) != 0 || strcmp(now, boot_id) != 0)
        return 0;
    if (proc_stat(pid, &st, NULL) != 0)
        return 0;
    return st == start_time;
}

/* Calls fn(pid, arg) for each process in /proc; 0, or -1 when /proc cannot be read. */
static int proc_each(void (*fn)(long pid, void *arg), void *arg)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    struct dirent *de;
    while ((de = readdir(d)))
        if (isdigit((unsigned char)de->d_name[0]))
            fn(strtol(de->d_name, NULL, 10), arg);
    closedir(d);
    return 0;
}

struct table_build {
    struct proc_table *t;
    int cap;
};

static void table_add(long pid, void *arg)
{
    struct table_build *b = arg;
    struct proc_table *t = b->t;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (read_small(path, buf, sizeof buf) < 0)
        return;
    struct proc_entry e;
    memset(&e, 0, sizeof e);
    e.pid = pid;
    if (parse_stat(buf, NULL, &e.ppid, e.comm, sizeof e.comm) != 0)
        return;
    char exe[4096];
    snprintf(path, sizeof path, "/proc/%ld/exe", pid);
    ssize_t n = readlink(path, exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        const char *base = strrchr(exe, '/');
        snprintf(e.exe_base, sizeof e.exe_base, "%.63s", base ? base + 1 : exe);
    }
    if (t->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 512;
        t->v = xrealloc(t->v, sizeof *t->v * (size_t)b->cap);
    }
    t->v[t->n++] = e;
}

int proc_table_load(struct proc_table *t)
{
    t->v = NULL;
    t->n = 0;
    struct table_build b = { t, 0 };
    if (proc_each(table_add, &b) != 0) {
        proc_table_free(t);
        return -1;
    }
    return 0;
}

void proc_table_free(struct proc_table *t)
{
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

const struct proc_entry *proc_get(const struct proc_table *t, long pid)
{
    for (int i = 0; i < t->n; i++)
        if (t->v[i].pid == pid)
            return &t->v[i];
    return NULL;
}

static int name_is(const char *s, const char *name)
{
    size_t n = strlen(name);
    return strncmp(s, name, n) == 0 && (s[n] == '\0' || s[n] == '-');
}

/* A process tree deeper than this is taken for a cycle: the snapshot is read one process at a
 * time, so a pid reused while it is read can make two entries each other's parent. */
#define PROC_MAX_DEPTH 64

static long find_below(const struct proc_table *t, long root, const char *name, int depth)
{
    const struct proc_entry *e = proc_get(t, root);
    if (!e || depth > PROC_MAX_DEPTH)
        return 0;
    if (name_is(e->comm, name) || name_is(e->exe_base, name))
        return root;
    for (int i = 0; i < t->n; i++) {
        if (t->v[i].ppid == root && t->v[i].pid != root) {
            long f = find_below(t, t->v[i].pid, name, depth + 1);
            if (f)
                return f;
        }
    }
    return 0;
}

long proc_find_below(const struct proc_table *t, long root, const char *name)
{
    return find_below(t, root, name, 0);
}

int proc_children(const struct proc_table *t, long pid)
{
    int c = 0;
    for (int i = 0; i < t->n; i++)
        if (t->v[i].ppid == pid)
            c++;
    return c;
}

struct child_count {
    long parent;
    int n;
};

static void count_child(long pid, void *arg)
{
    struct child_count *c = arg;
    long pp;
    if (proc_stat(pid, NULL, &pp) == 0 && pp == c->parent)
        c->n++;
}

int proc_children_now(long pid)
{
    struct child_count c = { pid, 0 };
    return proc_each(count_child, &c) == 0 ? c.n : -1;
}

long long proc_age_ms(long pid)
{
    char buf[128];
    unsigned long long st;
    if (read_small("/proc/uptime", buf, sizeof buf) < 0 || proc_stat(pid, &st, NULL) != 0)
        return 1LL << 40;
    double up = strtod(buf, NULL);
    long hz = sysconf(_SC_CLK_TCK);
    return (long long)(up * 1000.0) - (long long)(st * 1000ULL / (unsigned long long)(hz > 0 ? hz : 100));
}
