/* optword.h - getopt_long, and the word it refused, for a one-line usage error. */
#ifndef OCSHIM_OPTWORD_H
#define OCSHIM_OPTWORD_H

#include <getopt.h>

/* getopt_long(argc, argv, optstring, longs, NULL). When it refuses an option ('?': unknown,
 * ambiguous, or an argument given to one that takes none; ':': an argument missing) *bad is
 * the word as the user typed it: a long option whole ("--bogus", "--dry", "--json=1"), a short
 * one alone ("-x" of "-nx", in static storage). optstring must start with '-' or '+', so that
 * argv is read in order (not permuted): the element getopt_long reads is argv[optind] as it was
 * before the call (1 when optind is 0). */
int optword_getopt(int argc, char **argv, const char *optstring, const struct option *longs,
                   const char **bad);

#endif
