/* tmuxctl.c - publish the session id to tmux and read the pane's place (see tmuxctl.h).
 * Runs in: worker thread.
 */
#include "tmuxctl.h"

#include "recfmt.h"
#include "spawnread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TMUX_TIMEOUT_MS 3000

/* The server's pid, the pane's window id, then its place and its window's layout, one field
 * per line (tmux keeps names free of newlines). The short, fixed-size fields come first: a
 * long layout is what the output buffer may cut. */
#define PLACE_FORMAT "#{pid}\n#{window_id}\n#{session_name}\n#{window_index}\n#{window_name}\n#{pane_index}\n#{window_layout}"

/* Copies the next line of *p into dst; a line that does not fit is cut, or with whole set
 * (a value that means nothing in part) left empty. */
static void take_line(char **p, char *dst, size_t cap, int whole)
{
    char *nl = strchr(*p, '\n');
    size_t n = nl ? (size_t)(nl - *p) : strlen(*p);
    if (whole && (n >= cap || !nl))     /* tmux ends every line: no newline, cut short */
        dst[0] = '\0';
    else
        snprintf(dst, cap, "%.*s", (int)n, *p);
    *p += n + (nl ? 1 : 0);
}

/* The tmux binary, found once on the host's PATH: a later spawn needs no PATH search.
 * Allocated on first use (opencode only): a large .bss would cost every process an mmap. */
static char *tmux_path;
#define TMUX_PATH_MAX 4096

static const char *find_tmux(char **env)
{
    if (!tmux_path && !(tmux_path = calloc(1, TMUX_PATH_MAX)))
        return NULL;
    if (tmux_path[0] || spawn_find(env, "tmux", tmux_path, TMUX_PATH_MAX) == 0)
        return tmux_path;
    return NULL;
}

/* tmux's client sends its whole environment to the server; for set-option and
 * display-message only locale and home matter, and a small environment starts faster. */
static void small_env(char **env, char **out, size_t cap)
{
    static const char *keep[] = { "PATH=", "HOME=", "LANG=", "LC_ALL=", "LC_CTYPE=", "TMUX_TMPDIR=",
                                  "USER=", "LOGNAME=" };
    size_t o = 0;
    for (char **e = env; e && *e && o + 1 < cap; e++)
        for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
            if (strncmp(*e, keep[k], strlen(keep[k])) == 0) {
                out[o++] = *e;
                break;
            }
    out[o] = NULL;
}

int tmuxctl_publish(const char *socket, const char *pane, long server_pid, const char *id,
                    char **env, struct tmux_info *info, int (*give_up)(void))
{
    if (server_pid <= 0 || !recfmt_pane_valid(pane) || (id && !recfmt_id_valid(id, strlen(id))))
        return -1;
    /* "#{==:#{pid},N}" and the two set-options (for if-shell, in tmux's command syntax: the
     * pane and the id hold no character it treats specially) */
    char cond[64], set[320];
    const char *argv[32];
    int a = 0;
    argv[a++] = "tmux";
    argv[a++] = "-u";   /* without a UTF-8 locale tmux prints the separators below as '_' */
    argv[a++] = "-S";
    argv[a++] = socket;
    if (id) {
        snprintf(cond, sizeof cond, "#{==:#{pid},%ld}", server_pid);
        snprintf(set, sizeof set, "set-option -p -t %s @opencode_session %s ; set-option -w -t %s @opencode_session %s",
                 pane, id, pane, id);
        argv[a++] = "if-shell"; argv[a++] = "-F"; argv[a++] = "-t"; argv[a++] = pane;
        argv[a++] = cond; argv[a++] = set; argv[a++] = ";";
    }
    argv[a++] = "display-message"; argv[a++] = "-p"; argv[a++] = "-t"; argv[a++] = pane;
    argv[a++] = PLACE_FORMAT;
    argv[a] = NULL;

    char out[4096];
    char *cenv[16];
    small_env(env, cenv, sizeof cenv / sizeof *cenv);
    const char *bin = find_tmux(env);
    if (!bin || spawn_read(bin, (char *const *)argv, cenv, out, sizeof out, TMUX_TIMEOUT_MS, give_up) < 0)
        return -1;
    char *p = out, pid[32], want[24];
    take_line(&p, pid, sizeof pid, 1);
    snprintf(want, sizeof want, "%ld", server_pid);
    if (strcmp(pid, want) != 0)     /* a number: another server's pid; else no answer */
        return pid[0] && strspn(pid, "0123456789") == strlen(pid) ? TMUXCTL_OTHER_SERVER : -1;
    /* A pane the server does not have (any more) still gets the pid and empty fields from
     * tmux >= 3.2, and only the exit status, which a host that reaps children takes, said so. */
    take_line(&p, info->window_id, sizeof info->window_id, 1);
    if (info->window_id[0] != '@')
        return -1;
    take_line(&p, info->session, sizeof info->session, 0);
    take_line(&p, info->window, sizeof info->window, 0);
    take_line(&p, info->window_name, sizeof info->window_name, 0);
    take_line(&p, info->pane_index, sizeof info->pane_index, 0);
    take_line(&p, info->layout, sizeof info->layout, 1);
    return 0;
}
