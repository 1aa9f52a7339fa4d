#!/usr/bin/env bash
# The README's kitty key binding, for real: kitty 0.26 under Xvfb with that kitty.conf, the key
# pressed with xdotool; the background launch must hand kitty's address to ocshim-restore,
# which must then bring back the tmux session and open its tab.
# opencode is replaced here by a stand-in script (what is tested is the binding and the hand-
# over, not opencode: test_restore.sh restores real conversations).
source "$(dirname "$0")/lib.sh"
export HOME=$W/home OCSHIM_STATE_DIR=$W/state OCSHIM_LIB=$ROOT/build/libempty.so
export TMUX_TMPDIR=$W/tt PATH=$ROOT/build:$PATH
unset TMUX TMUX_PANE KITTY_WINDOW_ID KITTY_LISTEN_ON LD_PRELOAD OPENCODE_DB
mkdir -p "$HOME" "$W/bin" "$W/proj" "$TMUX_TMPDIR" && mkdir -m 700 "$OCSHIM_STATE_DIR"
sock=$TMUX_TMPDIR/tmux-$(id -u)/default
standin_record 4000123 ses_keybinding0test "$W/proj" "$sock" kb 0 0   # a process that is gone

# The README's lines, verbatim (the same as ocshim doctor's: test_clidocs.sh). kitty listens at
# /tmp/kitty-<its pid>, a name no other kitty has while it runs.
readme_kitty_conf >"$W/kitty.conf"
ok "the README shows the binding tested here" \
    grep -q "^map ctrl+shift+r launch --type=background sh -c 'exec ocshim-restore --to \"unix:/tmp/kitty-\$PPID\"'" "$W/kitty.conf"
ok "... with remote control and listen_on" test "$(grep -c '^allow_remote_control \|^listen_on ' "$W/kitty.conf")" = 2

xvfb_up 1280x800x24 || exit 1
export DISPLAY=$KITTY_DISPLAY
kitty --config "$W/kitty.conf" >"$W/kitty.log" 2>&1 &
KITTY_PIDS=$!
KSOCK=/tmp/kitty-$KITTY_PIDS
wait_until 30 test -S "$KSOCK"
ok "kitty listens at listen_on + -<its pid> (what the binding relies on)" test -S "$KSOCK"

wait_until 20 sh -c 'xdotool search --pid '"$KITTY_PIDS"' >/dev/null 2>&1'
win=$(xdotool search --pid "$KITTY_PIDS" | head -n 1)
xdotool windowfocus --sync "$win" 2>/dev/null; sleep 0.5
xdotool key --clearmodifiers ctrl+shift+r
wait_until 30 tmux -S "$sock" has-session -t kb 2>/dev/null
ok "the key brought the tmux session back (default server)" tmux -S "$sock" has-session -t kb
titles() { kitty @ --to "unix:$KSOCK" ls 2>/dev/null | python3 -c 'import json,sys; print(" ".join(t["title"] for w in json.load(sys.stdin) for t in w["tabs"]))'; }
wait_until 30 sh -c "kitty @ --to 'unix:$KSOCK' ls 2>/dev/null | grep -q '\"kb\"'"
ok "... and kitty has a tab for it ($(titles))" sh -c "echo ' $(titles) ' | grep -q ' kb '"
ok "... started in the recorded directory" \
    test "$(tmux -S "$sock" display-message -p -t kb '#{pane_current_path}')" = "$W/proj"
[ "$FAIL" = 0 ] || { echo "-- kitty's output (the restore's with it):"; cat "$W/kitty.log"; }
tmux -S "$sock" kill-server 2>/dev/null
kitty_down; rm -f "$KSOCK"
finish
