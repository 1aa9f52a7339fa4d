/* resurrect.c - the fallback for panes that tmux-resurrect's save file shows running opencode
 * but that have no record (opencode was started without the shim): restore the newest root
 * session of the pane's directory, marked as a guess.
 *
 * The save file (~/.local/share/tmux/resurrect/last, or ~/.tmux/resurrect/last) has one
 * tab-separated `pane` line per pane: pane, session name, window index, :window name, window
 * active, :window flags, pane index, [:pane title,] :directory, pane active, command,
 * [:full command] (the fields in brackets vary with tmux-resurrect's version). */
#include "restore.h"

#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The save file to read: $OCSHIM_RESURRECT_FILE, else tmux-resurrect's `last` link. */
static char *save_file(void)
{
    const char *e = getenv("OCSHIM_RESURRECT_FILE");
    if (e)
        return *e ? xstrdup(e) : NULL;
    const char *home = getenv("HOME"), *xdg = getenv("XDG_DATA_HOME");
    struct strbuf b;
    sb_init(&b);
    if (xdg && *xdg)
        sb_printf(&b, "%s/tmux/resurrect/last", xdg);
    else if (home)
        sb_printf(&b, "%s/.local/share/tmux/resurrect/last", home);
    if (b.len && access(b.s, R_OK) == 0)
        return sb_take(&b);
    sb_reset(&b);
    if (home)
        sb_printf(&b, "%s/.tmux/resurrect/last", home);
    if (b.len && access(b.s, R_OK) == 0)
        return sb_take(&b);
    sb_free(&b);
    return NULL;
}

static int is_opencode(const char *cmd)
{
    const char *c = cmd[0] == ':' ? cmd + 1 : cmd;
    /* the command name, or a full command line whose program is opencode */
    size_t n = strcspn(c, " ");
    const char *base = c;
    for (const char *q = c; q < c + n; q++)
        if (*q == '/')
            base = q + 1;
    size_t bn = (size_t)(c + n - base);
    if (bn != 8 || strncmp(base, "opencode", 8) != 0)
        return 0;
    /* a server, a client or a one-shot run is not a TUI to resume on a guessed session */
    const char *arg = c + n + strspn(c + n, " ");
    static const char *const not_tui[] = { "serve", "web", "attach", "acp", "run", NULL };
    for (int i = 0; not_tui[i]; i++) {
        size_t k = strlen(not_tui[i]);
        if (strncmp(arg, not_tui[i], k) == 0 && (arg[k] == ' ' || arg[k] == '\0'))
            return 0;
    }
    return 1;
}

static int has_entry(const struct plan *p, const char *sname, int win, int pane)
{
    for (int k = 0; k < p->n; k++)
        if (strcmp(p->v[k].tsession, sname) == 0 && p->v[k].win == win && p->v[k].pane == pane)
            return 1;
    return 0;
}

static int session_taken(const struct plan *p, const char *sid)
{
    for (int k = 0; k < p->n; k++)
        if (p->v[k].session_id && strcmp(p->v[k].session_id, sid) == 0 &&
            (p->v[k].state == P_RESTORE || p->v[k].state == P_RUNNING || p->v[k].state == P_GUESS))
            return 1;
    return 0;
}

void resurrect_guesses(struct plan *p, struct ocdb *db, struct notes *notes)
{
    char *path = save_file();
    if (!path)
        return;
    FILE *f = fopen(path, "r");
    if (!f) {
        notes_add(notes, "tmux-resurrect save file %s: cannot read it", path);
        free(path);
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        char *fld[16];
        int nf = 0;
        for (char *s = line; nf < 16;) {
            fld[nf++] = s;
            char *t = strchr(s, '\t');
            if (!t)
                break;
            *t = '\0';
            s = t + 1;
        }
        if (nf < 10 || strcmp(fld[0], "pane") != 0)
            continue;
        char *end;
        long win = strtol(fld[2], &end, 10), pane;
        if (*end || win < 0)
            continue;
        pane = strtol(fld[6], &end, 10);
        if (*end || pane < 0)
            continue;
        int di = -1;   /* the directory: the first ":/..." field after the pane index */
        for (int i = 7; i < nf && di < 0; i++)
            if (fld[i][0] == ':' && fld[i][1] == '/')
                di = i;
        if (di < 0)
            continue;
        int oc = 0;
        const char *exe = NULL;   /* a full command naming opencode by its path */
        for (int i = di + 1; i < nf; i++)
            if (is_opencode(fld[i])) {
                oc = 1;
                if (fld[i][0] == ':' && fld[i][1] == '/')
                    exe = fld[i] + 1;
            }
        if (!oc || has_entry(p, fld[1], (int)win, (int)pane))
            continue;                      /* not opencode, or a record (or live pane) speaks */
        const char *dir = fld[di] + 1;
        char *sid = ocdb_newest_root(db, dir);
        if (!sid) {
            notes_add(notes, "%s:%ld.%ld ran opencode (tmux-resurrect) but its directory has no "
                      "session in opencode's database", fld[1], win, pane);
            continue;
        }
        int taken = session_taken(p, sid);   /* before the new entry joins the plan */
        struct entry *e = plan_add(p);
        e->tsession = xstrdup(fld[1]);
        e->win = (int)win;
        e->pane = (int)pane;
        e->win_name = xstrdup(fld[3][0] == ':' ? fld[3] + 1 : fld[3]);
        e->dir = xstrdup(dir);
        if (exe) {
            struct strbuf x;
            sb_init(&x);
            sb_addn(&x, exe, strcspn(exe, " "));
            e->exe = sb_take(&x);
        }
        e->session_id = sid;
        e->guess = 1;
        if (taken) {
            e->state = P_DUPLICATE;
            e->why = xstrdup("the guessed session is already restored or open elsewhere");
        } else {
            e->state = P_RESTORE;
            e->why = xstrdup("no record: newest root session of its directory (a guess, from tmux-resurrect)");
        }
        plan_fill_db(e, db, 0);
    }
    free(line);
    fclose(f);
    free(path);
}
