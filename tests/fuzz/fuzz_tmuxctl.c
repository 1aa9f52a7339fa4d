/* fuzz_tmuxctl.c - the shim's reading of tmux's display-message output (shim/tmuxctl.c). */
#include "fuzz.h"
#include "spawnread.h"
#include "tmuxctl.h"

/* Input: what tmux prints for the pane's place (PLACE_FORMAT: the server's pid, window id,
 * session name, window index, window name, pane index, layout, one per line). spawn_read and spawn_find are
 * this file's stand-ins (spawnread.c is not linked): no process is run; the output is cut to
 * the caller's buffer as spawn_read cuts it. A leading 0x15 byte: tmux failed.
 *
 * Properties: the answer is taken (0) only from the pane's server (pid 4242 first), and
 * TMUXCTL_OTHER_SERVER only from another (another number first), and with a window id
 * (@...); every field ends inside its array and holds no newline; the layout is a whole line
 * or empty. */

static const uint8_t *out_p;
static size_t out_n;

int spawn_find(char *const env[], const char *name, char *out, size_t cap)
{
    FZ_CHECK(strcmp(name, "tmux") == 0 && cap > 16);
    snprintf(out, cap, "/usr/bin/%s", name);
    return 0;
}

int spawn_read(const char *path, char *const argv[], char *const env[], char *out, size_t cap,
               int timeout_ms, int (*give_up)(void))
{
    FZ_CHECK(path && argv && argv[0] && cap > 0 && timeout_ms > 0);
    for (int i = 0; argv[i]; i++)
        (void)strlen(argv[i]);
    for (int i = 0; env && env[i]; i++)
        (void)strlen(env[i]);
    if (out_n && out_p[0] == 0x15)
        return -1;
    size_t len = out_n < cap - 1 ? out_n : cap - 1;
    memcpy(out, out_p, len);
    out[len] = '\0';
    return len ? (int)len : -1;
}

#define FIELD_OK(a) (memchr((a), '\0', sizeof(a)) && !strchr((a), '\n'))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    out_p = data;
    out_n = size;
    char *env[] = { "PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8", "TERM=xterm", NULL };
    struct tmux_info ti;
    memset(&ti, 'Z', sizeof ti);
    int r = tmuxctl_publish("/tmp/tmux-1000/default", "%3", 4242,
                            (size & 1) ? "ses_df44de28cffew6XiCzZuRqPWmd" : NULL, env, &ti, NULL);
    FZ_CHECK(r == 0 || r == -1 || r == TMUXCTL_OTHER_SERVER);
    if (r == TMUXCTL_OTHER_SERVER)
        FZ_CHECK(size > 0 && data[0] >= '0' && data[0] <= '9' && !(size >= 5 && memcmp(data, "4242\n", 5) == 0));
    if (r == 0) {
        FZ_CHECK(size >= 5 && memcmp(data, "4242\n", 5) == 0 && ti.window_id[0] == '@');
        FZ_CHECK(FIELD_OK(ti.session));
        FZ_CHECK(FIELD_OK(ti.window));
        FZ_CHECK(FIELD_OK(ti.window_name));
        FZ_CHECK(FIELD_OK(ti.pane_index));
        FZ_CHECK(FIELD_OK(ti.layout));
        FZ_CHECK(FIELD_OK(ti.window_id));
        /* a layout or window id is whole: it is in the output as a line of its own */
        if (ti.layout[0]) {
            char *l = malloc(strlen(ti.layout) + 3);
            sprintf(l, "\n%s\n", ti.layout);
            FZ_CHECK(memmem(data, size, l, strlen(l)));
            free(l);
        }
    }
    return 0;
}
