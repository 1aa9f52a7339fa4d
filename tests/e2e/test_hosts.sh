#!/usr/bin/env bash
# Awkward but legal programs (tests/host, none of them opencode) behave exactly as without the
# shim: each runs with no preload, with the empty library and with the shim, under a time limit;
# the shim's run must give the same exit status and the same output, and must not hang.
# Another shim build: OCSHIM_SO=/path/libocshim.so; the time limit: OCSHIM_HOST_TIMEOUT (10 s).
source "$(dirname "$0")/lib.sh"
EMPTY=$ROOT/build/libempty.so
H=$ROOT/build/hosts
LIMIT=${OCSHIM_HOST_TIMEOUT:-10}
unset OCSHIM_DISABLE OCSHIM_DEBUG LD_PRELOAD
export OCSHIM_STATE_DIR=$W/state        # were the shim to do anything, it would show here

if [ ! -x "$H/plugin_slow.so" ] || [ ! -r "$SHIM" ]; then
    echo "build/hosts or the shim missing: run make hosts all"
    FAIL=$((FAIL + 1)); finish; exit 1
fi

# run TAG PRELOAD PROGRAM: PROGRAM under timeout, PRELOAD preloaded (none if empty);
# leaves $W/TAG.out (stdout), .err, .rc (exit status), .ms (wall time).
run() {
    local t0 rc
    t0=$(date +%s%N)
    if [ -n "$2" ]; then
        timeout -k 2 "$LIMIT" env LD_PRELOAD="$2" "$H/$3" >"$W/$1.out" 2>"$W/$1.err" </dev/null
    else
        timeout -k 2 "$LIMIT" env -u LD_PRELOAD "$H/$3" >"$W/$1.out" 2>"$W/$1.err" </dev/null
    fi
    rc=$?
    echo "$rc" >"$W/$1.rc"
    echo $((($(date +%s%N) - t0) / 1000000)) >"$W/$1.ms"
}
fig() { echo "exit $(cat "$W/$1.rc") in $(cat "$W/$1.ms") ms"; }
in_time() { local rc; rc=$(cat "$W/$1.rc"); [ "$rc" != 124 ] && [ "$rc" != 137 ]; }
# as_written TAG STATUS OUTPUT: the run ended with STATUS and printed exactly OUTPUT.
as_written() {
    in_time "$1" && [ "$(cat "$W/$1.rc")" = "$2" ] && [ "$(cat "$W/$1.out")" = "$3" ] && return 0
    echo "    $1: $(fig "$1"); output:"; sed 's/^/      | /' "$W/$1.out" | head -8
    false
}
# same_as_plain TAG: status and output of run TAG equal those of the run without preload.
same_as_plain() {
    local p=$1
    [ "$(cat "$W/$p.shim.rc")" = "$(cat "$W/$p.none.rc")" ] && cmp -s "$W/$p.shim.out" "$W/$p.none.out" &&
        return 0
    echo "    without preload: $(fig "$p.none"); with the shim: $(fig "$p.shim"); output diff:"
    diff "$W/$p.none.out" "$W/$p.shim.out" | sed 's/^/      /' | head -8
    false
}

# host PROGRAM STATUS OUTPUT: PROGRAM, written to exit STATUS printing OUTPUT, does so with no
# preload and with the empty library; with the shim it ends in time, as it does without.
host() {
    local p=$1 want_rc=$2 want_out=$3
    run "$p.none" "" "$p"
    run "$p.empty" "$EMPTY" "$p"
    run "$p.shim" "$SHIM" "$p"
    log "$p: none $(fig "$p.none"), empty $(fig "$p.empty"), shim $(fig "$p.shim")$(
        [ -s "$W/$p.shim.err" ] && printf ' (shim stderr: %s)' "$(head -n 1 "$W/$p.shim.err")")"
    ok "$p: runs as written without preload" as_written "$p.none" "$want_rc" "$want_out"
    ok "$p: runs as written with the empty library" as_written "$p.empty" "$want_rc" "$want_out"
    ok "$p: with the shim it ends within ${LIMIT} s" in_time "$p.shim"
    ok "$p: with the shim, same exit status and output as without" same_as_plain "$p"
}

# 1. A dlopen'd library's constructor (the loader's lock held) starts a thread and joins it;
#    the thread's first interposed call is pthread_sigmask.
host dlopen_ctor_thread 0 'dlopen a library whose constructor joins a thread
the constructor'"'"'s thread saw: 42
done'

# 2. SIGTERM's handler calls _exit while another thread is inside a 300 ms dlopen: the process
#    leaves at once, before the library's constructor is done.
host sigterm_in_dlopen 7 'SIGTERM (handler: _exit(7)) while another thread is in a slow dlopen'

# 3. Prints in a loop while a thread dlopens/dlcloses a plugin that prints; SIGTERM -> _exit(42).
#    20 children, each SIGTERMed at a different moment.
host sigterm_dlopen_loop 0 '20 children: print loop + dlopen/dlclose loop, then SIGTERM (handler: _exit(42))
20 of 20 children left through _exit(42)'

# 4. Children of raw fork/clone syscalls exec while another thread is in a slow dlopen (they
#    inherit the loader's lock held); a vfork child execs then too: vfork returns in < 150 ms.
host rawfork_exec 0 'raw fork and raw clone while another thread is in a slow dlopen
slow plugin: constructor done
syscall(SYS_fork) child: exec'"'"'d, exit 3
syscall(SYS_clone, SIGCHLD) child: exec'"'"'d, exit 3'
host vfork_exec 0 'vfork + execve while another thread is in a slow dlopen
slow plugin: constructor done
vfork returned promptly
vfork child: exit 3'

# 5. Built against quick_exit@GLIBC_2.10, which runs thread_local destructors (2.24's does not).
host quick_exit_old 5 'quick_exit@GLIBC_2.10 with a thread_local destructor registered
thread_local destructor ran
at_quick_exit handler ran'

# Signal storms whose handlers change masks and dispositions, while main does too.
host signal_storm 0 '3 threads send SIGUSR1 storms; handlers and main change masks and dispositions
signals handled: some
errors seen: 0
raised SIGUSR2 handled by: usr2_b
main'"'"'s mask: SIGUSR1 open, SIGUSR2 open, SIGSYS open
SIGUSR1 handler: on_usr1, SIGUSR2 handler: usr2_b, SIGUSR2 sa_mask has SIGUSR1: yes'

# dlopen/dlsym/dlclose from several threads at once.
host parallel_dlopen 0 '4 threads x 100 rounds: dlopen/dlsym/dlclose, all at once
wrong values: 0'

ok "none of these programs made the shim write anything" test ! -e "$OCSHIM_STATE_DIR"

finish
