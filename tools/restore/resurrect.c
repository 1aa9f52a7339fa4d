/* resurrect.c - reads tmux-resurrect's save file: the panes it shows running opencode's TUI
 * (facts for the fallback guess of plan.c, for panes with no record: opencode was started
 * without the shim).
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

void resurrect_load(struct facts *f, struct notes *notes)
{
    char *path = save_file();
    if (!path)
        return;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        notes_add(notes, "tmux-resurrect save file %s: cannot read it", path);
        free(path);
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) > 0) {
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
        int win, pane;   /* digits, 0 to 100000 (ocrec_index, as a record's) */
        if (ocrec_index(fld[2], &win) || ocrec_index(fld[6], &pane))
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
        if (!oc)
            continue;
        f->saved = xrealloc(f->saved, sizeof *f->saved * (size_t)(f->nsaved + 1));
        struct guessfact *g = &f->saved[f->nsaved++];
        memset(g, 0, sizeof *g);
        g->tsession = xstrdup(fld[1]);
        g->win = win;
        g->pane = pane;
        g->win_name = xstrdup(fld[3][0] == ':' ? fld[3] + 1 : fld[3]);
        g->dir = xstrdup(fld[di] + 1);
        if (exe) {
            struct strbuf x;
            sb_init(&x);
            sb_addn(&x, exe, strcspn(exe, " "));
            g->exe = sb_take(&x);
        }
    }
    free(line);
    fclose(fp);
    free(path);
}
