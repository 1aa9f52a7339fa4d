/* cmd_doctor.c - `ocshim doctor`: check the set-up; every failed check prints its fix. */
#include "ocshim.h"

#include "runcmd.h"
#include "shimlib.h"
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
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
    "directory is private and writable; tmux >= 3.0; kitty remote control; the installed\n"
    "opencode's version. Prints ok/warn/FAIL per check, with a fix for each failure.\n"
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
        if (access(path, R_OK) != 0)
            report("FAIL", "LD_PRELOAD names a libocshim.so that does not exist",
                   "install it (make install) or fix the path: %s", path);
        else
            report("ok", "the shim is preloaded in this shell", NULL);
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
    struct stat st;
    if (!dir) {
        report("FAIL", "no state directory (HOME is not set)", "set HOME or OCSHIM_STATE_DIR");
        return;
    }
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT)
            report("ok", "state directory does not exist yet; the shim creates it (0700)", NULL);
        else
            report("FAIL", "state directory cannot be read", "check the permissions of %s", dir);
    } else if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
        report("FAIL", "state directory is a symlink or not a directory (the shim refuses it)",
               "rm %s && mkdir -m 700 %s", dir, dir);
    } else if (st.st_uid != geteuid() || (st.st_mode & 022)) {
        report("FAIL", "state directory is not private (the shim refuses it)",
               "chown %u %s && chmod 700 %s", (unsigned)geteuid(), dir, dir);
    } else if (access(dir, W_OK) != 0) {
        report("FAIL", "state directory is not writable", "chmod u+w %s", dir);
    } else {
        printf("ok    state directory is private and writable: %s\n", dir);
    }
    free(dir);
}

static void check_tmux(void)
{
    char *argv[] = { "tmux", "-V", NULL };
    struct strbuf out;
    sb_init(&out);
    int rc = run_argv(argv, &out, NULL);
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

static void check_kitty(void)
{
    const char *to = getenv("KITTY_LISTEN_ON");
    char *kitten = run_which("kitten"), *kitty = run_which("kitty");
    if (!kitten && !kitty) {
        report("warn", "kitty is not installed: ocshim-restore can still restore tmux (--no-kitty)", NULL);
    } else if (!to || !*to) {
        report("warn", "kitty remote control not reachable from here (no KITTY_LISTEN_ON)",
               "in kitty.conf: allow_remote_control yes and listen_on unix:/tmp/kitty-{kitty_pid}");
    } else {
        char *argv[] = { kitten ? "kitten" : "kitty", "@", "--to", (char *)to, "ls", NULL };
        struct strbuf out;
        sb_init(&out);
        int rc = run_argv(argv, &out, NULL);
        if (rc == 0)
            printf("ok    kitty remote control answers at %s\n", to);
        else
            report("FAIL", "kitty remote control does not answer",
                   "in kitty.conf: allow_remote_control yes (KITTY_LISTEN_ON=%s)", to);
        sb_free(&out);
    }
    free(kitten);
    free(kitty);
}

static void check_opencode(void)
{
    char *argv[] = { "opencode", "--version", NULL };
    struct strbuf out;
    sb_init(&out);
    int rc = run_argv(argv, &out, NULL);
    int maj = 0, min = 0, pat = 0;
    if (rc == -1) {
        report("warn", "opencode is not on PATH", NULL);
    } else if (rc != 0 || sscanf(out.s ? out.s : "", "%d.%d.%d", &maj, &min, &pat) != 3) {
        report("warn", "opencode --version printed no version", NULL);
    } else if (maj == 1 && (min == 18 || min == 14)) {
        printf("ok    opencode %d.%d.%d: its log format is known (%s)\n", maj, min, pat,
               min == 18 ? "1.18: shared opencode.log" : "1.14: one log per process");
    } else {
        report("warn", "opencode's version is not one the shim was tested with (1.14.x, 1.18.x)",
               "it may still work: check with `ocshim ls` after a prompt (found %d.%d.%d)", maj, min, pat);
    }
    sb_free(&out);
}

int cmd_doctor(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return EXIT_OK;
        }
        die_usage("doctor", "unexpected argument '%s' (see ocshim doctor --help)", argv[i]);
    }
    check_preload();
    check_kernel();
    check_state_dir();
    check_tmux();
    check_kitty();
    check_opencode();
    return failed ? EXIT_FAIL : EXIT_OK;
}
