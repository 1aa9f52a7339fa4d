/* tmuxctl.h - tell tmux the pane's session id, and ask it where the pane is.
 *
 * One `tmux -S SOCKET if-shell -F -t PANE '#{==:#{pid},SERVER-PID}' 'set-option -p ... ;
 * set-option -w ...' ; display-message -p ...` run, started with posix_spawnp and an argv
 * (never a shell), without LD_PRELOAD, with no inherited descriptors and default signal
 * handling; bounded in time. The options are set only in the server the pane was started
 * in: one started anew on the same socket numbers its panes from %0 again, and its %N is
 * someone else's pane. */
#ifndef OCSHIM_TMUXCTL_H
#define OCSHIM_TMUXCTL_H

#include "record.h"

/* The socket's server is not the pane's (its pid is not server_pid): nothing was set. */
#define TMUXCTL_OTHER_SERVER (-2)

/* Sets @opencode_session (pane and window option) to id (skipped when id is NULL) and fills
 * *info; 0 on success, TMUXCTL_OTHER_SERVER, or -1 when tmux could not be run, said no, or
 * did not answer in time (or before give_up, when given, said 1). pane is "%N" and id a
 * session id (letters, digits, '_'), as procinfo and session.c give them; anything else is
 * refused (-1) without running tmux. env: the child's environment. */
int tmuxctl_publish(const char *socket, const char *pane, long server_pid, const char *id,
                    char **env, struct tmux_info *info, int (*give_up)(void));

#endif
