/* main.c - `ocshim`: dispatch to the subcommands; shared helpers for them. */
#include "ocshim.h"

#include "proc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ocshim COMMAND [ARGS]\n"
    "  id [PID]            session id of the nearest opencode ancestor of PID (default: the caller)\n"
    "  id --pane %N        session id of a tmux pane\n"
    "  id --continue DIR [--run]  the session `opencode --continue` resumes in DIR\n"
    "  ls [--json]         the records: pid, state, tmux target, directory, session, title\n"
    "  doctor              check the set-up; each failed check says how to fix it\n"
    "  init bash|zsh|fish [--alias]\n"
    "                      the lines for your shell's rc file\n"
    "  gc [--dry-run] [--days N]\n"
    "                      remove records of ended processes older than N days (default 30),\n"
    "                      never the last record of a tmux pane\n"
    "Each command takes --help. Exit: 0 ok, 1 failed or not found, 2 bad usage.\n";

void die_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "ocshim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(EXIT_USAGE);
}

int load_records(struct ocrec_list *recs)
{
    struct notes notes = { 0 };
    char *dir = ocrec_state_dir();
    if (!dir) {
        fprintf(stderr, "ocshim: no state directory (set HOME or OCSHIM_STATE_DIR)\n");
        return -1;
    }
    int n = ocrec_load_dir(dir, recs, &notes);
    for (int i = 0; i < notes.n; i++)
        fprintf(stderr, "ocshim: note: %s\n", notes.items[i]);
    notes_free(&notes);
    free(dir);
    return n;
}

int rec_alive(const struct ocrec *r)
{
    return proc_alive(r->pid, r->start_time, r->boot_id);
}

const char *rec_state(const struct ocrec *r)
{
    if (rec_alive(r))
        return "running";
    if (r->state && strcmp(r->state, "exited") == 0 && r->hangup != 1)
        return "quit";
    return "gone";
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *c = argv[1];
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(c, "id") == 0)
        return cmd_id(argc - 1, argv + 1);
    if (strcmp(c, "ls") == 0)
        return cmd_ls(argc - 1, argv + 1);
    if (strcmp(c, "doctor") == 0)
        return cmd_doctor(argc - 1, argv + 1);
    if (strcmp(c, "init") == 0)
        return cmd_init(argc - 1, argv + 1);
    if (strcmp(c, "gc") == 0)
        return cmd_gc(argc - 1, argv + 1);
    fprintf(stderr, "ocshim: unknown command '%s' (see ocshim --help)\n", c);
    return EXIT_USAGE;
}
