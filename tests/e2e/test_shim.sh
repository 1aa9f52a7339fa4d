#!/usr/bin/env bash
# The shim inside the real opencode (1.18 by default, OC_VERSION to choose; TUI in a private
# tmux server, fake model):
# the pane option and the record follow the session that opencode works on.
source "$(dirname "$0")/lib.sh"
world_up "${OC_VERSION:-1.18.34}"
RUNOC="env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC"

# --- opencode run + its bash tool: the child behaves exactly as without the shim --------------
# The probe is a script file: the prompt carries no shell quoting to get wrong.
cat >"$W/probe.sh" <<'PROBE'
grep -E '^Sig(Blk|Ign|Cgt)' /proc/self/status | tr '\n' ' '
echo "OC=$OPENCODE LP=${LD_PRELOAD:-none}"
(exit 3); echo "rc=$?"
PROBE
# The probe's output is read from opencode.db (the bash tool's part), not from run's stdout:
# under load opencode run can leave before printing its last parts, with or without the shim.
newest_root() { db "select id from session where parent_id is null order by time_created desc limit 1"; }
probe_out() {
    db "select json_extract(data, '\$.state.output') from part where session_id = '$1'
        and json_extract(data, '\$.tool') = 'bash'" | sed 's/LP=[^ ]*//'
}
(cd "$W/proj" && timeout 90 "$OC" run "RUN: sh $W/probe.sh :END" >"$W/run_plain.out" 2>&1)
plain_id=$(newest_root)
(cd "$W/proj" && LD_PRELOAD=$SHIM timeout 90 "$OC" run "RUN: sh $W/probe.sh :END" >"$W/run_shim.out" 2>&1)
rc=$?
run_id=$(newest_root)
ok "opencode run with the shim exits 0" test "$rc" = 0
probe_rc3() { probe_out "$run_id" | grep -q 'rc=3'; }
ok "bash tool output is right with the shim" probe_rc3
ok "bash tool output identical with and without the shim (masks, dispositions, env)" \
    test -n "$(probe_out "$plain_id")" -a "$(probe_out "$plain_id")" = "$(probe_out "$run_id")" -a "$plain_id" != "$run_id"
[ "$(probe_out "$plain_id")" = "$(probe_out "$run_id")" ] || { probe_out "$plain_id"; probe_out "$run_id"; }
run_rec=$(grep -l "^session=$run_id\$" "$OCSHIM_STATE_DIR"/*.rec 2>/dev/null | head -n 1)
ok "opencode run: a record holds the new session id" test -n "$run_rec"
ok "... and says the process exited through quick_exit, no hangup" \
    test "$(rec_get "$run_rec" state)/$(rec_get "$run_rec" exit_how)/$(rec_get "$run_rec" hangup)" = "exited/quick_exit/0"
ok "... record is private (0600 in a 0700 directory)" \
    test "$(stat -c %a "$run_rec")/$(stat -c %a "$OCSHIM_STATE_DIR")" = "600/700"
ok "... record name starts with the pid and ends with end=1" \
    test "$(basename "$run_rec" | cut -d- -f1)" = "$(rec_get "$run_rec" pid)" -a "$(tail -n 1 "$run_rec")" = "end=1"

# --- a TUI prompt: pane option, window option and record hold opencode.db's id ----------------
p1=$(pane_run one "$W/proj" "$RUNOC")
wait_until 90 tui_ready "$p1" || log "TUI did not paint"
prompt "$p1" "hello from one"
wait_for 60 'test -n "$(pane_opt "$p1")"'
id1=$(pane_opt "$p1")
db1=$(db "select id from session where parent_id is null order by time_created desc limit 1")
ok "TUI prompt: pane option set" test -n "$id1"
ok "... equals the newest root session in opencode.db" test "$id1" = "$db1"
ok "... window option too" test "$(tm show-options -w -t "$p1" -v @opencode_session)" = "$id1"
pid1=$(opencode_pid_in "$p1")
rec1=$(record_of "$pid1")
ok "... record of the opencode process holds it" test "$(rec_get "$rec1" session)" = "$id1"
ok "... record names the pane, session, window, socket" \
    test "$(rec_get "$rec1" tmux_pane)|$(rec_get "$rec1" tmux_session)|$(rec_get "$rec1" tmux_window)|$(rec_get "$rec1" tmux_socket)" = "$p1|one|0|$W/tmux.sock"
ok "... record says running, cwd and argv right" \
    test "$(rec_get "$rec1" state)|$(rec_get "$rec1" cwd)|$(rec_get "$rec1" arg)" = "running|$W/proj|$OC"
ok "... and the window's layout, as tmux gives it" \
    test "$(rec_get "$rec1" tmux_window_layout)" = "$(tm display -p -t "$p1" '#{window_layout}')"

# --- without a UTF-8 locale tmux prints control characters as '_': the place must still parse --
pc=$(pane_run "c locale" "$W/proj" "env -u LANG -u LC_ALL -u LC_CTYPE LD_PRELOAD=$SHIM $OC run 'hello from C'; sleep 30")
wait_until 60 sh -c "grep -lx 'tmux_pane=$pc' '$OCSHIM_STATE_DIR'/*.rec >/dev/null 2>&1"
recc=$(grep -lx "tmux_pane=$pc" "$OCSHIM_STATE_DIR"/*.rec 2>/dev/null | head -n 1)
ok "no UTF-8 locale: the record names the tmux session, window and pane index" \
    test "$(rec_get "$recc" tmux_session)|$(rec_get "$recc" tmux_window)|$(rec_get "$recc" tmux_pane_index)" = "c locale|0|0"
tm kill-session -t "=c locale"

# --- two TUIs in the same directory, prompted one after the other: each pane its own id ------
p2=$(split_run "$p1" "$W/proj" "$RUNOC")
wait_until 90 tui_ready "$p2"
prompt "$p2" "hello from two"
wait_for 60 'test -n "$(pane_opt "$p2")"'
id2=$(pane_opt "$p2")
ok "second pane gets its own id" test -n "$id2" -a "$id2" != "$id1"
ok "... which opencode.db knows" test "$(db "select count(*) from session where id='$id2'")" = 1
ok "... and the first pane keeps its id" test "$(pane_opt "$p1")" = "$id1"
# p1's record holds its place as of its first prompt: one pane, tmux session "one". The window
# has been split since; rename the session too. The next turn refreshes the place.
tm rename-session -t =one "one renamed"
prompt "$p1" "again from one"
sleep 3
ok "prompting the first again changes neither" test "$(pane_opt "$p1")|$(pane_opt "$p2")" = "$id1|$id2"
ok "... and its record follows the renamed tmux session" \
    wait_for 10 'test "$(rec_get "$rec1" tmux_session)" = "one renamed"'
ok "... and the window's layout since the split" \
    test "$(rec_get "$rec1" tmux_window_layout)" = "$(tm display -p -t "$p1" '#{window_layout}')"
# The pane moves to a window of its own: the next turn's record names it, and the new window
# gets the window option.
wait_until 30 pane_has "$p1" "reply to: again from one"
sleep 2   # a turn less than 2 s after tmux last answered does not look again
tm break-pane -d -s "$p1"
newwin=$(tm display -p -t "$p1" '#{window_index}')
prompt "$p1" "third from one"
ok "a pane moved to another window: its record follows" \
    wait_for 15 'test "$(rec_get "$rec1" tmux_window)" = "$newwin" -a "$(rec_get "$rec1" tmux_pane_index)" = 0'
ok "... and that window's option names its session" \
    wait_for 5 'test "$(tm show-options -w -t "$p1" -v @opencode_session)" = "$id1"'
ok "the title reached opencode.db (the fake model answered)" \
    test "$(db "select title from session where id='$id1'")" = "Fake title"

# --- opencode --session ID: the id is there within a second of start, before any prompt ------
p3=$(pane_run three "$W/proj" "$RUNOC --session $run_id")
wait_for 5 'test "$(pane_opt "$p3")" = "$run_id"'
ok "--session ID: pane option set before any prompt" test "$(pane_opt "$p3")" = "$run_id"
pid3=$(opencode_pid_in "$p3")
rec3=$(record_of "$pid3")
# From the process's start (its record) to the option set in tmux (the shim's debug log).
set_ms=$(sed -n "s/.*tmux id=$run_id .*tmux_done_ms=\([0-9]*\).*/\1/p" "$OCSHIM_STATE_DIR/debug-$pid3.log" | head -n 1)
lag=$(( ${set_ms:-999999999999999} - $(rec_get "$rec3" started_ms) ))
ok "... within a second of the process's start (${lag} ms)" test "$lag" -lt 1000
ok "... record says session_source=argv" test "$(rec_get "$rec3" session_source)" = argv
wait_until 90 tui_ready "$p3"
ok "... the TUI shows the resumed conversation" wait_until 10 pane_has "$p3" "done: "

# --- killed by SIGINT (a ctrl+c once the TUI gave the terminal back; here `opencode run` while
# its tool runs): no exit call, yet the record says it quit, and it still dies by SIGINT ------
cat >"$W/runint.sh" <<EOF
$RUNOC run 'RUN: sleep 37 :END'
echo "status=\$?"
exec sleep 120
EOF
p4=$(pane_run runint "$W/proj" "sh $W/runint.sh")
p5=$(pane_run runint0 "$W/proj" "$OC run 'RUN: sleep 38 :END'")     # the same without the shim
wait_for 60 'pgrep -f "^sleep 37" >/dev/null && pgrep -f "^sleep 38" >/dev/null'
sigs_of() { grep -E '^(SigBlk|SigIgn|SigCgt)' "/proc/$(pgrep -f "^sleep $1" | head -n 1)/status"; }
ok "opencode's child (its bash tool) has the signal dispositions and mask it has without the shim" \
    test "$(sigs_of 37)" = "$(sigs_of 38)"
pid4=$(opencode_pid_in "$p4")
kill -INT "$pid4"
wait_for 10 'pane_has "$p4" "status="'
pkill -f '^sleep 3[78]'
ok "killed by SIGINT: it still dies by SIGINT (its shell says status=130)" pane_has "$p4" "status=130"
rec4=$(record_of "$pid4")
ok "... and its record says it quit (exited, sigint, hangup=0)" \
    test "$(rec_get "$rec4" state)/$(rec_get "$rec4" exit_how)/$(rec_get "$rec4" hangup)" = "exited/sigint/0"

# --- leaving: a quit is recorded as such; a killed tmux is not a quit -----------------------
tm send-keys -t "$p2" C-c
sleep 0.5; tm send-keys -t "$p2" C-c 2>/dev/null
rec2=$(record_of "$(grep -l "^session=$id2\$" "$OCSHIM_STATE_DIR"/*.rec | head -n 1 | xargs -r basename | cut -d- -f1)")
wait_for 10 'test "$(rec_get "$rec2" state)" = exited'
ok "quitting the TUI (ctrl+c): record says exited, no hangup" \
    test "$(rec_get "$rec2" state)/$(rec_get "$rec2" hangup)" = "exited/0"
tm kill-server
wait_until 10 test ! -d "/proc/$pid1"
ok "tmux killed: the first opencode is gone" test ! -d "/proc/$pid1"
s1=$(rec_get "$rec1" state)/$(rec_get "$rec1" hangup)
ok "... and its record does not say it quit on purpose ($s1)" test "$s1" = "exited/1" -o "$s1" = "running/"
log "debug excerpt:"; cat "$OCSHIM_STATE_DIR"/debug-*.log 2>/dev/null | grep -E 'trap_to|exit' | head -n 12

finish
