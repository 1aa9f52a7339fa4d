/* shimlib.c - find the installed libocshim.so (see shimlib.h). */
#include "shimlib.h"

#include "strbuf.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef OCSHIM_LIBDIR
#define OCSHIM_LIBDIR "/usr/local/lib"   /* the Makefile's default; it passes the configured one */
#endif

char *shimlib_path(void)
{
    const char *e = getenv("OCSHIM_LIB");
    if (e && *e)
        return access(e, R_OK) == 0 ? realpath(e, NULL) : NULL;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = '\0';
    char *dir = dirname(self);
    /* installed (PREFIX/bin -> PREFIX/lib), the build folder, then LIBDIR as configured */
    const char *cand[] = { "../lib/libocshim.so", "libocshim.so", OCSHIM_LIBDIR "/libocshim.so", NULL };
    for (int i = 0; cand[i]; i++) {
        struct strbuf b;
        sb_init(&b);
        sb_printf(&b, cand[i][0] == '/' ? "%.0s%s" : "%s/%s", dir, cand[i]);
        char *r = access(b.s, R_OK) == 0 ? realpath(b.s, NULL) : NULL;
        sb_free(&b);
        if (r)
            return r;
    }
    return NULL;
}
