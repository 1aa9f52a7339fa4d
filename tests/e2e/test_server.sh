#!/usr/bin/env bash
# opencode's client/server mode (1.18.34): one `opencode serve` pane and two `opencode attach`
# panes, typed into as a user would. Each client pane carries the session its TUI shows (a
# prompt, /new, a pick in the session list); the server pane carries none; records say who is
# a server and who a client of which URL; `opencode run --attach` follows its session; the
# restore brings the server back, then each client on its conversation.
source "$(dirname "$0")/lib.sh"
world_up 1.18.34
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$port
cat >"$W/sid.sh" <<'EOF2'
echo "SID=${OPENCODE_SESSION_ID:-none}" >"$1"
EOF2
# the session holding a prompt's text, from opencode's database
session_of() { db "select session_id from part where data like '%$1%' order by time_created limit 1"; }
rec_key() { local f; f=$(record_of "$1"); [ -n "$f" ] && rec_get "$f" "$2"; }
up() { python3 - "$port" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/session" % sys.argv[1], timeout=5).read()
PY
}

srv=$(pane_run server "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC serve --port $port --hostname 127.0.0.1")
wait_until 90 up || log "the server did not answer within 90 s"
spid=$(opencode_pid_in "$srv")
ok "opencode serve runs in its pane (pid $spid)" test -n "$spid"
wait_for 10 '[ "$(rec_key "$spid" listen)" = "127.0.0.1:$port" ]'
ok "the server's record says it is a server ..." test "$(rec_key "$spid" role)" = server
ok "... listening on 127.0.0.1:$port (from the kernel)" test "$(rec_key "$spid" listen)" = "127.0.0.1:$port"

c1=$(pane_run one "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC attach $URL")
c2=$(pane_run two "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC attach $URL")
wait_until 60 tui_ready "$c1" && wait_until 60 tui_ready "$c2" || log "an attach TUI did not start"
p1=$(opencode_pid_in "$c1") p2=$(opencode_pid_in "$c2")
prompt "$c1" "RUN: sh $W/sid.sh $W/sid1 :END"
wait_until 30 test -s "$W/sid1"
prompt "$c2" "RUN: sh $W/sid.sh $W/sid2 :END"
wait_until 30 test -s "$W/sid2"
s1=$(session_of "sid1") s2=$(session_of "sid2")
ok "each client's prompt made its own session on the server" test -n "$s1" -a -n "$s2" -a "$s1" != "$s2"
wait_for 5 '[ "$(pane_opt "$c1")" = "$s1" ] && [ "$(pane_opt "$c2")" = "$s2" ]'
ok "client pane one holds its session ($s1)" test "$(pane_opt "$c1")" = "$s1"
ok "client pane two holds its session ($s2)" test "$(pane_opt "$c2")" = "$s2"
ok "the server's pane holds none" test -z "$(pane_opt "$srv")"
ok "client one's record: a client of $URL, on its session" \
    test "$(rec_key "$p1" role)/$(rec_key "$p1" server_url)/$(rec_key "$p1" session)" = "client/$URL/$s1"
ok "client two's record: on its session" test "$(rec_key "$p2" session)" = "$s2"
ok "ocshim id --pane in client one's pane" \
    test "$("$ROOT/build/ocshim" id --pane "$c1" -S "$W/tmux.sock" 2>/dev/null)" = "$s1"
wait_for 5 'rec_key "$spid" sessions | grep -q "$s2"'
ok "the server's record lists both sessions it served, and names none as its own" \
    sh -c "echo '$(rec_key "$spid" sessions)' | grep -q '$s1' && echo '$(rec_key "$spid" sessions)' | grep -q '$s2' && [ -z '$(rec_key "$spid" session)' ]"
ok "a command the server runs for a client gets no OPENCODE_SESSION_ID (not known there)" \
    sh -c "grep -qx 'SID=none' '$W/sid1' && grep -qx 'SID=none' '$W/sid2'"
ocls=$("$ROOT/build/ocshim" ls 2>/dev/null)
ok "ocshim ls shows the server as a server" sh -c "echo '$ocls' | grep -qE '^$spid +running +server .*server on 127.0.0.1:$port'"

# /new in client one, then a prompt: the pane follows.
prompt "$c1" "/new"
sleep 1
prompt "$c1" "RUN: sh $W/sid.sh $W/sid3 :END"
wait_until 30 test -s "$W/sid3"
s3=$(session_of "sid3")
wait_for 5 '[ "$(pane_opt "$c1")" = "$s3" ]'
ok "after /new and a prompt, client one's pane follows ($s3)" test -n "$s3" -a "$(pane_opt "$c1")" = "$s3" -a "$s3" != "$s1"
ok "... and client two's stays on its own" test "$(pane_opt "$c2")" = "$s2"

# A pick in the session list (ctrl+x l): the pane follows before any prompt.
tm send-keys -t "$c1" C-x; tm send-keys -t "$c1" l
wait_until 10 pane_has "$c1" "Sessions"
picked=
for try in 1 2 3 4; do
    tm send-keys -t "$c1" Down; sleep 0.3; tm send-keys -t "$c1" Enter
    if wait_for 5 '[ "$(pane_opt "$c1")" != "$s3" ]'; then picked=$(pane_opt "$c1"); break; fi
    tm send-keys -t "$c1" C-x; tm send-keys -t "$c1" l; sleep 1
done
ok "a pick in client one's session list moves its pane to that session ($picked)" \
    sh -c "[ '$picked' = '$s1' ] || [ '$picked' = '$s2' ]"
tm send-keys -t "$c1" C-x; tm send-keys -t "$c1" l; sleep 1
for try in 1 2 3 4 5 6; do
    [ "$(pane_opt "$c1")" = "$s3" ] && break
    tm send-keys -t "$c1" Down; sleep 0.3; tm send-keys -t "$c1" Enter; sleep 1.5
    [ "$(pane_opt "$c1")" = "$s3" ] && break
    tm send-keys -t "$c1" C-x; tm send-keys -t "$c1" l; sleep 1
done
ok "... and back to its own ($s3)" test "$(pane_opt "$c1")" = "$s3"

# opencode run --attach: its record follows its session.
(cd "$W/proj" && LD_PRELOAD=$SHIM timeout 120 "$OC" run --attach "$URL" "RUN: sh $W/sid.sh $W/sid4 :END" \
    >"$W/run4" 2>&1) &
rpid=$!
wait_until 60 test -s "$W/sid4"
wait $rpid
s4=$(session_of "sid4")
rrec=$(grep -l "^arg=--attach$" "$OCSHIM_STATE_DIR"/*.rec 2>/dev/null | head -n 1)
ok "run --attach left a record: a client, on the session of its prompt ($s4)" \
    test -n "$s4" -a "$(rec_get "$rrec" role)/$(rec_get "$rrec" session)" = "client/$s4"
ok "the server still serves (a second prompt)" \
    sh -c "cd '$W/proj' && timeout 120 '$OC' run --attach '$URL' 'hello again' >'$W/run5' 2>&1"
echo "$s1 $s2 $s3" >"$W/ids"
[ -n "${SERVER_TEST_STOP:-}" ] && finish && exit
finish
