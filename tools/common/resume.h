/* resume.h - the Resume index (`ocshim resume`): which conversation each tmux pane holds, decided
 * from gathered facts, and its text (plain or markdown). Pure: no file, no database, no /proc. */
#ifndef OCSHIM_RESUME_H
#define OCSHIM_RESUME_H

#include "notes.h"
#include "ocrec.h"
#include "strbuf.h"

/* Per record, gathered by the caller: its process, and opencode.db's answer for its session. */
struct resume_fact {
    int alive;              /* its process runs now */
    int known;              /* the session: 1 in opencode.db, 0 not (deleted), -1 no answer */
    const char *root;       /* the conversation: the session's root (ocdb_root_get); NULL: none */
    const char *title;      /* the root's title; NULL: unknown */
    int archived;           /* the root is archived */
};

/* One line of the index: a pane and the conversation to resume there. */
struct resume_pane {
    const char *tsession;   /* tmux session name (the task) */
    int win, pane;          /* window index, pane index */
    const char *dir;        /* where to start opencode ("" unknown) */
    const char *id;         /* the root session id */
    const char *title;      /* NULL: unknown */
    int archived;
    const struct ocrec *rec;
};

struct resume_index {
    struct resume_pane *v;  /* grouped by tmux session (in names' order, else by name), then window, pane */
    int n;
};

/* The index of records v[0..n) with their facts f[0..n). Per pane (ocrec_same_pane), the
 * records no other record supersedes (ocrec_superseded): the pane's occupant, and one that ran
 * alongside it when the panes moved. Whatever their state: running, gone, or quit on purpose.
 * Not listed: records outside tmux, servers, records without a valid session, sessions
 * opencode.db no longer has (a note each); a conversation named in several panes is listed
 * once, where its process runs, else in its newest record's pane. With names (nnames > 0) only
 * those tmux sessions, in that order; a name no record knows: -1 with *unknown set to it (out
 * empty). Else 0. Strings in out point into v and f. */
int resume_decide(const struct ocrec *v, int n, const struct resume_fact *f, char *const *names, int nnames,
                  struct resume_index *out, const char **unknown, struct notes *notes);
void resume_index_free(struct resume_index *x);

/* The index as text. Plain: per tmux session a "# NAME" line, then per pane a "# W.P  TITLE"
 * line and its command, `cd DIR && opencode --session ID`; a blank line between sessions (a
 * valid sh script: each command line can be pasted alone). md: "## Resume", then per tmux
 * session "### NAME" and the same lines in a ```sh fenced block. Control bytes of titles and
 * names become spaces (a title can never start a line of its own). */
void resume_format(struct strbuf *out, const struct resume_index *x, int md);

#endif
