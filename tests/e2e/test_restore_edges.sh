#!/usr/bin/env bash
# Edge cases of ocshim-restore. With tmux-resurrect: the README's hook line run the way tmux-resurrect runs it (inside the
# tmux server, after it restored the panes), and the fallback for a pane that tmux-resurrect's
# save file shows running opencode but that has no record (opencode ran without the shim):
# the newest root session of its directory, restored and marked as a guess. Then records the
# restore must skip with a note: archived or deleted conversations, truncated, foreign and
# symlinked record files.
source "$(dirname "$0")/lib.sh"
world_up 1.18.34
export PATH=$ROOT/build:$PATH OCSHIM_LIB=$SHIM
dR="$W/resurrected dir"; mkdir -p "$dR"
# A conversation made without the shim (no record), in the pane's directory.
(cd "$dR" && timeout 90 "$OC" run "hello from before the reboot" >"$W/run.out" 2>&1)
sid=$(db "select id from session where directory='$dR' and parent_id is null order by time_updated desc limit 1")
ok "a conversation exists in the directory (no record)" test -n "$sid" -a -z "$(ls "$OCSHIM_STATE_DIR" 2>/dev/null)"

# tmux-resurrect's save file (its current format: tab-separated, ':'-prefixed free text).
T=$'\t'
mkdir -p "$HOME/.local/share/tmux/resurrect"
save=$HOME/.local/share/tmux/resurrect/tmux_resurrect_20261124T000000.txt
{
    echo "pane${T}rs${T}0${T}:opencode${T}1${T}:*${T}0${T}:title${T}:$dR${T}1${T}opencode${T}:$OC"
    echo "pane${T}rs${T}0${T}:opencode${T}1${T}:*${T}1${T}:title${T}:$W${T}0${T}bash${T}:"
    echo "window${T}rs${T}0${T}:opencode${T}1${T}:*${T}layout${T}:"
    echo "state${T}rs${T}"
} >"$save"
ln -sf "$(basename "$save")" "$HOME/.local/share/tmux/resurrect/last"

"$ROOT/build/ocshim-restore" -S "$W/tmux.sock" --dry-run --no-kitty >"$W/dry" 2>&1
ok "--dry-run: the pane from the save file would get $sid, marked as a guess" \
    grep -qF "rs:0.0  $sid (guess)" "$W/dry"
ok "... the shell pane of the save file is left alone" sh -c "! grep -q 'rs:0.1' '$W/dry'"
ok "... and nothing changed" sh -c "! tmux -S '$W/tmux.sock' has-session -t rs 2>/dev/null"

# tmux-resurrect restored the panes (a shell in each), then runs its post-restore-all hook
# inside the server: the README's line.
tm new-session -d -s rs -x 200 -y 50 -c "$dR"
tm split-window -d -t rs:0 -c "$W"
hook=$(sed -n "s/^    set -g @resurrect-hook-post-restore-all '\(.*\)'$/\1/p" "$ROOT/README.md")
ok "the README shows the hook line" test "$hook" = "ocshim-restore --no-kitty"
# (the server was started before ocshim-restore's folder was put on PATH: say where it is)
tm run-shell "PATH='$ROOT/build':\$PATH OCSHIM_LIB='$SHIM' $hook >'$W/hook.out' 2>&1"
wait_until 30 sh -c "pgrep -f -- '--session $sid' >/dev/null"
oc_args() { tr '\0' ' ' <"/proc/$(pgrep -P "$(pane_pid "$1")" | head -n 1)/cmdline" 2>/dev/null; }
ok "the hook started opencode --session $sid in the existing pane rs:0.0" \
    sh -c "echo '$(oc_args rs:0.0)' | grep -qF -- '--session $sid'"
ok "... filling the pane tmux-resurrect made (no new pane)" test "$(tm list-panes -t rs | wc -l)" = 2
ok "... and said it was a guess" grep -qF "(guess)" "$W/hook.out"
ok "the restored opencode has the shim preloaded (capture goes on)" \
    grep -q libocshim "/proc/$(pgrep -P "$(pane_pid rs:0.0)" | head -n 1)/maps"
wait_until 60 tui_ready rs:0.0
ok "the TUI shows the earlier conversation" wait_until 60 pane_has rs:0.0 "hello from before the reboot"
[ "$FAIL" = 0 ] || cat "$W/hook.out"

# --- records the restore must not trust or use: archived, deleted, truncated, symlink, foreign --
arch=$(db "select id from session where directory='$dR' and parent_id is null order by time_updated desc limit 1")
sqlite3 "$OC_DB" "update session set time_archived=1795500000000 where id='$arch'"   # test fixture
standin_record 4000201 "$arch" "$dR" "$W/tmux.sock" edge 0 0
standin_record 4000202 ses_notindatabase0000000000 "$W" "$W/tmux.sock" edge 1 0
standin_record 4000203 ses_truncated00000000000000 "$W" "$W/tmux.sock" edge 2 0
sed -i '/^end=1$/d' "$OCSHIM_STATE_DIR"/4000203-*.rec
standin_record 4000204 ses_foreign000000000000000 "$W" "$W/tmux.sock" edge 3 0
chown nobody "$OCSHIM_STATE_DIR"/4000204-*.rec
standin_record 4000205 ses_symlinked0000000000000 "$W" "$W/tmux.sock" edge 4 0
mv "$OCSHIM_STATE_DIR"/4000205-*.rec "$W/real.rec"
ln -s "$W/real.rec" "$OCSHIM_STATE_DIR/4000205-$(tr -d - </proc/sys/kernel/random/boot_id)-77.rec"
n_before=$(ls -A "$OCSHIM_STATE_DIR" | wc -l)
OCSHIM_RESURRECT_FILE= "$ROOT/build/ocshim-restore" -S "$W/tmux.sock" --dry-run --no-kitty >"$W/edge" 2>&1; rc=$?
ok "edge records: the restore still runs (exit $rc)" test "$rc" = 0 -o "$rc" = 1
ok "an archived conversation is skipped with a note" grep -qE "edge:0.0 .*$arch.*archived" "$W/edge"
ok "a conversation missing from opencode.db is skipped as deleted" grep -qE "edge:1.0 .*deleted" "$W/edge"
ok "a truncated record is skipped with a note" grep -qE "note: .*4000203.*(truncat|end=1)" "$W/edge"
ok "another user's record is skipped with a note" grep -qE "note: .*4000204" "$W/edge"
ok "a symlinked record is skipped with a note" grep -qE "note: .*4000205.*symlink" "$W/edge"
ok "none of them would be restored" sh -c "! grep -qE '^restore .*edge:' '$W/edge'"
ok "nothing was deleted or rewritten in the state directory" test "$(ls -A "$OCSHIM_STATE_DIR" | wc -l)" = "$n_before"
[ "$FAIL" = 0 ] || cat "$W/edge"
finish
