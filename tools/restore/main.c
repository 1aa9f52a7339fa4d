/* main.c - ocshim-restore: options, then records -> plan -> tmux -> kitty -> output. */
#include "restore.h"
#include "kittyconf.h"
#include "optword.h"
#include "runcmd.h"
#include "tmuxint.h"
#include "shimlib.h"
#include "strbuf.h"

#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char USAGE[] =
    "usage: ocshim-restore [-L NAME | -S PATH] [--dry-run] [--list] [--json] [--all]\n"
    "                      [--no-kitty] [--to ADDRESS] [--kitty-session FILE] [--verbose]\n"
    "Brings back, per tmux pane, the opencode conversation that was open there when tmux or the\n"
    "machine went down (from the records of libocshim.so), and one kitty tab per tmux session.\n"
    "  -L NAME, -S PATH      the tmux server (as tmux's -L/-S; default: the default server)\n"
    "  --dry-run             print the plan and the tmux commands it takes, change nothing\n"
    "  --list                print what is known as a table, change nothing\n"
    "  --json                machine-readable output\n"
    "  --all                 also restore conversations that were quit on purpose\n"
    "  --no-kitty            do not open kitty tabs\n"
    "  --to ADDRESS          kitty's remote-control address (default: $KITTY_LISTEN_ON)\n"
    "  --kitty-session FILE  write a kitty session file (for kitty --session FILE) instead\n"
    "                        of driving kitty ('-' for standard output)\n"
    "  -v, --verbose         print each tmux command to stderr as it runs (as --dry-run prints it)\n"
    "  -h, --help            this help\n"
    "  --version             print the version\n"
    "Exit status: 0 all went well, 1 something could not be restored, 2 bad usage.\n"
    "Environment: OCSHIM_STATE_DIR (records), OPENCODE_DB (opencode's database),\n"
    "OCSHIM_LIB (the shim to preload; default: ../lib/libocshim.so next to this program).\n"
    "In kitty.conf, a key that restores everything (ctrl+shift+r):\n"
    KITTYCONF_LINES("    ");

static void add_name(char ***names, int *n, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (strcmp((*names)[i], s) == 0)
            return;
    *names = xrealloc(*names, sizeof **names * (size_t)(*n + 1));
    (*names)[(*n)++] = xstrdup(s);
}

/* Bad usage: one line on stderr, with where to look, and exit status 2. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ocshim-restore: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see ocshim-restore --help)\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    struct opts o;
    memset(&o, 0, sizeof o);
    enum { O_DRY = 256, O_LIST, O_JSON, O_NOKITTY, O_ALL, O_TO, O_KSESSION, O_VERSION };
    static const struct option longs[] = {
        { "dry-run", no_argument, NULL, O_DRY },     { "list", no_argument, NULL, O_LIST },
        { "json", no_argument, NULL, O_JSON },       { "no-kitty", no_argument, NULL, O_NOKITTY },
        { "all", no_argument, NULL, O_ALL },         { "to", required_argument, NULL, O_TO },
        { "kitty-session", required_argument, NULL, O_KSESSION },
        { "verbose", no_argument, NULL, 'v' },       { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, O_VERSION },
        { NULL, 0, NULL, 0 },
    };
    int c;
    const char *bad = NULL;
    opterr = 0;
    /* "-": the words in order, one that is no option as c == 1; every refusal is one line */
    while ((c = optword_getopt(argc, argv, "-:L:S:vh", longs, &bad)) != -1) {
        switch (c) {
        case 'L': o.tmux_L = optarg; break;
        case 'S': o.tmux_S = optarg; break;
        case O_DRY: o.dry_run = 1; break;
        case O_LIST: o.list = 1; break;
        case O_JSON: o.json = 1; break;
        case O_NOKITTY: o.no_kitty = 1; break;
        case O_ALL: o.all = 1; break;
        case O_TO: o.to = optarg; break;
        case O_KSESSION: o.kitty_session = optarg; break;
        case 'v': o.verbose = 1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        case O_VERSION: puts("ocshim-restore " OCSHIM_VERSION); return 0;
        case 1: return usage_error("unexpected argument '%s'", optarg);
        case ':': return usage_error("option '%s' needs an argument", bad);
        default: return usage_error("unknown option '%s'", bad);
        }
    }
    if (optind < argc)   /* after "--" */
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (o.tmux_L && o.tmux_S)
        return usage_error("give -L NAME or -S PATH, not both");
    if (o.tmux_L && !*o.tmux_L)
        return usage_error("-L needs a tmux server name, not ''");
    if (o.tmux_S && !*o.tmux_S)
        return usage_error("-S needs a tmux socket path, not ''");
    if (o.to && !*o.to)
        return usage_error("--to needs kitty's address, not ''");
    if (o.kitty_session && !*o.kitty_session)
        return usage_error("--kitty-session needs a file name, not ''");

    struct notes notes = { 0 };
    struct ocrec_list recs = { 0 };
    char *dir = ocrec_state_dir();
    /* A run that changes things waits for another one to finish, then looks afresh. */
    int lock = -1;
    if (!o.dry_run && !o.list && !o.kitty_session) {
        lock = runlock_take(dir, RUNLOCK_WAIT_MS, &notes);
        if (lock == -2) {
            fprintf(stderr, "ocshim-restore: another restore has been running for %d s; not restoring beside it\n",
                    RUNLOCK_WAIT_MS / 1000);
            free(dir);
            notes_free(&notes);
            return 1;
        }
    }
    if (!dir)
        notes_add(&notes, "no state directory (OCSHIM_STATE_DIR, XDG_STATE_HOME or HOME must be an absolute path)");
    else
        ocrec_load_dir(dir, &recs, &notes);
    free(dir);
    struct ocdb db;
    ocdb_open(&db, NULL, NULL);         /* its problem, if any, is noted with the facts */
    struct tserver srv;
    tmux_server_init(&srv, &o);
    struct tlive live;
    tmux_live_load(&srv, &live);
    if (live.no_answer) {       /* no plan can be made, nor carried out, beside a mute server */
        fprintf(stderr, "ocshim-restore: the tmux server at %s does not answer (waited %d s; is it stopped?): nothing done\n",
                srv.socket, RUN_TMUX_MS / 1000);
        tmux_live_free(&live);
        tmux_server_free(&srv);
        ocdb_close(&db);
        ocrec_list_free(&recs);
        notes_free(&notes);
        if (lock >= 0)
            close(lock);
        return 1;
    }
    struct proc_table pt;
    proc_table_load(&pt);

    struct facts facts;
    facts_gather(&facts, &recs, &srv, &live, &pt, &db, &notes);
    struct plan plan;
    plan_decide(&plan, &facts, &o, &notes);

    int failed = 0;
    struct tcmds cmds = { 0 };
    struct kitty_result kr;
    memset(&kr, 0, sizeof kr);
    int do_kitty = !o.no_kitty && !o.list;
    if (!o.list) {
        char *shim = shimlib_path();
        int need = 0;
        for (int i = 0; i < plan.n; i++)
            need += plan.v[i].state == P_RESTORE;
        if (!shim && need)
            notes_add(&notes, "libocshim.so not found (set OCSHIM_LIB): opencode is started without it, "
                              "so these panes will not be recorded");
        failed += tmux_apply(&plan, &srv, &live, &pt, shim, o.dry_run, o.verbose, &cmds, &notes);
        free(shim);
    }
    if (do_kitty || (o.kitty_session && !o.list)) {
        char **names = NULL;
        int nn = 0;
        for (int i = 0; i < plan.n; i++) {
            const struct entry *e = &plan.v[i];
            if ((e->state == P_RESTORE && !e->error) || e->state == P_RUNNING || e->state == P_GUESS)
                add_name(&names, &nn, e->tsession);
        }
        if (o.kitty_session) {
            if (!o.dry_run)
                kitty_write_session(o.kitty_session, names, nn, &srv, &kr);
            else
                kr.opened = nn;
        } else {
            kitty_apply(names, nn, &srv, &o, o.dry_run, &kr, &notes);
        }
        if (kr.error)
            failed++;
        for (int i = 0; i < nn; i++)
            free(names[i]);
        free(names);
    }

    if (o.json)
        output_json(&plan, &o, o.list ? NULL : &kr, &notes, &cmds, &srv);
    else if (o.list) {
        output_table(&plan);
        for (int i = 0; i < notes.n; i++)
            fprintf(stderr, "note: %s\n", notes.items[i]);
    } else
        output_text(&plan, &o, &kr, &notes, &cmds, &srv);

    free(kr.error);
    tcmds_free(&cmds);
    plan_free(&plan);
    facts_free(&facts);
    proc_table_free(&pt);
    tmux_live_free(&live);
    tmux_server_free(&srv);
    ocdb_close(&db);
    ocrec_list_free(&recs);
    notes_free(&notes);
    if (lock >= 0)
        close(lock);   /* after the kitty tabs: a waiting run must see them */
    return failed ? 1 : 0;
}
