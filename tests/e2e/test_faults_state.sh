#!/usr/bin/env bash
# Fault injection, the state directory: read-only, another user's, a symlink (to ours, to
# another's), on a full filesystem. opencode run answers as without the shim (same exit code and
# output, its bash tool gets OPENCODE_SESSION_ID, the tmux pane option is set), no torn or empty
# record appears, a good record already there stays as it was, and ocshim ls, ocshim doctor and
# ocshim-restore --list name the directory's fault in one line. Needs root for the other user's
# directory and for tmpfs mounts (read-only, full); without root those cases say "skip".
source "$(dirname "$0")/lib.sh"
world_up 1.18.34
export PATH=$ROOT/build:$PATH
cat >"$W/sid.sh" <<'EOF2'
echo "T=$1 SID=${OPENCODE_SESSION_ID:-none}"
[ -z "${2:-}" ] || dd if=/dev/zero of="$2/fill" bs=4k >/dev/null 2>&1   # fills its filesystem
true
EOF2
field() { sed -n "s/.*done: .*$1=\([A-Za-z0-9_]*\).*/\1/p" | head -n 1; }
newest() { db "select id from session where parent_id is null order by time_created desc limit 1"; }
# opencode run's output without what differs by design: the command line, T= and SID=
norm() { grep -v 'sid\.sh' "$1" | sed -E 's/T=[a-z0-9]+ SID=[A-Za-z0-9_]+/T= SID=/'; }
KP=$(tm display-message -p -t _keep '#{pane_id}')
TENV="TMUX=$W/tmux.sock,$(tm display-message -p '#{pid}'),0 TMUX_PANE=$KP"
ROOTED=; [ "$(id -u)" = 0 ] && ROOTED=1
MOUNTS=
unmount_all() { local m; for m in $MOUNTS; do umount "$m" 2>/dev/null; done; MOUNTS=; }
trap 'unmount_all; cleanup; exit 1' INT TERM
skip() { echo "  skip $1 (needs root)"; }

# run_in NAME DIR [FILL]: opencode run with the shim, in tmux, records into DIR
run_in() {
    tm set-option -p -u -t "$KP" @opencode_session
    (cd "$W/proj" && env OCSHIM_STATE_DIR="$2" $TENV LD_PRELOAD="$SHIM" timeout 120 "$OC" run \
        "RUN: sh $W/sid.sh $1 ${3:-} :END" >"$W/$1.out" 2>&1; echo $? >"$W/$1.rc")
}
# as_without NAME: opencode answered as without the shim, and the shim's outputs beside the record
as_without() {
    local id; id=$(newest)
    ok "$1: opencode run's exit code and output as without the shim" \
        test "$(cat "$W/$1.rc")" = "$(cat "$W/base.rc")" -a "$(norm "$W/$1.out")" = "$(norm "$W/base.out")"
    ok "$1: its bash tool gets OPENCODE_SESSION_ID" test -n "$id" -a "$(field SID <"$W/$1.out")" = "$id"
    ok "$1: the tmux pane option is set" test "$(pane_opt "$KP")" = "$id"
}
# tools_say NAME DIR WORDS LSRC: ocshim ls exits LSRC with one line naming DIR and WORDS;
# ocshim doctor fails the state directory with them; ocshim-restore --list notes them, and so
# does a real run (which takes its lock in the state directory, when that is taken)
tools_say() {
    OCSHIM_STATE_DIR=$2 ocshim ls >"$W/ls.out" 2>"$W/ls.err"; local rc=$?
    ok "$1: ocshim ls exits $4 with one line ($(cat "$W/ls.err"))" \
        test "$rc" = "$4" -a "$(wc -l <"$W/ls.err")" = 1 -a -n "$(grep -F "state directory $2 $3" "$W/ls.err")"
    OCSHIM_STATE_DIR=$2 ocshim doctor >"$W/doc.out" 2>&1; rc=$?
    ok "$1: ocshim doctor fails it" test "$rc" = 1 -a -n "$(grep -F "FAIL  state directory $2 $3" "$W/doc.out")"
    OCSHIM_STATE_DIR=$2 ocshim-restore --list --no-kitty -S "$W/tmux.sock" >"$W/rl.out" 2>"$W/rl.err"; rc=$?
    ok "$1: ocshim-restore --list notes it ($(grep -F "state directory" "$W/rl.err"))" \
        test "$rc" -le 1 -a "$(grep -cF "state directory $2 $3" "$W/rl.err")" = 1
    OCSHIM_STATE_DIR=$2 ocshim-restore --no-kitty -S "$W/tmux.sock" >"$W/rr.out" 2>"$W/rr.err"; rc=$?
    ok "$1: ocshim-restore (a real run) notes it" \
        test "$rc" -le 1 -a "$(grep -cF "state directory $2 $3" "$W/rr.err")" = 1
}
# unchanged NAME DIR: DIR holds exactly the good record, byte for byte (and nothing torn, no .tmp)
unchanged() {
    ok "$1: the good record already there is untouched, nothing added" \
        test "$(ls -A "$2")" = "$(basename "$GOOD")" -a -n "$(cmp "$GOOD" "$2/$(basename "$GOOD")" && echo same)"
}
# put_good DIR: DIR gets a copy of the good record
put_good() { cp -p "$GOOD" "$1/"; }

# --- without the shim, and with it into a good directory (a record to copy into the others) ----
(cd "$W/proj" && env $TENV timeout 120 "$OC" run "RUN: sh $W/sid.sh base :END" >"$W/base.out" 2>&1; echo $? >"$W/base.rc")
ok "baseline: opencode run without the shim answers" test "$(cat "$W/base.rc")" = 0 -a -n "$(grep 'done: T=base' "$W/base.out")"
run_in good "$W/good"
as_without good
GOOD=$(OCSHIM_STATE_DIR=$W/good rec_with session "$(newest)" | head -n 1)
ok "good: its record" test -n "$GOOD"

# --- read-only -----------------------------------------------------------------------------------
mkdir -m 700 "$W/ro"
if [ -n "$ROOTED" ]; then       # root writes through permissions: a read-only mount
    mount -t tmpfs -o size=64k,mode=0700 tmpfs "$W/ro" && MOUNTS="$MOUNTS $W/ro"
    put_good "$W/ro"
    mount -o remount,ro "$W/ro"
else
    put_good "$W/ro"
    chmod 500 "$W/ro"
fi
run_in ro "$W/ro"
as_without ro
unchanged ro "$W/ro"
tools_say ro "$W/ro" "is read-only" 0
ok "ro: ocshim ls still lists the good record" grep -qF "$(rec_get "$GOOD" session)" "$W/ls.out"

# --- a symlink to a directory of ours ------------------------------------------------------------
mkdir -m 700 "$W/own"
put_good "$W/own"
ln -s "$W/own" "$W/lown"
run_in lown "$W/lown"
as_without lown
tools_say lown "$W/lown" "is a symlink" 1
unchanged lown "$W/own"     # by the shim, and by the tools (no restore lock through the link)

# --- another user's directory, and a symlink to it --------------------------------------------------
if [ -n "$ROOTED" ]; then
    mkdir -m 700 "$W/theirs"
    put_good "$W/theirs"
    chown -R nobody "$W/theirs"
    run_in theirs "$W/theirs"
    as_without theirs
    tools_say theirs "$W/theirs" "is owned by another user" 1
    unchanged theirs "$W/theirs"
    ln -s "$W/theirs" "$W/ltheirs"
    run_in ltheirs "$W/ltheirs"
    as_without ltheirs
    tools_say ltheirs "$W/ltheirs" "is a symlink" 1
    unchanged ltheirs "$W/theirs"
else
    skip "another user's state directory"
fi

# --- a full filesystem: filled by opencode's own bash tool, after the first record landed ------
if [ -n "$ROOTED" ]; then
    mkdir "$W/full"
    mount -t tmpfs -o size=64k,mode=0700 tmpfs "$W/full" && MOUNTS="$MOUNTS $W/full"
    run_in full "$W/full" "$W/full"
    as_without full
    id=$(newest)
    ok "full: the filesystem is full" test "$(df --output=avail -B1 "$W/full" | tail -n 1)" -lt 8192
    rec=$(OCSHIM_STATE_DIR=$W/full rec_with session "$id")
    ok "full: the record written before stays whole (its last update did not fit)" \
        test -n "$rec" -a "$(rec_get "$rec" state)" = running
    ok "full: no torn, empty or temporary file" \
        test -z "$(find "$W/full" -type f \( -size 0 -o -name '.*' \))"
    tools_say full "$W/full" "is full" 0
else
    skip "a full state directory"
fi

[ -n "$ROOTED" ] && chown -R root "$W/theirs"
unmount_all
finish
