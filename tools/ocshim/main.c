/* main.c - `ocshim`: the command table and the dispatch to one cmd_*.c per subcommand. */
#include "ocshim.h"

#include <stdio.h>
#include <string.h>

/* One line per command: its name, its usage (as --help shows it), the function. */
static const struct command {
    const char *name;
    const char *usage;
    int (*fn)(int argc, char **argv);
} commands[] = {
    { "id", "id [PID]            session id of the nearest opencode ancestor of PID (default: the caller)\n"
            "  id --pane %N        session id of a tmux pane\n"
            "  id --continue DIR [--run]  the session `opencode --continue` resumes in DIR", cmd_id },
    { "ls", "ls [--json]         the records: pid, state, role, tmux target, directory, session, title", cmd_ls },
    { "resume", "resume [--md] [SESSION...]\n"
                "                      the Resume index: per tmux session, each pane's\n"
                "                      `cd DIR && opencode --session ID` and its title", cmd_resume },
    { "doctor", "doctor              check the set-up; each failed check says how to fix it", cmd_doctor },
    { "init", "init bash|zsh|fish [--alias]\n"
              "                      the lines for your shell's rc file\n"
              "  init opencode       ocshim's opencode plugin (OPENCODE_SESSION_ID in a server's commands)", cmd_init },
    { "gc", "gc [--dry-run] [--days N]\n"
            "                      remove records of ended processes older than N days (default 30),\n"
            "                      never the last record of a tmux pane", cmd_gc },
};

static void usage(FILE *f)
{
    fputs("usage: ocshim COMMAND [ARGS]\n"
          "       ocshim --help | --version | --commands\n"
          "Commands:\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %s\n", commands[i].usage);
    fputs("Each command takes --help and --version. --commands lists the commands' names, one a line\n"
          "(for shell completion). Exit: 0 ok, 1 failed or not found, 2 bad usage.\n", f);
}

static int version(void)
{
    puts("ocshim " OCSHIM_VERSION);
    return EXIT_OK;
}

/* `ocshim CMD ... --version` (before any "--"), whatever CMD's own options are. */
static int asks_version(int argc, char **argv)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--version") == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *c = argv[1];
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(c, "--version") == 0)
        return version();
    if (strcmp(c, "--commands") == 0) {
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
            puts(commands[i].name);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(c, commands[i].name) == 0)
            return asks_version(argc, argv) ? version() : commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "ocshim: unknown command '%s' (see ocshim --help)\n", c);
    return EXIT_USAGE;
}
