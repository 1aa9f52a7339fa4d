/* recfmt.h - the record format's rules, one definition for the shim, which writes records, and
 * the tools, which read them (docs/RECORD.md): the key table, escaping, a session id's form,
 * the state directory, and what an ended record means. Pure (no allocation, no I/O): compiled
 * into both halves. The file name's rule is recname.h. */
#ifndef OCSHIM_RECFMT_H
#define OCSHIM_RECFMT_H

#include <stddef.h>

#define RECFMT_ID_MAX 64   /* "ses_" + up to 59 letters or digits + NUL */

/* Every key of a version 1 record, in the order the shim writes them. The round-trip test holds
 * the writer, the reader and docs/RECORD.md's key table to this list. */
#define RECFMT_KEYS(X)                                                                      \
    X(ocshim_record) X(pid) X(boot_id) X(start_time) X(started_ms) X(uid) X(exe) X(cwd)     \
    X(argc) X(arg) X(role) X(server_url) X(listen) X(session) X(session_source) X(sessions) \
    X(opencode_version) X(directory) X(tmux_socket) X(tmux_pane) X(tmux_session)            \
    X(tmux_window) X(tmux_window_name) X(tmux_window_layout) X(tmux_layout_ms)              \
    X(tmux_pane_index) X(kitty_window_id) X(kitty_listen_on) X(updated_ms) X(state)         \
    X(exit_how) X(exit_code) X(hangup) X(end)

/* Appends "key=escaped value\n" to buf (cap bytes, *len used); -1 if it does not fit. Escaped:
 * backslash, \n \t \r, and \xHH for every other byte below 0x20 and 0x7f. */
int recfmt_put(char *buf, size_t cap, size_t *len, const char *key, const char *value);
/* Unescapes n bytes of a value into out (room for n + 1 bytes, NUL-terminated); returns the
 * length, or -1 when malformed (a bad escape, an escaped NUL, a raw control byte). */
long recfmt_unescape(const char *s, size_t n, char *out);
/* 1 if the n bytes are a key of RECFMT_KEYS. */
int recfmt_key_known(const char *key, size_t n);
/* 1 if the n bytes are a session id as records carry it: "ses_" + 1-59 letters or digits. */
int recfmt_id_valid(const char *s, size_t n);
/* 1 if s is a tmux pane id as tmux sets $TMUX_PANE and records keep it: '%' and 1 to 10
 * digits (the shim passes it in a command string that tmux parses). */
int recfmt_pane_valid(const char *s);
/* The state directory: OCSHIM_STATE_DIR, else $XDG_STATE_HOME/ocshim, else
 * $HOME/.local/state/ocshim; each only when absolute (a relative one would mean another place
 * in every process's working directory). Writes it into out; 0, or -1 (none, or too long). */
int recfmt_state_dir(char *out, size_t cap, const char *state_dir_env, const char *xdg_state_home,
                     const char *home);
/* What is known of the state directory, gathered by the caller (lstat or fstat, statvfs). */
struct recfmt_dir {
    int is_link;                /* the path itself is a symlink */
    int is_dir;
    unsigned long uid, mode;    /* st_uid, st_mode */
    unsigned long me;           /* the caller's effective uid */
    int read_only;              /* 1 read-only (mount or permission), 0 writable, -1 unknown */
    long long room;             /* bytes this user may still write there; -1 unknown */
};
/* The directory's verdict, first match wins. LINK, NOTDIR, FOREIGN and OPEN are refused by both
 * halves (the shim writes nothing there, the tools read nothing); READONLY and FULL are read,
 * but no record can be written. */
enum recfmt_dir_verdict {
    RECFMT_DIR_OK, RECFMT_DIR_LINK, RECFMT_DIR_NOTDIR, RECFMT_DIR_FOREIGN, RECFMT_DIR_OPEN,
    RECFMT_DIR_READONLY, RECFMT_DIR_FULL
};
/* Room below which no record fits: one record and its temporary copy. */
#define RECFMT_DIR_ROOM 8192
enum recfmt_dir_verdict recfmt_dir_judge(const struct recfmt_dir *d);
/* 1 if the verdict refuses the directory. */
int recfmt_dir_refused(enum recfmt_dir_verdict v);
/* The verdict as the words after "state directory PATH " ("is a symlink: refused ..."); NULL
 * for RECFMT_DIR_OK. */
const char *recfmt_dir_why(enum recfmt_dir_verdict v);

/* 1 if a record's end was a quit on purpose: it exited (state "exited") and the terminal had
 * not hung up (hangup 0, or absent as -1). The restore brings back everything else. */
int recfmt_is_quit(const char *state, int hangup);

#endif
