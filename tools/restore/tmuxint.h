/* tmuxint.h - what the files of the restore's tmux phase share (tserver.c, servers.c, tmuxcmds.c,
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

/* A growing argv for one tmux run of several commands (SEP between them); it owns no argument. */
struct targv {
    const char **v;
    int n, cap;
};

void ta_add(struct targv *t, const char *a);
void ta_free(struct targv *t);
void ta_cmd(struct targv *t, const char *name);

/* servers.c: what each pane runs (listeners first, then their clients), and the wait for the
 * servers this run started (see there) */
void choose_commands(struct plan *p, char **exes, struct notes *notes);
void wait_servers(struct plan *p, struct notes *notes);

/* tmuxcmds.c: every tmux command of a restore, in order, decided from the plan and the live
 * panes alone (no answer from tmux), so that --dry-run prints what the real run runs. */
#define NEWFMT "#{session_id}\t#{window_id}\t#{window_index}\t#{pane_id}\t#{pane_index}"
enum tcmd_kind {
    TC_TMUX,        /* a tmux command */
    TC_WAIT,        /* wait until the opencode servers this run started answer (servers.c) */
};
struct tcmd {
    int kind;
    char **argv;        /* TC_TMUX: the command and its arguments (NULL-terminated) */
    int argc;
    int batch;          /* the commands of one batch go to tmux in one run, joined with ";" */
    int entry;          /* the plan entry whose pane it makes, types into or respawns; -1: none */
    int prints;         /* it prints NEWFMT's line of that entry's new pane (-P -F) */
    const char *what;   /* what it makes for the entry: "tmux session", ..., "existing pane", "client" */
    const char *layout; /* it sets this recorded layout of window win of tsession */
    const char *tsession;
    int win;
};
struct tcmds {
    struct tcmd *v;
    int n, cap;
};
/* The commands that start every entry i with go[i] (P_RESTORE, its command chosen, its
 * directory there, its pane free or an idle shell), batched one tmux session per batch:
 * panes in plan order, then the layouts of the windows made; then, when clients wait for a
 * server this run starts, TC_WAIT and their commands. Targets name sessions, windows and
 * panes by the recorded names and indexes (or the live pane's id); what depends on the
 * server's base-index or pane-base-index is left to tmux (if-shell -F). */
void tcmds_build(struct tcmds *l, const struct plan *p, const char *go, const struct tlive *live,
                 const char *shim);
void tcmds_free(struct tcmds *l);
/* One command as a shell line ("tmux -u -S SOCKET new-session ..."): what --dry-run prints
 * and --verbose traces. */
void tcmd_line(struct strbuf *b, const struct tserver *s, const struct tcmd *c);

#endif
