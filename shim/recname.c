/* recname.c - a record file's name, for both halves (see recname.h).
 * Runs in: any (pure).
 * In the shim only the worker thread calls it (record.c, procinfo_load). */
#include "recname.h"

#include <stdio.h>
#include <string.h>

int recname_clash(char *out, size_t cap, const char *plain, int clash)
{
    size_t len = strlen(plain);
    if (len < 5 || strcmp(plain + len - 4, ".rec") != 0 || clash < 1 || clash > RECNAME_CLASH_MAX)
        return -1;
    int n = snprintf(out, cap, "%.*s.%d.rec", (int)(len - 4), plain, clash);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int recname_format(char *out, size_t cap, long pid, const char *boot_id, unsigned long long start_time,
                   int clash)
{
    char plain[160];
    int n = snprintf(plain, sizeof plain, "%ld-%s-%llu.rec", pid, boot_id, start_time);
    if (n <= 0 || (size_t)n >= sizeof plain)
        return -1;
    if (clash > 0)
        return recname_clash(out, cap, plain, clash);
    if ((size_t)n >= cap)
        return -1;
    memcpy(out, plain, (size_t)n + 1);
    return 0;
}

int recname_matches(const char *name, long pid, const char *boot_id, unsigned long long start_time)
{
    char want[160];
    if (recname_format(want, sizeof want, pid, boot_id, start_time, 0) != 0)
        return 0;
    if (strcmp(name, want) == 0)
        return 1;
    size_t stem = strlen(want) - 4;            /* without ".rec" */
    if (strncmp(name, want, stem) != 0 || name[stem] != '.')
        return 0;
    const char *p = name + stem + 1;
    int clash = 0;
    if (*p < '1' || *p > '9')
        return 0;                              /* no leading zero: one name per number */
    while (*p >= '0' && *p <= '9' && clash <= RECNAME_CLASH_MAX)
        clash = clash * 10 + (*p++ - '0');
    return clash >= 1 && clash <= RECNAME_CLASH_MAX && strcmp(p, ".rec") == 0;
}

int recname_tmp(char *out, size_t cap, const char *name)
{
    int n = snprintf(out, cap, ".%s.tmp", name);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int recname_tmp_owner(const char *tmpname, long *pid, char boot[33], unsigned long long *start_time)
{
    char name[160];
    size_t n = strlen(tmpname);
    if (n < 6 || n - 5 >= sizeof name || tmpname[0] != '.' || strcmp(tmpname + n - 4, ".tmp") != 0)
        return -1;
    memcpy(name, tmpname + 1, n - 5);
    name[n - 5] = '\0';
    /* "<pid>-<boot_id>-<start_time>[.<n>].rec": the parts, then the whole checked by the rule */
    const char *q = name;
    unsigned long long p = 0, st = 0;
    int digits = 0;
    for (; *q >= '0' && *q <= '9' && digits < 18; q++, digits++)
        p = p * 10 + (unsigned)(*q - '0');
    if (!digits || p == 0 || *q++ != '-')
        return -1;
    const char *b = q;
    while (*q && *q != '-')
        q++;
    if (q == b || q - b > 32 || *q++ != '-')
        return -1;
    memcpy(boot, b, (size_t)(q - 1 - b));
    boot[q - 1 - b] = '\0';
    for (digits = 0; *q >= '0' && *q <= '9' && digits < 19; q++, digits++)
        st = st * 10 + (unsigned)(*q - '0');
    if (!digits)
        return -1;
    if (!recname_matches(name, (long)p, boot, st))   /* also: no leading zero, nothing else */
        return -1;
    *pid = (long)p;
    *start_time = st;
    return 0;
}
