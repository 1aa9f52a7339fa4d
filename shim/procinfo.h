/* procinfo.h - what this process is: opencode or not, its identity, its command line and the
 * environment facts the record needs (tmux, kitty). */
#ifndef OCSHIM_PROCINFO_H
#define OCSHIM_PROCINFO_H

#include <stddef.h>
#include <sys/types.h>

struct procinfo {
    /* Copied by the constructor (no syscalls): */
    int argc;
    char **argv;             /* a private copy */
    char **env;              /* the environment at start-up, without LD_PRELOAD (for children) */
    const char *tmux;        /* $TMUX */
    const char *tmux_pane;   /* $TMUX_PANE */
    const char *kitty_window_id, *kitty_listen_on;
    const char *state_dir_env, *xdg_state_home, *home, *debug;
    char version[64];        /* opencode's, from its embedded program (bunid.h) */
    int hooked_slots;        /* import slots rewritten to the hooks */
    int role;                /* enum procinfo_role */
    const char *server_url;  /* ROLE_CLIENT: the server it attaches to (from argv) */
    /* Filled by procinfo_load (worker thread): */
    pid_t pid;
    uid_t uid;
    char boot_id[33];
    unsigned long long start_time;   /* clock ticks since boot */
    long long started_ms;
    char exe[4096];
    char cwd[4096];
    char tmux_socket[4096];          /* "" when not in tmux (procinfo_tmux_env) */
    long tmux_server_pid;
    char state_dir[4096];
    char name[128];                  /* record file name */
    char listen[64];                 /* ROLE_SERVER: "HOST:PORT" it listens on, once known */
};

/* Started as `ld-linux-x86-64.so.2 PROGRAM`, /proc/self/exe is the loader, which has put the
 * program's path in AT_EXECFN: that path; otherwise NULL. */
const char *procinfo_behind_loader(void);
/* Copies argv, the environment facts and the start directory; 0 on success (allocates;
 * opencode only). */
int procinfo_copy(struct procinfo *pi, int argc, char **argv, char **envp);
/* Reads the identity from /proc and the environment; 0 on success. */
int procinfo_load(struct procinfo *pi);

/* In tmux: $TMUX is "SOCKET,SERVER-PID,SESSION" (the socket path may hold commas) and
 * $TMUX_PANE "%N". Fills socket (cap bytes) and *server_pid and returns 0 when both are of
 * that form; else socket is "", *server_pid 0, and -1 (the shim leaves tmux alone). */
int procinfo_tmux_env(const char *tmux, const char *pane, char *socket, size_t cap, long *server_pid);

/* What this opencode process is, for the record (`role=`) and the restore. */
enum procinfo_role { ROLE_TUI, ROLE_RUN, ROLE_CLIENT, ROLE_SERVER };
const char *procinfo_role_name(int role);

/* Command-line options that name a session. */
struct cli_session {
    const char *session;   /* --session/-s ID, NULL if absent */
    int cont;              /* --continue/-c */
    int fork;              /* --fork */
    int run;               /* the `run` command (else the TUI, or another command: other) */
    int other;             /* a command where --continue is not opencode's local resume (attach, ...) */
    int server;            /* serve, web: a server; its sessions are its clients', not the pane's */
    int acp;               /* acp: an editor's agent over stdio (nothing for the shim to do) */
    int client;            /* attach, or run --attach: works on a server's sessions over HTTP */
    int listens;           /* --port, --hostname or --mdns: the TUI serves others too */
    const char *url;       /* the client's server: attach's URL, or run's --attach value */
    const char *dir;       /* the TUI's project argument, or run's --dir; NULL: the cwd */
};
void procinfo_parse_cli(int argc, char **argv, struct cli_session *out);
/* The role a parsed command line gives the process. */
int procinfo_role(const struct cli_session *cli);

#endif
