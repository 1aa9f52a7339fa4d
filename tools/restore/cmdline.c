/* cmdline.c - what a restored pane runs, and which server a client belongs to (see cmdline.h). */
#include "cmdline.h"

#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct av {
    char **v;
    int n, cap;
};

static void av_add(struct av *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = xrealloc(a->v, sizeof *a->v * (size_t)a->cap);
    }
    a->v[a->n++] = xstrdup(s);
    a->v[a->n] = NULL;
}

static int is(const char *a, const char *name)
{
    return strcmp(a, name) == 0;
}

/* "--name=value" */
static int opt_eq(const char *a, const char *name)
{
    size_t n = strlen(name);
    return strncmp(a, name, n) == 0 && a[n] == '=';
}

char **cmdline_tui(const char *exe, char *const *rec_argv, const char *sid, int port)
{
    static const char *const net_value[] = { "--hostname", "--mdns-domain", "--cors", NULL };
    struct av a = { 0 };
    av_add(&a, exe);
    for (int i = 1; port && rec_argv && rec_argv[0] && rec_argv[i] && !is(rec_argv[i], "--"); i++) {
        const char *x = rec_argv[i];
        for (int k = 0; net_value[k]; k++) {
            if (is(x, net_value[k]) && rec_argv[i + 1]) {
                av_add(&a, x);
                av_add(&a, rec_argv[++i]);
                break;
            }
            if (opt_eq(x, net_value[k])) {
                av_add(&a, x);
                break;
            }
        }
        if (is(x, "--mdns"))
            av_add(&a, x);
    }
    if (port) {
        char p[16];
        snprintf(p, sizeof p, "%d", port);
        av_add(&a, "--port");
        av_add(&a, p);
    }
    av_add(&a, "--session");
    av_add(&a, sid);
    return a.v;
}

char **cmdline_client(const char *exe, char *const *rec_argv, const char *url, const char *sid)
{
    static const char *const with_value[] = { "--dir", "--password", "-p", "--username", "-u",
                                              "--log-level", "--replay-limit", NULL };
    static const char *const flags[] = { "--print-logs", "--pure", "--mini", "--no-replay", NULL };
    struct av a = { 0 };
    av_add(&a, exe);
    av_add(&a, "attach");
    av_add(&a, url);
    for (int i = 1; rec_argv && rec_argv[i]; i++) {
        const char *x = rec_argv[i];
        if (is(x, "--"))
            break;
        int kept = 0;
        for (int k = 0; with_value[k] && !kept; k++) {
            if (is(x, with_value[k]) && rec_argv[i + 1]) {
                av_add(&a, x);
                av_add(&a, rec_argv[++i]);
                kept = 1;
            } else if (with_value[k][1] == '-' && opt_eq(x, with_value[k])) {
                av_add(&a, x);
                kept = 1;
            }
        }
        for (int k = 0; flags[k] && !kept; k++)
            if (is(x, flags[k])) {
                av_add(&a, x);
                kept = 1;
            }
        /* -s/--session's value, --attach's and run's other options' values are not options */
        if (!kept && (is(x, "-s") || is(x, "--session") || is(x, "--attach") || is(x, "-m") ||
                      is(x, "--model") || is(x, "--agent") || is(x, "--format") || is(x, "-f") ||
                      is(x, "--file") || is(x, "--title") || is(x, "--variant") || is(x, "--command")))
            i++;
    }
    av_add(&a, "--session");
    av_add(&a, sid);
    return a.v;
}

char **cmdline_server(const char *exe, char *const *rec_argv, int port)
{
    struct av a = { 0 };
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    av_add(&a, exe);
    int i = 1;
    for (; rec_argv && rec_argv[0] && rec_argv[i] && !is(rec_argv[i], "--"); i++) {
        const char *x = rec_argv[i];
        if (port && is(x, "--port")) {
            if (rec_argv[i + 1])
                i++;
            continue;
        }
        if (port && opt_eq(x, "--port"))
            continue;
        av_add(&a, x);
    }
    if (port) {   /* before a "--", after which nothing is an option */
        av_add(&a, "--port");
        av_add(&a, p);
    }
    for (; rec_argv && rec_argv[0] && rec_argv[i]; i++)
        av_add(&a, rec_argv[i]);
    return a.v;
}

int listen_split(const char *listen, char *host, unsigned long cap)
{
    if (!listen || !*listen)
        return -1;
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen)
        return -1;
    const char *h = listen, *he = colon;
    if (*h == '[') {
        if (he[-1] != ']')
            return -1;
        h++, he--;
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535 || (size_t)(he - h) >= cap || he <= h)
        return -1;
    memcpy(host, h, (size_t)(he - h));
    host[he - h] = '\0';
    return (int)port;
}

/* url's host (brackets dropped) and port (the scheme's default when absent); -1 when malformed.
 * *hs: where the host starts (its '[' for IPv6), *pe: where the authority ends. */
static int url_split(const char *url, char *host, size_t cap, const char **hs, const char **pe)
{
    const char *p = url, *sep = strstr(url, "://");
    int def = 80;
    if (sep && sep < url + strcspn(url, "/?#")) {   /* a scheme, not "://" in a query */
        def = (size_t)(sep - url) == 5 && strncasecmp(url, "https", 5) == 0 ? 443 : 80;
        p = sep + 3;
    }
    const char *end = p + strcspn(p, "/?#");
    for (const char *c = p; c < end; c++)   /* user:password@, up to the last '@' */
        if (*c == '@')
            p = c + 1;
    const char *h = p, *he, *port = NULL;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(end - h));
        if (!rb)
            return -1;
        he = rb;
        h++;
        if (rb + 1 < end && rb[1] == ':')
            port = rb + 2;
        else if (rb + 1 != end)
            return -1;                         /* "[::1]x" */
    } else {
        const char *c = memchr(h, ':', (size_t)(end - h));
        he = c ? c : end;
        if (c)
            port = c + 1;
    }
    if (he <= h || (size_t)(he - h) >= cap)
        return -1;
    memcpy(host, h, (size_t)(he - h));
    host[he - h] = '\0';
    if (hs)
        *hs = h > url && h[-1] == '[' ? h - 1 : h;
    if (pe)
        *pe = end;
    if (!port)
        return def;
    long v = 0;
    for (const char *c = port; c < end; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        v = v * 10 + (*c - '0');
        if (v > 65535)
            return -1;
    }
    return port == end || v < 1 ? -1 : (int)v;
}

int host_is_wildcard(const char *h)
{
    return strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0 || strcmp(h, "0:0:0:0:0:0:0:0") == 0;
}

/* This machine's loopback, or any address (what a server bound to the wildcard answers on). */
static int local_host(const char *h)
{
    return strncmp(h, "127.", 4) == 0 || strcasecmp(h, "localhost") == 0 || strcmp(h, "::1") == 0 ||
           strcmp(h, "0:0:0:0:0:0:0:1") == 0 || host_is_wildcard(h);
}

int url_matches_listen(const char *url, const char *listen)
{
    char uh[256], lh[256];
    if (!url || !listen)
        return 0;
    int up = url_split(url, uh, sizeof uh, NULL, NULL), lp = listen_split(listen, lh, sizeof lh);
    if (up < 0 || lp < 0 || up != lp)
        return 0;
    return strcasecmp(uh, lh) == 0 || (local_host(uh) && local_host(lh));
}

int listen_clash(const char *a, const char *b)
{
    char ha[256], hb[256];
    int pa = listen_split(a, ha, sizeof ha), pb = listen_split(b, hb, sizeof hb);
    if (pa < 0 || pa != pb)
        return 0;
    return strcmp(ha, hb) == 0 || host_is_wildcard(ha) || host_is_wildcard(hb) || (local_host(ha) && local_host(hb));
}

char *url_with_port(const char *url, int port)
{
    char host[256];
    const char *hs, *pe;
    if (!url || url_split(url, host, sizeof host, &hs, &pe) < 0)
        return NULL;
    struct strbuf b;
    sb_init(&b);
    sb_printf(&b, "%.*s", (int)(hs - url), url);
    if (*hs == '[')
        sb_printf(&b, "[%s]", host);
    else
        sb_add(&b, host);
    sb_printf(&b, ":%d%s", port, pe);
    return sb_take(&b);
}
