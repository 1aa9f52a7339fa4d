/* test_cmdline.c - what a restored pane runs; which server a client belongs to. */
#include "cmdline.h"
#include "unit.h"

#include <stdlib.h>

void argv_free(char **v);

static char *join(char **v)
{
    static char buf[1024];
    buf[0] = '\0';
    for (int i = 0; v && v[i]; i++) {
        if (i)
            strcat(buf, " ");
        strcat(buf, v[i]);
    }
    argv_free(v);
    return buf;
}

int main(void)
{
    CHECK_STR(join(cmdline_tui("/oc", NULL, "ses_a", 0)), "/oc --session ses_a");
    /* a TUI that served others (--port): its network options come back, pinned */
    char *t1[] = { "opencode", "--port", "0", "--hostname", "0.0.0.0", "--mdns", "-m", "x", "proj", NULL };
    CHECK_STR(join(cmdline_tui("/oc", t1, "ses_a", 4096)),
              "/oc --hostname 0.0.0.0 --mdns --port 4096 --session ses_a");
    CHECK_STR(join(cmdline_tui("/oc", t1, "ses_a", 0)), "/oc --session ses_a");

    /* clients: attach's own options stay, those that pick a session go */
    char *a1[] = { "opencode", "attach", "http://127.0.0.1:4096", "-s", "ses_old", "--fork", NULL };
    CHECK_STR(join(cmdline_client("/oc", a1, "http://127.0.0.1:4096", "ses_new")),
              "/oc attach http://127.0.0.1:4096 --session ses_new");
    char *a2[] = { "opencode", "attach", "--dir", "/srv/p", "-c", "-p", "pw", "--mini", "http://h:1",
                   "--session=ses_x", NULL };
    CHECK_STR(join(cmdline_client("/oc", a2, "http://h:2", "ses_b")),
              "/oc attach http://h:2 --dir /srv/p -p pw --mini --session ses_b");
    char *a3[] = { "opencode", "run", "--attach", "http://h:1", "-m", "mock/m", "--dir=/x", "say hi", NULL };
    CHECK_STR(join(cmdline_client("/oc", a3, "http://h:1", "ses_c")),
              "/oc attach http://h:1 --dir=/x --session ses_c");   /* run --attach comes back as a TUI */
    char *a4[] = { "opencode", "attach", "http://h:1", "--", "--dir", "x", NULL };
    CHECK_STR(join(cmdline_client("/oc", a4, "http://h:1", "ses_d")), "/oc attach http://h:1 --session ses_d");

    /* servers: the same command, pinned to a port */
    char *s1[] = { "opencode", "serve", NULL };
    CHECK_STR(join(cmdline_server("/oc", s1, 4096)), "/oc serve --port 4096");
    char *s2[] = { "opencode", "serve", "--port", "0", "--hostname", "0.0.0.0", "--port=5", NULL };
    CHECK_STR(join(cmdline_server("/oc", s2, 39001)), "/oc serve --hostname 0.0.0.0 --port 39001");
    char *s3[] = { "opencode", "--print-logs", "web", "--port", NULL };
    CHECK_STR(join(cmdline_server("/oc", s3, 7)), "/oc --print-logs web --port 7");
    char *s4[] = { "opencode", "serve", "--port", "5555", NULL };
    CHECK_STR(join(cmdline_server("/oc", s4, 0)), "/oc serve --port 5555");   /* never listened: as it was */
    char *s5[] = { "opencode", "serve", "--", "--port", "5", NULL };
    CHECK_STR(join(cmdline_server("/oc", s5, 9)), "/oc serve --port 9 -- --port 5");

    /* listen addresses as the shim records them */
    char h[64];
    CHECK(listen_split("127.0.0.1:4096", h, sizeof h) == 4096 && strcmp(h, "127.0.0.1") == 0);
    CHECK(listen_split("[0:0:0:0:0:0:0:1]:80", h, sizeof h) == 80 && strcmp(h, "0:0:0:0:0:0:0:1") == 0);
    CHECK(listen_split("", h, sizeof h) == -1);
    CHECK(listen_split("127.0.0.1", h, sizeof h) == -1);
    CHECK(listen_split("127.0.0.1:0", h, sizeof h) == -1);
    CHECK(listen_split("127.0.0.1:70000", h, sizeof h) == -1);
    CHECK(listen_split(":80", h, sizeof h) == -1);
    CHECK(listen_split("[::1:80", h, sizeof h) == -1);

    /* which server a client's URL names */
    CHECK(url_matches_listen("http://127.0.0.1:4096", "127.0.0.1:4096"));
    CHECK(url_matches_listen("http://localhost:4096/", "127.0.0.1:4096"));
    CHECK(url_matches_listen("http://127.0.0.1:4096", "0.0.0.0:4096"));
    CHECK(url_matches_listen("http://[::1]:4096", "[0:0:0:0:0:0:0:1]:4096"));
    CHECK(url_matches_listen("http://u:p@localhost:4096", "127.0.0.1:4096"));
    CHECK(!url_matches_listen("http://box.lan:4096", "0.0.0.0:4096"));     /* maybe another machine: no */
    CHECK(!url_matches_listen("http://box.lan:4096", "127.0.0.1:4096"));   /* another machine */
    CHECK(url_matches_listen("http://box.lan:4096", "box.lan:4096"));
    CHECK(url_matches_listen("HTTP://LOCALHOST:4096", "127.0.0.1:4096"));
    CHECK(url_matches_listen("https://localhost", "127.0.0.1:443"));
    CHECK(url_matches_listen("localhost:4096", "127.0.0.1:4096"));          /* no scheme */
    CHECK(!url_matches_listen("http://a@b@box.lan:4096", "127.0.0.1:4096")); /* the last '@' */
    CHECK(!url_matches_listen("http://[::1]x:4096", "[0:0:0:0:0:0:0:1]:4096"));
    CHECK(url_matches_listen("localhost:4096/?u=http://x:1", "127.0.0.1:4096")); /* "://" in a query */

    CHECK(host_is_wildcard("0.0.0.0") && host_is_wildcard("::") && host_is_wildcard("0:0:0:0:0:0:0:0"));
    CHECK(!host_is_wildcard("127.0.0.1") && !host_is_wildcard("0:0:0:0:0:0:0:1") && !host_is_wildcard(""));

    /* two servers that cannot both listen */
    CHECK(listen_clash("0.0.0.0:4096", "127.0.0.1:4096"));
    CHECK(listen_clash("127.0.0.1:4096", "127.0.0.1:4096"));
    CHECK(listen_clash("127.0.0.1:4096", "[0:0:0:0:0:0:0:1]:4096"));
    CHECK(!listen_clash("10.0.0.5:4096", "127.0.0.1:4096"));
    CHECK(!listen_clash("127.0.0.1:4096", "127.0.0.1:4097"));
    CHECK(!listen_clash("", "127.0.0.1:4097"));
    CHECK(!url_matches_listen("http://127.0.0.1:4097", "127.0.0.1:4096"));
    CHECK(url_matches_listen("http://127.0.0.1", "127.0.0.1:80"));         /* the scheme's port */
    CHECK(!url_matches_listen("http://127.0.0.1:x", "127.0.0.1:80"));
    CHECK(!url_matches_listen("http://127.0.0.1:4096", ""));
    CHECK(!url_matches_listen(NULL, "127.0.0.1:1"));

    /* a server that came back on another port: its clients' URL follows */
    char *u = url_with_port("http://127.0.0.1:4096/x?y", 5000);
    CHECK_STR(u, "http://127.0.0.1:5000/x?y");
    free(u);
    u = url_with_port("http://localhost", 5000);
    CHECK_STR(u, "http://localhost:5000");
    free(u);
    u = url_with_port("https://u:p@[::1]:1", 2);
    CHECK_STR(u, "https://u:p@[::1]:2");
    free(u);
    CHECK(url_with_port("http://", 1) == NULL);
    u = url_with_port("localhost:4096", 5000);   /* no scheme: no read before the string */
    CHECK_STR(u, "localhost:5000");
    free(u);
    UNIT_END("test_cmdline");
}
