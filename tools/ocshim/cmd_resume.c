/* cmd_resume.c - `ocshim resume`: the Resume index of the daily log, per tmux session each
 * pane's `cd DIR && opencode --session ID`. Gathers the facts (records, processes, opencode.db)
 * and prints; resume.c decides and formats. */
#include "ocshim.h"

#include "ocdb.h"
#include "quote.h"
#include "resume.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ocshim resume [--md] [SESSION...]\n"
    "The Resume index: per tmux session (the task), each pane's conversation as\n"
    "`cd DIR && opencode --session ID`, with its title (opencode.db, read-only). Running and\n"
    "ended conversations alike, quit on purpose too; per pane the newest record's, a subagent's\n"
    "session as its root. SESSION... limits it to those tmux sessions, in that order.\n"
    "  --md   markdown: a `## Resume` heading, per tmux session `### NAME` and a sh block\n";

int cmd_resume(int argc, char **argv)
{
    enum { O_MD = 256 };
    static const struct option longs[] = {
        { "md", no_argument, NULL, O_MD }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int md = 0, c, nnames = 0;
    const char *bad = NULL;
    char **names = xcalloc((size_t)argc + 1, sizeof *names);
    optind = 0;     /* a fresh scan; "-": the words in order, one that is no option as c == 1 */
    while ((c = optword_getopt(argc, argv, "-:h", longs, &bad)) != -1) {
        switch (c) {
        case O_MD: md = 1; break;
        case 'h': fputs(usage, stdout); free(names); return EXIT_OK;
        case 1: names[nnames++] = optarg; break;
        default: die_option("resume", c, bad);
        }
    }
    while (optind < argc)   /* after "--": names, even one that starts with '-' */
        names[nnames++] = argv[optind++];

    struct ocrec_list recs = { 0 };
    if (load_records(&recs) < 0) {
        free(names);
        return EXIT_FAIL;
    }
    struct notes notes = { 0 };
    struct ocdb db;
    ocdb_open(&db, NULL, &notes);
    struct resume_fact *f = xcalloc((size_t)(recs.n ? recs.n : 1), sizeof *f);
    char **roots = xcalloc((size_t)(recs.n ? recs.n : 1), sizeof *roots);
    char **titles = xcalloc((size_t)(recs.n ? recs.n : 1), sizeof *titles);
    for (int i = 0; i < recs.n; i++) {
        const struct ocrec *r = &recs.v[i];
        f[i].alive = rec_alive(r);
        f[i].known = -1;
        if (!r->session || !session_id_valid(r->session) || ocrec_is_server(r))
            continue;
        struct ocdb_session s;
        int rc = ocdb_root_get(&db, r->session, &roots[i], &s);
        f[i].root = roots[i];
        f[i].known = rc == 1 ? 1 : rc == 0 ? 0 : -1;
        if (rc == 1) {
            titles[i] = s.title ? xstrdup(s.title) : NULL;
            f[i].title = titles[i];
            f[i].archived = s.archived;
            ocdb_session_free(&s);
        }
    }
    struct resume_index x;
    const char *unknown = NULL;
    int rc = EXIT_OK;
    if (resume_decide(recs.v, recs.n, f, names, nnames, &x, &unknown, &notes) < 0) {
        fprintf(stderr, "ocshim resume: no record names a tmux session '%s' (see ocshim ls)\n", unknown);
        rc = EXIT_FAIL;
    } else {
        for (int i = 0; i < notes.n; i++)
            fprintf(stderr, "ocshim: note: %s\n", notes.items[i]);
        struct strbuf out;
        sb_init(&out);
        resume_format(&out, &x, md);
        fputs(out.s, stdout);
        sb_free(&out);
    }
    resume_index_free(&x);
    for (int i = 0; i < recs.n; i++) {
        free(roots[i]);
        free(titles[i]);
    }
    free(roots);
    free(titles);
    free(f);
    free(names);
    notes_free(&notes);
    ocdb_close(&db);
    ocrec_list_free(&recs);
    return rc;
}
