#!/usr/bin/env bash
# Fault injection (#11): opencode's log trimmed in place, rotated or deleted while a TUI runs;
# each time a new session still reaches the pane option and the record, through the log.
set -u
source "$(dirname "$0")/lib.sh"

world_up
# A second session (/new) is learned from the log only: the database signal names a process's
# first session and no other (shim/session.c, session_apply). So every session after the first
# one here exercises the log path, whatever the WAL shows; the record's session_source says so.
p=$(pane_run logf "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC")
wait_until 180 tui_ready "$p" || log "TUI did not paint"
prompt "$p" "first prompt"
wait_for 60 'test -n "$(pane_opt "$p")"'
prev=$(pane_opt "$p")
pid=$(opencode_pid_in "$p")
rec=$(record_of "$pid")
ok "before any fault: the pane and the record hold the first session" \
    test -n "$prev" -a "$(rec_get "$rec" session)" = "$prev"
wait_until 60 pane_has "$p" "reply to: first prompt"   # a busy TUI would not take /new
logf=$OC_LOG_DIR/opencode.log

# held_log: the log file opencode writes to, as its descriptor names it.
held_log() { ls -l /proc/"$pid"/fd 2>/dev/null | grep -o "$OC_LOG_DIR/[^ ]*" | head -n 1; }
ok "opencode holds $logf open" test "$(held_log)" = "$logf"

# newest_root: the newest root session in opencode.db.
newest_root() { db "select id from session where parent_id is null order by time_created desc limit 1"; }

# after FAULT: /new and a prompt; the new session must reach the pane and the record, from the log.
after() {
    local what=$1 want
    prompt "$p" "/new"
    wait_for 30 '! pane_has "$p" "reply to:"'   # the new, empty session is on screen
    prompt "$p" "after $what"
    wait_for 60 'test "$(newest_root)" != "$prev" -a -n "$(newest_root)"'
    want=$(newest_root)
    wait_for 30 'test "$(pane_opt "$p")" = "$want"'
    ok "$what: the new session reaches the pane option" \
        test -n "$want" -a "$want" != "$prev" -a "$(pane_opt "$p")" = "$want"
    rec=$(record_of "$pid")   # (made with the first session: later than the pane, under load)
    ok "... and the record, learned from the log" \
        wait_for 10 'test "$(rec_get "$rec" session)|$(rec_get "$rec" session_source)" = "$want|log"'
    ok "... opencode answered the prompt as usual" wait_until 30 pane_has "$p" "reply to: after $what"
    prev=$want
}

size() { stat -c %s "$1"; }

# Trimmed in place to nothing (what `: >` and logrotate's copytruncate do).
truncate -s 0 "$logf"
after "truncated to 0 bytes"
ok "... opencode went on writing to the trimmed file" test "$(size "$logf")" -gt 0

# Trimmed in place to a middle length (opencode's own trim keeps a tail; here a cut mid-line).
wait_until 10 test "$(size "$logf")" -gt 100
truncate -s $(($(size "$logf") / 2 + 7)) "$logf"
after "truncated to a middle length"

# Rotated: renamed, a new empty file in its place; opencode's descriptor follows the old inode.
mv "$logf" "$logf.1" && : >"$logf"
after "rotated"
ok "... opencode still writes to the renamed file" test "$(held_log)" = "$logf.1"

# Deleted while open.
rm -f "$logf" "$logf.1"
after "deleted"
ok "... opencode holds the deleted file" sh -c "ls -l /proc/$pid/fd | grep -q '(deleted)'"

ok "the debug log names no failure" \
    sh -c "! grep -E 'failed|could not' '$OCSHIM_STATE_DIR/debug-$pid.log'"
finish
