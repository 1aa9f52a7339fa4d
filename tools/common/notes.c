/* notes.c - a growable list of formatted notes (see notes.h). */
#include "notes.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdlib.h>

void notes_add(struct notes *ns, const char *fmt, ...)
{
    if (!ns)
        return;
    struct strbuf b;
    sb_init(&b);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&b, fmt, ap);
    va_end(ap);
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 16;
        ns->items = xrealloc(ns->items, sizeof *ns->items * (size_t)ns->cap);
    }
    ns->items[ns->n++] = sb_take(&b);
}

void notes_free(struct notes *ns)
{
    for (int i = 0; i < ns->n; i++)
        free(ns->items[i]);
    free(ns->items);
    ns->items = NULL;
    ns->n = ns->cap = 0;
}
