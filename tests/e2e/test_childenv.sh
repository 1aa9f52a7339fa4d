#!/usr/bin/env bash
# OPENCODE_SESSION_ID in everything opencode starts (from the very first command of a new
# session), and the `ocshim` command: id, ls, gc, doctor, init.
source "$(dirname "$0")/lib.sh"
world_up 1.18.34
export PATH=$ROOT/build:$PATH
RUNOC="env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC"
cat >"$W/sid.sh" <<'EOF2'
echo "T=$1 SID=${OPENCODE_SESSION_ID:-none} N=$(env | grep -c '^OPENCODE_SESSION_ID=') ID=$(ocshim id 2>/dev/null || echo none)"
EOF2
newest() { db "select id from session where parent_id is null order by time_created desc limit 1"; }
field() { sed -n "s/.*done: .*$1=\([A-Za-z0-9_]*\).*/\1/p" | head -n 1; }

# --- the first command of a brand-new session (opencode run), inherited value replaced -------
(cd "$W/proj" && OPENCODE_SESSION_ID=ses_bogus LD_PRELOAD=$SHIM timeout 90 "$OC" run "RUN: sh $W/sid.sh run1 :END" >"$W/run1" 2>&1)
id=$(newest)
ok "new session: the first bash command sees OPENCODE_SESSION_ID = opencode.db's id" \
    test "$(field SID <"$W/run1")" = "$id"
ok "... exactly once (the inherited ses_bogus was replaced)" test "$(field N <"$W/run1")" = 1
ok "... and ocshim id, run by that command, prints the same id" test "$(field ID <"$W/run1")" = "$id"
(cd "$W/proj" && OPENCODE_SESSION_ID=ses_bogus timeout 90 "$OC" run "RUN: sh $W/sid.sh run0 :END" >"$W/run0" 2>&1)
ok "without the shim the command does not get the id (the check can tell)" \
    test "$(field SID <"$W/run0")" = ses_bogus

# --- resumed with --session (opencode run): the id from the command line ---------------------
(cd "$W/proj" && LD_PRELOAD=$SHIM timeout 90 "$OC" run --session "$id" "RUN: sh $W/sid.sh run2 :END" >"$W/run2" 2>&1)
ok "opencode run --session ID: the command sees ID" test "$(field SID <"$W/run2")" = "$id"

# --- the TUI in tmux: output = pane option = opencode.db --------------------------------------
p1=$(pane_run one "$W/proj" "$RUNOC")
wait_until 90 tui_ready "$p1"
prompt "$p1" "RUN: sh $W/sid.sh p1 :END"
wait_until 60 pane_has "$p1" "done: T=p1 SID="
got=$(pane_text "$p1" | field SID)
ok "TUI: the bash tool's OPENCODE_SESSION_ID equals the pane option" test -n "$got" -a "$got" = "$(pane_opt "$p1")"
ok "... and opencode.db's newest root session" test "$got" = "$(newest)"
ok "... and ocshim id inside it" test "$(pane_text "$p1" | field ID)" = "$got"
ok "ocshim id --pane prints the pane's session" test "$(ocshim id --pane "$p1" -S "$W/tmux.sock")" = "$got"
ok "ocshim id PID of the pane's opencode prints it" test "$(ocshim id "$(opencode_pid_in "$p1")")" = "$got"

# --- the TUI resumed with --session: before any prompt the id is known; its first command ----
p2=$(pane_run two "$W/proj" "$RUNOC --session $id")
wait_until 90 pane_has "$p2" "T=run2"   # the resumed conversation shows: prompts now go to it
prompt "$p2" "RUN: sh $W/sid.sh p2 :END"
wait_until 60 pane_has "$p2" "done: T=p2 SID=$id"
ok "TUI --session ID: the first command sees ID" pane_has "$p2" "done: T=p2 SID=$id"

# --- opencode --continue: the session it resumes, known before any prompt ---------------------
# p2's turn ends (and its session's time_updated moves) a moment after its output shows.
newest_upd() { db "select id from session where parent_id is null order by time_updated desc limit 1"; }
wait_for 30 'test "$(newest_upd)" = "$id"'
# A newer session one directory below: the TUI's -c takes it (opencode lists the project's
# sessions at or below the directory), `opencode run -c` does not (only the directory itself).
mkdir -p "$W/proj/sub"
(cd "$W/proj/sub" && timeout 90 "$OC" run "hello from sub" >/dev/null 2>&1)
subid=$(db "select id from session where parent_id is null and directory='$W/proj/sub'")
wait_for 30 'test "$(newest_upd)" = "$subid"'
ok "ocshim id --continue DIR: the TUI's rule (a session below DIR counts)" \
    test -n "$subid" -a "$(ocshim id --continue "$W/proj")" = "$subid"
ok "ocshim id --continue DIR --run: run's rule (DIR itself)" test "$(ocshim id --continue "$W/proj" --run)" = "$id"
p3=$(pane_run three "$W/proj" "$RUNOC --continue")
wait_for 10 'test -n "$(pane_opt "$p3")"'
ok "opencode --continue: the pane option is the resumed session, before any prompt" test "$(pane_opt "$p3")" = "$subid"
ok "... the record says session_source=continue" \
    test "$(rec_get "$(record_of "$(opencode_pid_in "$p3")")" session_source)" = continue
# The TUI paints its home screen first and opens the resumed session a moment later: a prompt
# typed before that would start a new session, so wait for the old conversation to show.
wait_until 90 pane_has "$p3" "hello from sub"
ok "... the TUI shows the conversation it resumed" pane_has "$p3" "hello from sub"
prompt "$p3" "RUN: sh $W/sid.sh p3 :END"
wait_until 60 pane_has "$p3" "done: T=p3 SID=$subid"
ok "... and opencode resumed that very session (its first command sees it)" pane_has "$p3" "done: T=p3 SID=$subid"
pane_has "$p3" "done: T=p3 SID=$subid" || { echo "   pane:"; pane_text "$p3" | sed 's/^/   | /'; }
p4=$(pane_run four "$W" "$RUNOC proj/sub -c")
wait_for 10 'test -n "$(pane_opt "$p4")"'
ok "opencode DIR -c from elsewhere: the record names DIR and DIR's session" \
    test "$(pane_opt "$p4")" = "$subid" -a "$(rec_get "$(record_of "$(opencode_pid_in "$p4")")" cwd)" = "$W/proj/sub"
tm kill-pane -t "$p4"
(cd "$W/proj" && LD_PRELOAD=$SHIM timeout 90 "$OC" run -c "RUN: sh $W/sid.sh run3 :END" >"$W/run3" 2>&1)
ok "opencode run -c: resumes what ocshim id --continue --run named" test "$(field SID <"$W/run3")" = "$id"

# --- ocshim id outside opencode; ls; gc ------------------------------------------------------
ocshim id >/dev/null 2>"$W/err"; rc=$?
ok "ocshim id outside opencode exits 1 with one line" test "$rc" = 1 -a "$(wc -l <"$W/err")" = 1
ocshim id --pane nonsense >/dev/null 2>&1; rc=$?
ok "ocshim id --pane with a bad pane id exits 2" test "$rc" = 2
ok "ocshim ls shows the TUI's session with its title" sh -c "ocshim ls 2>/dev/null | grep -F '$got' | grep -q 'Fake title'"
ok "ocshim ls --json names the pane" sh -c "ocshim ls --json 2>/dev/null | grep -F '\"session\": \"$got\"' | grep -qF '\"tmux_pane\": \"$p1\"'"

# gc: make two old, ended records of another pane (window 7) from a real one; only the older
# goes (the newer is what the restore would use for that pane).
real=$(record_of "$(opencode_pid_in "$p1")")
mk_old() {   # mk_old PID UPDATED_MS -> a record of a dead process in the same pane
    local f=$OCSHIM_STATE_DIR/$1-$(rec_get "$real" boot_id)-1.rec
    sed -e "s/^pid=.*/pid=$1/" -e "s/^start_time=.*/start_time=1/" -e "s/^updated_ms=.*/updated_ms=$2/" \
        -e "s/^state=.*/state=exited/" -e "s/^tmux_window=.*/tmux_window=7/" -e '/^end=1$/d' "$real" >"$f"
    printf 'exit_how=quick_exit\nexit_code=0\nhangup=0\nend=1\n' >>"$f"
    chmod 600 "$f"
}
mk_old 999991 1000000000000
mk_old 999992 1000000001000
n_before=$(ls "$OCSHIM_STATE_DIR"/*.rec | wc -l)
ocshim gc --dry-run >"$W/gc" 2>&1
ok "gc --dry-run names the older record only, removes nothing" \
    test "$(grep -c '^would remove .*\.rec ' "$W/gc")" = 1 -a "$(ls "$OCSHIM_STATE_DIR"/*.rec | wc -l)" = "$n_before"
ok "... the older one" grep -q '^would remove 999991-.*-1.rec ' "$W/gc"
ocshim gc >"$W/gc" 2>&1
ok "gc removes it, keeps the pane's newest and the running ones" \
    test ! -e "$OCSHIM_STATE_DIR"/999991-*.rec -a -e "$(ls "$OCSHIM_STATE_DIR"/999992-*.rec)" -a -e "$real"
ok "... and skipped no record as malformed" sh -c "! grep -q 'skipped' '$W/gc'"
ocshim gc --days x >/dev/null 2>&1; rc=$?
ok "gc --days x is bad usage (2)" test "$rc" = 2

# --- doctor ------------------------------------------------------------------------------------
LD_PRELOAD=$SHIM ocshim doctor >"$W/doc" 2>&1; rc=$?
ok "doctor passes here with the shim preloaded" test "$rc" = 0
[ "$rc" = 0 ] || cat "$W/doc"
env -u LD_PRELOAD ocshim doctor >"$W/doc" 2>&1; rc=$?
ok "doctor fails without the shim preloaded, and says how to fix it" \
    sh -c "test $rc = 1 && grep -q '^FAIL.*not preloaded' '$W/doc' && grep -q 'fix: .*ocshim init' '$W/doc'"
# Is the opencode on PATH a tested version (a row of docs/COMPAT.md, compiled into doctor)?
mkdir -p "$W/oc" "$W/oc999" && ln -s "$OC" "$W/oc/opencode"
LD_PRELOAD=$SHIM PATH=$W/oc:$PATH ocshim doctor >"$W/doc" 2>&1
ok "doctor: opencode 1.18.34 is tested" grep -q '^ok    opencode 1.18.34 is tested' "$W/doc"
# A release the table does not know. A stand-in (no such release exists): a copy of 1.18.34
# whose compiled-in user agent, where doctor reads the version, says 9.99.99.
python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
ua = b"--user-agent=opencode/"
n = b.count(ua + b"1.18.34")
open(sys.argv[2], "wb").write(b.replace(ua + b"1.18.34", ua + b"9.99.99"))
sys.exit(n == 0)' "$OC" "$W/oc999/opencode" && chmod +x "$W/oc999/opencode"
LD_PRELOAD=$SHIM PATH=$W/oc999:$PATH ocshim doctor >"$W/doc" 2>&1; rc=$?
ok "doctor: opencode 9.99.99 is recognized but not in the tested table (a warning, exit 0)" \
    sh -c "test $rc = 0 && grep -q '^ok    opencode 9.99.99 at ' '$W/doc' &&
           grep -q '^warn  .*not in the tested table' '$W/doc' && grep -q 'found 9.99.99' '$W/doc'"
rm -f "$W/oc999/opencode"
mkdir -p "$W/notmux" && ln -sf "$ROOT/build/ocshim" "$W/notmux/ocshim"
LD_PRELOAD=$SHIM PATH=$W/notmux "$W/notmux/ocshim" doctor >"$W/doc" 2>&1; rc=$?
ok "doctor fails without tmux on PATH, with the fix" \
    sh -c "test $rc = 1 && grep -q '^FAIL.*tmux' '$W/doc' && grep -q 'fix: apt-get install tmux' '$W/doc'"

# --- init: the printed lines work in bash --------------------------------------------------------
out=$(env -u LD_PRELOAD bash -c 'eval "$(ocshim init bash)"; eval "$(ocshim init bash)"; echo "$LD_PRELOAD"')
ok "init bash: LD_PRELOAD set once, even when evaluated twice" test "$out" = "$SHIM"
out=$(bash -c 'eval "$(ocshim init bash --alias)"; type opencode' 2>&1)
ok "init bash --alias: defines an opencode function" sh -c "echo '$out' | grep -q 'LD_PRELOAD='"
ocshim init tcsh >/dev/null 2>&1; rc=$?
ok "init with an unknown shell is bad usage (2)" test "$rc" = 2

finish
