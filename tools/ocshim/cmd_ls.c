/* cmd_ls.c - `ocshim ls`: the records as a table (or JSON), with titles from opencode.db. */
#include "ocshim.h"

#include "ocdb.h"
#include "quote.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ocshim ls [--json]\n"
    "Lists the shim's records, newest first: pid, running/quit/gone, role (tui, run, client of\n"
    "a server, server), tmux target, directory, session id and the conversation's title\n"
    "(opencode.db, read-only). A server has no session: its address stands in the title.\n";

static int newest_first(const void *a, const void *b)
{
    const struct ocrec *x = a, *y = b;
    return (x->updated_ms < y->updated_ms) - (x->updated_ms > y->updated_ms);
}

static void target(struct strbuf *b, const struct ocrec *r)
{
    if (r->tmux_session && *r->tmux_session)
        sb_printf(b, "%s:%s.%s", r->tmux_session, r->tmux_window ? r->tmux_window : "?",
                  r->tmux_pane_index ? r->tmux_pane_index : "?");
    else
        sb_add(b, "-");
}

/* ", \"fields\": {...}": every key the record holds, as written; arg (and any key that
 * repeats) as a list. */
static void fields_json(struct strbuf *out, const struct ocrec *r)
{
    sb_add(out, ", \"fields\": {");
    for (int i = 0; i < r->nkv; i++) {
        const char *k = r->kv[2 * i];
        int first = 1, many = 0;
        for (int j = 0; j < r->nkv; j++)
            if (strcmp(r->kv[2 * j], k) == 0) {
                first &= j >= i;
                many += 1;
            }
        if (!first)
            continue;                   /* a repeated key went out with its first line */
        if (strcmp(k, "arg") == 0)
            many = 2;                   /* arg repeats by definition: always a list */
        sb_add(out, i ? ", " : "");
        quote_json(out, k);
        sb_add(out, many > 1 ? ": [" : ": ");
        for (int j = i, n = 0; j < r->nkv; j++)
            if (strcmp(r->kv[2 * j], k) == 0) {
                sb_add(out, n++ ? ", " : "");
                quote_json(out, r->kv[2 * j + 1]);
            }
        sb_add(out, many > 1 ? "]" : "");
    }
    sb_add(out, "}");
}

int cmd_ls(int argc, char **argv)
{
    enum { O_JSON = 256 };
    static const struct option longs[] = {
        { "json", no_argument, NULL, O_JSON }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int json = 0, c;
    const char *bad = NULL;
    optind = 0;     /* a fresh scan; "-": the words in order, one that is no option as c == 1 */
    while ((c = optword_getopt(argc, argv, "-:h", longs, &bad)) != -1) {
        switch (c) {
        case O_JSON: json = 1; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        case 1: die_usage("ls", "unexpected argument '%s' (see ocshim ls --help)", optarg);
        default: die_option("ls", c, bad);
        }
    }
    if (optind < argc)   /* after "--" */
        die_usage("ls", "unexpected argument '%s' (see ocshim ls --help)", argv[optind]);
    struct ocrec_list recs = { 0 };
    if (load_records(&recs) < 0)
        return EXIT_FAIL;
    if (recs.n)                 /* no records: no array to sort (NULL) */
        qsort(recs.v, (size_t)recs.n, sizeof *recs.v, newest_first);
    struct ocdb db;
    ocdb_open(&db, NULL, NULL);

    struct strbuf out;
    sb_init(&out);
    if (json)
        sb_add(&out, "[");
    else
        sb_printf(&out, "%-8s %-8s %-6s %-20s %-32s %-31s %s\n", "PID", "STATE", "ROLE", "TMUX",
                  "DIRECTORY", "SESSION", "TITLE");
    for (int i = 0; i < recs.n; i++) {
        const struct ocrec *r = &recs.v[i];
        struct ocdb_session s = { 0 };
        int have = r->session && session_id_valid(r->session) &&
                   ocdb_session_get(&db, r->session, &s) == 1;
        const char *dir = ocrec_dir(r);
        const char *role = r->role && *r->role ? r->role : "tui";
        struct strbuf t, title;
        sb_init(&t);
        sb_init(&title);
        target(&t, r);
        if (ocrec_is_server(r))
            sb_printf(&title, "server on %s", r->listen && *r->listen ? r->listen : "(not listening yet)");
        else if (have && s.title)
            sb_add(&title, s.title);
        if (json) {
            sb_add(&out, i ? ",\n {" : "\n {");
            sb_printf(&out, "\"pid\": %ld, \"state\": ", r->pid);
            quote_json(&out, rec_state(r));
            sb_add(&out, ", \"role\": ");
            quote_json(&out, role);
            sb_add(&out, ", \"server_url\": ");
            quote_json(&out, r->server_url ? r->server_url : "");
            sb_add(&out, ", \"listen\": ");
            quote_json(&out, r->listen ? r->listen : "");
            sb_add(&out, ", \"tmux_target\": ");
            quote_json(&out, strcmp(t.s, "-") ? t.s : "");
            sb_add(&out, ", \"tmux_pane\": ");
            quote_json(&out, r->tmux_pane ? r->tmux_pane : "");
            sb_add(&out, ", \"directory\": ");
            quote_json(&out, dir);
            sb_add(&out, ", \"session\": ");
            quote_json(&out, r->session ? r->session : "");
            sb_add(&out, ", \"title\": ");
            quote_json(&out, have && s.title ? s.title : "");
            sb_printf(&out, ", \"updated_ms\": %lld, \"record\": ", r->updated_ms);
            quote_json(&out, r->file);
            fields_json(&out, r);
            sb_add(&out, "}");
        } else {
            sb_printf(&out, "%-8ld %-8s %-6s %-20s %-32s %-31s %s\n", r->pid, rec_state(r), role, t.s, dir,
                      r->session && *r->session ? r->session : "-", title.s);
        }
        sb_free(&t);
        sb_free(&title);
        if (have)
            ocdb_session_free(&s);
    }
    if (json)
        sb_add(&out, recs.n ? "\n]\n" : "]\n");
    fputs(out.s, stdout);
    sb_free(&out);
    if (ocdb_problem(&db))      /* from the open or the first query that failed: one line */
        fprintf(stderr, "ocshim ls: note: %s: no titles\n", ocdb_problem(&db));
    ocdb_close(&db);
    ocrec_list_free(&recs);
    return EXIT_OK;
}
