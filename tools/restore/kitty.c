/* kitty.c - one kitty tab per tmux session: through kitty's remote-control socket (kittyrc.c:
 * all tabs asked for on one connection, no client process), `kitten @`/`kitty @` inside a kitty
 * window without a socket, or a kitty session file. */
#include "restore.h"
#include "json.h"
#include "kittyrc.h"
#include "quote.h"
#include "runcmd.h"
#include "strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RC_HINT "turn remote control on: in kitty.conf `allow_remote_control socket-only` and " \
                "`listen_on unix:/tmp/kitty` (then restart kitty), or pass --to ADDRESS; " \
                "or write a session file with --kitty-session FILE and run `kitty --session FILE`"

void argv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

char **kitty_attach_argv(const struct tserver *s, const char *name)
{
    char **v = xcalloc(8, sizeof *v);
    int k = 0;
    char *tm = run_which("tmux");
    v[k++] = tm ? tm : xstrdup("tmux");
    if (!s->is_default) {
        v[k++] = xstrdup("-S");
        v[k++] = xstrdup(s->socket);
    }
    v[k++] = xstrdup("attach");
    v[k++] = xstrdup("-t");
    struct strbuf t;
    sb_init(&t);
    sb_printf(&t, "=%s", name);   /* '=': exact name, never a prefix or pattern match */
    v[k++] = sb_take(&t);
    v[k] = NULL;
    return v;
}

static const char *base(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

int kitty_cmdline_attaches(char *const *args, int n, const char *name, const struct tserver *s)
{
    int i = 0;
    while (i < n && strcmp(base(args[i]), "tmux") != 0)
        i++;
    if (i >= n)
        return 0;
    const char *sock = NULL, *label = NULL;
    for (i++; i < n && args[i][0] == '-'; i++) {
        const char *a = args[i];
        if ((strcmp(a, "-S") == 0 || strcmp(a, "-L") == 0 || strcmp(a, "-f") == 0) && i + 1 < n) {
            if (a[1] == 'S')
                sock = args[i + 1];
            if (a[1] == 'L')
                label = args[i + 1];
            i++;
        } else if (strncmp(a, "-S", 2) == 0) {
            sock = a + 2;
        } else if (strncmp(a, "-L", 2) == 0) {
            label = a + 2;
        }
    }
    if (i >= n)
        return 0;
    const char *c = args[i];
    if (strcmp(c, "attach") && strcmp(c, "attach-session") && strcmp(c, "a") && strcmp(c, "at") && strcmp(c, "att"))
        return 0;
    const char *target = NULL;
    for (i++; i < n; i++) {
        if (strcmp(args[i], "-t") == 0 && i + 1 < n)
            target = args[++i];
        else if (strncmp(args[i], "-t", 2) == 0)
            target = args[i] + 2;
    }
    if (!target)
        return 0;
    if (*target == '=')
        target++;
    size_t tl = strcspn(target, ":");
    if (strlen(name) != tl || strncmp(target, name, tl) != 0)
        return 0;
    /* the same tmux server? */
    if (sock)
        return strcmp(sock, s->socket) == 0;
    if (label) {
        const char *b = strrchr(s->socket, '/');
        return b && strcmp(b + 1, label) == 0 && !s->is_default;
    }
    return s->is_default;
}

/* --- what kitty has open: the cmdlines of all windows --- */
struct kwins {
    char ***cmd;  /* each NULL-terminated */
    int *ncmd;
    int n;
};

static void kwins_free(struct kwins *k)
{
    for (int i = 0; i < k->n; i++)
        argv_free(k->cmd[i]);
    free(k->cmd);
    free(k->ncmd);
    memset(k, 0, sizeof *k);
}

/* From `ls` data: [ {tabs: [ {windows: [ {cmdline: [...]} ] } ] } ]. */
static int kwins_from_ls(const struct json *data, struct kwins *k)
{
    memset(k, 0, sizeof *k);
    if (!data || data->type != JSON_ARR)
        return -1;
    for (int o = 0; o < data->nkids; o++) {
        const struct json *tabs = json_get(&data->kids[o], "tabs");
        for (int t = 0; tabs && tabs->type == JSON_ARR && t < tabs->nkids; t++) {
            const struct json *wins = json_get(&tabs->kids[t], "windows");
            for (int w = 0; wins && wins->type == JSON_ARR && w < wins->nkids; w++) {
                const struct json *cl = json_get(&wins->kids[w], "cmdline");
                if (!cl || cl->type != JSON_ARR)
                    continue;
                char **v = xcalloc((size_t)cl->nkids + 1, sizeof *v);
                int m = 0;
                for (int a = 0; a < cl->nkids; a++)
                    if (json_str(&cl->kids[a]))
                        v[m++] = xstrdup(json_str(&cl->kids[a]));
                k->cmd = xrealloc(k->cmd, sizeof *k->cmd * (size_t)(k->n + 1));
                k->ncmd = xrealloc(k->ncmd, sizeof *k->ncmd * (size_t)(k->n + 1));
                k->cmd[k->n] = v;
                k->ncmd[k->n] = m;
                k->n++;
            }
        }
    }
    return 0;
}

/* The client program for the no-socket case: kitten (>= 0.27) or kitty. */
static const char *client_prog(void)
{
    static char *c;
    if (!c) {
        char *k = run_which("kitten");
        c = k ? k : xstrdup("kitty");
    }
    return c;
}

/* Whether kitty's reply says ok; else "WHAT: its reason" into err (when err is empty). */
static int reply_ok(const struct json *r, const char *what, struct strbuf *err)
{
    const struct json *okv = r ? json_get(r, "ok") : NULL;
    if (okv && okv->type == JSON_BOOL && okv->num)
        return 1;
    const char *e = r ? json_str(json_get(r, "error")) : NULL;
    if (!err->len)
        sb_printf(err, "%s: %s", what, e ? e : "(no reason given)");
    return 0;
}

static int ls_windows(const char *addr, struct kwins *k, struct strbuf *err)
{
    if (addr) {
        struct json *r = kittyrc_call(addr, "{\"cmd\":\"ls\",\"version\":[0,14,2]}", err);
        if (!r)
            return -1;
        if (!reply_ok(r, "kitty refused", err)) {
            json_free(r);
            return -1;
        }
        const char *data = json_str(json_get(r, "data"));
        struct json *d = data ? json_parse(data, strlen(data)) : NULL;
        int rc = kwins_from_ls(d, k);
        if (rc)
            sb_add(err, "kitty's ls reply is not understood");
        json_free(d);
        json_free(r);
        return rc;
    }
    const char *argv[] = { client_prog(), "@", "ls", NULL };
    struct strbuf out;
    sb_init(&out);
    int rc = run_argv(argv, &out, err, RUN_KITTY_MS);
    struct json *d = rc == 0 ? json_parse(out.s, out.len) : NULL;
    sb_free(&out);
    if (!d) {
        if (!err->len)
            sb_printf(err, "%s @ ls failed", argv[0]);
        return -1;
    }
    rc = kwins_from_ls(d, k);
    json_free(d);
    return rc;
}

/* The launch command (JSON) for one tab, as `kitty @ launch --type=tab --keep-focus` sends it. */
static char *launch_json(char **attach, const char *title)
{
    struct strbuf c;
    sb_init(&c);
    sb_add(&c, "{\"cmd\":\"launch\",\"version\":[0,14,2],\"payload\":{\"type\":\"tab\",\"tab_title\":");
    quote_json(&c, title);
    sb_add(&c, ",\"keep_focus\":true,\"args\":[");
    for (int i = 0; attach[i]; i++) {
        if (i)
            sb_addc(&c, ',');
        quote_json(&c, attach[i]);
    }
    sb_add(&c, "]}}");
    return sb_take(&c);
}

/* Inside kitty without a socket: one `kitten @`/`kitty @` process per tab. */
static int launch_tab_client(char **attach, const char *title, struct strbuf *err)
{
    int n = 0;
    while (attach[n])
        n++;
    const char **argv = xcalloc((size_t)n + 10, sizeof *argv);
    int k = 0;
    argv[k++] = client_prog();
    argv[k++] = "@";
    argv[k++] = "launch";
    argv[k++] = "--type=tab";
    argv[k++] = "--keep-focus";
    argv[k++] = "--tab-title";
    argv[k++] = title;
    argv[k++] = "--";
    for (int i = 0; i < n; i++)
        argv[k++] = attach[i];
    argv[k] = NULL;
    int rc = run_argv(argv, NULL, err, RUN_KITTY_MS);
    free(argv);
    return rc == 0 ? 0 : -1;
}

static void tab_failed(struct kitty_result *kr, const char *name, const char *why)
{
    if (kr->error)
        return;
    struct strbuf e;
    sb_init(&e);
    sb_printf(&e, "kitty: no tab for tmux session %s: %s", name, why);
    kr->error = sb_take(&e);
}

void kitty_apply(char **names, int n, const struct tserver *s, const struct opts *o, int dry_run,
                 struct kitty_result *kr, struct notes *notes)
{
    memset(kr, 0, sizeof *kr);
    if (n == 0)
        return;
    const char *addr = o->to && *o->to ? o->to : getenv("KITTY_LISTEN_ON");
    if (addr && !*addr)
        addr = NULL;
    struct strbuf err;
    sb_init(&err);
    if (!addr && !getenv("KITTY_WINDOW_ID")) {
        sb_add(&err, "kitty: no remote-control address (--to, or $KITTY_LISTEN_ON) and not inside kitty: "
                     "no tabs opened; " RC_HINT "; or pass --no-kitty");
        kr->error = sb_take(&err);
        return;
    }
    struct kwins k;
    if (ls_windows(addr, &k, &err) != 0) {
        struct strbuf e2;
        sb_init(&e2);
        sb_printf(&e2, "kitty: remote control unreachable (%s): %s", err.s, RC_HINT);
        kr->error = sb_take(&e2);
        sb_free(&err);
        return;
    }
    /* the sessions that need a tab, and (over the socket) their launch commands */
    char **todo = xcalloc((size_t)n, sizeof *todo), **cmds = xcalloc((size_t)n, sizeof *cmds);
    int m = 0;
    for (int i = 0; i < n; i++) {
        int present = 0;
        for (int w = 0; w < k.n && !present; w++)
            present = kitty_cmdline_attaches(k.cmd[w], k.ncmd[w], names[i], s);
        if (present) {
            kr->present++;
        } else if (dry_run) {
            notes_add(notes, "kitty: would open a tab for %s", names[i]);
            kr->opened++;
        } else {
            char **attach = kitty_attach_argv(s, names[i]);
            if (addr) {
                cmds[m] = launch_json(attach, names[i]);
            } else {
                sb_reset(&err);
                if (launch_tab_client(attach, names[i], &err) == 0)
                    kr->opened++;
                else
                    tab_failed(kr, names[i], err.s);
            }
            todo[m++] = names[i];
            argv_free(attach);
        }
    }
    if (addr && m > 0) {
        struct json **replies = xcalloc((size_t)m, sizeof *replies);
        sb_reset(&err);
        int got = kittyrc_calls(addr, (const char *const *)cmds, m, replies, &err);
        for (int i = 0; i < m; i++) {
            struct strbuf why;
            sb_init(&why);
            if (i >= got)
                sb_add(&why, err.s ? err.s : "no reply");
            if (i < got && reply_ok(replies[i], "kitty refused to open a tab", &why))
                kr->opened++;
            else
                tab_failed(kr, todo[i], why.s);
            sb_free(&why);
            json_free(replies[i]);
        }
        free(replies);
    }
    for (int i = 0; i < m; i++)
        free(cmds[i]);
    free(cmds);
    free(todo);
    kwins_free(&k);
    sb_free(&err);
}

int kitty_write_session(const char *file, char **names, int n, const struct tserver *s, struct kitty_result *kr)
{
    memset(kr, 0, sizeof *kr);
    struct strbuf b;
    sb_init(&b);
    sb_add(&b, "# kitty session written by ocshim-restore: kitty --session FILE\n");
    for (int i = 0; i < n; i++) {
        /* new_tab takes the rest of the line as the title: no control characters there */
        sb_add(&b, "new_tab ");
        for (const char *c = names[i]; *c; c++)
            sb_addc(&b, (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c);
        sb_add(&b, "\nlaunch");
        char **attach = kitty_attach_argv(s, names[i]);
        for (int a = 0; attach[a]; a++) {
            sb_addc(&b, ' ');
            quote_sh(&b, attach[a]);   /* kitty splits the line with Python's shlex */
        }
        argv_free(attach);
        sb_addc(&b, '\n');
        kr->opened++;
    }
    int rc = 0;
    FILE *f = strcmp(file, "-") == 0 ? stdout : fopen(file, "w");
    if (!f || fwrite(b.s, 1, b.len, f) != b.len || (f != stdout && fclose(f) != 0)) {
        struct strbuf e;
        sb_init(&e);
        sb_printf(&e, "cannot write the kitty session file %s: %s", file, strerror(errno));
        kr->error = sb_take(&e);
        rc = -1;
    }
    sb_free(&b);
    return rc;
}
