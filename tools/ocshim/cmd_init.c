/* cmd_init.c - `ocshim init SHELL`: the lines for the shell's rc file (as direnv, zoxide do);
 * `ocshim init opencode`: ocshim's opencode plugin (tools/plugin/ocshim-session-env.js). */
#include "ocshim.h"

#include "quote.h"
#include "shimlib.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ocshim init bash|zsh|fish [--alias]\n"
    "       ocshim init opencode\n"
    "Prints the lines that preload the shim in every program the shell starts (it costs next\n"
    "to nothing outside opencode), or with --alias only in opencode. Add to your rc file:\n"
    "  bash/zsh: eval \"$(ocshim init bash)\"      fish: ocshim init fish | source\n"
    "`ocshim init opencode` prints ocshim's opencode plugin, which gives every command an\n"
    "opencode tool runs OPENCODE_SESSION_ID (needed for `opencode serve`, which runs every\n"
    "client's commands; the shim cannot tell them apart). Install it once:\n"
    "  mkdir -p ~/.config/opencode/plugin &&\n"
    "  ocshim init opencode >~/.config/opencode/plugin/ocshim-session-env.js\n"
    "Completion of ocshim and ocshim-restore for bash, zsh and fish comes with `make install`, in\n"
    "PREFIX/share: bash-completion/completions, zsh/site-functions (put it in $fpath before\n"
    "compinit), fish/vendor_completions.d. Manual pages: ocshim(1), ocshim-restore(1), libocshim(7).\n";

const char ocshim_plugin_js[] =
#include "plugin_js.h"
    ;

/* SHELL, the one word that is no option: a second one, or one starting with '-', is refused. */
static const char *shell_word(const char *shell, const char *w)
{
    if (shell || w[0] == '-')
        die_usage("init", "unexpected argument '%s' (see ocshim init --help)", w);
    return w;
}

int cmd_init(int argc, char **argv)
{
    enum { O_ALIAS = 256 };
    static const struct option longs[] = {
        { "alias", no_argument, NULL, O_ALIAS }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    const char *shell = NULL, *bad = NULL;
    int alias = 0, c;
    optind = 0;     /* a fresh scan; "-": the words in order, one that is no option as c == 1 */
    while ((c = optword_getopt(argc, argv, "-:h", longs, &bad)) != -1) {
        switch (c) {
        case O_ALIAS: alias = 1; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        case 1: shell = shell_word(shell, optarg); break;
        default: die_option("init", c, bad);
        }
    }
    while (optind < argc)   /* after "--" */
        shell = shell_word(shell, argv[optind++]);
    if (!shell)
        die_usage("init", "which shell? bash, zsh or fish (or opencode, for the plugin)");
    if (strcmp(shell, "opencode") == 0) {
        if (alias)
            die_usage("init", "--alias is for a shell, not for opencode");
        fputs(ocshim_plugin_js, stdout);
        return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_FAIL;
    }
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
    /* a comment, harmless where the lines are evaluated: where the shell's completion is */
    if (fish)
        puts("# completion: make install puts ocshim.fish in PREFIX/share/fish/vendor_completions.d");
    else if (strcmp(shell, "zsh") == 0)
        puts("# completion: make install puts _ocshim in PREFIX/share/zsh/site-functions (add it to fpath before compinit)");
    else
        puts("# completion: make install puts ocshim in PREFIX/share/bash-completion/completions (bash-completion loads it)");
    sb_free(&q);
    free(lib);
    return EXIT_OK;
}
