#!/usr/bin/env bash
# The machine going down, as systemd stops a session: SIGTERM to every process of it at once
# (the tmux server and each opencode). opencode handles SIGTERM and leaves through quick_exit
# a few hundred ms later, after tmux has closed its terminal: its record must not read as a
# quit on purpose, and the restore must plan to bring each conversation back. A ctrl+c quit in
# the same world stays a quit.
source "$(dirname "$0")/lib.sh"
world_up
RUNOC="env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC"

pids="" ids=""
for i in 1 2; do
    mkdir -p "$W/p$i"
    p=$(pane_run "s$i" "$W/p$i" "$RUNOC")
    wait_until 90 tui_ready "$p" || log "TUI $p did not paint"
    prompt "$p" "hello number $i"
    wait_for 40 'test -n "$(pane_opt "$p")"'
    ids="$ids $(pane_opt "$p")"
    pids="$pids $(opencode_pid_in "$p")"
done
# a third conversation, quit with ctrl+c before the shutdown
mkdir -p "$W/p3"
p3=$(pane_run s3 "$W/p3" "$RUNOC")
wait_until 90 tui_ready "$p3" || log "TUI $p3 did not paint"
prompt "$p3" "hello number 3"
wait_for 40 'test -n "$(pane_opt "$p3")"'; id3=$(pane_opt "$p3"); pid3=$(opencode_pid_in "$p3")
wait_until 30 pane_has "$p3" "reply to: hello number 3"
tm send-keys -t "$p3" C-c; sleep 0.5; tm send-keys -t "$p3" C-c 2>/dev/null
wait_for 10 'test "$(rec_get "$(record_of "$pid3")" state)" = exited'
ok "the ctrl+c quit is recorded as a quit" test "$(rec_get "$(record_of "$pid3")" hangup)" = 0

srv=$(tm display-message -p '#{pid}')
kill -TERM "$srv" $pids
for pid in $srv $pids; do wait_until 15 test ! -d "/proc/$pid"; done
ok "SIGTERM to the session: tmux and opencode are gone" \
    test -z "$(for pid in $srv $pids; do test -d "/proc/$pid" && echo "$pid"; done)"
for pid in $pids; do
    r=$(record_of "$pid")
    s="$(rec_get "$r" state)/$(rec_get "$r" exit_how)/$(rec_get "$r" hangup)"
    ok "opencode $pid: its record does not read as a quit ($s)" \
        test "$s" = "exited/quick_exit/1" -o "$(rec_get "$r" state)" = running
done
"$ROOT/build/ocshim-restore" -S "$W/tmux.sock" --dry-run --no-kitty >"$W/dry" 2>&1; rc=$?
for id in $ids; do
    ok "the restore would bring $id back" grep -q "^restore .*$id" "$W/dry"
done
ok "... and not the conversation quit with ctrl+c" grep -q "^skipped .*$id3.*quit on purpose" "$W/dry"
ok "--dry-run exits 0" test "$rc" = 0
[ "$rc" = 0 ] || cat "$W/dry"
finish
