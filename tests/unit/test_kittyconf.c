/* test_kittyconf.c - which of the key binding's kitty.conf lines a kitty.conf lacks
 * (tools/common/kittyconf.c), one rule per check. */
#include "kittyconf.h"
#include "unit.h"

int main(void)
{
    CHECK(kittyconf_missing(NULL) == 7);
    CHECK(kittyconf_missing("") == 7);
    CHECK(kittyconf_missing(KITTYCONF_LINES("")) == 0);
    /* indented, tabs, CRLF, spaces doubled: the same lines */
    CHECK(kittyconf_missing(KITTYCONF_LINES("  \t")) == 0);
    CHECK(kittyconf_missing("allow_remote_control   socket-only\r\nlisten_on\tunix:/tmp/kitty\r\n") == 4);
    /* each line alone */
    CHECK(kittyconf_missing(KITTYCONF_REMOTE "\n") == 6);
    CHECK(kittyconf_missing(KITTYCONF_LISTEN) == 5);
    CHECK(kittyconf_missing("font_size 12\n" KITTYCONF_MAP "\n") == 3);
    /* allow_remote_control: yes and socket also let the socket in; no, password or nothing not;
     * the last setting wins, as in kitty */
    CHECK(kittyconf_missing("allow_remote_control yes") == 6);
    CHECK(kittyconf_missing("allow_remote_control socket") == 6);
    CHECK(kittyconf_missing("allow_remote_control no") == 7);
    CHECK(kittyconf_missing("allow_remote_control") == 7);
    CHECK(kittyconf_missing("allow_remote_control yes\nallow_remote_control no\n") == 7);
    CHECK(kittyconf_missing("allow_remote_control no\nallow_remote_control socket-only\n") == 6);
    CHECK(kittyconf_missing("allow_remote_controlx yes") == 7);
    /* a comment or another address is not the line */
    CHECK(kittyconf_missing("# " KITTYCONF_LISTEN) == 7);
    CHECK(kittyconf_missing("listen_on unix:/tmp/mykitty") == 7);
    CHECK(kittyconf_missing("listen_on unix:/tmp/kitty-x") == 7);
    CHECK_STR(kittyconf_line(0), KITTYCONF_REMOTE);
    CHECK_STR(kittyconf_line(2), KITTYCONF_MAP);
    CHECK(kittyconf_line(3) == NULL && kittyconf_line(-1) == NULL);
    UNIT_END("test_kittyconf");
}
