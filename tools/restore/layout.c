/* layout.c - the windows the restore made get their recorded layouts back. */
#include "restore.h"
#include "tmuxint.h"

#include <stdlib.h>
#include <string.h>

/* How many panes a layout string describes: one "WxH" per cell, minus the cells that split
 * ('{' side by side, '[' one above the other). */
static int layout_panes(const char *l)
{
    int cells = 0, splits = 0;
    for (; *l; l++) {
        cells += *l == 'x';
        splits += *l == '{' || *l == '[';
    }
    return cells - splits;
}

/* The commands that give one window its layout: the missing plain shells first (made at the
 * end, one after the other, tiled between splits so there is room), then the layout. */
static void layout_cmds(struct targv *t, const char *name, int win, int last, int shells, const char *dir,
                        const char *layout)
{
    for (int k = 0; k < shells; k++) {
        ta_cmd(t, "split-window");
        ta_add(t, "-d");
        ta_add(t, "-t");
        ta_add(t, ta_target(t, name, win, last + k));
        ta_add(t, "-c");
        ta_add(t, ta_quoted(t, dir));
        ta_layout(t, ta_target(t, name, win, -1), "tiled");
    }
    ta_layout(t, ta_target(t, name, win, -1), layout);
}

/* The windows this run made get their recorded layout back (split sides and sizes): the
 * freshest layout among the window's records. A layout with more panes than the window has
 * (plain shells after the last opencode pane: no record) first gets those shells, in the last
 * pane's directory; a layout with fewer is not forced. A window that existed before keeps the
 * layout it has. The windows that only need their layout set share one tmux run; when that
 * run fails (tmux stops at the first failing command), each is tried again on its own.
 * The plan is sorted by session, window and pane: a window's entries are one run of it. */
void apply_layouts(const struct plan *p, const struct tserver *s, const struct tlive *live,
                          struct notes *notes)
{
    struct targv all = { 0 };
    int *todo = xcalloc((size_t)p->n + 1, sizeof *todo), ntodo = 0;
    const char **todo_layout = xcalloc((size_t)p->n + 1, sizeof *todo_layout);
    for (int i = 0, end; i < p->n; i = end) {
        const struct entry *e = &p->v[i];
        int made = 0;
        const char *layout = NULL, *dir = e->dir;
        long long fresh = -1;
        for (end = i; end < p->n && strcmp(p->v[end].tsession, e->tsession) == 0 && p->v[end].win == e->win; end++) {
            const struct entry *f = &p->v[end];
            made |= f->new_window;
            if (f->layout && f->layout_ms > fresh) {
                layout = f->layout;
                fresh = f->layout_ms;
            }
            if (f->new_window || f->pane_id)
                dir = f->dir;         /* the last pane's: for the shells after it */
        }
        if (!made || !layout)
            continue;
        int panes = 0;
        for (int k = 0; k < live->n; k++)
            panes += strcmp(live->v[k].session_name, e->tsession) == 0 && live->v[k].win == e->win;
        int want = layout_panes(layout), last = tlive_max_pane(live, e->tsession, e->win);
        if (want < 2 || panes < 1 || want < panes || want - panes > 16)
            continue;
        if (want > panes) {           /* shells to make: a run of its own, never repeated */
            struct targv t = { 0 };
            layout_cmds(&t, e->tsession, e->win, last, want - panes, dir, layout);
            if (tmux_run(s, t.v, NULL, NULL) != 0)
                notes_add(notes, "tmux could not give %s:%d its recorded layout", e->tsession, e->win);
            ta_free(&t);
        } else {
            layout_cmds(&all, e->tsession, e->win, last, 0, dir, layout);
            todo_layout[ntodo] = layout;
            todo[ntodo++] = i;
        }
    }
    if (all.n && tmux_run(s, all.v, NULL, NULL) != 0) {
        for (int k = 0; k < ntodo; k++) {   /* select-layout again is harmless */
            const struct entry *e = &p->v[todo[k]];
            struct targv t = { 0 };
            layout_cmds(&t, e->tsession, e->win, 0, 0, NULL, todo_layout[k]);
            if (tmux_run(s, t.v, NULL, NULL) != 0)
                notes_add(notes, "tmux could not give %s:%d its recorded layout", e->tsession, e->win);
            ta_free(&t);
        }
    }
    ta_free(&all);
    free(todo);
    free(todo_layout);
}
