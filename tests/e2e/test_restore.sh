#!/usr/bin/env bash
# ocshim-restore end to end: real tmux (private socket), the real opencode with the shim and the
# fake model, a real kitty 0.26 under Xvfb. Three tmux sessions (one with two panes, one in a
# directory with spaces and a quote, one with a hostile name) are prompted, one conversation is
# quit on purpose, the tmux server is killed; the restore brings back the sessions, panes,
# directories and conversations, and one kitty tab per session; a second run changes nothing.
source "$(dirname "$0")/lib.sh"
RESTORE=$ROOT/build/ocshim-restore
world_up
RUNOC="env LD_PRELOAD=$SHIM $OC"
R() { "$RESTORE" -S "$W/tmux.sock" "$@"; }

dA=$W/proj; dB="$W/dir with space 'q"; dC="$W/déjà vu"; dQ=$W/quitter; dG=$W/guess
mkdir -p "$dA" "$dB" "$dC" "$dQ" "$dG"
S3='we"ird $(touch PWNED); x'   # a session name with quotes, $(), ; and spaces

# The quit-on-purpose conversation first, alone: prompt, answer, ctrl+c.
pq=$(pane_run quitter "$dQ" "$RUNOC")
wait_until 60 tui_ready "$pq" || log "TUI $pq did not paint"
prompt "$pq" "hello number 5"
wait_for 30 'test -n "$(pane_opt "$pq")"'; idq=$(pane_opt "$pq")
wait_until 30 pane_has "$pq" "reply to: hello number 5" || log "no reply shown in the quitter pane"
recq=$(rec_with session "$idq" | head -n 1)
for attempt in 1 2 3 4; do   # ctrl+c twice quits the TUI; a busy TUI may swallow one
    tm send-keys -t "$pq" C-c 2>/dev/null; sleep 0.5; tm send-keys -t "$pq" C-c 2>/dev/null
    wait_for 5 'test "$(rec_get "$recq" state)" = exited' && break
    if tm display-message -p -t "$pq" '' >/dev/null 2>&1; then
        log "quit attempt $attempt: the TUI is still there:"; pane_text "$pq" | grep -v '^ *$' | tail -n 4
    else log "quit attempt $attempt: the pane is gone, the record says state=$(rec_get "$recq" state)"; fi
done
ok "the quit conversation is recorded as a quit (exited, hangup=0)" \
    test "$(rec_get "$recq" state)/$(rec_get "$recq" hangup)" = exited/0

pa1=$(pane_run s1 "$dA" "$RUNOC")
wait_until 60 tui_ready "$pa1" || log "TUI $pa1 did not paint"   # then split (as a user would)
pa2=$(tm split-window -h -d -P -F '#{pane_id}' -t "$pa1" -c "$dA" "$RUNOC")   # side by side: full height
pb=$(pane_run "two words" "$dB" "$RUNOC")
pc=$(pane_run "$S3" "$dC" "$RUNOC")
pg=$(pane_run noshim "$dG" "$OC")        # started without the shim: no record
for p in $pb $pc $pg; do wait_until 60 tui_ready "$p" || log "TUI $p did not paint"; done
# the split pane's TUI may not show the ctrl+p hint: do not wait long for it
wait_until 20 tui_ready "$pa2" || wait_until 10 pane_has "$pa2" "tab agents" || log "TUI $pa2 did not paint"
i=0
for p in $pa1 $pa2 $pb $pc; do i=$((i + 1)); prompt "$p" "hello number $i"; done
prompt "$pg" "hello number 6"
for p in $pa1 $pa2 $pb $pc; do wait_for 40 'test -n "$(pane_opt "$p")"'; done
root_of_dir() { db "select id from session where directory='$1' and parent_id is null"; }
wait_for 40 'test -n "$(root_of_dir "$dG")"'
ida1=$(pane_opt "$pa1") ida2=$(pane_opt "$pa2") idb=$(pane_opt "$pb") idc=$(pane_opt "$pc")
idg=$(db "select id from session where directory='$dG' and parent_id is null order by time_updated desc limit 1")
ok "five prompted panes have five different session ids" \
    test "$(printf '%s\n' "$ida1" "$ida2" "$idb" "$idc" "$idq" | grep -c '^ses_')" = 5 -a \
         "$(printf '%s\n' "$ida1" "$ida2" "$idb" "$idc" "$idq" | sort -u | wc -l)" = 5

# --- live: --list shows the running ones, and the fallback guess for the pane without the shim --
R --list --json >"$W/list.json" 2>"$W/list.err"
jq_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$1"; }
ok "--list --json: the four recorded panes are running, the quit one is listed as quit" \
    test "$(jq_get "$W/list.json" 'print(sum(1 for e in d["entries"] if e["state"]=="running"), [e["state"] for e in d["entries"] if e["tmux_session"]=="quitter"])')" = "4 ['quit']"
ok "--list --json: the pane without the shim gets the newest root session of its directory, as a guess" \
    test "$(jq_get "$W/list.json" 'print(" ".join(e["session"]+"/"+str(e["guess"]) for e in d["entries"] if e["tmux_session"]=="noshim"))')" = "$idg/True"
R --list >"$W/list.txt" 2>&1
ok "--list prints a table with the conversation's title column" grep -q '^TMUX SESSION  *PANE  *DIRECTORY  *SESSION  *TITLE  *LAST ACTIVITY  *STATE' "$W/list.txt"

# --- kill the tmux server ----------------------------------------------------------------------
pids=$(for p in $pa1 $pa2 $pb $pc; do opencode_pid_in "$p"; done)
tm kill-server
for p in $pids; do wait_until 10 test ! -d "/proc/$p"; done
ok "tmux server killed, the opencode processes are gone" test -z "$(for p in $pids; do test -d /proc/$p && echo $p; done)"

kitty_up k1 || log "kitty did not start"
tabs0=$(kitty_tabs k1 | wc -l)

# --- --dry-run changes nothing -----------------------------------------------------------------
R --dry-run --to "unix:$W/k1.sock" >"$W/dry.out" 2>&1; rc=$?
ok "--dry-run exits 0 and names the four panes to restore" \
    test "$rc" = 0 -a "$(grep -c '^restore ' "$W/dry.out")" = 4
ok "--dry-run: no tmux server was started" sh -c "! tmux -S '$W/tmux.sock' ls >/dev/null 2>&1"
ok "--dry-run: no kitty tab was opened" test "$(kitty_tabs k1 | wc -l)" = "$tabs0"
ok "--dry-run: the quit conversation is skipped" grep -q "^skipped .*quitter:0.0 *$idq.*quit on purpose" "$W/dry.out"
R --dry-run --all --json --no-kitty >"$W/dryall.json" 2>/dev/null
ok "--all would restore the quit conversation too" \
    test "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([e["state"] for e in d["entries"] if e["session"]==sys.argv[2]])' "$W/dryall.json" "$idq")" = "['restore']"

# --- the restore -------------------------------------------------------------------------------
start=$(date +%s.%N)
R --to "unix:$W/k1.sock" >"$W/run1.out" 2>&1; rc=$?
log "first run: $(echo "$(date +%s.%N) - $start" | bc) s, exit $rc"; cat "$W/run1.out" | sed 's/^/    /'
ok "restore exits 0" test "$rc" = 0
ok "the PWNED file was never created (no shell injection)" test ! -e "$W/PWNED" -a ! -e "$dC/PWNED" -a ! -e "$ROOT/PWNED"
sessions=$(tm ls -F '#{session_name}' 2>/dev/null | sort)
ok "the three sessions are back, not the quit one" \
    test "$sessions" = "$(printf '%s\n' s1 "two words" "$S3" | sort)"
panes_of() { tm list-panes -t "=$1" -F '#{window_index}.#{pane_index} #{pane_current_path}'; }
ok "s1 has its two panes in the recorded directory" test "$(panes_of s1)" = "$(printf '0.0 %s\n0.1 %s' "$dA" "$dA")"
ok "'two words' is in the directory with a space and a quote" test "$(panes_of "two words")" = "0.0 $dB"
ok "the hostile-named session is in its non-ASCII directory" test "$(panes_of "$S3")" = "0.0 $dC"

# pane -> opencode's argv must end with --session <the id it had>
session_arg() {
    local pp pid; pp=$(tm display-message -p -t "$1" '#{pane_pid}')
    pid=$(pgrep -P "$pp" | head -n 1)
    [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | sed -E 's/.*--session ([^ ]*).*/\1/'
}
ok "s1:0.0 runs opencode --session $ida1" wait_for 10 'test "$(session_arg "=s1:0.0")" = "$ida1"'
ok "s1:0.1 runs opencode --session $ida2" test "$(session_arg "=s1:0.1")" = "$ida2"
ok "'two words' runs opencode --session $idb" test "$(session_arg "=two words:0.0")" = "$idb"
ok "the hostile-named session runs opencode --session $idc" test "$(session_arg "=$S3:0.0")" = "$idc"
ok "the restored opencode has the shim preloaded" \
    grep -q libocshim "/proc/$(pgrep -P "$(tm display-message -p -t "=s1:0.0" '#{pane_pid}')" | head -n 1)/maps"
# Four TUIs resume at once on two cores: give them time (a pass returns as soon as it can).
ok "the TUIs show the earlier conversations" \
    wait_until 150 sh -c "tmux -S '$W/tmux.sock' capture-pane -p -t '=s1:0.0' | grep -q 'hello number 1' &&
                         tmux -S '$W/tmux.sock' capture-pane -p -t '=s1:0.1' | grep -q 'hello number 2' &&
                         tmux -S '$W/tmux.sock' capture-pane -p -t '=two words:0.0' | grep -q 'hello number 3'"
for t in "=s1:0.0" "=s1:0.1" "=two words:0.0"; do
    tm capture-pane -p -t "$t" | grep -q 'hello number' || { log "pane $t shows:"; tm capture-pane -p -t "$t" | grep -v '^ *$' | tail -n 8; }
done
ok "kitty has exactly one tab per tmux session, titled with its name, attaching to it" \
    test "$(kitty_tabs k1 | grep -c 'tmux -S')" = 3 -a \
         "$(kitty_tabs k1 | grep -c "^two words	.*tmux -S $W/tmux.sock attach -t =two words$")" = 1 -a \
         "$(kitty_tabs k1 | grep -cF "$S3	")" = 1
# the restored processes write records again: wait until each pane's opencode has one
all_recorded() {
    local t pid
    for t in "=s1:0.0" "=s1:0.1" "=two words:0.0" "=$S3:0.0"; do
        pid=$(opencode_pid_in "$t"); [ -n "$pid" ] && [ -n "$(record_of "$pid")" ] || return 1
    done
}
wait_until 30 all_recorded || log "a restored opencode has no record yet"

# --- a second run changes nothing ---------------------------------------------------------------
before=$(tm list-panes -a -F '#{pane_id} #{pane_pid}'; kitty_tabs k1)
R --to "unix:$W/k1.sock" >"$W/run2.out" 2>&1; rc=$?
after=$(tm list-panes -a -F '#{pane_id} #{pane_pid}'; kitty_tabs k1)
ok "second run exits 0, restores nothing, opens no tab" \
    test "$rc" = 0 -a "$(grep -c '^restored ' "$W/run2.out")" = 0 -a "$(grep -c 'opened 0 tab' "$W/run2.out")" = 1
ok "second run: panes, processes and kitty tabs unchanged" test "$before" = "$after"
[ "$before" = "$after" ] || { echo "$before"; echo ---; echo "$after"; cat "$W/run2.out"; }

# --- --kitty-session: the file opens the same tabs in a fresh kitty ---------------------------
R --kitty-session "$W/sess.kitty" >"$W/ks.out" 2>&1
ok "--kitty-session writes one new_tab per session" test "$(grep -c '^new_tab ' "$W/sess.kitty")" = 3
kitty_up k2 --session "$W/sess.kitty"
wait_for 10 'test "$(kitty_tabs k2 | grep -c "tmux -S")" = 3'
ok "kitty --session FILE opens the three attach tabs with the right titles" \
    test "$(kitty_tabs k2 | grep 'tmux -S' | cut -f1 | sort)" = "$(printf '%s\n' s1 "two words" "$S3" | sort)"
ok "... and each tab is attached (tmux sees clients)" \
    wait_for 10 'test "$(tm list-clients -F "#{session_name}" | sort -u | wc -l)" = 3'

kitty_down
finish
