/* ocrec.h - read the shim's per-process records (docs/RECORD.md, format version 1). */
#ifndef OCSHIM_OCREC_H
#define OCSHIM_OCREC_H

#include "notes.h"
#include "recfmt.h"

#include <stddef.h>

struct ocrec {
    char *file;                 /* file name inside the state directory */
    long pid;
    char boot_id[33];
    unsigned long long start_time;
    long long started_ms, updated_ms;
    long long tmux_layout_ms;   /* when tmux_window_layout was seen as it is; 0 unknown */
    long uid;                   /* -1 when absent */
    char *exe, *cwd, *directory;
    int argc;                   /* number of arg lines read */
    char **argv;                /* NULL-terminated */
    char *session, *session_source, *sessions, *opencode_version;
    char *tmux_socket, *tmux_pane, *tmux_session, *tmux_window, *tmux_window_name, *tmux_pane_index;
    char *tmux_window_layout;
    char *kitty_window_id, *kitty_listen_on;
    char *role;                 /* "tui", "run", "client", "server"; NULL in older records (a TUI) */
    char *server_url;           /* client: the server it attaches to, as given */
    char *listen;               /* server: "HOST:PORT" it listened on ("" before it did) */
    char *state, *exit_how;     /* state: "running" or "exited" */
    int exit_code;
    int hangup;                 /* -1 when absent */
    char **kv;                  /* every line as read: key, value, key, value... (nkv pairs) */
    int nkv;
};

struct ocrec_list {
    struct ocrec *v;
    int n, cap;
};

/* Unescapes one value (\\ \n \t \r \xHH); returns a new string, or NULL when malformed
 * (a bad escape, or an escaped NUL). */
char *ocrec_unescape(const char *s, size_t n);
/* Parses one record's bytes. Returns 0, or -1 with *why set (the record must be skipped). */
int ocrec_parse(const char *buf, size_t len, struct ocrec *r, const char **why);
void ocrec_free(struct ocrec *r);

/* The state directory, by the shim's own rule (recfmt_state_dir). Returns a new string, or NULL
 * when none is known (no absolute OCSHIM_STATE_DIR, XDG_STATE_HOME or HOME). */
char *ocrec_state_dir(void);
/* The state directory's verdict by the shim's own rule (recfmt_dir_judge), from lstat, statvfs
 * and access; *missing is 1 when it does not exist (yet: RECFMT_DIR_OK). */
enum recfmt_dir_verdict ocrec_dir_check(const char *dir, int *missing);
/* Opens dir (a directory, not through a symlink) when the shim's rule takes it and it is
 * still ours once open: the descriptor, or -1 with a note saying why (none when it is
 * missing: *missing is then 1). *verdict: the rule's (a read-only or full one is opened). */
int ocrec_dir_open(const char *dir, enum recfmt_dir_verdict *verdict, int *missing, struct notes *notes);
/* Loads every valid record of dir into out (appending). Skipped files (symlinks, other
 * owners, truncated, malformed) get a note each. A missing directory is not an error (0
 * records); an unsafe one (symlink, foreign, group/world-writable) is refused with a note; a
 * read-only or full one is read, with a note.
 * Returns the number of records loaded, or -1 when the directory was refused. */
int ocrec_load_dir(const char *dir, struct ocrec_list *out, struct notes *notes);
void ocrec_list_free(struct ocrec_list *l);
/* 1 if a is newer than b: updated_ms, then started_ms. */
int ocrec_newer(const struct ocrec *a, const struct ocrec *b);
/* When tmux last told the record's process where its pane is (and the window's layout): the
 * layout's time, else the record's own. */
long long ocrec_place_ms(const struct ocrec *r);
/* 1 if a knows its pane's place more recently than b: when tmux last told it (the layout's
 * time), else the record's time; then ocrec_newer. The rule that gives a pane to one of the
 * records that name it (ocshim-restore). */
int ocrec_pane_newer(const struct ocrec *a, const struct ocrec *b);
/* 1 if q took r's pane after r: both name the same pane, q knows it more recently, and q's
 * process started after r's last word (or in another boot). A record named by others but
 * not superseded ran alongside them (the panes moved): the restore brings it back in a pane
 * of its own, and `ocshim gc` keeps it. */
int ocrec_supersedes(const struct ocrec *q, const struct ocrec *r);
/* 1 if some record of v[0..n) that among marks (among[k] != 0; NULL: all) supersedes v[i]: the
 * record is an earlier occupant of its pane, whose conversation is no longer the pane's. The
 * restore drops it; `ocshim resume` does not list it. */
int ocrec_superseded(const struct ocrec *v, int n, int i, const char *among);
/* Where the record's opencode works: the session's directory when the log said it, else the
 * working directory it started in ("" when neither is known). */
const char *ocrec_dir(const struct ocrec *r);
/* 1 if both records name the same tmux pane: session name, window and pane index (the
 * server's socket is not compared). Absent fields compare as empty. */
int ocrec_same_pane(const struct ocrec *a, const struct ocrec *b);
/* 1 if both records name the same tmux server (socket path; absent compares as empty): a pane
 * is one only with its server, as session names and indexes repeat across servers. */
int ocrec_same_server(const struct ocrec *a, const struct ocrec *b);
/* A tmux window or pane index as records and tmux-resurrect's save file write it: digits, 0 to
 * 100000. 0 and *v set, or -1 (empty, NULL, not digits, too big) and *v untouched. */
int ocrec_index(const char *s, int *v);
/* 1 if the record is of an opencode server (serve, web): it has no session of its own. */
int ocrec_is_server(const struct ocrec *r);
/* 1 if the record is of a client of a server (attach, run --attach). */
int ocrec_is_client(const struct ocrec *r);

#endif
