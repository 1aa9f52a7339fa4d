/* cmd_init.c - `ocshim init SHELL`: the lines for the shell's rc file (as direnv, zoxide do). */
#include "ocshim.h"

#include "quote.h"
#include "shimlib.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ocshim init bash|zsh|fish [--alias]\n"
    "Prints the lines that preload the shim in every program the shell starts (it costs next\n"
    "to nothing outside opencode), or with --alias only in opencode. Add to your rc file:\n"
    "  bash/zsh: eval \"$(ocshim init bash)\"      fish: ocshim init fish | source\n";

int cmd_init(int argc, char **argv)
{
    const char *shell = NULL;
    int alias = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--alias") == 0)
            alias = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return EXIT_OK;
        } else if (!shell && argv[i][0] != '-')
            shell = argv[i];
        else
            die_usage("init", "unexpected argument '%s' (see ocshim init --help)", argv[i]);
    }
    if (!shell)
        die_usage("init", "which shell? bash, zsh or fish");
    int fish = strcmp(shell, "fish") == 0;
    if (!fish && strcmp(shell, "bash") != 0 && strcmp(shell, "zsh") != 0)
        die_usage("init", "unknown shell '%s' (bash, zsh or fish)", shell);
    char *lib = shimlib_path();
    if (!lib) {
        fprintf(stderr, "ocshim init: libocshim.so not found next to ocshim (install it, or set OCSHIM_LIB)\n");
        return EXIT_FAIL;
    }
    struct strbuf q;
    sb_init(&q);
    quote_sh(&q, lib);
    if (fish) {
        if (alias)
            printf("function opencode --wraps opencode\n    LD_PRELOAD=%s command opencode $argv\nend\n", q.s);
        else
            printf("if not string match -q -- '*libocshim.so*' \"$LD_PRELOAD\"\n"
                   "    set -gx LD_PRELOAD %s $LD_PRELOAD\nend\n", q.s);
        /* fish joins a list with spaces; LD_PRELOAD takes space- or colon-separated paths. */
    } else if (alias) {
        /* A function rather than an alias: exact quoting, and "$@" passes arguments through. */
        printf("unalias opencode 2>/dev/null; opencode() { LD_PRELOAD=%s command opencode \"$@\"; }\n", q.s);
    } else {
        printf("case \":${LD_PRELOAD:-}:\" in *libocshim.so*) ;; "
               "*) export LD_PRELOAD=%s\"${LD_PRELOAD:+:$LD_PRELOAD}\" ;; esac\n", q.s);
    }
    sb_free(&q);
    free(lib);
    return EXIT_OK;
}
