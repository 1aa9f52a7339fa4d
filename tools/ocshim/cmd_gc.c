/* cmd_gc.c - `ocshim gc`: remove records of ended processes that nothing will use again. */
#include "ocshim.h"

#include "proc.h"
#include "recname.h"
#include "strbuf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: ocshim gc [--dry-run] [--days N]\n"
    "Removes the records of processes that have ended, are older than N days (default 30) and\n"
    "whose tmux pane a later process took over (ocshim-restore would not use them). Running\n"
    "processes' records and the records ocshim-restore would restore are never removed.\n"
    "Also removes the temporary files of records that processes killed while writing left.\n";

/* A process killed while writing its record leaves ".<record>.tmp" (shim/record.c): nothing
 * reads it, and only that process would ever write to it again. Removes those of processes
 * that are gone; returns how many it removed (or would), *failed set after a failure. */
static int gc_tmp(int dfd, int dry, int *failed)
{
    int dup_fd = dfd >= 0 ? dup(dfd) : -1;
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return 0;
    }
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        long pid;
        char boot[33];
        unsigned long long start;
        if (recname_tmp_owner(de->d_name, &pid, boot, &start) != 0 || proc_alive(pid, start, boot))
            continue;
        if (dry) {
            printf("would remove %s (left by pid %ld, killed while writing)\n", de->d_name, pid);
            n++;
        } else if (unlinkat(dfd, de->d_name, 0) == 0) {
            printf("removed %s (left by pid %ld, killed while writing)\n", de->d_name, pid);
            n++;
        } else {
            fprintf(stderr, "ocshim gc: could not remove %s\n", de->d_name);
            *failed = 1;
        }
    }
    closedir(d);
    return n;
}

/* The pane a record names, on its tmux server: what ocshim-restore picks a record by. */
static int same_pane(const struct ocrec *a, const struct ocrec *b)
{
    return ocrec_same_pane(a, b) && ocrec_same_server(a, b);
}

int cmd_gc(int argc, char **argv)
{
    enum { O_DRY = 256, O_DAYS };
    static const struct option longs[] = {
        { "dry-run", no_argument, NULL, O_DRY }, { "days", required_argument, NULL, O_DAYS },
        { "help", no_argument, NULL, 'h' },      { NULL, 0, NULL, 0 },
    };
    int dry = 0, c;
    long days = 30;
    char *end;
    const char *bad = NULL;
    optind = 0;     /* a fresh scan; "-": the words in order, one that is no option as c == 1 */
    while ((c = optword_getopt(argc, argv, "-:hn", longs, &bad)) != -1) {
        switch (c) {
        case 'n': case O_DRY: dry = 1; break;
        case O_DAYS:
            days = strtol(optarg, &end, 10);
            if (!*optarg || *end || days < 0 || days > 100000)
                die_usage("gc", "--days takes a whole number of days, not '%s'", optarg);
            break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        case 1: die_usage("gc", "unexpected argument '%s' (see ocshim gc --help)", optarg);
        default: die_option("gc", c, bad);
        }
    }
    if (optind < argc)   /* after "--" */
        die_usage("gc", "unexpected argument '%s' (see ocshim gc --help)", argv[optind]);
    struct ocrec_list recs = { 0 };
    if (load_records(&recs) < 0)
        return EXIT_FAIL;
    char *dir = ocrec_state_dir();
    int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    long long cutoff = now - days * 86400000LL;
    int removed = 0, kept = 0, rc = EXIT_OK;
    for (int i = 0; i < recs.n; i++) {
        const struct ocrec *r = &recs.v[i];
        int keep = rec_alive(r) || r->updated_ms >= cutoff;
        if (!keep && r->tmux_session && *r->tmux_session) {
            keep = 1;      /* unless a later process took its pane: the restore reads it */
            for (int j = 0; j < recs.n; j++)
                if (j != i && same_pane(r, &recs.v[j]) && ocrec_supersedes(&recs.v[j], r))
                    keep = 0;
        }
        if (keep) {
            kept++;
            continue;
        }
        long long age_days = (now - r->updated_ms) / 86400000LL;
        if (dry) {
            printf("would remove %s (pid %ld, %s, %lld days old)\n", r->file, r->pid,
                   r->session && *r->session ? r->session : "no session", age_days);
            removed++;
        } else if (dfd >= 0 && unlinkat(dfd, r->file, 0) == 0) {
            printf("removed %s (pid %ld, %s, %lld days old)\n", r->file, r->pid,
                   r->session && *r->session ? r->session : "no session", age_days);
            removed++;
        } else {
            fprintf(stderr, "ocshim gc: could not remove %s\n", r->file);
            rc = EXIT_FAIL;
        }
    }
    int failed = 0, tmps = gc_tmp(dfd, dry, &failed);
    if (failed)
        rc = EXIT_FAIL;
    printf("gc: %d record%s %s, %d kept", removed, removed == 1 ? "" : "s",
           dry ? "to remove" : "removed", kept);
    if (tmps)
        printf(", %d leftover temporary file%s %s", tmps, tmps == 1 ? "" : "s", dry ? "to remove" : "removed");
    putchar('\n');
    if (dfd >= 0)
        close(dfd);
    free(dir);
    ocrec_list_free(&recs);
    return rc;
}
