#!/usr/bin/env bash
# The shim outside opencode: it exports only what it interposes, its constructor makes no
# syscall (same syscalls as an empty preloaded library), it never touches programs that only
# carry opencode's name, and OCSHIM_DISABLE=1 turns it off inside opencode.
source "$(dirname "$0")/lib.sh"
EMPTY=$ROOT/build/libempty.so

# Exports: exactly the interposed libc functions; anything else unprefixed is a leak.
allowed="_Exit _exit close epoll_pwait epoll_pwait2 execve exit open open64 openat openat64 ppoll pselect pthread_create pthread_sigmask pwrite64 quick_exit sigaction signal signalfd sigprocmask sigsuspend"
syms=$(nm -D --defined-only "$SHIM" | awk '{print $3}' | sort)
leaks=$(for s in $syms; do case " $allowed " in *" $s "*) ;; ocshim_*) ;; *) echo "$s";; esac; done)
ok "exports only interposed functions (nm -D)" test -z "$leaks"
[ -n "$leaks" ] && echo "    leaked: $leaks"
ok "exports every interposed function" test "$(echo $syms)" = "$allowed"
ok "links nothing but libc" test "$(readelf -d "$SHIM" | grep -c NEEDED)" = 1

# Same syscalls, in the same order, as with an empty preloaded library.
# One trace file per process (-ff), read in pid order: the per-process sequences are stable.
syscall_names() {
    rm -rf "$W/$1" && mkdir "$W/$1"
    strace -ff -o "$W/$1/t" env LD_PRELOAD="$2" "${@:3}" >/dev/null 2>&1
    for f in $(ls "$W/$1" | sort -t. -k2 -n); do
        grep -vE '^(---|\+\+\+)' "$W/$1/$f" | sed -E 's/\(.*//'; echo "--"
    done
}
same_syscalls() {
    diff <(syscall_names a "$EMPTY" "$@") <(syscall_names b "$SHIM" "$@") >"$W/diff" || { head -5 "$W/diff"; false; }
}
ok "/bin/true: no syscall added" same_syscalls /bin/true
ok "bash -c (signals, masks, children): no syscall added" \
    same_syscalls bash -c 'trap "echo x" USR1; kill -USR1 $$; (exit 3); echo $?; sleep 0 & wait'

# Behaviour is unchanged: output, exit codes, signal masks and dispositions of children.
probe='grep -E "^(SigBlk|SigIgn|SigCgt)" /proc/self/status; trap "" INT; (exit 5); echo rc=$?'
ok "bash output identical with and without the shim" \
    test "$(LD_PRELOAD=$SHIM bash -c "$probe")" = "$(bash -c "$probe")"

# A program that only carries opencode's name is left alone (no state, no thread).
mkdir -p "$W/bin" && ln -s /bin/sleep "$W/bin/opencode"
export OCSHIM_STATE_DIR=$W/state1
LD_PRELOAD=$SHIM "$W/bin/opencode" 0.3 &
p=$!; sleep 0.15
ok "a non-opencode program named opencode gets no worker thread" test "$(ls /proc/$p/task | wc -l)" = 1
wait $p
ok "... and no state directory" test ! -e "$W/state1"

# OCSHIM_DISABLE=1 inside the real opencode: no record, no thread of ours.
OC=$("$ROOT/tests/get-opencode.sh" 1.18.34)
export HOME=$W/home; mkdir -p "$HOME"
OCSHIM_DISABLE=1 LD_PRELOAD=$SHIM "$OC" --version >/dev/null 2>&1
ok "OCSHIM_DISABLE=1: opencode runs, no state directory" test ! -e "$W/state1"
LD_PRELOAD=$SHIM "$OC" --version >"$W/v" 2>&1
ok "opencode --version with the shim prints its version" grep -q '^1\.18\.34' "$W/v"
ok "... and leaves no record (no session)" test -z "$(ls "$W/state1" 2>/dev/null)"

finish
