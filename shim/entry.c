/* entry.c - libocshim-opencode.so's entry point: ocshim_start, its only exported function.
 * Runs in: host threads, load time.
 *   load time: ocshim_start and all it calls (from libocshim.so's constructor, before main);
 *   host threads: fork_child (pthread_atfork's child handler, in a fork child of opencode).
 *
 * libocshim.so (preload.c), preloaded into every program, loads this library (RTLD_NOW: every
 * import is bound before any hook can run) only where the executable's name may be opencode,
 * and calls ocshim_start from its constructor. Here the binary itself is checked (bunid.c);
 * in opencode the shim sets up capture, rewrites opencode's import slots to the hooks
 * (plthook.c, hooks.c), starts the worker and arms Syscall User Dispatch. The core
 * (everything else in shim/) is built apart from this file, so unit tests link it without
 * hooks. */
#include "platform.h"
#include "bunid.h"
#include "capture.h"
#include "childenv.h"
#include "hooks.h"
#include "plthook.h"
#include "procinfo.h"
#include "sigint.h"
#include "sud.h"
#include "worker.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static int is_opencode_file(const char *path, char *version, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int rc = bunid_read(fd, version, cap);
    close(fd);
    return rc == BUNID_OPENCODE;
}

/* The executable behind this process is opencode: the file itself, whatever its name. Started
 * as `ld-linux-x86-64.so.2 opencode`, the process's executable is the loader, which has put
 * the program's path in AT_EXECFN. */
static int exe_is_opencode(char *version, size_t cap)
{
    if (is_opencode_file("/proc/self/exe", version, cap))
        return 1;
    const char *fn = procinfo_behind_loader();
    return fn && is_opencode_file(fn, version, cap);
}

/* A forked child of opencode has no worker and no armed thread: it is not opencode. */
static void fork_child(void)
{
    hooks_set_active(0);
    sigint_fork_child();
}

/* 0 when this is not opencode (or the shim is off) and nothing was changed: the caller may
 * unload this library. 1 otherwise, armed or not: code of this library may be referenced.
 * libocshim.so (preload.c) finds it by name, with dlsym. */
__attribute__((visibility("default"))) int ocshim_start(int argc, char **argv, char **envp);
__attribute__((visibility("default"))) int ocshim_start(int argc, char **argv, char **envp)
{
    static int started;                 /* once, whoever calls */
    if (__atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL))
        return 1;
    char version[BUNID_VERSION_MAX];
    /* libocshim.so's constructor, the only caller, has made the cheap checks (AT_SECURE,
     * OCSHIM_DISABLE, the name). */
    if (!envp || !exe_is_opencode(version, sizeof version))
        return 0;                   /* a script, a launcher or another program named opencode */
    /* `opencode acp` is an editor's agent over stdio, not something a pane restores. */
    struct cli_session cli;
    procinfo_parse_cli(argc, argv, &cli);
    if (cli.acp)
        return 0;
    struct plthook_object main_prog;
    struct procinfo *proc = malloc(sizeof *proc);
    if (!proc || plthook_main_object(&main_prog) != 0 || sud_init() != 0) {
        free(proc);
        return 0;                   /* mechanism unavailable: nothing changed, unload */
    }
    if (procinfo_copy(proc, argc, argv, envp) != 0 || capture_init() != 0) {
        sud_undo();
        return 1;
    }
    /* The hooks stay inactive (plain calls to libc) until everything below has worked. */
    memcpy(proc->version, version, sizeof proc->version);
    /* A server (serve, web) works on its clients' sessions: none of them is its pane's; its
     * address is what the record needs. A client (attach, run --attach) names its session in
     * its HTTP requests. */
    procinfo_parse_cli(proc->argc, proc->argv, &cli);
    proc->role = procinfo_role(&cli);
    proc->server_url = cli.url;
    if (proc->role == ROLE_SERVER || (proc->role == ROLE_TUI && cli.listens))
        capture_set_listener();
    if (proc->role == ROLE_SERVER) {
        const char *inherited = NULL;
        for (char **e = envp; *e && !inherited; e++)
            if (strncmp(*e, CHILDENV_VAR "=", sizeof CHILDENV_VAR) == 0)
                inherited = *e;
        childenv_set_server(inherited);
    }
    else if (proc->role == ROLE_CLIENT)
        capture_set_client();
    proc->hooked_slots = plthook_install(&main_prog, hooks_table, hooks_count);
    if (proc->hooked_slots <= 0 || sud_arm_thread() != 0 || worker_start(proc) != 0) {
        sud_undo();                 /* this thread disarmed, SIGSYS as the host had it */
        return 1;
    }
    pthread_atfork(NULL, NULL, fork_child);
    sigint_init();
    hooks_set_active(1);
    return 1;
}
