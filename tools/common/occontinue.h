/* occontinue.h - which session `opencode --continue` resumes in a directory, by opencode's own rule. */
#ifndef OCSHIM_OCCONTINUE_H
#define OCSHIM_OCCONTINUE_H

#include "ocdb.h"

enum oc_mode {
    OC_TUI,  /* `opencode [DIR] -c`: the project's sessions at or below DIR (as opencode 1.14-1.18) */
    OC_RUN,  /* `opencode run -c`: the sessions whose directory is DIR */
};

/* The root session `opencode -c` resumes in dir (a path; made absolute and resolved here), or
 * NULL when it would resume none (then opencode opens a new one). A new string. */
char *oc_continue_session(struct ocdb *d, const char *dir, enum oc_mode mode);

/* opencode's `path` of a session: dir relative to the worktree ("" when equal). Exposed for the
 * unit tests. Returns a pointer into dir, or NULL when dir is not under worktree. */
const char *oc_rel_path(const char *worktree, const char *dir);

#endif
