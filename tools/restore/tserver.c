/* tserver.c - the tmux server: which one, running tmux commands on it, its live panes. */
#include "restore.h"
#include "tmuxint.h"
#include "quote.h"
#include "runcmd.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tmux_server_init(struct tserver *s, const struct opts *o)
{
    memset(s, 0, sizeof *s);
    s->argv[s->argc++] = xstrdup("tmux");
    /* UTF-8 output whatever the locale: otherwise tmux prints the tabs of -F formats as '_' */
    s->argv[s->argc++] = xstrdup("-u");
    struct strbuf b;
    sb_init(&b);
    const char *tmpdir = getenv("TMUX_TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    if (o->tmux_S) {
        s->argv[s->argc++] = xstrdup("-S");
        s->argv[s->argc++] = xstrdup(o->tmux_S);
        if (o->tmux_S[0] != '/') {
            char cwd[4096];
            if (getcwd(cwd, sizeof cwd))
                sb_printf(&b, "%s/", cwd);
        }
        sb_add(&b, o->tmux_S);
    } else if (o->tmux_L) {
        s->argv[s->argc++] = xstrdup("-L");
        s->argv[s->argc++] = xstrdup(o->tmux_L);
        sb_printf(&b, "%s/tmux-%ld/%s", tmpdir, (long)getuid(), o->tmux_L);
    } else {
        const char *t = getenv("TMUX");
        if (t && *t && *t != ',') { /* "socket,server-pid,session"; without a path tmux too
                                     * takes it as unset. The path may hold commas: cut at the
                                     * second comma from the end. */
            size_t n = strlen(t), cut = n;
            for (int commas = 0; n > 0 && commas < 2;)
                if (t[--n] == ',') {
                    cut = n;
                    commas++;
                }
            sb_addn(&b, t, cut);
        } else {
            sb_printf(&b, "%s/tmux-%ld/default", tmpdir, (long)getuid());
        }
        char def[4096];
        snprintf(def, sizeof def, "%s/tmux-%ld/default", tmpdir, (long)getuid());
        s->is_default = strcmp(b.s, def) == 0;
        if (!s->is_default) { /* inside a non-default server: name it explicitly for kitty */
            s->argv[s->argc++] = xstrdup("-S");
            s->argv[s->argc++] = xstrdup(b.s);
        }
    }
    s->argv[s->argc] = NULL;
    s->socket = sb_take(&b);
    return 0;
}

void tmux_server_free(struct tserver *s)
{
    for (int i = 0; i < s->argc; i++)
        free(s->argv[i]);
    free(s->socket);
    memset(s, 0, sizeof *s);
}

/* The command separator in a run of several tmux commands, told apart by its address: an
 * argument that is the text ";" (a session named ";") stays an argument. */
static const char SEP[] = ";";

/* Runs tmux with the server prefix and args (NULL-terminated); out gets stdout. Each argument
 * is quoted for tmux's parser, except SEP, which goes as ";". */
int tmux_run(const struct tserver *s, const char *const *args, struct strbuf *out, struct strbuf *err)
{
    int n = 0;
    while (args[n])
        n++;
    char **argv = xcalloc((size_t)(s->argc + n + 1), sizeof *argv);
    for (int i = 0; i < s->argc; i++)
        argv[i] = s->argv[i];
    for (int i = 0; i < n; i++)
        argv[s->argc + i] = args[i] == SEP ? xstrdup(";") : quote_tmux_arg(args[i]);
    int rc = run_argv((const char *const *)argv, out, err, RUN_TMUX_MS);
    for (int i = 0; i < n; i++)
        free(argv[s->argc + i]);
    free(argv);
    return rc;
}

static void add_pane(struct tlive *l, struct tpane *tp)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = xrealloc(l->v, sizeof *l->v * (size_t)l->cap);
    }
    l->v[l->n++] = *tp;
}

int tmux_live_load(const struct tserver *s, struct tlive *l)
{
    memset(l, 0, sizeof *l);
    struct strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    const char *args[] = { "list-panes", "-a", "-F",
                           "#{pane_pid}\t#{session_id}\t#{window_index}\t#{pane_index}\t#{pane_id}\t#{window_id}\t#{session_name}",
                           NULL };
    int rc = tmux_run(s, args, &out, &err);
    l->no_answer = rc == RUN_TIMEOUT;
    if (rc == 0) {
        l->server_up = 1;
        char *line = out.s;
        while (line && *line) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            char *f[7];
            int k = 0;
            char *p = line;
            for (; k < 6; k++) {
                f[k] = p;
                char *t = strchr(p, '\t');
                if (!t)
                    break;
                *t = '\0';
                p = t + 1;
            }
            if (k == 6) {
                f[6] = p;
                struct tpane tp;
                tp.pid = strtol(f[0], NULL, 10);
                tp.session_id = xstrdup(f[1]);
                tp.win = atoi(f[2]);
                tp.pane = atoi(f[3]);
                tp.pane_id = xstrdup(f[4]);
                tp.window_id = xstrdup(f[5]);
                tp.session_name = xstrdup(f[6]);
                add_pane(l, &tp);
            }
            line = nl ? nl + 1 : NULL;
        }
    }
    sb_free(&out);
    sb_free(&err);
    return rc == 0 ? 0 : -1;
}

void tmux_live_free(struct tlive *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].session_id);
        free(l->v[i].session_name);
        free(l->v[i].window_id);
        free(l->v[i].pane_id);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

const struct tpane *find_pane(const struct tlive *l, const char *sname, int win, int pane)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i].session_name, sname) == 0 && l->v[i].win == win && (pane < 0 || l->v[i].pane == pane))
            return &l->v[i];
    return NULL;
}

const struct tpane *find_session(const struct tlive *l, const char *sname)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i].session_name, sname) == 0)
            return &l->v[i];
    return NULL;
}

int tlive_max_pane(const struct tlive *l, const char *sname, int win)
{
    int m = -1;
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i].session_name, sname) == 0 && l->v[i].win == win && l->v[i].pane > m)
            m = l->v[i].pane;
    return m;
}

/* Adds a created pane to the live view. */
void live_add(struct tlive *l, const char *sid, const char *sname, const char *wid, int win, const char *pid_, int pane)
{
    struct tpane tp;
    tp.pid = 0;
    tp.session_id = xstrdup(sid);
    tp.session_name = xstrdup(sname);
    tp.window_id = xstrdup(wid);
    tp.pane_id = xstrdup(pid_);
    tp.win = win;
    tp.pane = pane;
    add_pane(l, &tp);
}

void ta_add(struct targv *t, const char *a)
{
    if (t->n + 2 > t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, sizeof *t->v * (size_t)t->cap);
    }
    t->v[t->n++] = a;
    t->v[t->n] = NULL;
}

void ta_free(struct targv *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* Starts the next command of the run: its name, after SEP unless it is the first. */
void ta_cmd(struct targv *t, const char *name)
{
    if (t->n)
        ta_add(t, SEP);
    ta_add(t, name);
}
