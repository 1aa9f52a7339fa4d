/* test_tserver.c - which tmux server the restore talks to: -S, -L, $TMUX (commas in its path), default. */
#include "restore.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct tserver pick(const char *tmux_env, const char *L, const char *S)
{
    struct opts o = { 0 };
    o.tmux_L = L;
    o.tmux_S = S;
    if (tmux_env)
        setenv("TMUX", tmux_env, 1);
    else
        unsetenv("TMUX");
    struct tserver s;
    tmux_server_init(&s, &o);
    return s;
}

int main(void)
{
    char def[256], cwd[4096], want[4200];
    setenv("TMUX_TMPDIR", "/run/t", 1);
    snprintf(def, sizeof def, "/run/t/tmux-%ld/default", (long)getuid());

    struct tserver s = pick(NULL, NULL, NULL);   /* outside tmux: the default server */
    CHECK_STR(s.socket, def);
    CHECK(s.is_default && s.argc == 2 && s.argv[2] == NULL);
    tmux_server_free(&s);

    s = pick("/run/t/a,b,c/sock,4242,3", NULL, NULL);   /* commas in the socket's path */
    CHECK_STR(s.socket, "/run/t/a,b,c/sock");
    CHECK(!s.is_default && s.argc == 4);
    CHECK_STR(s.argv[2], "-S");
    CHECK_STR(s.argv[3], "/run/t/a,b,c/sock");
    tmux_server_free(&s);

    char inside[300];
    snprintf(inside, sizeof inside, "%s,77,0", def);   /* inside the default server */
    s = pick(inside, NULL, NULL);
    CHECK_STR(s.socket, def);
    CHECK(s.is_default && s.argc == 2);
    tmux_server_free(&s);

    s = pick(",1,0", NULL, NULL);   /* no path: the default server, as tmux itself does */
    CHECK_STR(s.socket, def);
    CHECK(s.is_default && s.argc == 2);
    tmux_server_free(&s);

    s = pick("/tmp/odd", NULL, NULL);   /* no commas at all: the whole value */
    CHECK_STR(s.socket, "/tmp/odd");
    tmux_server_free(&s);

    s = pick("/run/t/x,1,0", "work", NULL);   /* -L wins over $TMUX */
    CHECK_STR(s.argv[2], "-L");
    CHECK_STR(s.argv[3], "work");
    snprintf(want, sizeof want, "/run/t/tmux-%ld/work", (long)getuid());
    CHECK_STR(s.socket, want);
    tmux_server_free(&s);

    s = pick(NULL, NULL, "rel.sock");   /* -S relative: the socket path is made absolute */
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    snprintf(want, sizeof want, "%s/rel.sock", cwd);
    CHECK_STR(s.socket, want);
    CHECK_STR(s.argv[3], "rel.sock");
    tmux_server_free(&s);

    s = pick(NULL, NULL, NULL);
    CHECK_STR(s.argv[1], "-u");   /* UTF-8 whatever the locale */
    tmux_server_free(&s);
    UNIT_END("test_tserver");
}
