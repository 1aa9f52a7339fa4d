#!/usr/bin/env bash
# `ocshim resume` end to end: real tmux (private socket), the real opencode with the shim and the
# fake model. Two tmux sessions, three prompted TUIs (alpha: two windows in one directory; beta:
# a directory with a space and a quote). The index names, per tmux session and pane, the session
# opencode.db holds for that pane's prompt, with its title; it stays the same once the TUIs have
# ended (one quit on purpose, two killed); a printed line, pasted into a fresh shell pane, resumes
# that very conversation. SESSION... filters; an unknown name is a one-line error; the README's
# line for AGENTS.md gives the task's block.
source "$(dirname "$0")/lib.sh"
world_up
export PATH=$ROOT/build:$PATH
RUNOC="env LD_PRELOAD=$SHIM $OC"

dA=$W/proj; dB="$W/dir b'q"
mkdir -p "$dA" "$dB"
# the first TUI alone (it makes opencode.db), then the two others side by side
pa1=$(pane_run alpha "$dA" "$RUNOC")
wait_until 120 tui_ready "$pa1" || { log "TUI $pa1 did not paint:"; pane_text "$pa1" | grep . | tail -n 8; }
pa2=$(tm new-window -d -P -F '#{pane_id}' -t alpha: -c "$dA" "$RUNOC")
pb=$(pane_run beta "$dB" "$RUNOC")
for p in $pa2 $pb; do wait_until 120 tui_ready "$p" || { log "TUI $p did not paint:"; pane_text "$p" | grep . | tail -n 8; }; done
prompt "$pa1" "resume-task-A1"; prompt "$pa2" "resume-task-A2"; prompt "$pb" "resume-task-B"
for p in $pa1 $pa2 $pb; do wait_for 60 'test -n "$(pane_opt "$p")"'; done
# the session opencode.db holds for each pane's prompt (the truth the index is held to)
sid_of_prompt() { db "select distinct session_id from part where data like '%$1%'"; }
ida1=$(sid_of_prompt resume-task-A1) ida2=$(sid_of_prompt resume-task-A2) idb=$(sid_of_prompt resume-task-B)
ok "three panes, three sessions in opencode.db, each the pane's own (@opencode_session)" \
    test -n "$ida1" -a -n "$ida2" -a -n "$idb" -a "$(pane_opt "$pa1")/$(pane_opt "$pa2")/$(pane_opt "$pb")" = "$ida1/$ida2/$idb"
title_of() { db "select title from session where id='$1'"; }
# opencode names a conversation after its first reply: wait for the titles to settle
for id in $ida1 $ida2 $idb; do wait_for 30 'test "$(title_of "$id")" = "Fake title"' || log "title of $id: $(title_of "$id")"; done

# entries MD_FILE: "BLOCK|W.P|TITLE|COMMAND" per pane line of the markdown index
entries() {
    awk '/^### /{b=substr($0,5)} /^# [0-9]+\.[0-9]+/{wp=$2; t=$0; sub(/^# [0-9.]+ */,"",t)}
         /opencode --session /{print b "|" wp "|" t "|" $0}' "$1"
}
expect() {   # the index's lines for the three panes, in order
    local qb; qb=$(printf %s "$dB" | sed "s/'/'\\\\''/g")
    printf '%s\n' "alpha|0.0|$(title_of "$ida1")|cd $dA && opencode --session $ida1" \
        "alpha|1.0|$(title_of "$ida2")|cd $dA && opencode --session $ida2" \
        "beta|0.0|$(title_of "$idb")|cd '$qb' && opencode --session $idb"
}

# --- live ---------------------------------------------------------------------------------------
ocshim resume --md >"$W/live.md" 2>"$W/live.err"; rc=$?
ok "ocshim resume --md: exit 0, no complaint" test "$rc" = 0 -a ! -s "$W/live.err"
ok "... a '## Resume' heading, then one block per tmux session: alpha, beta" \
    test "$(head -n 1 "$W/live.md")/$(grep '^###' "$W/live.md" | tr '\n' ,)" = "## Resume/### alpha,### beta,"
ok "... each in a sh fence" test "$(grep -c '^```sh$' "$W/live.md")/$(grep -c '^```$' "$W/live.md")" = 2/2
entries "$W/live.md" >"$W/live.entries"; expect >"$W/want.entries"
ok "... alpha 0.0: its prompt's session, title and directory" test "$(sed -n 1p "$W/live.entries")" = "$(sed -n 1p "$W/want.entries")"
ok "... alpha 1.0: its prompt's session, title and directory" test "$(sed -n 2p "$W/live.entries")" = "$(sed -n 2p "$W/want.entries")"
ok "... beta 0.0: its prompt's session, title, and the directory quoted" test "$(sed -n 3p "$W/live.entries")" = "$(sed -n 3p "$W/want.entries")"
ok "... and no other line" test "$(wc -l <"$W/live.entries")" = 3
diff "$W/want.entries" "$W/live.entries" >&2 || sed 's/^/   | /' "$W/live.md"
ocshim resume >"$W/live.txt" 2>&1
ok "plain text: the same lines, no markdown" \
    test "$(grep -v '^#' "$W/live.txt" | grep .)" = "$(grep 'opencode --session' "$W/live.md")" -a \
         "$(grep -c '^[#`]\{2,\}' "$W/live.txt")" = 0 -a "$(grep -c '^# alpha$\|^# beta$' "$W/live.txt")" = 2
ok "SESSION...: only the sessions named, in that order" \
    test "$(ocshim resume --md beta alpha | grep '^###' | tr '\n' ,)/$(ocshim resume beta | grep -c 'opencode --session')" = "### beta,### alpha,/1"
ocshim resume alpha nosuch >"$W/bad.out" 2>"$W/bad.err"; rc=$?
ok "an unknown SESSION: one line on stderr naming it, nothing on stdout, exit 1" \
    test "$rc/$(wc -l <"$W/bad.err")/$(wc -c <"$W/bad.out")" = 1/1/0 -a -n "$(grep -F "'nosuch'" "$W/bad.err")"

# The README's line for AGENTS.md, its command run where opencode's bash tool runs it: in a pane
# of the task's tmux session.
agents=$(sed -n 's/.*Resume` section of its note .* as the output of `\(ocshim resume [^`]*\)`;.*/\1/p' "$ROOT/README.md")
tm split-window -d -t beta: -c "$W" "$agents >'$W/agents.md' 2>&1; touch '$W/agents.done'"
wait_until 20 test -e "$W/agents.done"
ok "the README's AGENTS.md line: its command, run in beta's pane, gives beta's block" \
    test -n "$agents" -a "$(cat "$W/agents.md")" = "$(ocshim resume --md beta)" -a "$(grep -c '^###' "$W/agents.md")" = 1

# --- ended: pa2 quit on purpose (ctrl+c), the others killed -------------------------------------
for p in $pa1 $pb; do kill -KILL "$(opencode_pid_in "$p")"; done
reca2=$(record_of "$(opencode_pid_in "$pa2")")
for attempt in 1 2 3; do   # ctrl+c twice quits the TUI; a busy TUI may swallow one
    tm send-keys -t "$pa2" C-c 2>/dev/null; sleep 0.5; tm send-keys -t "$pa2" C-c 2>/dev/null
    wait_for 5 'test "$(rec_get "$reca2" state)" = exited' && break
done
wait_for 10 'test -z "$(tm list-panes -a -F "#{pane_id}" | grep -x -e "$pa1" -e "$pa2" -e "$pb")"'
ok "the three TUIs have ended (alpha 1.0 quit on purpose)" \
    test "$(rec_get "$reca2" state)/$(rec_get "$reca2" hangup)/$(tm list-sessions -F '#S' | grep -c '^alpha$\|^beta$')" = exited/0/0
ocshim resume --md >"$W/ended.md" 2>"$W/ended.err"
entries "$W/ended.md" >"$W/ended.entries"
ok "after they ended: the very same index, each pane's line still its prompt's session" \
    sh -c 'cmp -s "$1" "$2" && cmp -s "$3" "$4"' _ "$W/live.md" "$W/ended.md" "$W/want.entries" "$W/ended.entries"
cmp -s "$W/live.md" "$W/ended.md" || diff "$W/live.md" "$W/ended.md" | sed 's/^/   | /'

# --- pasted: beta's line in a fresh shell pane (the shim preloaded, opencode on PATH) -----------
line=$(grep -F -- "--session $idb" "$W/ended.md")
ps=$(pane_run paste "$W" "env LD_PRELOAD=$SHIM PATH=$(dirname "$OC"):$PATH bash --norc --noprofile -i")
wait_until 20 pane_has "$ps" 'bash' || log "no shell prompt in $ps"
tm send-keys -t "$ps" -l -- "$line"; tm send-keys -t "$ps" Enter
wait_for 60 'test -n "$(pane_opt "$ps")"'
ok "the pasted line resumes that very session (the pane's @opencode_session is beta's id)" test "$(pane_opt "$ps")" = "$idb"
wait_until 120 pane_has "$ps" "resume-task-B"
ok "... the TUI shows the conversation's prompt" pane_has "$ps" "resume-task-B"
pane_has "$ps" "resume-task-B" || pane_text "$ps" | grep . | tail -n 8 | sed 's/^/   | /'
ok "... and runs in beta's directory" test "$(readlink "/proc/$(pgrep -P "$(pane_pid "$ps")" | head -n 1)/cwd")" = "$dB"
finish
