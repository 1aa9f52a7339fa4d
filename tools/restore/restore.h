/* restore.h - shared types of ocshim-restore: options, the per-pane plan, live tmux state. */
#ifndef OCSHIM_RESTORE_H
#define OCSHIM_RESTORE_H

#include "notes.h"
#include "ocdb.h"
#include "proc.h"
#include "ocrec.h"

struct opts {
    const char *tmux_L, *tmux_S;   /* -L NAME / -S PATH */
    const char *to;                /* --to ADDRESS (kitty) */
    const char *kitty_session;     /* --kitty-session FILE */
    int dry_run, list, json, no_kitty, all, verbose;
};

enum pstate {
    P_RESTORE,    /* open when things went down: to be started */
    P_RUNNING,    /* its opencode is alive */
    P_QUIT,       /* quit on purpose (restored only with --all) */
    P_DELETED,    /* not in opencode.db */
    P_ARCHIVED,   /* archived in opencode.db */
    P_DUPLICATE,  /* the same session is open or restored elsewhere */
    P_BADID,      /* the record has no valid session id */
    P_GUESS,      /* opencode runs in a live pane without a record: newest root session of its dir */
};

enum entry_role { E_TUI, E_CLIENT, E_SERVER };

struct entry {
    char *tsession;          /* tmux session name */
    int win, pane;           /* window index, pane index */
    char *win_name;
    char *layout;            /* the window's layout when recorded (checked: tmux's layout form) */
    long long layout_ms;     /* when the shim saw that layout (else the record's updated_ms) */
    char *dir;               /* working directory to restore in */
    char *session_id;        /* may be NULL (P_BADID, or a guess that found nothing) */
    char *exe;               /* recorded opencode executable (may no longer exist) */
    int role;                /* enum entry_role: what the pane ran */
    char *url;               /* E_CLIENT: the server's URL it attaches to (rewritten when the server moves) */
    char *listen;            /* "HOST:PORT" it listened on (a server, or a TUI started with --port); NULL: none */
    int port;                /* a listener being restored: the port it is started on (0: its own choice) */
    int held;                /* E_CLIENT: started after its server, restored in this run, answers
                              * (its pane runs a stand-in until then: tmuxcmds.c) */
    int started;             /* this run started it (or, dry, would): set with its "started" action */
    char **argv;             /* what the pane runs (exe first), set by tmux_apply (cmdline.h) */
    const struct ocrec *rec; /* NULL for a guess */
    long long updated_ms;
    enum pstate state;
    int was_quit;            /* P_RESTORE under --all of a quit-on-purpose record */
    int guess;               /* the session id is a guess (no record; from tmux-resurrect) */
    int displaced;           /* its pane is claimed by a newer record of a process alive with it */
    char *why;               /* reason for a skip, or the duplicate's other place */
    char *title;             /* from opencode.db */
    long long last_ms;       /* the conversation's last activity (opencode.db), 0 unknown */
    /* results of the tmux phase */
    char *action;            /* what was done (or would be, with --dry-run) */
    char *error;             /* why it could not be restored */
    char *pane_id;           /* the tmux pane now holding it */
};

struct plan {
    struct entry *v;
    int n, cap;
};

/* One pane of the live tmux server. */
struct tpane {
    char *session_id, *session_name, *window_id, *pane_id;
    int win, pane;
    long pid;
};
struct tlive {
    struct tpane *v;
    int n, cap;
    int server_up;
    int no_answer;   /* the server exists but did not answer (stopped, wedged): touch nothing */
};

/* The tmux server chosen by -L/-S (or the default): argv prefix and socket path. */
struct tserver {
    char *argv[5];   /* "tmux" -u [-L NAME | -S PATH] NULL-terminated */
    int argc;
    char *socket;    /* socket path */
    int is_default;
};

/* Everything the planner decides on, gathered first (facts.c): plan_decide reads no /proc, no
 * database and no file, so each of its rules has a unit test over facts made by hand. */
struct dbfact {              /* opencode.db's answer for one session id */
    char *id;                /* as a record or a guess names it */
    int known;               /* 1: in the database, 0: not in it, -1: no answer (no database) */
    char *root;              /* the conversation: its root session (itself for a root) */
    char *title;
    long long time_updated;  /* the root's last activity, ms */
    int archived;
};
struct guessfact {           /* a pane that ran opencode but has no record to say which session */
    char *tsession;
    int win, pane;
    char *win_name;          /* tmux-resurrect only */
    char *pane_id;           /* a live pane only */
    long oc_pid;             /* a live pane: the opencode process below it */
    char *dir;               /* its directory ("" unknown) */
    char *exe;               /* tmux-resurrect: the program, when its command names it by path */
    char *sid;               /* the newest root session of dir in opencode.db; NULL: none */
};
struct facts {
    const struct ocrec_list *recs;
    const char *socket;      /* this tmux server's */
    char *alive;             /* per record: its process is alive */
    char *here;              /* per record: it names this tmux server */
    struct dbfact *db;
    int ndb;
    const struct tlive *live;      /* the live tmux panes (NULL: none known) */
    struct guessfact *running;     /* live panes running opencode */
    int nrunning;
    struct guessfact *saved;       /* tmux-resurrect's panes that ran opencode (a TUI) */
    int nsaved;
    int db_broken;           /* opencode.db gave no answers (locked, damaged, missing): no guesses */
};

/* facts.c */
/* Reads what the plan needs: each record's process, opencode.db's answer for each session,
 * live panes running opencode, tmux-resurrect's save file. */
void facts_gather(struct facts *f, const struct ocrec_list *recs, const struct tserver *srv,
                  const struct tlive *live, const struct proc_table *pt, struct ocdb *db, struct notes *notes);
/* Adds opencode.db's answer for id (once per id). */
void facts_db_add(struct facts *f, struct ocdb *db, const char *id);
/* opencode.db's answer for id; NULL when it was never asked. */
const struct dbfact *facts_db(const struct facts *f, const char *id);
void facts_free(struct facts *f);

/* resurrect.c */
/* tmux-resurrect's save file: the panes whose command was opencode's TUI, appended to f
 * (sid not yet set). A save file that cannot be read gets a note. */
void resurrect_load(struct facts *f, struct notes *notes);

/* plan.c */
/* The plan: one entry per tmux pane, decided from the facts alone. */
void plan_decide(struct plan *p, const struct facts *f, const struct opts *o, struct notes *notes);
void plan_free(struct plan *p);
/* 1 if a recorded window layout has tmux's form (hex, digits, ',', 'x', brackets; short). */
int plan_layout_valid(const char *l);
/* qsort order of a plan's entries: tmux session name, window, pane (0: the same pane). */
int plan_entry_cmp(const void *pa, const void *pb);
/* entry.c */
/* A new zeroed entry at the end of the plan. */
struct entry *plan_add(struct plan *p);
/* Title, last activity, deleted/archived state from opencode.db's answer (a subagent's
 * session becomes its root's). With elsewhere, a session missing from this machine's database
 * is not taken for deleted (a client of another machine's server). */
void plan_fill_db(struct entry *e, const struct facts *f, int elsewhere);
const char *pstate_name(enum pstate s);

/* tserver.c */
int tmux_server_init(struct tserver *s, const struct opts *o);
void tmux_server_free(struct tserver *s);
int tmux_live_load(const struct tserver *s, struct tlive *l);
void tmux_live_free(struct tlive *l);
/* The highest pane index of window win of session sname in l; -1 when it has none. */
int tlive_max_pane(const struct tlive *l, const char *sname, int win);

/* panes.c */
struct tcmds;
/* Creates sessions/windows/panes and starts opencode for every P_RESTORE entry: l gets the
 * tmux commands (tmuxint.h; the caller frees them with tcmds_free), run unless dry_run (each
 * printed to stderr as it runs with verbose). Returns the number of entries that failed.
 * With dry_run, fills entry->action with what it would do. */
int tmux_apply(struct plan *p, const struct tserver *s, struct tlive *live, const struct proc_table *pt,
               const char *shim, int dry_run, int verbose, struct tcmds *l, struct notes *notes);

/* kitty.c */
struct kitty_result {
    int opened, present;
    char *error;   /* NULL when all went well */
};
/* Opens one tab per name unless one already attaches to it. */
void kitty_apply(char **names, int n, const struct tserver *s, const struct opts *o, int dry_run,
                 struct kitty_result *kr, struct notes *notes);
/* Writes a kitty session file with one tab per name; 0 or -1 (error in kr). */
int kitty_write_session(const char *file, char **names, int n, const struct tserver *s, struct kitty_result *kr);
/* The tmux attach argv for a session (NULL-terminated, malloc'd strings; free with argv_free). */
char **kitty_attach_argv(const struct tserver *s, const char *name);
void argv_free(char **v);
/* 1 when a kitty window's cmdline (array of n strings) attaches to tmux session name on server s. */
int kitty_cmdline_attaches(char *const *args, int n, const char *name, const struct tserver *s);

/* output.c */
/* With --dry-run, cmds (the tmux commands, tmuxint.h) are printed after the entries. */
void output_text(const struct plan *p, const struct opts *o, const struct kitty_result *kr,
                 const struct notes *notes, const struct tcmds *cmds, const struct tserver *s);
void output_table(const struct plan *p);
void output_json(const struct plan *p, const struct opts *o, const struct kitty_result *kr,
                 const struct notes *notes, const struct tcmds *cmds, const struct tserver *s);

/* runlock.c */
#define RUNLOCK_WAIT_MS 180000   /* a restore waits this long for another one */
/* Takes the one-restore-at-a-time lock in state_dir (made if missing), waiting up to
 * timeout_ms: the lock's descriptor (hold it until done), -1 when there is no lock to be had
 * (a note says why, or, for a state directory the shim's rule refuses, ocrec_load_dir's; the
 * run goes on), -2 when another run held it all that time. */
int runlock_take(const char *state_dir, int timeout_ms, struct notes *notes);

#endif
