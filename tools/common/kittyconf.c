/* kittyconf.c - which of the key binding's kitty.conf lines a kitty.conf lacks (pure). */
#include "kittyconf.h"

#include <stdlib.h>
#include <string.h>

static const char *const lines[KITTYCONF_N] = { KITTYCONF_REMOTE, KITTYCONF_LISTEN, KITTYCONF_MAP };

const char *kittyconf_line(int i)
{
    return i >= 0 && i < KITTYCONF_N ? lines[i] : NULL;
}

/* The line [s, e) with its blanks collapsed and trimmed into out (at most cap - 1 bytes; a
 * longer line is cut, and then matches none of ours). */
static void squeeze(const char *s, const char *e, char *out, size_t cap)
{
    size_t n = 0;
    int blank = 0;
    for (; s < e && n + 1 < cap; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\r') {
            blank = n > 0;
            continue;
        }
        if (blank && n + 2 < cap)
            out[n++] = ' ';
        blank = 0;
        out[n++] = *s;
    }
    out[n] = '\0';
}

unsigned kittyconf_missing(const char *conf)
{
    unsigned have = 0;
    int remote = 0;       /* the last allow_remote_control setting: 1 when it lets the socket in */
    char l[512];
    for (const char *s = conf ? conf : ""; *s;) {
        const char *e = strchr(s, '\n');
        if (!e)
            e = s + strlen(s);
        squeeze(s, e, l, sizeof l);
        s = *e ? e + 1 : e;
        if (strncmp(l, "allow_remote_control", 20) == 0 && (l[20] == ' ' || l[20] == '\0')) {
            const char *v = l[20] ? l + 21 : "";
            remote = strcmp(v, "yes") == 0 || strcmp(v, "socket-only") == 0 || strcmp(v, "socket") == 0;
        }
        for (int i = 1; i < KITTYCONF_N; i++)
            if (strcmp(l, lines[i]) == 0)
                have |= 1u << i;
    }
    if (remote)
        have |= 1u;
    return ~have & ((1u << KITTYCONF_N) - 1);
}
