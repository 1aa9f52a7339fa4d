/* quote.h - quoting for the few places that need a string, not argv: shell, JSON, tmux. */
#ifndef OCSHIM_QUOTE_H
#define OCSHIM_QUOTE_H

#include "strbuf.h"

/* POSIX shell single-quoting: 'it'\''s'; also valid for Python's shlex.split (kitty session files). */
void quote_sh(struct strbuf *b, const char *s);
/* A shell word as a person would type it: bare when every byte is one no shell reads specially
 * (letters, digits, and _ . / - + , : @), else quote_sh. */
void quote_sh_word(struct strbuf *b, const char *s);
/* A JSON string literal with quotes; bytes >= 0x80 pass through (the input is UTF-8). */
void quote_json(struct strbuf *b, const char *s);
/* tmux expands formats (#{...}, #(...)) in -s, -n and -c values: double every '#'. */
void quote_tmux_format(struct strbuf *b, const char *s);
/* tmux reads an argv element ending in ';' as a command separator: returns the element
 * to pass so it arrives literally (a newly allocated string). */
char *quote_tmux_arg(const char *s);
/* The name to give new-session -s so that tmux stores s: tmux escapes a session name it is
 * given (a backslash as \\, '$' as \$, a newline as \n, other control and invalid bytes as \ooo),
 * and the records hold the escaped name it reports. Undoes those escapes; other text is kept. */
void quote_tmux_unvis(struct strbuf *b, const char *s);
/* Valid opencode session id, by the records' rule (recfmt_id_valid): "ses_" + 1..59 letters or digits. */
int session_id_valid(const char *s);

#endif
