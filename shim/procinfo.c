/* procinfo.c - this process's identity and command line (see procinfo.h).
 * Runs in: worker thread, load time.
 *   load time: procinfo_copy, procinfo_parse_cli, procinfo_role, procinfo_behind_loader
 *   (ocshim_start); worker thread: procinfo_load, procinfo_tmux_env, procinfo_parse_cli,
 *   procinfo_role_name (record.c), procinfo_behind_loader. */
#include "procinfo.h"
#include "recfmt.h"
#include "recname.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *procinfo_behind_loader(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *fn = (const char *)getauxval(AT_EXECFN);
    if (n <= 0 || !fn)
        return NULL;
    exe[n] = '\0';
    const char *b = strrchr(exe, '/');
    return strncmp(b ? b + 1 : exe, "ld-linux", 8) == 0 ? fn : NULL;
}

static const char *env_get(char **envp, const char *key)
{
    size_t n = strlen(key);
    for (char **e = envp; e && *e; e++)
        if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

int procinfo_copy(struct procinfo *pi, int argc, char **argv, char **envp)
{
    memset(pi, 0, sizeof *pi);
    /* The directory opencode starts in, before it can change to its project argument (which
     * the worker resolves against this). */
    if (!getcwd(pi->cwd, sizeof pi->cwd))
        pi->cwd[0] = '\0';
    if (argc < 0 || !argv)
        argc = 0;
    pi->argv = calloc((size_t)argc + 1, sizeof *pi->argv);
    if (!pi->argv)
        return -1;
    for (int i = 0; i < argc; i++)
        if (!(pi->argv[i] = strdup(argv[i] ? argv[i] : "")))
            return -1;
    pi->argc = argc;
    size_t ne = 0;
    for (char **e = envp; e && *e; e++)
        ne++;
    pi->env = calloc(ne + 1, sizeof *pi->env);
    if (!pi->env)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(envp[i], "LD_PRELOAD=", 11) != 0)
            pi->env[o++] = envp[i];
    pi->tmux = env_get(envp, "TMUX");
    pi->tmux_pane = env_get(envp, "TMUX_PANE");
    pi->kitty_window_id = env_get(envp, "KITTY_WINDOW_ID");
    pi->kitty_listen_on = env_get(envp, "KITTY_LISTEN_ON");
    pi->state_dir_env = env_get(envp, "OCSHIM_STATE_DIR");
    pi->xdg_state_home = env_get(envp, "XDG_STATE_HOME");
    pi->home = env_get(envp, "HOME");
    pi->debug = env_get(envp, "OCSHIM_DEBUG");
    return 0;
}

/* Whether s is 1 to 10 decimal digits (a pid). */
static int small_number(const char *s, size_t n)
{
    if (n < 1 || n > 10)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int procinfo_tmux_env(const char *tmux, const char *pane, char *socket, size_t cap, long *server_pid)
{
    socket[0] = '\0';
    *server_pid = 0;
    if (!tmux || !recfmt_pane_valid(pane))
        return -1;
    const char *c2 = strrchr(tmux, ','), *c1 = NULL;
    for (const char *c = tmux; c2 && c < c2; c++)
        if (*c == ',')
            c1 = c;
    if (!c1 || c1 == tmux || (size_t)(c1 - tmux) >= cap || !small_number(c1 + 1, (size_t)(c2 - c1 - 1)))
        return -1;
    long pid = strtol(c1 + 1, NULL, 10);
    if (pid <= 0 || pid > 0x7fffffffL)
        return -1;
    memcpy(socket, tmux, (size_t)(c1 - tmux));
    socket[c1 - tmux] = '\0';
    *server_pid = pid;
    return 0;
}

static int read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return (int)n;
}

int procinfo_load(struct procinfo *pi)
{
    char buf[1024];
    pi->pid = getpid();
    pi->uid = geteuid();

    /* Field 22 of /proc/self/stat, counted after the ")" that ends the command name. */
    if (read_small("/proc/self/stat", buf, sizeof buf) < 0)
        return -1;
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    int field = 2;
    for (p++; *p && field < 22; p++)
        if (*p == ' ')
            field++;
    pi->start_time = strtoull(p, NULL, 10);

    if (read_small("/proc/sys/kernel/random/boot_id", buf, sizeof buf) < 0)
        return -1;
    size_t o = 0;
    for (char *c = buf; *c && o < 32; c++)
        if ((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))
            pi->boot_id[o++] = *c;
    pi->boot_id[o] = '\0';
    if (o != 32)
        return -1;

    /* Start time in Unix ms: now minus the process's age. */
    struct timespec now_rt, now_bt;
    clock_gettime(CLOCK_REALTIME, &now_rt);
    clock_gettime(CLOCK_BOOTTIME, &now_bt);
    long hz = sysconf(_SC_CLK_TCK);
    long long boot_ms = (long long)now_bt.tv_sec * 1000 + now_bt.tv_nsec / 1000000;
    long long start_ms_since_boot = hz > 0 ? (long long)(pi->start_time * 1000 / (unsigned long long)hz) : 0;
    pi->started_ms = (long long)now_rt.tv_sec * 1000 + now_rt.tv_nsec / 1000000
                     - (boot_ms - start_ms_since_boot);

    ssize_t n = readlink("/proc/self/exe", pi->exe, sizeof pi->exe - 1);
    pi->exe[n > 0 ? n : 0] = '\0';
    /* Started through the loader: the program, and what starts it again, is AT_EXECFN's. */
    const char *fn = procinfo_behind_loader();
    char real[sizeof pi->exe];
    if (fn && realpath(fn, real))
        memcpy(pi->exe, real, sizeof real);
    if (!pi->cwd[0] && !getcwd(pi->cwd, sizeof pi->cwd))   /* normally taken at start */
        pi->cwd[0] = '\0';

    procinfo_tmux_env(pi->tmux, pi->tmux_pane, pi->tmux_socket, sizeof pi->tmux_socket,
                      &pi->tmux_server_pid);

    if (recfmt_state_dir(pi->state_dir, sizeof pi->state_dir, pi->state_dir_env, pi->xdg_state_home,
                         pi->home))
        return -1;
    return recname_format(pi->name, sizeof pi->name, (long)pi->pid, pi->boot_id, pi->start_time, 0);
}

/* opencode's options that take a value (1.14-1.18), so their values are not taken for the
 * command or the project directory. */
static int takes_value(const char *a)
{
    static const char *const opts[] = { "--log-level", "--port", "--hostname", "--mdns-domain", "--cors",
                                         "-m", "--model", "--prompt", "--agent", "--replay-limit",
                                         "--format", "--file", "-f", "--title", "--password",
                                         "-p", "--username", "-u", "--variant", "--command", NULL };
    for (int i = 0; opts[i]; i++)
        if (strcmp(a, opts[i]) == 0)
            return 1;
    return 0;
}

const char *procinfo_role_name(int role)
{
    switch (role) {
    case ROLE_RUN: return "run";
    case ROLE_CLIENT: return "client";
    case ROLE_SERVER: return "server";
    default: return "tui";
    }
}

int procinfo_role(const struct cli_session *cli)
{
    if (cli->server)
        return ROLE_SERVER;
    if (cli->client)
        return ROLE_CLIENT;
    return cli->run ? ROLE_RUN : ROLE_TUI;
}

void procinfo_parse_cli(int argc, char **argv, struct cli_session *out)
{
    memset(out, 0, sizeof *out);
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (strcmp(a, "--session") == 0 || strcmp(a, "-s") == 0) {
            if (i + 1 < argc)
                out->session = argv[++i];
        } else if (strncmp(a, "--session=", 10) == 0) {
            out->session = a + 10;
        } else if (strncmp(a, "-s=", 3) == 0) {
            out->session = a + 3;
        } else if (strcmp(a, "--continue") == 0 || strcmp(a, "-c") == 0) {
            out->cont = 1;
        } else if (strcmp(a, "--fork") == 0) {
            out->fork = 1;
        } else if (strcmp(a, "--dir") == 0) {
            if (i + 1 < argc && out->run)
                out->dir = argv[i + 1];
            i++;
        } else if (strncmp(a, "--dir=", 6) == 0) {
            if (out->run)
                out->dir = a + 6;
        } else if (strcmp(a, "--attach") == 0 || strncmp(a, "--attach=", 9) == 0) {
            out->other = 1;    /* run on a server elsewhere: its database, its directories */
            out->client = 1;
            if (a[8] == '=')
                out->url = a + 9;
            else if (i + 1 < argc)
                out->url = argv[++i];
        } else if (takes_value(a)) {
            out->listens |= strcmp(a, "--port") == 0 || strcmp(a, "--hostname") == 0;
            i++;
        } else if (strncmp(a, "--port=", 7) == 0 || strncmp(a, "--hostname=", 11) == 0 ||
                   strcmp(a, "--mdns") == 0) {
            out->listens = 1;
        } else if (a[0] != '-') {
            int pos = npos++;
            if (pos == 1 && out->client && !out->url && !out->run) {
                out->url = a;  /* attach URL */
                continue;
            }
            if (pos != 0)
                continue;
            /* the first positional: a command, or the TUI's project directory */
            static const char *const cmds[] = { "completion", "acp", "mcp", "attach", "debug", "providers",
                                                "auth", "agent", "upgrade", "uninstall", "serve", "web",
                                                "models", "stats", "export", "import", "github", "pr",
                                                "session", "plugin", "plug", "db", NULL };
            if (strcmp(a, "run") == 0) {
                out->run = 1;
                continue;
            }
            for (int k = 0; cmds[k]; k++)
                if (strcmp(a, cmds[k]) == 0)
                    out->other = 1;
            out->server = strcmp(a, "serve") == 0 || strcmp(a, "web") == 0;
            out->acp = strcmp(a, "acp") == 0;
            out->client |= strcmp(a, "attach") == 0;
            if (!out->other)
                out->dir = a;
        }
    }
}
