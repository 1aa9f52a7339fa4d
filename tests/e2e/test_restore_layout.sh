#!/usr/bin/env bash
# The tmux side of ocshim-restore in detail: windows, pane indexes, gaps, a hostile session name,
# a server whose base-index is not 0, each pane in its own directory, and how many tmux client
# processes it takes (a brand-new session's panes are made in one tmux run).
# opencode is replaced here by a stand-in script (what is tested is where panes land, not
# opencode: test_restore.sh restores real conversations). No kitty (--no-kitty).
source "$(dirname "$0")/lib.sh"
export HOME=$W/home OCSHIM_STATE_DIR=$W/state OCSHIM_LIB=$ROOT/build/libempty.so
unset TMUX TMUX_PANE KITTY_WINDOW_ID KITTY_LISTEN_ON LD_PRELOAD OPENCODE_DB
mkdir -p "$HOME" && mkdir -m 700 "$OCSHIM_STATE_DIR"
S=$W/tmux.sock
HOSTILE='we"ird $(touch PWNED); x'
pid=4000300
rec() {   # rec TMUX_SESSION WINDOW PANE: a record of a process gone with tmux, in its own dir
    pid=$((pid + 1))
    local d="$W/d $1 $2.$3"; mkdir -p "$d"
    standin_record "$pid" "$(printf 'ses_lay%s%d%d' "$pid" "$2" "$3")" "$d" "$S" "$1" "$2" "$3"
}
# "SESSION|W.P|DIR|START COMMAND" for every pane, sorted
panes() { tm list-panes -a -F '#{session_name}|#{window_index}.#{pane_index}|#{pane_current_path}|#{pane_start_command}' | sort; }
# has_pane SESSION W.P: the pane exists, in its record's directory, running its record's session
has_pane() {
    local w=${2%.*} p=${2#*.} line sid=
    local f
    for f in "$OCSHIM_STATE_DIR"/*.rec; do
        grep -qxF "tmux_session=$1" "$f" && grep -qxF "tmux_window=$w" "$f" && grep -qxF "tmux_pane_index=$p" "$f" \
            && sid=$(rec_get "$f" session)
    done
    line=$(panes | grep -F "$1|$2|")
    [ -n "$sid" ] && case $line in *"|$W/d $1 $2|"*"$sid"*) return 0;; esac
    echo "    pane $1 $2: got '$line', want dir '$W/d $1 $2' and $sid"; return 1
}
# a tmux on PATH that counts its runs, then is the real one
mkdir -p "$W/count"
printf '#!/bin/sh\necho run >>"%s/count/runs"\nexec %s "$@"\n' "$W" "$(command -v tmux)" >"$W/count/tmux"
chmod +x "$W/count/tmux"

# --- a server with the default base-index (0), started by the restore -------------------------
rec first 0 0
rec gap 0 0; rec gap 0 2                        # pane 1 was a plain shell (no record)
rec lay 0 0; rec lay 0 1; rec lay 0 2; rec lay 2 0; rec lay 3 0; rec lay 3 1
rec "$HOSTILE" 0 0; rec "$HOSTILE" 0 1
for i in 0 1 2 3 4 5; do rec many 0 $i; done   # six panes in one 80x24 window
rec ';' 0 0; rec ';' 0 1                        # a name that is tmux's command separator
# A recorded layout (as the shim records it: #{window_layout}): one pane on the left, two
# stacked on the right, made on a scratch server. It goes into the newest record of the window.
tmux -S "$W/src.sock" -f /dev/null new-session -d -s src -x 200 -y 50 \; split-window -h -t src:0 \; \
    split-window -v -t src:0.1
L=$(tmux -S "$W/src.sock" display -p -t src:0 '#{window_layout}')
tmux -S "$W/src.sock" new-session -d -s two -x 200 -y 50 \; split-window -h -t two:0
L2=$(tmux -S "$W/src.sock" display -p -t two:0 '#{window_layout}')   # side by side, 2 panes
tmux -S "$W/src.sock" new-session -d -s stack -x 200 -y 50 \; split-window -v -t stack:0
L3=$(tmux -S "$W/src.sock" display -p -t stack:0 '#{window_layout}')  # one above the other
tmux -S "$W/src.sock" kill-server
# set_layout FILE LAYOUT [LAYOUT_MS [UPDATED_MS]]: the layout as the shim records it
set_layout() {
    sed -i "s/^end=1\$/tmux_window_layout=$2\ntmux_layout_ms=${3:-1700000009000}\nupdated_ms=${4:-1700000009000}\nend=1/" "$1"
}
last_rec() { ls "$OCSHIM_STATE_DIR/$pid-"*.rec; }
rec shaped 0 0; rec shaped 0 1; rec shaped 0 2; set_layout "$OCSHIM_STATE_DIR/$pid-"*.rec "$L"
rec odd 0 0; rec odd 0 1; set_layout "$OCSHIM_STATE_DIR/$pid-"*.rec "$L"   # pane 2 was a shell
rec few 0 0; rec few 0 1; rec few 0 2; set_layout "$OCSHIM_STATE_DIR/$pid-"*.rec "$L2"  # 3 panes, 2-pane layout
# not tmux's form (a space): never passed on, so tmux never complains about it
rec bad 0 0; rec bad 0 1; set_layout "$(last_rec)" "${L2/,/ ,}"
# tmux's form but a wrong checksum, in the first window to be laid out: tmux refuses it; the
# windows after it still get theirs
rec aaa 0 0; rec aaa 0 1; set_layout "$(last_rec)" "0000${L2#????}"
# the first pane ran no opencode: a shell comes back in front of the recorded ones
rec lead 0 1; rec lead 0 2; set_layout "$(last_rec)" "$L"
# the freshest layout wins, not the newest record: pane 0's record was written last (its
# process ended later) but holds the layout from before pane 1 was split off below it
rec fresh 0 0; set_layout "$(last_rec)" "$L2" 1700000001000 1700000099000
rec fresh 0 1; set_layout "$(last_rec)" "$L3" 1700000005000 1700000005000
# same_cmds DRY RUN: the tmux command lines --dry-run printed are those the real run ran
# (--verbose prints each as it runs), in the same order
same_cmds() {
    diff <(grep '^tmux ' "$1") <(grep '^tmux ' "$2") >"$W/cmds.diff" && [ -s "$1" ] && grep -q '^tmux ' "$1" \
        || { head -n 20 "$W/cmds.diff"; return 1; }
}
# the dry run first: no server runs yet, so it cannot ask tmux where a new session's first
# window lands (base-index); what it prints must not depend on that
"$ROOT/build/ocshim-restore" -S "$S" --no-kitty --dry-run >"$W/dry1" 2>"$W/dry1.err"
# run without a UTF-8 locale (as from a minimal environment): tmux must not mangle the tabs
# of the -F formats it prints
PATH=$W/count:$PATH env -u LANG -u LC_ALL -u LC_CTYPE \
    "$ROOT/build/ocshim-restore" -S "$S" --no-kitty --verbose >"$W/out1" 2>&1; rc=$?
ok "restore exits 0" test "$rc" = 0
ok "--dry-run printed the very tmux commands the restore ran, in order" same_cmds "$W/dry1" "$W/out1"
for p in "first 0.0" "gap 0.0" "gap 0.2" "lay 0.0" "lay 0.1" "lay 0.2" "lay 2.0" "lay 3.0" "lay 3.1"; do
    ok "pane ${p/ /:} is back, in its directory, with its session" has_pane $p
done
hostile_panes() { has_pane "$HOSTILE" 0.0 && has_pane "$HOSTILE" 0.1; }
ok "pane $HOSTILE:0.0 and 0.1 too" hostile_panes
ok "... and nothing ran the name" test ! -e "$W/PWNED"
for i in 0 1 2 3 4 5; do ok "pane many:0.$i of six in one window is back" has_pane many 0.$i; done
semi_panes() { has_pane ';' 0.0 && has_pane ';' 0.1; }
ok "session ';' has its two panes" semi_panes
ok "the gap (gap:0.1, a shell when recorded) is a shell again" \
    test "$(panes | grep -c '^gap|0\.1|')" = 1
# "W.P left,top widthxheight" of a session's panes
geom() { tm list-panes -t "=$1:0" -F '#{pane_index} #{pane_left},#{pane_top} #{pane_width}x#{pane_height}'; }
shaped_ok() {   # shaped_ok [SESSION]: pane 0 on the left, 1 and 2 stacked on its right
    local g; g=$(geom "${1:-shaped}")
    echo "$g" | grep -q '^0 0,0 ' && echo "$g" | grep -q '^1 [1-9][0-9]*,0 ' && echo "$g" | grep -q '^2 [1-9][0-9]*,[1-9]' \
        && [ "$(echo "$g" | sed -n 's/^1 \([0-9]*\),.*/\1/p')" = "$(echo "$g" | sed -n 's/^2 \([0-9]*\),.*/\1/p')" ] \
        || { echo "    ${1:-shaped}: $g"; return 1; }
}
ok "the recorded layout is back: pane 0 on the left, 1 and 2 stacked on its right" shaped_ok
ok "a layout with a shell after the last opencode pane: the shell is made, the layout is back" \
    shaped_ok odd
ok "... the shell runs no opencode, in the last pane's directory" \
    test "$(panes | grep -c "^odd|0\.2|$W/d odd 0\.1|\$")" = 1
ok "a layout with fewer panes than the window is not forced (few: three panes, tiled)" \
    test "$(geom few | wc -l)" = 3 -a "$(geom few | grep -c ' 0,0 ')" = 1 -a "$(geom few | grep -c '^2 0,')" = 1
bad_ok() { test "$(geom bad | wc -l)" = 2 && ! grep -q 'bad:0 its recorded layout' "$W/out1"; }
ok "a layout not in tmux's form is not passed to tmux (bad: two panes, no complaint)" bad_ok
ok "a layout tmux refuses is noted and does not stop the others (aaa)" grep -q 'note: tmux could not give aaa:0 its recorded layout' "$W/out1"
lead_ok() { test "$(panes | grep -c '^lead|0\.0|.*|$')" = 1 && shaped_ok lead && has_pane lead 0.1 && has_pane lead 0.2; }
ok "a shell comes back in front of the first recorded pane (lead: 0 a shell, 1 and 2 its records)" lead_ok
fresh_ok() { geom fresh | grep -q '^1 0,[1-9]'; }   # stacked (L3), not side by side (L2)
ok "the freshest layout of a window wins, not its newest record (fresh: stacked)" fresh_ok
ok "no other panes: 38 in all" test "$(panes | wc -l)" = 38
ok "windows where they were: lay has 0, 2, 3" \
    test "$(tm list-windows -t '=lay' -F '#{window_index}' | tr '\n' ' ')" = "0 2 3 "
# list-panes 1, then one run per session (13: its panes, the shells in gaps and in front, its
# layouts). That is 14; pane by pane it would be over 45.
n=$(wc -l <"$W/count/runs")
ok "a brand-new session's panes take one tmux run each session: $n tmux processes for 38 panes" test "$n" -le 14
[ "$FAIL" = 0 ] || { cat "$W/out1"; panes; }

"$ROOT/build/ocshim-restore" -S "$S" --no-kitty >"$W/out2" 2>&1
ok "a second run changes nothing" test "$(panes | wc -l)" = 38

# --- a server whose base-index is 1 (the user's tmux.conf) ------------------------------------
tm kill-server
rm -f "$OCSHIM_STATE_DIR"/*.rec
echo 'set -g base-index 1' >"$HOME/.tmux.conf"
rec b1 0 0; rec b1 0 1
rec b2 1 0; rec b2 1 1
rec b3 0 0
"$ROOT/build/ocshim-restore" -S "$S" --no-kitty --dry-run >"$W/dry3" 2>"$W/dry3.err"
"$ROOT/build/ocshim-restore" -S "$S" --no-kitty -v >"$W/out3" 2>&1; rc=$?
ok "base-index 1: restore exits 0" test "$rc" = 0
ok "base-index 1: --dry-run printed the very tmux commands the restore ran" same_cmds "$W/dry3" "$W/out3"
for p in "b1 0.0" "b1 0.1" "b2 1.0" "b2 1.1" "b3 0.0"; do
    ok "base-index 1: pane ${p/ /:} is back where it was" has_pane $p
done
ok "base-index 1: no other panes or windows" test "$(panes | wc -l)" = 5
[ "$FAIL" = 0 ] || { cat "$W/out3"; panes; }

# --- a window that exists keeps its own layout ------------------------------------------------
# (tmux-resurrect or the user made it: two idle shells side by side; the records say stacked)
tm new-session -d -s kept -x 120 -y 40 -c "$W" \; split-window -h -t '=kept:1' -c "$W"
rec kept 1 0; set_layout "$(last_rec)" "$L3"
rec kept 1 1; set_layout "$(last_rec)" "$L3"
sleep 1   # the shells settle
"$ROOT/build/ocshim-restore" -S "$S" --no-kitty --dry-run >"$W/dry4" 2>"$W/dry4.err"
"$ROOT/build/ocshim-restore" -S "$S" --no-kitty -v >"$W/out4" 2>&1
ok "typed into existing shells: --dry-run printed the very tmux commands the restore ran" same_cmds "$W/dry4" "$W/out4"
kept_ok() {
    local g; g=$(tm list-panes -t '=kept:1' -F '#{pane_index} #{pane_left},#{pane_top} #{pane_current_command}')
    echo "$g" | grep -q '^1 [1-9][0-9]*,0 ' || { echo "    kept: $g"; return 1; }
}
ok "an existing window's panes are filled and it keeps its side-by-side layout" kept_ok
kept_run() {   # each kept record's session runs (typed into the existing shells)
    local f sid
    for f in $(grep -lx 'tmux_session=kept' "$OCSHIM_STATE_DIR"/*.rec); do
        sid=$(rec_get "$f" session)
        pgrep -f -- "--session $sid\$" >/dev/null || return 1
    done
}
ok "... and both panes run their session" wait_until 10 kept_run
[ "$FAIL" = 0 ] || cat "$W/out4"

# --- two records claim one pane ------------------------------------------------------------------
# moved:0.0: the panes moved while both processes ran (the newer one saw it at its last turn,
# the older one could not): both conversations come back, the older in a new pane.
# moved:1.0: the older process stopped before the newer started there: only the newer.
set_times() { sed -i -e "s/^started_ms=.*/started_ms=$2/" -e "s/^updated_ms=.*/updated_ms=$3/" "$1"; }
rec moved 0 0; older=$(last_rec); set_times "$older" 1700000000000 1700000050000
rec moved 0 0; newer=$(last_rec); set_times "$newer" 1700000010000 1700000060000
rec moved 1 0; gone=$(last_rec); set_times "$gone" 1700000000000 1700000004000
rec moved 1 0; after=$(last_rec); set_times "$after" 1700000005000 1700000006000
# moved:2.0: A1 crashed there, A2 took the pane after it, then B (running all along) moved in
# and saw it: B keeps the pane, A2 (alongside B) gets a new one, A1 (superseded) stays out.
rec moved 2 0; a1=$(last_rec); set_times "$a1" 1700000000000 1700000004000
rec moved 2 0; a2=$(last_rec); set_times "$a2" 1700000005000 1700000020000
rec moved 2 0; b=$(last_rec); set_times "$b" 1700000001000 1700000030000
# moved:3.0: tmux killed, both wrote their exit record in the same moment (X a hair later);
# Y looked at tmux last, so Y knows the pane is its own: Y keeps it, not the later exit.
rec moved 3 0; x=$(last_rec); set_layout "$x" "$L2" 1700000020000 1700000070002
rec moved 3 0; y=$(last_rec); set_layout "$y" "$L2" 1700000040000 1700000070001
"$ROOT/build/ocshim-restore" -S "$S" --no-kitty >"$W/out5" 2>&1; rc=$?
ok "two records of one pane: restore exits 0" test "$rc" = 0
moved_pane() { panes | grep -F "moved|$1|" | grep -qF -- "$2"; }
ok "... the newer in the pane they both name (moved:0.0)" moved_pane 0.0 "$(rec_get "$newer" session)"
ok "... the older, alive at the same time, in a new pane (moved:0.1)" moved_pane 0.1 "$(rec_get "$older" session)"
ok "... with a note naming both places" grep -q "note: .*moved:0.0 is also claimed by a newer record.*moved:0.1" "$W/out5"
ok "an earlier occupant of a pane (stopped before the newer began) is not brought back" \
    test "$(panes | grep -c '^moved|1\.')" = 1 -a "$(panes | grep -F 'moved|1.0|' | grep -cF -- "$(rec_get "$after" session)")" = 1
three_ok() {
    test "$(panes | grep -c '^moved|2\.')" = 2 && moved_pane 2.0 "$(rec_get "$b" session)" && moved_pane 2.1 "$(rec_get "$a2" session)"
}
ok "three records of one pane: the one that saw the move keeps it, the one alongside gets a new pane, the superseded one stays out" three_ok
last_look_ok() { moved_pane 3.0 "$(rec_get "$y" session)" && moved_pane 3.1 "$(rec_get "$x" session)"; }
ok "the pane goes to the record that looked at tmux last, not to the later exit record" last_look_ok
[ "$FAIL" = 0 ] || { cat "$W/out5"; panes; }
finish
