/* optword.c - getopt_long, and the word it refused, for a one-line usage error. */
#include "optword.h"

#include <string.h>

int optword_getopt(int argc, char **argv, const char *optstring, const struct option *longs,
                   const char **bad)
{
    static char shortw[3];
    int at = optind ? optind : 1;
    int c = getopt_long(argc, argv, optstring, longs, NULL);
    if (c == '?' || c == ':') {
        if (at >= argc || strncmp(argv[at], "--", 2) == 0) {
            *bad = at < argc ? argv[at] : "";
        } else {
            shortw[0] = '-';
            shortw[1] = (char)optopt;
            shortw[2] = '\0';
            *bad = shortw;
        }
    }
    return c;
}
