/* fuzz.h - what the fuzz targets share: reading control bytes and parts from an input, and a
 * check that aborts (a crash to libFuzzer) when a property fails.
 *
 * Inputs are plain bytes; a target that needs several things from one input takes them in
 * order: a few control bytes first (split points, flags, counts), then the text. Targets that
 * feed a program several outputs in turn (one per run of tmux, one per connection to kitty)
 * cut the rest at FZ_SEP, a byte no real output holds (an ASCII record separator), so seed
 * files stay readable. */
#ifndef OCSHIM_FUZZ_H
#define OCSHIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_SEP 0x1e

struct fz {
    const uint8_t *p;
    size_t n;
};

/* The next byte, or dflt when the input is used up. */
static inline unsigned fz_byte(struct fz *f, unsigned dflt)
{
    if (!f->n)
        return dflt;
    f->n--;
    return *f->p++;
}

/* The next part, up to FZ_SEP (not included) or the end; 0 when none is left. */
static inline int fz_part(struct fz *f, const char **s, size_t *n)
{
    if (!f->p)
        return 0;
    const uint8_t *sep = memchr(f->p, FZ_SEP, f->n);
    *s = (const char *)f->p;
    *n = sep ? (size_t)(sep - f->p) : f->n;
    if (sep) {
        f->n -= *n + 1;
        f->p = sep + 1;
    } else {
        f->p = NULL;
        f->n = 0;
    }
    return 1;
}

/* A NUL-terminated copy of n bytes (free it). */
static inline char *fz_str(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (!c)
        abort();
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

#define FZ_CHECK(cond)                                                                  \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

#endif
