/* cmd_id.c - `ocshim id`: which opencode session is this process (or tmux pane) part of? */
#include "ocshim.h"

#include "occontinue.h"
#include "ocdb.h"
#include "proc.h"
#include "quote.h"
#include "runcmd.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: ocshim id [PID]\n"
    "       ocshim id --pane %N [-L NAME | -S PATH]\n"
    "       ocshim id --continue DIR [--run]\n"
    "Prints the session id of the nearest opencode ancestor of PID (default: the caller),\n"
    "from that process's record; or of a tmux pane, from its @opencode_session option; or the\n"
    "session `opencode DIR --continue` (or, with --run, `opencode run --continue` in DIR) would\n"
    "resume, by opencode's own rule, from opencode.db.\n"
    "Exit 1 when there is none.\n";

/* The live record of process pid (alive, same start time and boot), or NULL. */
static const struct ocrec *record_of(const struct ocrec_list *recs, long pid)
{
    unsigned long long st;
    long ppid;
    if (proc_stat(pid, &st, &ppid) != 0)
        return NULL;
    for (int i = 0; i < recs->n; i++) {
        const struct ocrec *r = &recs->v[i];
        if (r->pid == pid && r->start_time == st && rec_alive(r))
            return r;
    }
    return NULL;
}

static int by_pane(const char *pane, const char *L, const char *S)
{
    if (!pane || pane[0] != '%' || !pane[1] || strspn(pane + 1, "0123456789") != strlen(pane + 1))
        die_usage("id", "--pane takes a pane id like %%3");
    const char *argv[12];
    int a = 0;
    argv[a++] = "tmux";
    if (L) { argv[a++] = "-L"; argv[a++] = L; }
    if (S) { argv[a++] = "-S"; argv[a++] = S; }
    argv[a++] = "show-options"; argv[a++] = "-p"; argv[a++] = "-v"; argv[a++] = "-t";
    argv[a++] = pane; argv[a++] = "@opencode_session"; argv[a] = NULL;
    struct strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    int rc = run_argv(argv, &out, &err, RUN_TMUX_MS);
    while (out.len && (out.s[out.len - 1] == '\n' || out.s[out.len - 1] == '\r'))
        out.s[--out.len] = '\0';
    int ok = rc == 0 && session_id_valid(out.s);
    if (ok)
        printf("%s\n", out.s);
    else if (rc == RUN_TIMEOUT)
        fprintf(stderr, "ocshim id: tmux did not answer within %d s (is its server stopped?)\n",
                RUN_TMUX_MS / 1000);
    else if (rc != 0)
        fprintf(stderr, "ocshim id: tmux has no pane %s (%s)\n", pane,
                err.len ? strtok(err.s, "\n") : "tmux failed");
    else
        fprintf(stderr, "ocshim id: pane %s has no opencode session\n", pane);
    sb_free(&out);
    sb_free(&err);
    return ok ? EXIT_OK : EXIT_FAIL;
}

static int by_continue(const char *dir, int run)
{
    struct ocdb db;
    ocdb_open(&db, NULL, NULL);
    char *sid = oc_continue_session(&db, dir, run ? OC_RUN : OC_TUI);
    int found = sid && session_id_valid(sid);
    if (found)
        printf("%s\n", sid);
    else if (ocdb_problem(&db))
        fprintf(stderr, "ocshim id: %s: cannot tell which session --continue resumes in %s\n",
                ocdb_problem(&db), dir);
    else
        fprintf(stderr, "ocshim id: no session of %s in opencode's database\n", dir);
    int rc = found ? EXIT_OK : EXIT_FAIL;
    free(sid);
    ocdb_close(&db);
    return rc;
}

/* PID, the one word that is no option: a second one, or one starting with '-', is refused. */
static const char *pid_word(const char *pidarg, const char *w)
{
    if (pidarg || w[0] == '-')
        die_usage("id", "unexpected argument '%s' (see ocshim id --help)", w);
    return w;
}

int cmd_id(int argc, char **argv)
{
    enum { O_CONTINUE = 256, O_RUN, O_PANE };
    static const struct option longs[] = {
        { "continue", required_argument, NULL, O_CONTINUE }, { "run", no_argument, NULL, O_RUN },
        { "pane", required_argument, NULL, O_PANE },         { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *pane = NULL, *L = NULL, *S = NULL, *pidarg = NULL, *cont = NULL, *bad = NULL;
    int run = 0, c;
    optind = 0;     /* a fresh scan; "-": the words in order, one that is no option as c == 1 */
    while ((c = optword_getopt(argc, argv, "-:hL:S:", longs, &bad)) != -1) {
        switch (c) {
        case O_CONTINUE: cont = optarg; break;
        case O_RUN: run = 1; break;
        case O_PANE: pane = optarg; break;
        case 'L': L = optarg; break;
        case 'S': S = optarg; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        case 1: pidarg = pid_word(pidarg, optarg); break;
        default: die_option("id", c, bad);
        }
    }
    while (optind < argc)   /* after "--" */
        pidarg = pid_word(pidarg, argv[optind++]);
    if (run && !cont)
        die_usage("id", "--run goes with --continue DIR");
    if (cont)
        return by_continue(cont, run);
    if (pane)
        return by_pane(pane, L, S);
    long pid = getpid();
    if (pidarg) {
        char *end;
        pid = strtol(pidarg, &end, 10);
        if (*end || pid <= 0)
            die_usage("id", "'%s' is not a process id", pidarg);
    }
    struct ocrec_list recs = { 0 };
    if (load_records(&recs) < 0)
        return EXIT_FAIL;
    /* Walk up from pid: the first ancestor with a live record names the session. */
    long p = pid;
    int rc = EXIT_FAIL, found_oc = 0;
    for (int depth = 0; p > 1 && depth < 64; depth++) {
        const struct ocrec *r = record_of(&recs, p);
        if (r && r->session && session_id_valid(r->session)) {
            printf("%s\n", r->session);
            rc = EXIT_OK;
            break;
        }
        found_oc |= r != NULL;
        unsigned long long st;
        long ppid;
        if (proc_stat(p, &st, &ppid) != 0)
            break;
        p = ppid;
    }
    if (rc != EXIT_OK) {
        if (pidarg && proc_stat(pid, &(unsigned long long){ 0 }, &(long){ 0 }) != 0)
            fprintf(stderr, "ocshim id: no process %ld\n", pid);
        else
            fprintf(stderr, "ocshim id: no opencode session known above process %ld%s\n",
                    pid, found_oc ? " (its opencode has no session yet)" : "");
    }
    ocrec_list_free(&recs);
    return rc;
}
