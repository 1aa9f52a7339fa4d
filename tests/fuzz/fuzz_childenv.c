/* fuzz_childenv.c - OPENCODE_SESSION_ID in a child's environment (shim/childenv.c). */
#include "fuzz.h"
#include "childenv.h"
#include "recfmt.h"

/* Input: byte 0: flags (1: a line to set, 2: a stale entry for the server's build); byte 1:
 * the room in entries (0: just enough); byte 2: which entry is stale. The rest: the entries,
 * NUL-separated as in an environment block; with flags & 1 the first is the line.
 * The output array is its own allocation of exactly the room asked for (writes past it are
 * caught).
 *
 * Properties: childenv_build keeps every entry that is not OPENCODE_SESSION_ID=, in order,
 * adds the line last, and returns NULL exactly when that does not fit; childenv_build_server
 * drops exactly the entries equal to the stale one; an id published is read back as the
 * entry, unless it is too long (then none). */

static void check_build(char **envp, size_t n, const char *line, size_t cap)
{
    static const char pre[] = CHILDENV_VAR "=";
    size_t keep = 0;
    for (size_t i = 0; i < n; i++)
        keep += strncmp(envp[i], pre, sizeof pre - 1) != 0;
    size_t want = keep + (line != NULL);
    char **out = malloc(cap * sizeof *out);   /* exactly cap entries, even none */
    char **r = childenv_build(envp, line, out, cap);
    if (want + 1 > cap) {
        FZ_CHECK(r == NULL);
    } else {
        FZ_CHECK(r == out && out[want] == NULL);
        size_t o = 0;
        for (size_t i = 0; i < n; i++)
            if (strncmp(envp[i], pre, sizeof pre - 1) != 0)
                FZ_CHECK(out[o++] == envp[i]);
        if (line)
            FZ_CHECK(out[o++] == line);
        FZ_CHECK(o == want);
    }
    free(out);
}

static void check_server(char **envp, size_t n, const char *stale, size_t cap)
{
    size_t keep = 0;
    for (size_t i = 0; i < n; i++)
        keep += !stale || strcmp(envp[i], stale) != 0;
    char **out = malloc(cap * sizeof *out);   /* exactly cap entries, even none */
    char **r = childenv_build_server(envp, stale, out, cap);
    if (keep + 1 > cap) {
        FZ_CHECK(r == NULL);
    } else {
        FZ_CHECK(r == out && out[keep] == NULL);
        size_t o = 0;
        for (size_t i = 0; i < n; i++)
            if (!stale || strcmp(envp[i], stale) != 0)
                FZ_CHECK(out[o++] == envp[i]);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    unsigned flags = fz_byte(&f, 0), room = fz_byte(&f, 0), pick = fz_byte(&f, 0);

    /* The entries: a copy of the rest, cut at NUL bytes. */
    char *block = fz_str((const char *)f.p, f.n);
    size_t cnt = 1;
    for (size_t i = 0; i < f.n; i++)
        cnt += block[i] == '\0';
    char **all = malloc((cnt + 1) * sizeof *all);
    size_t na = 0;
    for (char *s = block; na < cnt; s += strlen(s) + 1)
        all[na++] = s;
    all[na] = NULL;

    const char *line = NULL;
    char **envp = all;
    size_t n = na;
    if ((flags & 1) && n > 0) {
        line = all[0];
        envp++;
        n--;
    }
    FZ_CHECK(childenv_count(envp) == n);
    FZ_CHECK(childenv_count(NULL) == 0);

    size_t need = n + 2;
    size_t cap = room ? room - 1 : need;
    check_build(envp, n, line, cap);
    check_build(envp, n, NULL, cap);
    check_build(NULL, 0, line, cap);

    char *stale = NULL;
    if ((flags & 2) && n > 0)
        stale = strdup(envp[pick % n]);   /* equal, not the same pointer */
    check_server(envp, n, stale, cap);
    check_server(NULL, 0, stale, cap);
    free(stale);

    /* Publish the first entry as the id; read it back. */
    const char *id = na ? all[0] : "";
    childenv_publish(id);
    char got[CHILDENV_LINE_MAX];
    size_t gl = childenv_read(got);
    size_t idn = strlen(id);
    if (idn == 0 || idn >= 64) {
        FZ_CHECK(gl == 0);
    } else {
        FZ_CHECK(gl == sizeof CHILDENV_VAR + idn && strlen(got) == gl);
        FZ_CHECK(memcmp(got, CHILDENV_VAR "=", sizeof CHILDENV_VAR) == 0 && strcmp(got + sizeof CHILDENV_VAR, id) == 0);
    }
    free(all);
    free(block);
    return 0;
}
