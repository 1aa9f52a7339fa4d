#!/usr/bin/env bash
# The shim outside opencode: it exports nothing, its constructor makes no
# syscall (same syscalls as an empty preloaded library), it never touches programs that only
# carry opencode's name, and OCSHIM_DISABLE=1 turns it off inside opencode.
source "$(dirname "$0")/lib.sh"
EMPTY=$ROOT/build/libempty.so

# Exports: none. No program can bind to shim code; only opencode's rewritten slots reach it.
syms=$(nm -D --defined-only "$SHIM" | awk '{print $3}')
ok "exports no symbol at all (nm -D --defined-only)" test -z "$syms"
[ -n "$syms" ] && echo "    exported: $(echo $syms)"
ok "needs no library (no DT_NEEDED, no version to check at load)" \
    test "$(readelf -d "$SHIM" | grep -c -E 'NEEDED|VERNEED')" = 0
ok "looks up one symbol at load (dlopen, weak), binds the rest lazily" \
    test "$(readelf -rW "$SHIM" | awk '$3 ~ /GLOB_DAT|R_X86_64_64/ {print $5}' | xargs)" = dlopen
CORE=$(dirname "$SHIM")/libocshim-opencode.so
ok "the library loaded into opencode exports its entry point alone" \
    test "$(nm -D --defined-only "$CORE" | awk '{print $3}' | xargs)" = ocshim_start

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
LD_PRELOAD=$SHIM "$W/bin/opencode" 30 &
p=$!
# Checked once it sleeps (clock_nanosleep, syscall 230): its constructors have all run by then.
wait_for 10 'test "$(cut -d" " -f1 /proc/$p/syscall 2>/dev/null)" = 230'
ok "a non-opencode program named opencode gets no worker thread" test "$(ls /proc/$p/task | wc -l)" = 1
ok "... and the library for opencode was unloaded again" \
    test "$(grep -c libocshim-opencode /proc/$p/maps)" = 0
kill $p; wait $p 2>/dev/null
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
