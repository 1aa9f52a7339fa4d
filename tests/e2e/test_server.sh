#!/usr/bin/env bash
# opencode's client/server mode (1.18.34): one `opencode serve` pane and two `opencode attach`
# panes, typed into as a user would. Each client pane carries the session its TUI shows (a
# prompt, /new, a pick in the session list); the server pane carries none; records say who is
# a server and who a client of which URL; `opencode run --attach` follows its session; the
# restore brings the server back, then each client on its conversation.
source "$(dirname "$0")/lib.sh"
world_up 1.18.34
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

# ocshim's opencode plugin, installed as the README says: commands the server runs for a client
# get that client's session. The server also inherits a stale OPENCODE_SESSION_ID, which must
# reach none of them.
mkdir -p "$HOME/.config/opencode/plugin"
"$ROOT/build/ocshim" init opencode >"$HOME/.config/opencode/plugin/ocshim-session-env.js"
ok "ocshim doctor sees the plugin installed" sh -c "'$ROOT/build/ocshim' doctor | grep -q '^ok  *ocshim.s opencode plugin is installed'"
# opencode's default port is 0: the kernel picks one, which only the server's output (and now
# its record) tells.
srv=$(pane_run server "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 OPENCODE_SESSION_ID=ses_stale $OC serve --hostname 127.0.0.1")
wait_for 90 'spid=$(opencode_pid_in "$srv"); [ -n "$spid" ] && [ -n "$(rec_key "$spid" listen)" ]'
ok "opencode serve runs in its pane (pid $spid)" test -n "$spid"
ok "the server's record says it is a server ..." test "$(rec_key "$spid" role)" = server
listen=$(rec_key "$spid" listen); port=${listen##*:}; URL=http://127.0.0.1:$port
ok "... and where it listens, from the kernel ($listen)" \
    sh -c "[ '${listen%:*}' = 127.0.0.1 ] && ss -Hltnp | grep -q '127.0.0.1:$port .*pid=$spid,'"
wait_until 90 up || log "the server did not answer within 90 s"

# client one in a session of its own; client two beside the server, in its window, on its
# left (pane 0: the restore must make it in place and start it after the server, pane 1)
c1=$(pane_run one "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC attach $URL")
c2=$(tm split-window -b -d -P -F '#{pane_id}' -t "$srv" -c "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC attach $URL")
wait_until 60 tui_ready "$c1" && wait_until 60 tui_ready "$c2" || log "an attach TUI did not start"
p1=$(opencode_pid_in "$c1") p2=$(opencode_pid_in "$c2")
prompt "$c1" "RUN: sh $W/sid.sh $W/sid1 :END"
wait_until 30 test -s "$W/sid1"
prompt "$c2" "RUN: sh $W/sid.sh $W/sid2 :END"
wait_until 30 test -s "$W/sid2"
s1=$(session_of "sid1") s2=$(session_of "sid2")
ok "each client's prompt made its own session on the server" test -n "$s1" -a -n "$s2" -a "$s1" != "$s2"
wait_for 5 '[ "$(pane_opt "$c1")" = "$s1" ] && [ "$(pane_opt "$c2")" = "$s2" ]'
ok "client pane one holds its session ($s1)" test -n "$s1" -a "$(pane_opt "$c1")" = "$s1"
ok "client pane two holds its session ($s2)" test -n "$s2" -a "$(pane_opt "$c2")" = "$s2"
ok "the server's pane holds none" test -n "$s1" -a -z "$(pane_opt "$srv")"
ok "client one's record: a client of $URL, on its session" \
    test "$(rec_key "$p1" role)/$(rec_key "$p1" server_url)/$(rec_key "$p1" session)" = "client/$URL/$s1"
ok "client two's record: on its session" test -n "$s2" -a "$(rec_key "$p2" session)" = "$s2"
ok "ocshim id --pane in client one's pane" \
    test -n "$s1" -a "$("$ROOT/build/ocshim" id --pane "$c1" -S "$W/tmux.sock" 2>/dev/null)" = "$s1"
wait_for 5 'rec_key "$spid" sessions | grep -q "$s2"'
ok "the server's record lists both sessions it served, and names none as its own" \
    sh -c "[ -n '$s1' ] && [ -n '$s2' ] && echo '$(rec_key "$spid" sessions)' | grep -q '$s1' &&
           echo '$(rec_key "$spid" sessions)' | grep -q '$s2' && [ -z '$(rec_key "$spid" session)' ]"
ok "a bash tool call from each client sees its own OPENCODE_SESSION_ID (the plugin)" \
    sh -c "grep -qx 'SID=$s1' '$W/sid1' && grep -qx 'SID=$s2' '$W/sid2'"
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
ok "... and client two's stays on its own" test -n "$s2" -a "$(pane_opt "$c2")" = "$s2"

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
    sh -c "[ -n '$picked' ] && { [ '$picked' = '$s1' ] || [ '$picked' = '$s2' ]; }"
tm send-keys -t "$c1" C-x; tm send-keys -t "$c1" l; sleep 1
for try in 1 2 3 4 5 6; do
    [ "$(pane_opt "$c1")" = "$s3" ] && break
    tm send-keys -t "$c1" Down; sleep 0.3; tm send-keys -t "$c1" Enter; sleep 1.5
    [ "$(pane_opt "$c1")" = "$s3" ] && break
    tm send-keys -t "$c1" C-x; tm send-keys -t "$c1" l; sleep 1
done
ok "... and back to its own ($s3)" test -n "$s3" -a "$(pane_opt "$c1")" = "$s3"

# attach -c (the server's last session) and attach -s ID --fork (a new session) at start,
# before any prompt; both quit with ctrl+c afterwards (not restored).
last=$(db "select id from session where parent_id is null order by time_updated desc limit 1")
c3=$(pane_run three "$W/proj" "env LD_PRELOAD=$SHIM $OC attach $URL -c")
wait_for 30 '[ -n "$(pane_opt "$c3")" ]'
ok "attach -c: the pane holds the session it continues ($last), before any prompt" \
    test -n "$last" -a "$(pane_opt "$c3")" = "$last"
tm send-keys -t "$c3" C-c; sleep 0.5; tm send-keys -t "$c3" C-c 2>/dev/null
wait_until 10 sh -c "! tmux -S '$W/tmux.sock' has-session -t three 2>/dev/null"
c4=$(pane_run four "$W/proj" "env LD_PRELOAD=$SHIM $OC attach $URL -s $s2 --fork")
wait_for 30 'f=$(pane_opt "$c4"); [ -n "$f" ] && [ "$f" != "$s2" ]'
f=$(pane_opt "$c4")
ok "attach -s ID --fork: the pane holds the fork ($f), a new session in the db" \
    sh -c "[ -n '$f' ] && [ '$f' != '$s2' ] && [ '$f' != '$s1' ] && [ '$f' != '$s3' ] &&
           [ \"\$(sqlite3 -readonly 'file:$OC_DB?mode=ro' \"select count(*) from session where id='$f'\")\" = 1 ]"
tm send-keys -t "$c4" C-c; sleep 0.5; tm send-keys -t "$c4" C-c 2>/dev/null
wait_until 10 sh -c "! tmux -S '$W/tmux.sock' has-session -t four 2>/dev/null"

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
ok "... and the command its server ran for it, its session (the plugin)" grep -qx "SID=$s4" "$W/sid4"
ok "the server still serves (a second prompt)" \
    sh -c "cd '$W/proj' && timeout 120 '$OC' run --attach '$URL' 'hello again' >'$W/run5' 2>&1"

# Without the plugin, a server's commands get no OPENCODE_SESSION_ID: which client's session
# they serve cannot be told in that process, and the one the server inherited is another's.
rm "$HOME/.config/opencode/plugin/ocshim-session-env.js"
port2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$W/proj" && OPENCODE_SESSION_ID=ses_stale LD_PRELOAD=$SHIM exec "$OC" serve --port "$port2" >"$W/serve2.out" 2>&1) &
srv2=$!
wait_until 60 sh -c "ss -Hltn | grep -q '127.0.0.1:$port2 '"
(cd "$W/proj" && timeout 120 "$OC" run --attach "http://127.0.0.1:$port2" "RUN: sh $W/sid.sh $W/sid6 :END" >"$W/run6" 2>&1)
ok "without the plugin: no OPENCODE_SESSION_ID, not the server's stale one" grep -qx 'SID=none' "$W/sid6"
kill "$srv2"; wait "$srv2" 2>/dev/null

# --- the restore: tmux and every opencode process killed ------------------------------------
R() { "$ROOT/build/ocshim-restore" -S "$W/tmux.sock" "$@"; }
pids="$spid $(opencode_pid_in "$c1") $(opencode_pid_in "$c2")"
tm kill-server
kill -9 $pids 2>/dev/null
for p in $pids; do wait_until 10 test ! -d "/proc/$p"; done
ok "tmux and the three opencode processes are gone" test -z "$(for p in $pids; do test -d /proc/$p && echo $p; done)"
kitty_up k1 || log "kitty did not start"

# The old port taken by another program: the dry run shows the server on a new port, and its
# clients following it.
python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
blocker=$!
wait_until 5 sh -c "ss -Hltn | grep -q '127.0.0.1:$port '"
R --dry-run --no-kitty >"$W/dry-taken.out" 2>&1
kill $blocker; wait $blocker 2>/dev/null
newport=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$W/dry-taken.out" | head -n 1)
ok "old port taken: the server would come back on another port, with a note" \
    sh -c "[ -n '$newport' ] && [ '$newport' != '$port' ] && grep -q 'listened on 127.0.0.1:$port, which is taken now' '$W/dry-taken.out'"
ok "... and both clients would attach there" \
    test "$(grep -c "attached to http://127.0.0.1:$newport once its server answers" "$W/dry-taken.out")" = 2

R --dry-run --no-kitty >"$W/dry.out" 2>&1
ok "dry run: the server on its old port, the clients after it" \
    sh -c "grep -q 'server:0.1 .*listening on port $port' '$W/dry.out' && [ \$(grep -c 'attached to $URL once its server answers' '$W/dry.out') = 2 ]"
R --to "unix:$W/k1.sock" >"$W/run1.out" 2>&1; rc=$?
sed 's/^/    /' "$W/run1.out"
ok "the restore exits 0 and restored three panes" test "$rc" = 0 -a "$(grep -c '^restored ' "$W/run1.out")" = 3
cmd_in() {   # the opencode command line running in a pane (below its shell script)
    local pp pid; pp=$(tm display-message -p -t "$1" '#{pane_pid}')
    pid=$(pgrep -P "$pp" | head -n 1)
    [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline"
}
ok "the server is back as a server, in its directory, on its port" \
    sh -c "[ \"\$(tmux -S '$W/tmux.sock' display-message -p -t '=server:0.1' '#{pane_current_path}')\" = '$W/proj' ] &&
           echo \"$(cmd_in '=server:0.1')\" | grep -q '$OC serve --hostname 127.0.0.1 --port $port'"
ok "client one is back, attached to it, on its conversation" \
    sh -c "echo \"$(cmd_in '=one:0.0')\" | grep -q '$OC attach $URL --session $s3'"
ok "client two is back left of the server, attached, on its conversation; no stray pane" \
    sh -c "echo \"$(cmd_in '=server:0.0')\" | grep -q '$OC attach $URL --session $s2' &&
           [ \$(tmux -S '$W/tmux.sock' list-panes -t '=server' | wc -l) = 2 ]"
ok "each TUI shows its conversation" \
    wait_until 120 sh -c "tmux -S '$W/tmux.sock' capture-pane -p -t '=one:0.0' | grep -q 'sid3' &&
                         tmux -S '$W/tmux.sock' capture-pane -p -t '=server:0.0' | grep -q 'sid2'"
wait_for 20 '[ "$(pane_opt "=one:0.0")" = "$s3" ] && [ "$(pane_opt "=server:0.0")" = "$s2" ]'
ok "the restored client panes hold their sessions again" \
    test -n "$s3$s2" -a "$(pane_opt "=one:0.0")/$(pane_opt "=server:0.0")" = "$s3/$s2"
ok "kitty has one tab per tmux session" test "$(kitty_tabs k1 | grep -c 'tmux -S')" = 2
wait_for 20 'test "$(grep -l "^state=running" "$OCSHIM_STATE_DIR"/*.rec | xargs -r grep -l "^role=server" | wc -l)" -ge 2'
before=$(tm list-panes -a -F '#{pane_id} #{pane_pid}'; kitty_tabs k1)
R --to "unix:$W/k1.sock" >"$W/run2.out" 2>&1; rc=$?
after=$(tm list-panes -a -F '#{pane_id} #{pane_pid}'; kitty_tabs k1)
ok "a second run exits 0 and changes nothing" test "$rc" = 0 -a "$before" = "$after" -a -n "$(tm ls 2>/dev/null)"
[ "$rc" = 0 -a "$before" = "$after" ] || sed 's/^/    /' "$W/run2.out"
finish
