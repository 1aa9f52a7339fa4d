#!/usr/bin/env bash
# Two restores at once (the restore key pressed twice): the second waits for the first, then
# finds nothing left to do. Never a duplicate pane, process or kitty tab; both exit 0. Real
# tmux and a real kitty under Xvfb; the panes' program is a stand-in (the restore's
# orchestration is under test here, not opencode), the sessions are real ones of opencode.db.
source "$(dirname "$0")/lib.sh"
RESTORE=$ROOT/build/ocshim-restore
world_up
mkdir -p "$W/a" "$W/b" "$OCSHIM_STATE_DIR" && chmod 700 "$OCSHIM_STATE_DIR"
for d in a b; do (cd "$W/$d" && timeout 90 "$OC" run "hello $d" >/dev/null 2>&1); done
ida=$(db "select id from session where directory='$W/a' and parent_id is null limit 1")
idb=$(db "select id from session where directory='$W/b' and parent_id is null limit 1")
standin_record 4100001 "$ida" "$W/a" "$W/tmux.sock" ta 0 0
standin_record 4100002 "$idb" "$W/b" "$W/tmux.sock" tb 0 0
kitty_up k1 || log "kitty did not start"
R() { "$RESTORE" -S "$W/tmux.sock" --to "unix:$W/k1.sock" "$@"; }

R >"$W/r1.out" 2>&1 & r1=$!
R >"$W/r2.out" 2>&1 & r2=$!
wait $r1; rc1=$?
wait $r2; rc2=$?
for f in r1 r2; do log "$f:"; sed 's/^/    /' "$W/$f.out"; done
ok "both restores exit 0 ($rc1, $rc2)" test "$rc1/$rc2" = 0/0
ok "one of them restored the two panes, the other nothing" \
    test "$(cat "$W/r1.out" "$W/r2.out" | grep -c '^restored ')" = 2 -a \
         "$(grep -c '^restored ' "$W/r1.out")" != 1
ok "the second one said it waited for the first" \
    grep -q "another restore is running: waiting for it" "$W/r1.out" "$W/r2.out"
panes=$(tm list-panes -a -F '#{session_name} #{window_index}.#{pane_index}' | grep -v '^_keep' | sort)
ok "tmux: one pane per recorded pane, no more" test "$panes" = "$(printf 'ta 0.0\ntb 0.0')"
# processes named opencode (the stand-in) below each pane's process
below() { ps -e -o pid=,ppid=,comm= | awk -v root="$1" '{ pp[$1] = $2; c[$1] = $3 }
    END { for (p in pp) { q = p; while (q in pp && q != root && q > 1) q = pp[q]; if (q == root && c[p] == "opencode") n++ } print n + 0 }'; }
procs=$(for p in $(tm list-panes -a -F '#{session_name}=#{pane_pid}' | grep -v '^_keep' | cut -d= -f2); do
    below "$p"; done | paste -sd+ | bc)
ok "one stand-in process per pane ($procs)" test "$procs" = 2
tabs=$(kitty_tabs k1 | grep -c 'tmux -S')
ok "kitty: one tab per tmux session ($tabs)" test "$tabs" = 2

# Later runs, at once again, with everything in place: both find it so.
R >"$W/r3.out" 2>&1 & r3=$!
R >"$W/r4.out" 2>&1 & r4=$!
wait $r3; rc3=$?; wait $r4; rc4=$?
ok "two more runs: both exit 0, restore nothing, open no tab" \
    test "$rc3/$rc4" = 0/0 -a "$(cat "$W/r3.out" "$W/r4.out" | grep -c '^restored ')" = 0 -a \
         "$(kitty_tabs k1 | grep -c 'tmux -S')" = 2
finish
