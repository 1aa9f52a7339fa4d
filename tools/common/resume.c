/* resume.c - the Resume index of `ocshim resume`: per tmux pane the conversation to resume, and
 * its text (see resume.h). Pure: the caller gathers the facts; each rule is in test_resume. */
#include "resume.h"

#include "quote.h"

#include <stdlib.h>
#include <string.h>

/* A record of a tmux pane: session name, window and pane index all known. */
static int in_pane(const struct ocrec *r)
{
    int w, p;
    return r->tmux_session && *r->tmux_session && !ocrec_index(r->tmux_window, &w) &&
           !ocrec_index(r->tmux_pane_index, &p);
}

/* Where name stands in names (its rank), else nnames (no names: all rank 0). */
static int rank(const char *name, char *const *names, int nnames)
{
    for (int i = 0; i < nnames; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return nnames;
}

/* 1 if a (record ra) stands for the conversation rather than b: its process runs, else newer. */
static int preferred(const struct ocrec *ra, const struct resume_fact *fa, const struct ocrec *rb,
                     const struct resume_fact *fb)
{
    if (fa->alive != fb->alive)
        return fa->alive;
    return ocrec_newer(ra, rb);
}

/* 1 if another pane record of v[i]'s tmux server took its pane after it (ocrec_supersedes):
 * a pane of another server with the same session name and indexes is another pane. */
static int superseded(const struct ocrec *v, int n, int i, const char *pane_rec)
{
    for (int k = 0; k < n; k++)
        if (k != i && pane_rec[k] && ocrec_same_server(&v[k], &v[i]) && ocrec_supersedes(&v[k], &v[i]))
            return 1;
    return 0;
}

struct names {
    char *const *v;
    int n;
};

static int pane_cmp(const void *pa, const void *pb, void *arg)
{
    const struct resume_pane *a = pa, *b = pb;
    const struct names *nm = arg;
    int ra = rank(a->tsession, nm->v, nm->n), rb = rank(b->tsession, nm->v, nm->n);
    if (ra != rb)
        return ra - rb;
    int c = strcmp(a->tsession, b->tsession);
    if (c)
        return c;
    if (a->win != b->win)
        return a->win - b->win;
    if (a->pane != b->pane)
        return a->pane - b->pane;
    /* the same pane (it moved): the one that looked at tmux last first */
    return ocrec_pane_newer(b->rec, a->rec) - ocrec_pane_newer(a->rec, b->rec);
}

int resume_decide(const struct ocrec *v, int n, const struct resume_fact *f, char *const *names, int nnames,
                  struct resume_index *out, const char **unknown, struct notes *notes)
{
    memset(out, 0, sizeof *out);
    *unknown = NULL;
    for (int k = 0; k < nnames && !*unknown; k++) {
        int known = 0;
        for (int i = 0; i < n && !known; i++)
            known = in_pane(&v[i]) && strcmp(v[i].tmux_session, names[k]) == 0;
        if (!known)
            *unknown = names[k];
    }
    if (*unknown)
        return -1;
    char *pane_rec = xcalloc((size_t)(n ? n : 1), 1);
    char *take = xcalloc((size_t)(n ? n : 1), 1);
    for (int i = 0; i < n; i++)
        pane_rec[i] = (char)in_pane(&v[i]);
    for (int i = 0; i < n; i++) {
        const struct ocrec *r = &v[i];
        if (!pane_rec[i] || ocrec_is_server(r) || superseded(v, n, i, pane_rec))
            continue;
        if (nnames && rank(r->tmux_session, names, nnames) == nnames)
            continue;
        if (!f[i].root || !session_id_valid(f[i].root)) {
            notes_add(notes, "record %s: no valid session id, not listed", r->file ? r->file : "?");
            continue;
        }
        if (f[i].known == 0) {
            notes_add(notes, "record %s: session %s is not in opencode's database (deleted), not listed",
                      r->file ? r->file : "?", f[i].root);
            continue;
        }
        take[i] = 1;
    }
    /* one conversation, one line */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n && take[i]; j++)
            if (j != i && take[j] && strcmp(f[i].root, f[j].root) == 0 && preferred(&v[j], &f[j], &v[i], &f[i]))
                take[i] = 0;
    for (int i = 0; i < n; i++) {
        if (!take[i])
            continue;
        out->v = xrealloc(out->v, sizeof *out->v * (size_t)(out->n + 1));
        struct resume_pane *p = &out->v[out->n++];
        p->tsession = v[i].tmux_session;
        ocrec_index(v[i].tmux_window, &p->win);
        ocrec_index(v[i].tmux_pane_index, &p->pane);
        p->dir = ocrec_dir(&v[i]);
        p->id = f[i].root;
        p->title = f[i].known == 1 ? f[i].title : NULL;
        p->archived = f[i].known == 1 && f[i].archived;
        p->rec = &v[i];
    }
    struct names nm = { names, nnames };
    if (out->n)
        qsort_r(out->v, (size_t)out->n, sizeof *out->v, pane_cmp, &nm);
    free(pane_rec);
    free(take);
    return 0;
}

void resume_index_free(struct resume_index *x)
{
    free(x->v);
    memset(x, 0, sizeof *x);
}

/* s with every control byte as a space: it stays on its line. */
static void add_oneline(struct strbuf *b, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        sb_addc(b, *c < 0x20 || *c == 0x7f ? ' ' : (char)*c);
}

void resume_format(struct strbuf *out, const struct resume_index *x, int md)
{
    if (md)
        sb_add(out, "## Resume\n");
    for (int i = 0; i < x->n; i++) {
        const struct resume_pane *p = &x->v[i];
        int first = i == 0 || strcmp(x->v[i - 1].tsession, p->tsession) != 0;
        int last = i == x->n - 1 || strcmp(x->v[i + 1].tsession, p->tsession) != 0;
        if (first) {
            sb_add(out, md ? "\n### " : i ? "\n# " : "# ");
            add_oneline(out, p->tsession);
            sb_add(out, md ? "\n\n```sh\n" : "\n");
        }
        sb_printf(out, "# %d.%d", p->win, p->pane);
        if (p->title && *p->title) {
            sb_add(out, "  ");
            add_oneline(out, p->title);
        }
        sb_add(out, p->archived ? " (archived)\n" : "\n");
        if (*p->dir) {
            sb_add(out, "cd ");
            quote_sh_word(out, p->dir);
            sb_add(out, " && ");
        }
        sb_printf(out, "opencode --session %s\n", p->id);
        if (last && md)
            sb_add(out, "```\n");
    }
}
