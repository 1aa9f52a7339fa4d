#!/usr/bin/env bash
# Load: 8 TUIs of the real opencode in one directory, prompted at the same moment. Every pane
# must end on its own conversation (the db session that holds its prompt), and no pane may
# show another pane's session on the way: they share one database, so a page one process
# writes holds the others' new rows. The settle times are logged; `make bench` reports them.
source "$(dirname "$0")/lib.sh"
OCSHIM=$ROOT/build/ocshim
world_up
N=8
d=$W/proj
panes=()
# Started one after another, as a user opens them (eight opencode processes starting at once
# on two cores take minutes to paint, with or without the shim).
for i in $(seq 1 $N); do
    panes+=("$(pane_run "load$i" "$d" "env OCSHIM_DEBUG=1 LD_PRELOAD=$SHIM $OC")")
    wait_until 60 tui_ready "${panes[-1]}" || log "TUI ${panes[-1]} did not paint"
done
i=0
for p in "${panes[@]}"; do i=$((i + 1)); tm send-keys -t "$p" -l -- "load prompt number $i"; done
sleep 1
# One tmux command sends Enter to all eight panes: the same moment, as far as tmux can.
args=()
for p in "${panes[@]}"; do args+=(send-keys -t "$p" Enter \;); done
t0=$(date +%s%3N)
tm "${args[@]}"
session_of() { db "select session_id from part where data like '%\"load prompt number $1\"%' order by time_created limit 1"; }
own=()
i=0
for p in "${panes[@]}"; do
    i=$((i + 1))
    wait_for 90 'test -n "$(session_of $i)" -a "$(pane_opt "$p")" = "$(session_of $i)"'
    own+=("$(session_of $i)")
done

ok "the eight prompts made eight different sessions in the db" \
    test "$(printf '%s\n' "${own[@]}" | grep -c '^ses_')" = $N -a "$(printf '%s\n' "${own[@]}" | sort -u | wc -l)" = $N
bad=0
i=0
for p in "${panes[@]}"; do
    [ "$(pane_opt "$p")" = "${own[$i]}" ] || { log "pane $p holds '$(pane_opt "$p")', its prompt is in ${own[$i]}"; bad=$((bad + 1)); }
    i=$((i + 1))
done
ok "each pane ends on its own session" test "$bad" = 0
# Every session each process gave its pane and its record (the debug log has a line for each).
pids=(); for p in "${panes[@]}"; do pids+=("$(opencode_pid_in "$p")"); done
given() { sed -n -E 's/.* (record|tmux) id=(ses_[A-Za-z0-9]*) .*/\2/p' "$OCSHIM_STATE_DIR/debug-$1.log" 2>/dev/null; }
published() { sed -n 's/.* tmux id=\(ses_[A-Za-z0-9]*\) .*tmux_done_ms=\([0-9]*\).*/\2 \1/p' "$OCSHIM_STATE_DIR/debug-$1.log" 2>/dev/null; }
wrong=$(i=0; for p in "${panes[@]}"; do
    given "${pids[$i]}" | awk -v p="$p" -v own="${own[$i]}" '$1 != own { print p, $1 }'
    i=$((i + 1)); done)
[ -z "$wrong" ] || { log "panes that were given a session not theirs:"; echo "$wrong"; }
updates=$(for p in "${pids[@]}"; do given "$p"; done | wc -l)
ok "no pane or record was ever given another session than its own ($updates updates)" \
    test -z "$wrong" -a "$updates" -ge $((2 * N))
"$OCSHIM" ls --json >"$W/ls.json" 2>"$W/ls.err"
recs=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("\n".join(sorted(r["tmux_pane"] + " " + r["session"] for r in d if r["state"] == "running")))' "$W/ls.json" 2>&1)
want=$(i=0; for p in "${panes[@]}"; do echo "$p ${own[$i]}"; i=$((i + 1)); done | sort)
ok "ocshim ls --json: each pane's record names its own session" test "$recs" = "$want"
[ "$recs" = "$want" ] || { echo "$recs"; echo ---; echo "$want"; }
# Settle time per pane: from the Enter to its own session in tmux (logged only; make bench).
i=0
for p in "${panes[@]}"; do
    published "${pids[$i]}" | awk -v own="${own[$i]}" -v t0="$t0" '$2 == own { print $1 - t0; exit }'
    i=$((i + 1))
done | sort -n | tr '\n' ' ' | sed 's/^/settle ms: /' | { read -r l; log "$l"; }
finish
