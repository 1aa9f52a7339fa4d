#!/usr/bin/env bash
# The shim with opencode installed and started the way users do it:
#   1. `npm i -g opencode-ai` (bin/opencode -> lib/node_modules/opencode-ai/bin/opencode.exe),
#      LD_PRELOAD exported in ~/.bashrc, tmux started from that shell, `opencode` typed in a pane;
#      then tmux dies and ocshim-restore brings the conversation back;
#   2. a nix-style wrapper: `opencode` is a script that execs a renamed `.opencode-wrapped`;
#   3. programs named like opencode that are not opencode: the shim never arms;
#   4. `ocshim doctor` tells which opencode it found and whether the shim recognises it.
source "$(dirname "$0")/lib.sh"
NPM_VERSION=${OC_NPM_VERSION:-1.18.33}
NPMOC=$("$ROOT/tests/get-opencode.sh" --global "$NPM_VERSION") \
    || { echo "cannot install opencode-ai@$NPM_VERSION with npm"; exit 1; }
NPMBIN=$(dirname "$NPMOC")           # <prefix>/bin: what users put on PATH
REALOC=$(readlink -f "$NPMOC")       # <prefix>/lib/node_modules/opencode-ai/bin/opencode.exe
world_up
OCSHIM=$ROOT/build/ocshim
RESTORE=$ROOT/build/ocshim-restore

# exe_is PID FILE: process PID runs FILE (the same inode: a hard link counts).
exe_is() { [ -e "/proc/$1/exe" ] && [ "/proc/$1/exe" -ef "$2" ]; }
# oc_child_of PID FILE: the child (or the process itself) of PID that runs FILE.
oc_child_of() {
    local c
    for c in $1 $(pgrep -P "$1"); do exe_is "$c" "$2" && { echo "$c"; return 0; }; done
    return 1
}
newest_root_of() { db "select id from session where directory='$1' and parent_id is null order by time_created desc limit 1"; }
# sid_probe FILE: a script for the bash tool: writes the OPENCODE_SESSION_ID it sees to FILE.
sid_probe() {
    printf '#!/bin/sh\nprintf "%%s\\n" "${OPENCODE_SESSION_ID-unset}" >"%s"\necho sid-probe-ok\n' "$1" \
        >"$1.sh"
}

# --- 1. npm i -g, LD_PRELOAD in ~/.bashrc, tmux started from that shell, `opencode` typed -------
# The user's rc files, as on Debian (~/.profile sources ~/.bashrc; tmux starts login shells).
cat >"$HOME/.bashrc" <<RC
# added by the user
export LD_PRELOAD=$SHIM
export PATH="$NPMBIN:\$PATH"
PS1='user\$ '
RC
cat >"$HOME/.profile" <<'RC'
if [ -n "$BASH_VERSION" ] && [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi
RC
# tmux is started from an interactive bash that read ~/.bashrc: the server and every pane have
# LD_PRELOAD from there, and each pane's login shell reads the rc again.
tm kill-server 2>/dev/null
SHELL=/bin/bash bash -i -c "tmux -S '$W/tmux.sock' -f /dev/null new-session -d -s user -x 200 -y 50 -c '$W/proj'" \
    </dev/null >"$W/bash-i.log" 2>&1
pu=$(tm display-message -p -t '=user:0.0' '#{pane_id}' 2>/dev/null)
ok "tmux started from a shell that read ~/.bashrc (its server has LD_PRELOAD)" \
    grep -qz "^LD_PRELOAD=$SHIM\$" "/proc/$(tm display-message -p '#{pid}')/environ"
wait_until 20 pane_has "$pu" 'user$' || log "no shell prompt in the pane"
tm send-keys -t "$pu" -l -- "opencode"
tm send-keys -t "$pu" Enter
wait_until 90 tui_ready "$pu" || { log "TUI did not paint:"; pane_text "$pu" | grep -v '^ *$' | tail -n 5; }
ocpid=$(oc_child_of "$(pane_pid "$pu")" "$REALOC")
ok "typing 'opencode' in the pane runs npm's opencode.exe (pid ${ocpid:-none})" test -n "$ocpid"
ok "... preloaded with the shim (from ~/.bashrc)" grep -q libocshim "/proc/${ocpid:-0}/maps"
sid_probe "$W/sid1"
prompt "$pu" "RUN: sh $W/sid1.sh :END"
wait_until 60 test -s "$W/sid1" || log "the bash tool did not run"
id1=$(newest_root_of "$W/proj")
ok "the bash tool ran and opencode.db has the session" test -s "$W/sid1" -a -n "$id1"
ok "npm install: pane option @opencode_session = the db's session ($id1)" \
    wait_for 15 'test -n "$id1" -a "$(pane_opt "$pu")" = "$id1"'
rec1=$(record_of "${ocpid:-none}")
ok "npm install: the process's record names the session" test -n "$id1" -a "$(rec_get "$rec1" session)" = "$id1"
ls_has() {   # ls_has PID SESSION: `ocshim ls --json` lists PID with SESSION
    "$OCSHIM" ls --json 2>/dev/null | python3 -c '
import json, sys
sys.exit(0 if any(str(e["pid"]) == sys.argv[1] and e["session"] == sys.argv[2] for e in json.load(sys.stdin)) else 1)' "$1" "$2"
}
ok "npm install: ocshim ls --json lists it with the session" ls_has "${ocpid:-0}" "${id1:-none}"
ok "npm install: the bash tool saw OPENCODE_SESSION_ID = the session ($(head -c 40 "$W/sid1" 2>/dev/null))" \
    test -n "$id1" -a "$(cat "$W/sid1" 2>/dev/null)" = "$id1"
wait_until 30 pane_has "$pu" "sid-probe-ok" || log "the answer did not show in the TUI"

# tmux goes down (a reboot, a crash): opencode with it; then the restore, tmux only.
tm kill-server
wait_until 10 test ! -d "/proc/$ocpid" || { kill "$ocpid" 2>/dev/null; wait_until 5 test ! -d "/proc/$ocpid"; }
"$RESTORE" -S "$W/tmux.sock" --no-kitty >"$W/restore.out" 2>&1; rc=$?
log "ocshim-restore --no-kitty: exit $rc"; sed 's/^/    /' "$W/restore.out"
ok "ocshim-restore --no-kitty exits 0 and restores the pane" \
    test "$rc" = 0 -a "$(grep -c '^restored ' "$W/restore.out")" -ge 1
ru=$(tm display-message -p -t '=user:0.0' '#{pane_id}' 2>/dev/null)
rpid=
[ -n "$ru" ] && wait_for 20 'rpid=$(oc_child_of "$(pane_pid "$ru")" "$REALOC")'
ok "the pane user:0.0 is back, running npm's opencode (pid ${rpid:-none})" test -n "$rpid"
ok "... with --session $id1" \
    sh -c "tr '\\0' '\\n' </proc/${rpid:-0}/cmdline 2>/dev/null | grep -A1 -x -- --session | tail -n 1 | grep -qx -- '${id1:-none}'"
if [ -n "$rpid" ]; then
    ok "... the TUI shows the conversation" wait_until 90 pane_has "$ru" "sid-probe-ok"
    ok "... and the pane option names the session again" wait_for 15 'test "$(pane_opt "$ru")" = "$id1"'
else
    ok "... the TUI shows the conversation" false
    ok "... and the pane option names the session again" false
fi
pane_text "${ru:-none}" | grep -q "sid-probe-ok" || { log "restored pane shows:"; pane_text "${ru:-none}" | grep -v '^ *$' | tail -n 6; }
tm kill-server 2>/dev/null

# --- 2. nix-style: `opencode` is a script that execs the renamed binary with exec -a ------------
nixd=$W/nix/bin
mkdir -p "$nixd" "$W/proj2"
ln "$REALOC" "$nixd/.opencode-wrapped" 2>/dev/null || cp "$REALOC" "$nixd/.opencode-wrapped"
cat >"$nixd/opencode" <<EOF
#!/bin/bash -e
exec -a "\$0" "$nixd/.opencode-wrapped" "\$@"
EOF
chmod +x "$nixd/opencode"
sid_probe "$W/sid2"
(cd "$W/proj2" && LD_PRELOAD=$SHIM PATH="$nixd:$PATH" timeout 90 opencode run "RUN: sh $W/sid2.sh :END" \
    >"$W/nix.out" 2>&1)
id2=$(newest_root_of "$W/proj2")
ok "nix wrapper: opencode run made a session and ran the bash tool" test -n "$id2" -a -s "$W/sid2"
rec2=$(rec_with session "$id2" | head -n 1)
ok "nix wrapper: a record holds the db's session ($id2)" test -n "$id2" -a -n "$rec2"
ok "... and it is the .opencode-wrapped process's" test "$(rec_get "$rec2" exe)" = "$nixd/.opencode-wrapped"
ok "nix wrapper: the bash tool saw OPENCODE_SESSION_ID = the session ($(head -c 40 "$W/sid2" 2>/dev/null))" \
    test -n "$id2" -a "$(cat "$W/sid2" 2>/dev/null)" = "$id2"

# --- 3. named like opencode, not opencode: never armed (no worker thread, no state directory) ---
nd=$W/notoc
mkdir -p "$nd/py" "$nd/bin" "$nd/exe"
printf '#!/usr/bin/env python3\nimport time\ntime.sleep(0.5)\n' >"$nd/py/opencode"
chmod +x "$nd/py/opencode"
cp /bin/sleep "$nd/bin/opencode"
cp /bin/sleep "$nd/exe/opencode.exe"
# threads_of CMD...: starts CMD preloaded, prints "<its program> <threads>" 0.3 s later.
threads_of() {
    local st=$W/state-notoc pid n exe
    PATH=/usr/bin:/bin LD_PRELOAD=$SHIM OCSHIM_STATE_DIR=$st OCSHIM_DEBUG=1 "$@" &
    pid=$!
    sleep 0.3
    exe=$(readlink "/proc/$pid/exe"); n=$(ls "/proc/$pid/task" 2>/dev/null | wc -l)
    wait "$pid"
    echo "$(basename "$exe") $n"
}
for c in "python:$nd/py/opencode" "sleep named opencode:$nd/bin/opencode 0.5" \
         "sleep named opencode.exe:$nd/exe/opencode.exe 0.5"; do
    what=${c%%:*} cmd=${c#*:}
    got=$(threads_of $cmd)
    ok "not opencode ($what): one thread, not armed (program, threads: $got)" \
        test "${got#* }" = 1 -a "${got% *}" != ""
done
ok "... and no state directory was created" test ! -e "$W/state-notoc"

# --- 4. ocshim doctor: which opencode it found, and whether the shim recognises it ------------
PATH="$NPMBIN:$PATH" LD_PRELOAD=$SHIM "$OCSHIM" doctor >"$W/doctor1.out" 2>&1
PATH="$nd/py:/usr/bin:/bin" LD_PRELOAD=$SHIM "$OCSHIM" doctor >"$W/doctor2.out" 2>&1
says_recognised() {
    grep -E '^ok +opencode [0-9.]+ at ' "$W/doctor1.out" | grep -F "$NPMOC" | grep -F "$REALOC" |
        grep -qF 'the shim will recognize it'
}
says_not_opencode() {
    grep -E '^FAIL' "$W/doctor2.out" | grep -qF 'is a script, not opencode: the shim does not recognize it'
}
ok "doctor: npm's opencode is named, with its binary, and the shim will recognize it" says_recognised
ok "doctor: a python script named opencode is not opencode" says_not_opencode
# The x64-baseline build (no AVX2), which npm's postinstall picks on older processors.
BASELINE=$(dirname "$(dirname "$REALOC")")/node_modules/opencode-linux-x64-baseline/bin/opencode
mkdir -p "$nd/base" && ln -sf "$BASELINE" "$nd/base/opencode"
PATH="$nd/base:/usr/bin:/bin" LD_PRELOAD=$SHIM "$OCSHIM" doctor >"$W/doctor3.out" 2>&1
ok "doctor: the x64-baseline build is opencode $NPM_VERSION too, and recognized" \
    grep -qE "^ok +opencode $NPM_VERSION at .*: the shim will recognize it" "$W/doctor3.out"
says_recognised && says_not_opencode || { log "doctor said:"; grep -i opencode "$W/doctor1.out" "$W/doctor2.out" | sed 's/^/    /'; }

finish
