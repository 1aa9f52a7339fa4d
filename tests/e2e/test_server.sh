#!/usr/bin/env bash
# opencode's client/server mode, the part settled so far: a `serve` process works on sessions
# for its clients, so the shim does nothing there. Its pane is never given a session, it
# leaves no record, and commands it runs for a client get no OPENCODE_SESSION_ID (which one
# it is cannot be known for sure in that process).
source "$(dirname "$0")/lib.sh"
world_up 1.18.34
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$W/sid.sh" <<'EOF2'
echo "SID=${OPENCODE_SESSION_ID:-none}" >"$1"
EOF2
srv=$(pane_run server "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC serve --port $port --hostname 127.0.0.1")
up() { python3 - "$port" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/session" % sys.argv[1], timeout=5).read()
PY
}
wait_until 90 up || log "the server did not answer within 90 s"
spid=$(opencode_pid_in "$srv")
ok "opencode serve runs in its pane (pid $spid)" test -n "$spid"

# A client sends a prompt; the fake model makes the server run a command for it.
(cd "$W/proj" && timeout 120 "$OC" run --attach "http://127.0.0.1:$port" "RUN: sh $W/sid.sh $W/sid1 :END" \
    >"$W/run1" 2>&1)
id=$(db "select id from session where parent_id is null order by time_created desc limit 1")
ok "the client's prompt made a session on the server" test -n "$id"
ok "the server ran the command for it" test -s "$W/sid1"
ok "... which got no OPENCODE_SESSION_ID from the server process" grep -qx 'SID=none' "$W/sid1"
sleep 2                                         # the log line that names the session
ok "the server's pane is given no session" test -z "$(pane_opt "$srv")"
ok "the server leaves no record" test -z "$(record_of "$spid")"
ok "... and no worker thread of ours (the shim did nothing there)" \
    test -z "$(grep -l . "$OCSHIM_STATE_DIR"/debug-"$spid".log 2>/dev/null)"
ok "the server still serves (a second prompt)" \
    sh -c "cd '$W/proj' && timeout 120 '$OC' run --attach 'http://127.0.0.1:$port' 'hello again' >'$W/run2' 2>&1"
finish
