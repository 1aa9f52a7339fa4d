/* kittyrc.h - kitty's remote-control protocol over its socket (unix: or tcp:), no client process. */
#ifndef OCSHIM_KITTYRC_H
#define OCSHIM_KITTYRC_H

#include "json.h"
#include "strbuf.h"

/* Sends n commands (JSON texts, as `kitty @ --dump-commands` shows them) on one connection, in
 * order; kitty answers each in turn. replies[i] is kitty's parsed reply to cmds[i], or NULL.
 * Returns how many replies came; when fewer than n, err says why. */
int kittyrc_calls(const char *addr, const char *const *cmds, int n, struct json **replies, struct strbuf *err);
/* One command; its reply or NULL (err says why). */
struct json *kittyrc_call(const char *addr, const char *cmd, struct strbuf *err);

#endif
