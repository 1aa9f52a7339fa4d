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
# A stand-in for opencode (the benchmark times the restore's orchestration, not opencode's
# start-up): a script that keeps the name opencode and waits.
printf '#!/bin/sh\nsleep 600\n' >"$W/bin/opencode" && chmod +x "$W/bin/opencode"
boot=$(tr -d - </proc/sys/kernel/random/boot_id)
for s in $(seq 1 "$N"); do
    mkdir -p "$W/p$s"
    for pn in 0 1; do
        pid=$((4000000 + s * 2 + pn))   # above pid_max: never alive
        id=$(printf 'ses_bench%04d%d' "$s" "$pn")
        cat >"$OCSHIM_STATE_DIR/$pid-$boot-77.rec" <<REC
ocshim_record=1
pid=$pid
boot_id=$boot
start_time=77
started_ms=1700000000000
uid=$(id -u)
exe=$W/bin/opencode
cwd=$W/p$s
argc=1
arg=opencode
session=$id
session_source=log
sessions=$id
directory=$W/p$s
tmux_socket=$W/tmux.sock
tmux_pane=%$((s * 2 + pn))
tmux_session=bench $s
tmux_window=0
tmux_window_name=oc
tmux_pane_index=$pn
updated_ms=1700000001000
state=running
end=1
REC
    done
done
kitty_up k || { echo "kitty did not start"; exit 1; }
t0=$(date +%s%N)
kitty @ --to "unix:$W/k.sock" ls >/dev/null
t1=$(date +%s%N)
"$ROOT/build/ocshim-restore" -S "$W/tmux.sock" --to "unix:$W/k.sock" >"$W/out" 2>"$W/err"; rc=$?
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
