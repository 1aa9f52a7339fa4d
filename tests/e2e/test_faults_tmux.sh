#!/usr/bin/env bash
# Fault injection, tmux: its server stopped (SIGSTOP), gone (SIGKILL), or another started on its
# socket while opencode runs with the shim. opencode answers as without the shim, the record
# lands and follows the session, the pane option catches up once tmux is back (and never lands
# in the new server's pane), and the tools give up on a mute tmux with one line.
# opencode runs in a pane of the test's tmux server (typed into there) while its TMUX and
# TMUX_PANE name a pane of a second real tmux server, the one that is stopped and killed.
source "$(dirname "$0")/lib.sh"
world_up 1.18.34
export PATH=$ROOT/build:$PATH
cat >"$W/sid.sh" <<'EOF2'
echo "T=$1 SID=${OPENCODE_SESSION_ID:-none}"
EOF2
field() { sed -n "s/.*done: .*$1=\([A-Za-z0-9_]*\).*/\1/p" | head -n 1; }
newest() { db "select id from session where parent_id is null order by time_created desc limit 1"; }

tb() { tmux -S "$W/b.sock" "$@"; }
tb -f /dev/null new-session -d -s bee -x 80 -y 20 "sleep 600"
BPID=$(tb display-message -p '#{pid}')
BPANE=$(tb display-message -p -t bee '#{pane_id}')
BENV="TMUX=$W/b.sock,$BPID,0 TMUX_PANE=$BPANE"
cleanup_b() { kill -CONT "$BPID" 2>/dev/null; tb kill-server 2>/dev/null; }
trap 'cleanup_b; cleanup; exit 1' INT TERM

# --- opencode run, tmux stopped: exit code and output as without the shim ---------------------
(cd "$W/proj" && env $BENV timeout 120 "$OC" run "RUN: echo same :END" >"$W/run0" 2>&1; echo $? >"$W/rc0")
kill -STOP "$BPID"
(cd "$W/proj" && env $BENV LD_PRELOAD="$SHIM" timeout 120 "$OC" run "RUN: echo same :END" >"$W/run1" 2>&1; echo $? >"$W/rc1")
id1=$(newest)
ok "opencode run, tmux stopped: exit code as without the shim (0)" test "$(cat "$W/rc1")" = "$(cat "$W/rc0")" -a "$(cat "$W/rc0")" = 0
ok "... and the same output" cmp -s "$W/run0" "$W/run1"
r1=$(rec_with session "$id1")
ok "... its record landed, on its session" test -n "$r1"
ok "... and says it quit (exited, not left 'running' by a hung tmux call)" test "$(rec_get "$r1" state)" = exited
kill -CONT "$BPID"

# --- tmux back; the TUI starts while tmux answers (opencode's own TUI waits for a stopped tmux at start-up,
# with or without the shim), then tmux is stopped ----------------------------------------------
p1=$(pane_run one "$W/proj" "env $BENV LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC")
wait_until 90 tui_ready "$p1"
kill -STOP "$BPID"

# --- the TUI, tmux stopped: prompts answered, children get the id, the record follows --------
prompt "$p1" "RUN: sh $W/sid.sh t1 :END"
wait_until 60 pane_has "$p1" "done: T=t1 SID="
id2=$(newest)
ok "TUI, tmux stopped: the prompt is answered" pane_has "$p1" "done: T=t1"
ok "... its bash tool gets OPENCODE_SESSION_ID = opencode.db's session" \
    test -n "$id2" -a "$id2" != "$id1" -a "$(pane_text "$p1" | field SID)" = "$id2"
wait_for 10 'test -n "$(rec_with session "$id2")"'
ok "... the record names the session" test "$id2" != "$id1" -a -n "$(rec_with session "$id2")"

# --- the tools with tmux stopped: one line, an exit code, never a hang ------------------------
# (all three at once: each waits for tmux for its bound; timeout 60 only guards the test)
( timeout 60 ocshim id --pane "$BPANE" -S "$W/b.sock" >"$W/id.out" 2>"$W/id.err"; echo $? >"$W/id.rc" ) &
j1=$!
( timeout 60 ocshim ls >"$W/ls.out" 2>"$W/ls.err"; echo $? >"$W/ls.rc" ) &
j2=$!
( timeout 60 ocshim-restore --dry-run --no-kitty -S "$W/b.sock" >"$W/rs.out" 2>"$W/rs.err"; echo $? >"$W/rs.rc" ) &
j3=$!
wait "$j1" "$j2" "$j3"
lines() { wc -l <"$1"; }
ok "ocshim id --pane: gives up with exit 1 and one line ($(cat "$W/id.err"))" \
    test "$(cat "$W/id.rc")" = 1 -a "$(lines "$W/id.err")" = 1 -a -n "$(grep 'tmux did not answer' "$W/id.err")"
ok "ocshim ls: lists the record (it needs no tmux)" \
    test "$(cat "$W/ls.rc")" = 0 -a -n "$(grep -F "$id2" "$W/ls.out")"
ok "ocshim-restore --dry-run: gives up with exit 1 and one line ($(cat "$W/rs.err"))" \
    test "$(cat "$W/rs.rc")" = 1 -a "$(lines "$W/rs.err")" = 1 -a -n "$(grep 'does not answer' "$W/rs.err")" \
    -a ! -s "$W/rs.out"

# --- tmux back: the pane option catches up by itself (no prompt) -------------------------------
kill -CONT "$BPID"
bopt() { tb show-options -p -t "$BPANE" -v @opencode_session 2>/dev/null; }
wait_for 30 'test "$(bopt)" = "$id2"'
ok "tmux resumed: the pane option catches up with the session, without a prompt" test "$(bopt)" = "$id2"
ok "... the window option too" test "$(tb show-options -w -t "$BPANE" -v @opencode_session 2>/dev/null)" = "$id2"
wait_for 10 'test "$(rec_get "$(rec_with session "$id2")" tmux_session)" = bee'
ok "... and the record learns the pane's place" test "$(rec_get "$(rec_with session "$id2")" tmux_session)" = bee
ok "ocshim id --pane now answers" test "$(ocshim id --pane "$BPANE" -S "$W/b.sock")" = "$id2"

# --- tmux gone (killed): prompts still answered, the record follows a new session -------------
kill -KILL "$BPID"
prompt "$p1" "/new"
sleep 1
# The new session is learned from opencode's log line (README, Limits: a later session waits
# for it), which a loaded machine delays past the first turn; the command runs once it is in.
prompt "$p1" "hello after tmux died"
wait_for 60 'id3=$(newest); test "$id3" != "$id2" -a -n "$(rec_with session "$id3")"'
prompt "$p1" "RUN: sh $W/sid.sh t2 :END"
wait_until 60 pane_has "$p1" "done: T=t2 SID="
id3=$(newest)
ok "tmux killed: the TUI still answers" pane_has "$p1" "done: T=t2"
ok "... its bash tool gets the new session" test "$id3" != "$id2" -a "$(pane_text "$p1" | field SID)" = "$id3"
wait_for 10 'test -n "$(rec_with session "$id3")"'
ok "... the record follows it" test -n "$(rec_with session "$id3")"
(cd "$W/proj" && env $BENV LD_PRELOAD="$SHIM" timeout 120 "$OC" run "RUN: echo same :END" >"$W/run2" 2>&1; echo $? >"$W/rc2")
ok "opencode run, tmux killed: exit code and output as without the shim" \
    test "$(cat "$W/rc2")" = "$(cat "$W/rc0")" -a -n "$(cmp "$W/run0" "$W/run2" && echo same)"
r2=$(rec_with session "$(newest)")
ok "... its record landed and says it quit" test -n "$r2" -a "$(rec_get "$r2" state)" = exited
( timeout 60 ocshim id --pane "$BPANE" -S "$W/b.sock" >"$W/id.out" 2>"$W/id.err"; echo $? >"$W/id.rc" )
ok "ocshim id --pane, tmux gone: exit 1 and one line ($(cat "$W/id.err"))" \
    test "$(cat "$W/id.rc")" = 1 -a "$(lines "$W/id.err")" = 1

# --- tmux started anew on the same socket: its pane of that number is someone else's ----------
# A new server numbers its panes from %0 again. The TUI still has a session tmux never took,
# and asks again every few seconds: the new server's pid is not the one in its $TMUX.
tb -f /dev/null new-session -d -s stranger -x 80 -y 20 "sleep 600"
ok "a tmux server started anew on the socket has a pane of the same id ($BPANE)" \
    test "$(tb display-message -p -t stranger '#{pane_id}')" = "$BPANE" -a "$(tb display-message -p '#{pid}')" != "$BPID"
p1log=$OCSHIM_STATE_DIR/debug-$(opencode_pid_in "$p1").log
wait_for 30 'grep -q "is not pane $BPANE.s" "$p1log"'
ok "the shim sees that the server is not its pane's, and leaves tmux alone" grep -q "is not pane $BPANE.s" "$p1log"
ok "... the stranger's pane and window have no session option" \
    test -z "$(bopt)" -a -z "$(tb show-options -w -t "$BPANE" -v @opencode_session 2>/dev/null)"
ok "... nor does the shim take it for tmux catching up" \
    test -z "$(sed -n '/is not pane/,$p' "$p1log" | grep 'caught up')"
r3=$(rec_with session "$id3" | head -n 1)
ok "... and the record keeps the pane's last place (session bee, window 0)" \
    test -n "$r3" -a "$(rec_get "$r3" tmux_session)" = bee -a "$(rec_get "$r3" tmux_window)" = 0

tm kill-pane -t "$p1"
cleanup_b
finish
