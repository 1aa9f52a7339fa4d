#!/usr/bin/env bash
# Benchmark: ocshim-restore bringing back 30 tmux sessions x 2 panes (60 records of processes
# that died with tmux) with a real kitty 0.26 under Xvfb in the loop (30 tabs to open).
# Target: under 2 s in all. Prints the total, the time per session, and for comparison what one
# `kitty @` client process costs (the reason the restore speaks kitty's protocol itself).
source "$(dirname "$0")/../e2e/lib.sh"
TEST_NAME=bench_restore
N=${BENCH_SESSIONS:-30}
export HOME=$W/home OCSHIM_STATE_DIR=$W/state OCSHIM_LIB=$ROOT/build/libempty.so
unset TMUX TMUX_PANE KITTY_WINDOW_ID KITTY_LISTEN_ON LD_PRELOAD OPENCODE_DB
mkdir -p "$HOME" "$W/bin" && mkdir -m 700 "$OCSHIM_STATE_DIR"
for s in $(seq 1 "$N"); do
    mkdir -p "$W/p$s"
    for pn in 0 1; do   # pids above pid_max: never alive; opencode is a stand-in script
        standin_record $((4000000 + s * 2 + pn)) "$(printf 'ses_bench%04d%d' "$s" "$pn")" \
            "$W/p$s" "$W/tmux.sock" "bench $s" 0 "$pn"
    done
done
kitty_up k || { echo "kitty did not start"; exit 1; }
t0=$(date +%s%N)
kitty @ --to "unix:$W/k.sock" ls >/dev/null
t1=$(date +%s%N)
"$ROOT/build/ocshim-restore" -S "$W/tmux.sock" --to "unix:$W/k.sock" ${BENCH_RESTORE_ARGS:-} >"$W/out" 2>"$W/err"; rc=$?
t2=$(date +%s%N)
total=$(( (t2 - t1) / 1000000 ))
ok "restore exits 0" test "$rc" = 0
ok "$N tmux sessions with 2 panes each" test "$(tm list-panes -a | wc -l)" = $((N * 2)) -a "$(tm ls | wc -l)" = "$N"
ok "$N kitty tabs attaching to them" \
    wait_until 10 test "$(kitty @ --to "unix:$W/k.sock" ls | grep -c '"attach"')" = "$N"
ok "under 2 s in all (${total} ms)" test "$total" -lt 2000
t3=$(date +%s%N)
"$ROOT/build/ocshim-restore" -S "$W/tmux.sock" --to "unix:$W/k.sock" >"$W/out2" 2>&1
t4=$(date +%s%N)
echo "restore of $N sessions x 2 panes + $N kitty tabs: ${total} ms total, $((total * 1000 / N)) us per session"
echo "second run (nothing to do): $(( (t4 - t3) / 1000000 )) ms"
echo "one 'kitty @ ls' client process: $(( (t1 - t0) / 1000000 )) ms (x $N tabs would be $(( (t1 - t0) * N / 1000000 )) ms)"
[ "$rc" = 0 ] || cat "$W/err"
kitty_down
finish
