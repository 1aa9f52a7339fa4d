/* output.c - print the plan and its results: lines for people, a table (--list), JSON (--json). */
#include "restore.h"
#include "tmuxint.h"
#include "quote.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Terminal-safe copy: control characters become '?'. */
static void safe(struct strbuf *b, const char *s)
{
    for (; s && *s; s++)
        sb_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void when(char *buf, size_t cap, long long ms)
{
    if (ms <= 0) {
        snprintf(buf, cap, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M", &tm);
}

static const char *label(const struct entry *e)
{
    if (e->error)
        return "failed";
    if (e->state == P_RESTORE && e->action && strncmp(e->action, "would", 5) == 0)
        return "restore";
    if (e->state == P_RESTORE && e->action && strstr(e->action, "already runs"))
        return "running";
    if (e->state == P_RESTORE)
        return "restored";
    if (e->state == P_RUNNING || e->state == P_GUESS)
        return pstate_name(e->state);
    return "skipped";
}

void output_text(const struct plan *p, const struct opts *o, const struct kitty_result *kr, const struct notes *notes,
                 const struct tcmds *cmds, const struct tserver *s)
{
    struct strbuf b;
    sb_init(&b);
    for (int i = 0; i < p->n; i++) {
        const struct entry *e = &p->v[i];
        sb_reset(&b);
        sb_printf(&b, "%-9s ", label(e));
        safe(&b, e->tsession);
        sb_printf(&b, ":%d.%d  %s%s  ", e->win, e->pane, e->session_id ? e->session_id : "-",
                  e->guess ? " (guess)" : "");
        safe(&b, e->dir);
        const char *extra = e->error ? e->error : e->action ? e->action : e->why;
        if (extra) {
            sb_add(&b, "  (");
            safe(&b, extra);
            sb_add(&b, ")");
        }
        puts(b.s);
        if (e->error) {
            sb_reset(&b);
            sb_add(&b, "ocshim-restore: could not restore ");
            safe(&b, e->tsession);
            sb_printf(&b, ":%d.%d (%s): ", e->win, e->pane, e->session_id ? e->session_id : "-");
            safe(&b, e->error);
            fprintf(stderr, "%s\n", b.s);
        }
    }
    for (int i = 0; o->dry_run && cmds && i < cmds->n; i++) {
        sb_reset(&b);
        tcmd_line(&b, s, &cmds->v[i]);
        puts(b.s);
    }
    if (kr && (kr->opened || kr->present))
        printf("kitty: %s %d tab(s), %d already open\n", o->dry_run ? "would open" : o->kitty_session ? "wrote" : "opened",
               kr->opened, kr->present);
    if (kr && kr->error)
        fprintf(stderr, "ocshim-restore: %s\n", kr->error);
    for (int i = 0; notes && i < notes->n; i++) {
        sb_reset(&b);
        safe(&b, notes->items[i]);
        fprintf(stderr, "note: %s\n", b.s);
    }
    if (p->n == 0)
        printf("nothing to restore\n");
    sb_free(&b);
}

/* Display width of UTF-8 text: code points (continuation bytes do not count). */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

void output_table(const struct plan *p)
{
    enum { NC = 7 };
    static const char *head[NC] = { "TMUX SESSION", "PANE", "DIRECTORY", "SESSION", "TITLE", "LAST ACTIVITY", "STATE" };
    int wd[NC];
    for (int c = 0; c < NC; c++)
        wd[c] = width(head[c]);
    struct strbuf *cells = xcalloc((size_t)(p->n ? p->n : 1) * NC, sizeof *cells);
    for (int i = 0; i < p->n; i++) {
        const struct entry *e = &p->v[i];
        struct strbuf *r = &cells[i * NC];
        for (int c = 0; c < NC; c++)
            sb_init(&r[c]);
        safe(&r[0], e->tsession);
        sb_printf(&r[1], "%d.%d", e->win, e->pane);
        safe(&r[2], e->dir);
        sb_add(&r[3], e->session_id ? e->session_id : "-");
        safe(&r[4], e->title ? e->title : "-");
        char t[32];
        when(t, sizeof t, e->last_ms);
        sb_add(&r[5], t);
        sb_add(&r[6], pstate_name(e->state));
        if (e->state == P_GUESS || e->guess)
            sb_add(&r[6], " (guess)");
        for (int c = 0; c < NC; c++)
            if (width(r[c].s) > wd[c])
                wd[c] = width(r[c].s);
    }
    for (int c = 0; c < NC; c++)
        printf("%s%*s", head[c], c < NC - 1 ? wd[c] - width(head[c]) + 2 : 0, "");
    printf("\n");
    for (int i = 0; i < p->n; i++) {
        for (int c = 0; c < NC; c++) {
            struct strbuf *x = &cells[i * NC + c];
            printf("%s%*s", x->s, c < NC - 1 ? wd[c] - width(x->s) + 2 : 0, "");
            sb_free(x);
        }
        printf("\n");
    }
    free(cells);
}

void output_json(const struct plan *p, const struct opts *o, const struct kitty_result *kr, const struct notes *notes,
                 const struct tcmds *cmds, const struct tserver *s)
{
    struct strbuf b;
    sb_init(&b);
    sb_printf(&b, "{\"dry_run\":%s,\"entries\":[", o->dry_run || o->list ? "true" : "false");
    for (int i = 0; i < p->n; i++) {
        const struct entry *e = &p->v[i];
        sb_add(&b, i ? ",\n{" : "\n{");
        sb_add(&b, "\"tmux_session\":");
        quote_json(&b, e->tsession);
        sb_printf(&b, ",\"window\":%d,\"pane\":%d,\"directory\":", e->win, e->pane);
        quote_json(&b, e->dir);
        sb_add(&b, ",\"session\":");
        if (e->session_id)
            quote_json(&b, e->session_id);
        else
            sb_add(&b, "null");
        sb_add(&b, ",\"title\":");
        if (e->title)
            quote_json(&b, e->title);
        else
            sb_add(&b, "null");
        sb_printf(&b, ",\"last_activity_ms\":%lld,\"state\":\"%s\",\"guess\":%s,\"result\":\"%s\"", e->last_ms,
                  pstate_name(e->state), e->state == P_GUESS || e->guess ? "true" : "false", label(e));
        const char *fields[][2] = { { "reason", e->why }, { "action", e->action }, { "error", e->error },
                                    { "pane_id", e->pane_id }, { "record", e->rec ? e->rec->file : NULL } };
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            if (!fields[f][1])
                continue;
            sb_printf(&b, ",\"%s\":", fields[f][0]);
            quote_json(&b, fields[f][1]);
        }
        sb_add(&b, "}");
    }
    sb_add(&b, "],\n\"kitty\":");
    if (kr) {
        sb_printf(&b, "{\"opened\":%d,\"present\":%d,\"error\":", kr->opened, kr->present);
        if (kr->error)
            quote_json(&b, kr->error);
        else
            sb_add(&b, "null");
        sb_add(&b, "}");
    } else {
        sb_add(&b, "null");
    }
    sb_add(&b, ",\n\"tmux_commands\":[");
    struct strbuf line;
    sb_init(&line);
    for (int i = 0; cmds && i < cmds->n; i++) {
        sb_reset(&line);
        tcmd_line(&line, s, &cmds->v[i]);
        if (i)
            sb_addc(&b, ',');
        quote_json(&b, line.s);
    }
    sb_free(&line);
    sb_add(&b, "]");
    sb_add(&b, ",\n\"notes\":[");
    for (int i = 0; notes && i < notes->n; i++) {
        if (i)
            sb_addc(&b, ',');
        quote_json(&b, notes->items[i]);
    }
    sb_add(&b, "]}\n");
    fputs(b.s, stdout);
    sb_free(&b);
}
