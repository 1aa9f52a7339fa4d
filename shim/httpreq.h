/* httpreq.h - which session an opencode client's HTTP request shows (pure).
 *
 * `opencode attach URL` and `opencode run --attach URL` talk to an opencode server over plain
 * HTTP/1.1, sent through glibc's send() (hooked: hooks.c). The request line names the session
 * the client works on or opens: `POST /session/ses_…/message` (a prompt), `GET /session/ses_…`
 * (the TUI opens it: a pick in the session list, -s, -c, a fork's new session). Runs on any
 * opencode thread, inside a hook: no allocation, no locks, no libc beyond memcmp. An https
 * URL (encrypted), a path prefix or an HTTP proxy's absolute-form request line is not seen. */
#ifndef OCSHIM_HTTPREQ_H
#define OCSHIM_HTTPREQ_H

#include <stddef.h>

#define HTTPREQ_ID_MAX 64   /* "ses_" + up to 59 letters or digits + NUL */
#define HTTPREQ_HEAD 96     /* bytes of a write that are enough to decide */

/* 1 when buf[0..n) starts an HTTP request that shows session id (copied to id, NUL-ended):
 *   GET  /session/ID[/...|?...]                      (opening it, or its messages)
 *   POST /session/ID/{message,prompt_async,command,shell}   (working on it)
 * Not: DELETE or PATCH (deleting or renaming it in the session list), POST .../fork (the new
 * session follows with its own GET), or any other path. */
int httpreq_session(const char *buf, size_t n, char id[HTTPREQ_ID_MAX]);

#endif
