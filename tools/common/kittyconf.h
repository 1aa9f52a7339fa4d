/* kittyconf.h - the kitty.conf lines ocshim-restore's key binding needs, defined once (README,
 * `ocshim doctor`, `ocshim-restore --help`; tests/e2e/test_clidocs.sh checks they agree), and
 * which of them a kitty.conf lacks. */
#ifndef OCSHIM_KITTYCONF_H
#define OCSHIM_KITTYCONF_H

/* Remote control on the socket only; kitty adds -<its pid> to the listen_on path, which the
 * binding finds again as the pid of the shell kitty launches ($PPID). */
#define KITTYCONF_REMOTE "allow_remote_control socket-only"
#define KITTYCONF_LISTEN "listen_on unix:/tmp/kitty"
#define KITTYCONF_MAP \
    "map ctrl+shift+r launch --type=background sh -c 'exec ocshim-restore --to \"unix:/tmp/kitty-$PPID\"'"
/* The three lines, each after INDENT and ending in a newline (a string literal). */
#define KITTYCONF_LINES(INDENT) INDENT KITTYCONF_REMOTE "\n" INDENT KITTYCONF_LISTEN "\n" INDENT KITTYCONF_MAP "\n"

enum { KITTYCONF_N = 3 };
/* Line i (0 <= i < KITTYCONF_N) of the three, in order. */
const char *kittyconf_line(int i);
/* Which lines the kitty.conf text lacks: bit i for line i. A line counts when it is there,
 * spaces aside (outside quotes, runs of blanks are one space); allow_remote_control counts when
 * its last setting is yes, socket-only or socket (what kitty obeys). */
unsigned kittyconf_missing(const char *conf);

#endif
