/* helpers.c - what the ocshim subcommands share: usage errors, loading records, a record's
 * state. Apart from main.c, so that the commands and the dispatcher do not depend on each
 * other. */
#include "ocshim.h"

#include "proc.h"
#include "recfmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void die_option(const char *cmd, int c, const char *word)
{
    if (c == ':')
        die_usage(cmd, "option '%s' needs an argument (see ocshim %s --help)", word, cmd);
    die_usage(cmd, "unexpected argument '%s' (see ocshim %s --help)", word, cmd);
}

int load_records(struct ocrec_list *recs)
{
    struct notes notes = { 0 };
    char *dir = ocrec_state_dir();
    if (!dir) {
        fprintf(stderr, "ocshim: no state directory (OCSHIM_STATE_DIR, XDG_STATE_HOME or HOME must be an absolute path)\n");
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
    if (recfmt_is_quit(r->state, r->hangup))
        return "quit";
    return "gone";
}
