/* tmuxint.h - what the files of the restore's tmux phase share (tserver.c, servers.c, layout.c,
 * panes.c). */
#ifndef OCSHIM_TMUXINT_H
#define OCSHIM_TMUXINT_H

#include "restore.h"
#include "strbuf.h"

/* tserver.c: running tmux, and the live pane list (see there) */
int tmux_run(const struct tserver *s, const char *const *args, struct strbuf *out, struct strbuf *err);
const struct tpane *find_pane(const struct tlive *l, const char *sname, int win, int pane);
const struct tpane *find_session(const struct tlive *l, const char *sname);
void live_add(struct tlive *l, const char *sid, const char *sname, const char *wid, int win, const char *pid_, int pane);

/* A growing argv for one tmux run of several commands (SEP between them), owning what it holds. */
struct targv {
    const char **v;
    char **own;
    int n, nown, cap;
};

void ta_add(struct targv *t, const char *a);
void ta_free(struct targv *t);
const char *ta_target(struct targv *t, const char *name, int win, int pane);
const char *ta_quoted(struct targv *t, const char *a);
void ta_cmd(struct targv *t, const char *name);
void ta_layout(struct targv *t, const char *target, const char *layout);

/* servers.c: what each pane runs (listeners first, then their clients), and the wait for the
 * servers this run started (see there) */
void choose_commands(struct plan *p, char **exes, struct notes *notes);
void wait_servers(struct plan *p, struct notes *notes);

/* layout.c: the recorded layouts of the windows this run made (see there) */
void apply_layouts(const struct plan *p, const struct tserver *s, const struct tlive *live,
                   struct notes *notes);

#endif
