/* proc.h - /proc facts: boot id, process start time, liveness of a recorded process, process tree. */
#ifndef OCSHIM_PROC_H
#define OCSHIM_PROC_H

/* The current boot id without dashes (32 hex digits + NUL); 0, or -1 when unreadable. */
int proc_boot_id(char out[33]);
/* Start time (clock ticks since boot, /proc/PID/stat field 22) and parent pid; 0 or -1. */
int proc_stat(long pid, unsigned long long *start_time, long *ppid);
/* 1 when the process (pid, start_time) of boot boot_id is alive now, else 0. */
int proc_alive(long pid, unsigned long long start_time, const char *boot_id);

/* A snapshot of the process table: pid, parent, comm and exe basename. */
struct proc_entry {
    long pid, ppid;
    char comm[32];
    char exe_base[64];  /* basename of /proc/PID/exe, empty when unreadable */
};
struct proc_table {
    struct proc_entry *v;
    int n;
};
int proc_table_load(struct proc_table *t);
void proc_table_free(struct proc_table *t);
/* First process at or below root (root itself included) whose comm or exe basename equals name
 * (or starts with "name-", e.g. opencode-linux-x64); 0 when none. */
long proc_find_below(const struct proc_table *t, long root, const char *name);
/* Milliseconds since the process started (a large value when unknown). */
long long proc_age_ms(long pid);
/* Number of children of pid now (a fresh look at /proc). */
int proc_children_now(long pid);
/* Number of children of pid in the snapshot. */
int proc_children(const struct proc_table *t, long pid);
const struct proc_entry *proc_get(const struct proc_table *t, long pid);

#endif
