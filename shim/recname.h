/* recname.h - a record file's name: one rule for the shim, which writes records, and the
 * tools, which read them (pure; compiled into both halves).
 *
 * "<pid>-<boot_id>-<start_time>.rec" names one process for all time. When that name is taken
 * as a process writes its first record (a stale file, a copy), the shim never replaces it: it
 * takes "<pid>-<boot_id>-<start_time>.<n>.rec", n = 1..RECNAME_CLASH_MAX. */
#ifndef OCSHIM_RECNAME_H
#define OCSHIM_RECNAME_H

#include <stddef.h>

#define RECNAME_CLASH_MAX 99

/* Writes the name (clash 0: the plain one) into out; 0, or -1 when it does not fit. */
int recname_format(char *out, size_t cap, long pid, const char *boot_id, unsigned long long start_time,
                   int clash);
/* The clash name n (1..RECNAME_CLASH_MAX) of a plain name "<stem>.rec"; 0, or -1. */
int recname_clash(char *out, size_t cap, const char *plain, int clash);
/* 1 if name is the plain or a clash name of that process. */
int recname_matches(const char *name, long pid, const char *boot_id, unsigned long long start_time);

#endif
