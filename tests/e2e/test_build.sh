#!/usr/bin/env bash
# The build as users install it and as a graph: `make install` with LIBDIR and BINDIR set apart
# (the two halves still find each other: the shim runs the tool for --continue, the tool names
# the library), `make uninstall` removes exactly what install put, and no two object files of a
# program depend on each other in a circle.
source "$(dirname "$0")/lib.sh"
world_up
P=$W/inst LIB=$W/inst/lib/ocshim-apart BIN=$W/inst/tools-apart
mk() { make -s -C "$ROOT" B="$W/build" PREFIX="$P" LIBDIR="$LIB" BINDIR="$BIN" "$@"; }
# A copy of the build: only the files that hold the install paths are compiled again.
cp -a "$ROOT/build" "$W/build"
mk -j2 install >"$W/install.log" 2>&1
ok "make install with LIBDIR and BINDIR apart succeeds" test -x "$BIN/ocshim" -a -f "$LIB/libocshim.so"
ok "ocshim init bash names the library in LIBDIR" \
    grep -qF "$LIB/libocshim.so" <(env PATH=/usr/bin:/bin "$BIN/ocshim" init bash)

# The installed shim, with no ocshim tool on PATH: a session, then `opencode --continue`,
# which the shim resolves by running the tool from the BINDIR compiled into it.
NOTOOL="env PATH=/usr/bin:/bin LD_PRELOAD=$LIB/libocshim.so"
(cd "$W/proj" && $NOTOOL timeout 90 "$OC" run "hello install" >"$W/run1" 2>&1)
id=$(db "select id from session where parent_id is null order by time_created desc limit 1")
ok "the installed shim records opencode run's session" \
    test -n "$id" -a -n "$(rec_with session "$id")"
p=$(pane_run cont "$W/proj" "$NOTOOL $OC --continue")
wait_for 30 'test -n "$(pane_opt "$p")"'
rec=$(record_of "$(opencode_pid_in "$p")")
ok "opencode --continue: the shim ran the tool from BINDIR and the pane holds $id before any prompt" \
    test "$(pane_opt "$p")" = "$id" -a "$(rec_get "$rec" session_source)" = continue
tm kill-pane -t "$p"

test -f "$P/share/man/man1/ocshim.1" && touch "$W/man-was-there"
mk uninstall >"$W/uninstall.log" 2>&1
ok "make uninstall removes every file install put there (manual pages and completions too)" \
    test -z "$(find "$LIB" "$BIN" "$P/share" -type f 2>/dev/null)" -a -f "$W/man-was-there"

# Dependencies between object files, per program (a file used by both halves counts in each).
cyc() { python3 "$ROOT/tests/depcycles.py" "$@" >>"$W/cycles" 2>&1; }
B2=$W/build
ok "no dependency circle among the shim's objects" cyc "$B2"/shim/*.o
ok "... nor ocshim-restore's" cyc "$B2"/tools/common/*.o "$B2"/tools/restore/*.o "$B2"/tools/shim/*.o
ok "... nor ocshim's" cyc "$B2"/tools/common/*.o "$B2"/tools/ocshim/*.o "$B2"/tools/shim/*.o
[ -s "$W/cycles" ] && cat "$W/cycles"
finish
