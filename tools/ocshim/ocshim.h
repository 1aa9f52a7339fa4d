/* ocshim.h - the `ocshim` command: its subcommands (cmd_*.c) and what they share (helpers.c). */
#ifndef OCSHIM_CMD_H
#define OCSHIM_CMD_H

#include "notes.h"
#include "ocrec.h"
#include "optword.h"

/* Exit codes, as in ocshim-restore: 0 all well, 1 something failed / not found, 2 bad usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

int cmd_id(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_resume(int argc, char **argv);

/* One-line error on stderr: "ocshim: <msg>". */
void die_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* The one-line error for an option getopt_long refused (c is '?' or ':'; word as
 * optword_getopt gives it), naming `ocshim CMD --help`; exits EXIT_USAGE. */
void die_option(const char *cmd, int c, const char *word) __attribute__((noreturn));
/* Loads the records of the state directory; notes go to stderr. -1 if refused. */
int load_records(struct ocrec_list *recs);
/* 1 when the record's process is alive now. */
int rec_alive(const struct ocrec *r);
/* ocshim's opencode plugin (tools/plugin/ocshim-session-env.js), as `ocshim init opencode`
 * prints it. */
extern const char ocshim_plugin_js[];
/* "running", "quit" (exited on purpose) or "gone" (died: killed, hangup, machine down). */
const char *rec_state(const struct ocrec *r);

#endif
