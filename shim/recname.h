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
/* The temp file a record is written to before its rename: ".<name>.tmp"; 0, or -1. A process
 * killed while writing leaves it behind (only that process ever writes to it). */
int recname_tmp(char *out, size_t cap, const char *name);
/* The process whose record a temp file name stands for (pid, boot id in boot[33], start time);
 * 0, or -1 when tmpname is no such name. */
int recname_tmp_owner(const char *tmpname, long *pid, char boot[33], unsigned long long *start_time);

#endif
