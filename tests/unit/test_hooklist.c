/* test_hooklist.c - the list of hooked functions (hooklist.h) against what uses it: hooks_table
 * holds each name once and nothing else, libc has each function, the shim's lookup (on this
 * program's own imports of them all) finds libc's function for each and rewrites the slot to
 * the hook, and docs/ARCHITECTURE.md lists the same functions. Run from the repository's root
 * (make unit). */
#include "hooklist.h"
#include "hooks.h"
#include "plthook.h"
#include "unit.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#define NAME(fn) #fn,
#define NOT_MAIN(fn) 0,
#define MAIN(fn) 1,
static const char *const names[] = { OCSHIM_HOOKS(NAME, NAME) };
static const int main_only[] = { OCSHIM_HOOKS(NOT_MAIN, MAIN) };
#define N (sizeof names / sizeof names[0])

/* This program's import of each function by its very name (no header's redirect, such as
 * open to open64 under _FILE_OFFSET_BITS=64): a pointer to it in read-only-after-relocation
 * data, one R_X86_64_64 slot each, the kind SQLite's table of system calls gives opencode. */
#define QUAD(fn) "    .quad " #fn "\n"
__asm__(".pushsection .data.rel.ro, \"aw\"\n"
        "    .balign 8\n"
        "    .globl hooklist_imports\n"
        "    .hidden hooklist_imports\n"
        "hooklist_imports:\n" OCSHIM_HOOKS(QUAD, QUAD) ".popsection\n");
extern void *hooklist_imports[] __attribute__((visibility("hidden")));

static void *slot(size_t i)
{
    return __atomic_load_n(&hooklist_imports[i], __ATOMIC_ACQUIRE);
}

/* The functions docs/ARCHITECTURE.md lists in its section "## The hooked functions": each
 * item ("- what for: `name`, `name`", continued on lines indented by two spaces) names them
 * in backquotes after its first colon; the item that says "own slots only" names those
 * hooked in opencode's own slots only. The number found, or -1 without the file. */
#define DOC_MAX 64
static int doc_list(char out[DOC_MAX][32], int out_main[DOC_MAX])
{
    FILE *f = fopen("docs/ARCHITECTURE.md", "r");
    if (!f)
        return -1;
    char line[1024];
    int in = 0, n = 0, item_main = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "## ", 3) == 0) {
            in = strcmp(line, "## The hooked functions\n") == 0;
            continue;
        }
        if (!in)
            continue;
        const char *p;
        if (strncmp(line, "- ", 2) == 0) {
            p = strstr(line, ": ");
            if (!p)
                continue;
            const char *said = strstr(line, "own slots only");
            item_main = said && said < p;
        } else if (strncmp(line, "  ", 2) == 0) {
            p = line;
        } else {
            continue;
        }
        const char *q;
        while ((p = strchr(p, '`')) && (q = strchr(p + 1, '`'))) {
            size_t len = (size_t)(q - p - 1);
            if (n < DOC_MAX && len > 0 && len < 32) {
                memcpy(out[n], p + 1, len);
                out[n][len] = '\0';
                out_main[n++] = item_main;
            }
            p = q + 1;
        }
    }
    fclose(f);
    return n;
}

int main(void)
{
    /* The table: every listed name once, as listed, and nothing else. */
    CHECK(hooks_count == N);
    for (size_t i = 0; i < N; i++) {
        size_t seen = 0;
        for (size_t k = 0; k < hooks_count; k++)
            seen += strcmp(hooks_table[k].name, names[i]) == 0;
        if (seen != 1)
            fprintf(stderr, "  %s: %zu times in hooks_table\n", names[i], seen);
        CHECK(seen == 1);
        CHECK(i < hooks_count && strcmp(hooks_table[i].name, names[i]) == 0);
        const struct plthook *h = plthook_find(hooks_table, hooks_count, names[i]);
        CHECK(h && h->hook && h->next && h->main_only == main_only[i]);
        CHECK(h && h->next && *h->next == NULL);        /* not looked up yet */
    }

    /* libc has each one, and the loader bound this program's slot to it. */
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    CHECK(libc != NULL);
    void *real[N];
    for (size_t i = 0; i < N; i++) {
        real[i] = libc ? dlsym(libc, names[i]) : NULL;
        if (!real[i])
            fprintf(stderr, "  %s: not in libc.so.6\n", names[i]);
        CHECK(real[i] != NULL);
        CHECK(slot(i) == real[i]);
    }

    /* The shim's lookup, as in opencode: each pointer to libc's function is filled, and each
     * slot now leads to the hook. */
    struct plthook_object self;
    CHECK(plthook_main_object(&self) == 0);
    CHECK(plthook_install(&self, hooks_table, hooks_count) >= (int)N);
    for (size_t i = 0; i < N; i++) {
        const struct plthook *h = plthook_find(hooks_table, hooks_count, names[i]);
        void *next = h ? *h->next : NULL;
        if (!h || next != real[i] || next == h->hook || slot(i) != h->hook)
            fprintf(stderr, "  %s: next %p (libc's %p), hook %p, slot %p\n", names[i], next,
                    real[i], h ? h->hook : NULL, slot(i));
        CHECK(h && next != NULL && next == real[i]);
        CHECK(h && h->hook != next);
        CHECK(h && slot(i) == h->hook);
    }

    /* docs/ARCHITECTURE.md names the same functions, each once, the main-only ones as such. */
    char doc[DOC_MAX][32];
    int doc_main[DOC_MAX];
    int nd = doc_list(doc, doc_main);
    if (nd < 0)
        fprintf(stderr, "  docs/ARCHITECTURE.md: cannot read it (run from the repository's root)\n");
    CHECK(nd == (int)N);
    if (nd < 0)
        UNIT_END("test_hooklist");
    for (size_t i = 0; i < N; i++) {
        int seen = 0, as_main = 0;
        for (int k = 0; k < nd; k++)
            if (strcmp(doc[k], names[i]) == 0) {
                seen++;
                as_main = doc_main[k];
            }
        if (seen != 1 || as_main != main_only[i])
            fprintf(stderr, "  %s: %d times in docs/ARCHITECTURE.md%s\n", names[i], seen,
                    seen && as_main != main_only[i] ? ", main-only flag differs" : "");
        CHECK(seen == 1 && as_main == main_only[i]);
    }
    for (int k = 0; k < nd; k++) {
        int listed = 0;
        for (size_t i = 0; i < N; i++)
            listed += strcmp(doc[k], names[i]) == 0;
        if (!listed)
            fprintf(stderr, "  %s: in docs/ARCHITECTURE.md, not in hooklist.h\n", doc[k]);
        CHECK(listed);
    }
    UNIT_END("test_hooklist");
}
