/* cmd_doctor.c - `ocshim doctor`: check the set-up; every failed check prints its fix. */
#include "ocshim.h"

#include "bunid.h"
#include "exename.h"
#include "kittyconf.h"
#include "ocdb.h"
#include "runcmd.h"
#include "shimlib.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif

static const char usage[] =
    "usage: ocshim doctor\n"
    "Checks: the shim is preloaded in this shell; the kernel has what the shim needs; the state\n"
    "directory is private and writable; tmux >= 3.0; the kitty.conf lines of ocshim-restore's\n"
    "key binding (each missing one named) and kitty remote control; the opencode on\n"
    "PATH, however it was installed, is one the shim recognizes, and whether its version is in the\n"
    "tested table (docs/COMPAT.md, written by `make compat`).\n"
    "Prints ok/warn/FAIL per check, with a fix for each failure.\n"
    "Exit 0 when nothing failed (warnings allowed), 1 otherwise.\n";

static int failed;

static void report(const char *level, const char *what, const char *fix, ...)
{
    printf("%-4s  %s\n", level, what);
    if (fix) {
        va_list ap;
        va_start(ap, fix);
        printf("      fix: ");
        vprintf(fix, ap);
        printf("\n");
        va_end(ap);
    }
    if (strcmp(level, "FAIL") == 0)
        failed = 1;
}

static void check_preload(void)
{
    const char *lp = getenv("LD_PRELOAD");
    char *lib = shimlib_path();
    const char *hit = lp ? strstr(lp, "libocshim.so") : NULL;
    if (!hit) {
        report("FAIL", "the shim is not preloaded in this shell (LD_PRELOAD has no libocshim.so)",
                "add to your shell rc: eval \"$(ocshim init bash)\"  (zsh: init zsh; fish: ocshim init fish | source)");
    } else {
        /* The path in LD_PRELOAD must exist: ld.so ignores a missing one with a warning. */
        const char *start = hit;
        while (start > lp && start[-1] != ':' && start[-1] != ' ')
            start--;
        char path[4096];
        snprintf(path, sizeof path, "%.*s", (int)(hit - start) + 12, start);
        char core[4096 + 32];
        snprintf(core, sizeof core, "%.*slibocshim-opencode.so", (int)(hit - start), start);
        if (access(path, R_OK) != 0)
            report("FAIL", "LD_PRELOAD names a libocshim.so that does not exist",
                   "install it (make install) or fix the path: %s", path);
        else if (access(core, R_OK) != 0)
            report("FAIL", "libocshim-opencode.so is not beside the preloaded libocshim.so",
                   "install both (make install): %s", core);
        else {
            report("ok", "the shim is preloaded in this shell", NULL);
            puts("      note: a program built with AddressSanitizer refuses any preloaded library (\"ASan\n"
                 "      runtime does not come first in initial library list\"): if you run such programs,\n"
                 "      preload the shim in opencode alone: eval \"$(ocshim init bash --alias)\", and in\n"
                 "      opencode's own commands start them as env -u LD_PRELOAD PROGRAM");
        }
    }
    free(lib);
}

static void check_kernel(void)
{
    struct utsname u;
    int maj = 0, min = 0;
    if (uname(&u) == 0)
        sscanf(u.release, "%d.%d", &maj, &min);
    /* The real test: can this process turn Syscall User Dispatch off (it is not on)? */
    if (prctl(PR_SET_SYSCALL_USER_DISPATCH, 0, 0, 0, 0) != 0)
        report("FAIL", "the kernel (or a seccomp filter) does not offer Syscall User Dispatch",
               "Linux >= 5.11 is needed (this is %s); without it the shim stays inactive", u.release);
    else
        report("ok", "the kernel offers Syscall User Dispatch", NULL);
}

static void check_state_dir(void)
{
    char *dir = ocrec_state_dir();
    if (!dir) {
        report("FAIL", "no state directory (no absolute OCSHIM_STATE_DIR, XDG_STATE_HOME or HOME)",
               "set HOME, or OCSHIM_STATE_DIR, to an absolute path");
        return;
    }
    int missing;
    enum recfmt_dir_verdict v = ocrec_dir_check(dir, &missing);   /* the shim's own rule */
    char what[4200];
    snprintf(what, sizeof what, "state directory %s %s", dir, v ? recfmt_dir_why(v) : "");
    unsigned me = (unsigned)geteuid();
    switch (v) {
    case RECFMT_DIR_OK:
        if (missing)
            report("ok", "state directory does not exist yet; the shim creates it (0700)", NULL);
        else
            printf("ok    state directory is private and writable: %s\n", dir);
        break;
    case RECFMT_DIR_LINK:
    case RECFMT_DIR_NOTDIR:
        report("FAIL", what, "rm %s && mkdir -m 700 %s (or point OCSHIM_STATE_DIR at a real directory)", dir, dir);
        break;
    case RECFMT_DIR_FOREIGN:
    case RECFMT_DIR_OPEN:
        report("FAIL", what, "chown %u %s && chmod 700 %s", me, dir, dir);
        break;
    case RECFMT_DIR_READONLY:
        report("FAIL", what, "make it writable (chmod u+w %s, or remount its filesystem read-write), "
                             "or set OCSHIM_STATE_DIR to a writable directory", dir);
        break;
    case RECFMT_DIR_FULL:
        report("FAIL", what, "free space on the filesystem of %s", dir);
        break;
    }
    free(dir);
}

static void check_tmux(void)
{
    const char *argv[] = { "tmux", "-V", NULL };
    struct strbuf out;
    sb_init(&out);
    int rc = run_argv(argv, &out, NULL, RUN_TMUX_MS);
    int maj = 0, min = 0;
    if (rc != 0 || sscanf(out.s ? out.s : "", "tmux %d.%d", &maj, &min) < 1) {
        if (rc == -1)
            report("FAIL", "tmux is not installed (not on PATH)", "apt-get install tmux (3.0 or newer)");
        else
            report("FAIL", "tmux -V gave no version", "install tmux 3.0 or newer");
    } else if (maj < 3) {
        report("FAIL", "tmux is older than 3.0 (pane options are needed)", "install tmux 3.0 or newer (found %d.%d)", maj, min);
    } else {
        printf("ok    tmux %d.%d\n", maj, min);
    }
    sb_free(&out);
}

/* kitty.conf as kitty finds it: $KITTY_CONFIG_DIRECTORY, else the XDG config folder. */
static char *kitty_conf_path(void)
{
    const char *d = getenv("KITTY_CONFIG_DIRECTORY");
    if (d && *d == '/') {
        struct strbuf p;
        sb_init(&p);
        sb_printf(&p, "%s/kitty.conf", d);
        return p.s;
    }
    return oc_xdg_path("XDG_CONFIG_HOME", ".config", "kitty/kitty.conf");
}

/* kitty.conf is a few kilobytes; what lies beyond this is not read. */
#define KITTY_CONF_MAX (1 << 20)

/* Which of the key binding's lines kitty.conf lacks (its include lines are not followed). */
static void check_kitty_conf(void)
{
    char *path = kitty_conf_path();
    struct strbuf text;
    sb_init(&text);
    /* a regular file only, its first KITTY_CONF_MAX bytes: a FIFO, /dev/zero or a huge file
     * there must not hold doctor (nor fill its memory); a NUL byte reads as a line end */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        report("warn", "kitty.conf is not a regular file: not read", "make %s a file (or a symlink to one)", path);
        close(fd);
        sb_free(&text);
        free(path);
        return;
    }
    char buf[4096];
    ssize_t n;
    while (fd >= 0 && text.len < KITTY_CONF_MAX && (n = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            sb_addc(&text, buf[i] ? buf[i] : '\n');
    if (fd >= 0)
        close(fd);
    unsigned missing = kittyconf_missing(text.s);
    if (!missing) {
        printf("ok    %s has the lines ocshim-restore's key binding needs\n", path);
    } else {
        report("warn", "kitty.conf lacks lines that ocshim-restore's key binding (ctrl+shift+r) needs",
               "add %s to %s:", missing == 1 || missing == 2 || missing == 4 ? "this line" : "these lines",
               path);
        for (int i = 0; i < KITTYCONF_N; i++)
            if (missing & (1u << i))
                printf("          %s\n", kittyconf_line(i));
    }
    sb_free(&text);
    free(path);
}

static void check_kitty(void)
{
    const char *to = getenv("KITTY_LISTEN_ON");
    char *kitten = run_which("kitten"), *kitty = run_which("kitty");
    if (kitten || kitty)
        check_kitty_conf();
    if (!kitten && !kitty) {
        report("warn", "kitty is not installed: ocshim-restore can still restore tmux (--no-kitty)", NULL);
    } else if (!to || !*to) {
        report("warn", "kitty remote control not reachable from here (no KITTY_LISTEN_ON)",
               "run ocshim doctor in a kitty window opened since kitty.conf has listen_on");
    } else {
        const char *argv[] = { kitten ? "kitten" : "kitty", "@", "--to", to, "ls", NULL };
        struct strbuf out;
        sb_init(&out);
        int rc = run_argv(argv, &out, NULL, RUN_KITTY_MS);
        if (rc == 0)
            printf("ok    kitty remote control answers at %s\n", to);
        else
            report("FAIL", "kitty remote control does not answer",
                   "in kitty.conf: " KITTYCONF_REMOTE " (KITTY_LISTEN_ON=%s)", to);
        sb_free(&out);
    }
    free(kitten);
    free(kitty);
}

/* The versions `make compat` saw pass every check: docs/COMPAT.md's rows (build/tools/tested.h,
 * made from it by the Makefile). */
static const char *const tested_versions[] = {
#include "tested.h"
    NULL
};

static int version_tested(const char *version)
{
    for (size_t i = 0; tested_versions[i]; i++)
        if (strcmp(tested_versions[i], version) == 0)
            return 1;
    return 0;
}

/* How an opencode binary was installed, from where it lies. */
static const char *install_kind(const char *real)
{
    if (strstr(real, "/node_modules/opencode-ai/") || strstr(real, "/node_modules/opencode-linux-"))
        return "npm or bun global install";
    if (strstr(real, "/.opencode/bin/"))
        return "the curl installer";
    if (strncmp(real, "/nix/store/", 11) == 0)
        return "nix";
    if (strncmp(real, "/usr/bin/", 9) == 0 || strncmp(real, "/usr/local/bin/", 15) == 0)
        return "a package";
    return NULL;
}

/* 1 if the file starts with "#!" (a wrapper script). */
static int is_script(const char *path)
{
    char head[2] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(head, 1, 2, f);
    fclose(f);
    return n == 2 && head[0] == '#' && head[1] == '!';
}

/* The opencode on PATH, however it was installed: would the shim take it for opencode? The
 * same two tests as the shim: the name it is started by (exename.h), then the binary (bunid.h). */
static void check_opencode(void)
{
    char *found = run_which("opencode");
    if (!found) {
        report("warn", "opencode is not on PATH", NULL);
        return;
    }
    char *real = realpath(found, NULL);
    char *target = NULL;             /* a nix-style wrapper script starts .opencode-wrapped */
    if (real && is_script(real)) {
        struct strbuf w;
        sb_init(&w);
        sb_printf(&w, "%.*s.opencode-wrapped", (int)(strrchr(real, '/') + 1 - real), real);
        if (access(w.s, X_OK) == 0)
            target = realpath(w.s, NULL);
        sb_free(&w);
        if (!target) {
            report("FAIL", "the opencode on PATH is a script, not opencode: the shim does not recognize it",
                   "put the directory of the real opencode binary first on PATH (found %s)", found);
            goto out;
        }
    }
    const char *bin = target ? target : real;
    char version[BUNID_VERSION_MAX] = "";
    int fd = bin ? open(bin, O_RDONLY | O_CLOEXEC) : -1;
    int rc = fd >= 0 ? bunid_read(fd, version, sizeof version) : BUNID_IO;
    if (fd >= 0)
        close(fd);
    const char *kind = install_kind(bin ? bin : found);
    if (rc != BUNID_OPENCODE) {
        report("FAIL", "the opencode on PATH is not opencode: the shim does not recognize it",
               "%s is %s; put the real opencode first on PATH", bin ? bin : found, bunid_why(rc));
    } else if (!exename_may_be_opencode(found) || (target && !exename_may_be_opencode(target))) {
        report("FAIL", "opencode on PATH is started by a name the shim does not look at",
               "its file name must start with 'opencode' or '.opencode' (found %s)", found);
    } else {
        printf("ok    opencode %s at %s%s%s: the shim will recognize it\n", version, found,
               strcmp(found, bin) ? " -> " : "", strcmp(found, bin) ? bin : "");
        if (kind)
            printf("      installed by %s\n", kind);
        if (version_tested(version))
            printf("ok    opencode %s is tested (in ocshim's docs/COMPAT.md)\n", version);
        else
            report("warn", "opencode's version is not in the tested table (ocshim's docs/COMPAT.md)",
                   "it may still work: check with `ocshim ls` after a prompt (found %s)", version);
    }
out:
    free(target);
    free(real);
    free(found);
}

/* ocshim's opencode plugin in opencode's global plugin folders: the only source of
 * OPENCODE_SESSION_ID in the commands an `opencode serve` runs for its clients. */
static void check_plugin(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (!(xdg && *xdg == '/') && !(home && *home == '/'))
        return;                                    /* no config folder to look in */
    char *base = oc_xdg_path("XDG_CONFIG_HOME", ".config", "opencode");   /* as opencode's data */
    static const char *const dirs[] = { "plugin", "plugins" };
    for (size_t d = 0; d < 2; d++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", base, dirs[d]);
        DIR *dh = opendir(dir);
        struct dirent *de;
        while (dh && (de = readdir(dh))) {
            size_t n = strlen(de->d_name);
            if (n < 4 || strcmp(de->d_name + n - 3, ".js") != 0)
                continue;
            char path[8400];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            FILE *f = fopen(path, "r");
            char buf[4096];
            size_t got = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
            if (f)
                fclose(f);
            buf[got] = '\0';
            if (!strstr(buf, "OcshimSessionEnv"))
                continue;
            closedir(dh);
            if (strcmp(buf, ocshim_plugin_js) == 0)
                report("ok", "ocshim's opencode plugin is installed (a server's commands get OPENCODE_SESSION_ID)", NULL);
            else
                report("warn", "ocshim's opencode plugin is not this version's", "ocshim init opencode >'%s'", path);
            free(base);
            return;
        }
        if (dh)
            closedir(dh);
    }
    report("warn", "ocshim's opencode plugin is not installed: commands `opencode serve` runs for its clients "
                   "get no OPENCODE_SESSION_ID",
           "mkdir -p '%s/plugin' && ocshim init opencode >'%s/plugin/ocshim-session-env.js'", base, base);
    free(base);
}

int cmd_doctor(int argc, char **argv)
{
    static const struct option longs[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
    int c;
    const char *bad = NULL;
    optind = 0;     /* a fresh scan; "-": the words in order, one that is no option as c == 1 */
    while ((c = optword_getopt(argc, argv, "-:h", longs, &bad)) != -1) {
        switch (c) {
        case 'h': fputs(usage, stdout); return EXIT_OK;
        case 1: die_usage("doctor", "unexpected argument '%s' (see ocshim doctor --help)", optarg);
        default: die_option("doctor", c, bad);
        }
    }
    if (optind < argc)   /* after "--" */
        die_usage("doctor", "unexpected argument '%s' (see ocshim doctor --help)", argv[optind]);
    check_preload();
    check_kernel();
    check_state_dir();
    check_tmux();
    check_kitty();
    check_opencode();
    check_plugin();
    return failed ? EXIT_FAIL : EXIT_OK;
}
