/* tmuxctl.h - tell tmux the pane's session id, and ask it where the pane is.
 *
 * One `tmux -S SOCKET set-option -p ... ; set-option -w ... ; display-message -p ...` run,
 * started with posix_spawnp and an argv (never a shell), without LD_PRELOAD, with no
 * inherited descriptors and default signal handling; bounded in time. */
#ifndef OCSHIM_TMUXCTL_H
#define OCSHIM_TMUXCTL_H

#include "record.h"

/* Sets @opencode_session (pane and window option) to id (skipped when id is NULL) and fills
 * *info; 0 on success, -1 when tmux could not be run, said no, or did not answer in time (or
 * before give_up, when given, said 1). env: the child's environment. */
int tmuxctl_publish(const char *socket, const char *pane, const char *id, char **env,
                    struct tmux_info *info, int (*give_up)(void));

#endif
