/* cmdline.h - what a restored pane runs, and which server a client belongs to (pure rules).
 *
 * A TUI comes back as `opencode --session ID`; a client of a server (`attach`, `run --attach`)
 * as `opencode attach URL [its options] --session ID`; a server as the same command, pinned to
 * a port (`--port P`: opencode's default is a random one, which its clients could not find). */
#ifndef OCSHIM_CMDLINE_H
#define OCSHIM_CMDLINE_H

/* NULL-terminated, malloc'd argv (free with argv_free): exe first. With port (a TUI that
 * served others: `opencode --port P`), its network options (--hostname, --mdns,
 * --mdns-domain, --cors) come back from rec_argv, pinned to port; port 0: none. */
char **cmdline_tui(const char *exe, char *const *rec_argv, const char *sid, int port);
/* rec_argv: the client's recorded command line (argv[0] first, NULL-terminated). Keeps the
 * options attach has (--dir, -p/--password, -u/--username, --log-level, --print-logs, --pure,
 * --mini, --no-replay, --replay-limit), drops those that pick a session (-s, -c, --fork). */
char **cmdline_client(const char *exe, char *const *rec_argv, const char *url, const char *sid);
/* rec_argv: the server's recorded command line; every --port is replaced by `--port port`
 * (before a "--"). port 0: the command line as it was. */
char **cmdline_server(const char *exe, char *const *rec_argv, int port);

/* "HOST:PORT" or "[V6]:PORT" -> port (1..65535), else -1; host (without brackets) into host. */
int listen_split(const char *listen, char *host, unsigned long cap);
/* 1 when url ("http://HOST[:PORT][/...]") names the server listening on listen: the same
 * port, and the same host, or both hosts are this machine's (loopback, or the wildcard
 * address a server binds to answer on all). A URL naming the machine by another name or
 * address does not match. */
int url_matches_listen(const char *url, const char *listen);
/* 1 when host (as listen_split gives it) is the wildcard address: 0.0.0.0, ::. */
int host_is_wildcard(const char *host);
/* 1 when two servers' addresses cannot both be bound: the same port, and the same host, or
 * either host is the wildcard, or both are loopback. */
int listen_clash(const char *a, const char *b);
/* url with its port replaced (malloc'd), or NULL when url has no host part. */
char *url_with_port(const char *url, int port);

#endif
