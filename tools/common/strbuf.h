/* strbuf.h - growable byte buffer with printf, used by every tool for building text. */
#ifndef OCSHIM_STRBUF_H
#define OCSHIM_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    char *s;     /* always NUL-terminated once anything was added (or after sb_init) */
    size_t len;
    size_t cap;
};

void sb_init(struct strbuf *b);
void sb_free(struct strbuf *b);
void sb_reset(struct strbuf *b);
void sb_addn(struct strbuf *b, const char *p, size_t n);
void sb_add(struct strbuf *b, const char *s);
void sb_addc(struct strbuf *b, char c);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *b, const char *fmt, va_list ap);
/* Appends all that can be read from fd; 0 at its end, -1 on a read error or past max bytes. */
int sb_read_fd(struct strbuf *b, int fd, size_t max);
/* Returns the string and leaves b empty; the caller frees it. */
char *sb_take(struct strbuf *b);

/* xmalloc-style helpers: abort with a message when memory runs out. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
