#!/usr/bin/env bash
# opencode.db locked, damaged or missing (issue #11): the shim's --continue leaves opencode as it
# is; ocshim ls, ocshim id --continue and ocshim-restore (--list, --dry-run, a real run) each say
# so in one line on stderr and keep going on the records (ls and the restore exit 0, id 1),
# never changing or creating the database. Real opencode (one `run -c` under the shim), real
# tmux; the lock is held by a second SQLite connection (python3's sqlite3).
source "$(dirname "$0")/lib.sh"
world_up
OCS=$ROOT/build/ocshim RES=$ROOT/build/ocshim-restore
DBDIR=$XDG_DATA_HOME/opencode

# --- the shim's --continue with no database yet: opencode makes it, the record follows ----------
p=$(pane_run a "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC run -c 'hello'; echo rc=\$? >$W/run.rc; sleep 600")
wait_for 150 'test -s "$W/run.rc" && [ -n "$(rec_with state exited)" ]'
sid=$(db "select id from session where parent_id is null order by time_created desc limit 1")
rec=$(rec_with state exited | head -n 1)
ok "opencode run -c under the shim, no opencode.db at its start: exits 0" test "$(cat "$W/run.rc")" = rc=0
ok "... its record names the session opencode made ($sid)" \
    test -n "$sid" -a "$(rec_get "$rec" session)" = "$sid"
ok "... the shim asked the tool, which found nothing and made no database of its own" \
    grep -q -- '--continue: no session found' "$OCSHIM_STATE_DIR"/debug-*.log
tm kill-session -t a                    # the pane is gone: the restore has one to bring back
cp -a "$DBDIR" "$W/good"

# The database as it is: the file's bytes and time, its write-ahead log's bytes (SQLite gives a
# reader an empty log and the shared memory, -shm, when they are missing: no content), and
# whether the directory is there.
dbsum() {
    echo "dir $(test -d "$DBDIR" && echo y)"
    [ -e "$OC_DB" ] && echo "db $(stat -c %Y.%s "$OC_DB") $(md5sum <"$OC_DB")"
    [ -s "$OC_DB-wal" ] && echo "wal $(md5sum <"$OC_DB-wal")"
    true
}
fresh() { rm -rf "$DBDIR"; cp -a "$W/good" "$DBDIR"; }
# all of it in the file itself (opencode leaves its pages in the log, which would stand in for
# a damaged page of the file)
checkpointed() { fresh; sqlite3 "$OC_DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null; }
# run NAME CMD...: stdout, stderr and exit status to $W/NAME.{out,err,rc}
run() { local n=$1; shift; timeout 30 "$@" >"$W/$n.out" 2>"$W/$n.err"; echo $? >"$W/$n.rc"; }
one_line() { { test "$(wc -l <"$W/$1.err")" = 1 && grep -qF -- "opencode database $OC_DB $2" "$W/$1.err"; } || { sed "s/^/    $1: /" "$W/$1.err"; false; }; }

# check CASE WORDS [answers]: every tool on the database as it now is ("answers": id --continue
# reads no broken page and answers, with no note)
check() {
    local c=$1 words=$2 before; before=$(dbsum)
    run ls "$OCS" ls
    run id "$OCS" id --continue "$W/proj" --run
    run list "$RES" -S "$W/tmux.sock" --list
    run dry "$RES" -S "$W/tmux.sock" --dry-run --all --no-kitty
    ok "$c: ocshim ls lists the record, exit 0, one note: $words" \
        eval 'grep -q "$sid" "$W/ls.out" && test "$(cat "$W/ls.rc")" = 0 && one_line ls "$words"'
    if [ "${3:-}" = answers ]; then
        ok "$c: ocshim id --continue still answers" test "$(cat "$W/id.out")" = "$sid"
    else
        ok "$c: ocshim id --continue exits 1 with one line naming it" \
            eval 'test "$(cat "$W/id.rc")" = 1 -a ! -s "$W/id.out" && one_line id "$words"'
    fi
    ok "$c: ocshim-restore --list lists the record, exit 0, one note" \
        eval 'grep -q "$sid" "$W/list.out" && test "$(cat "$W/list.rc")" = 0 && one_line list "$words"'
    ok "$c: ocshim-restore --dry-run would restore it, exit 0, one note" \
        eval 'grep -q "^restore .*$sid" "$W/dry.out" && test "$(cat "$W/dry.rc")" = 0 && one_line dry "$words"'
    ok "$c: the database is unchanged (not created)" test "$(dbsum)" = "$before"
    [ "$(dbsum)" = "$before" ] || { echo "$before"; dbsum; }
}

# --- healthy, and a writer in WAL mode (readers are not blocked): titles, no note --------------
run ls "$OCS" ls
ok "healthy: ocshim ls shows the title, no note" eval 'grep -q "$sid .*Fake title" "$W/ls.out" && ! test -s "$W/ls.err"'
run id "$OCS" id --continue "$W/proj" --run
ok "healthy: id --continue names it" test "$(cat "$W/id.out")" = "$sid"
# holder MODE: a second connection holds the database's write lock until $W/release appears
holder() {
    rm -f "$W/locked" "$W/release"
    python3 - "$OC_DB" "$1" "$W" <<'PY' &
import os, sqlite3, sys, time
db, mode, w = sys.argv[1:4]
c = sqlite3.connect(db, isolation_level=None, timeout=10)
if mode == "exclusive":        # locking_mode=EXCLUSIVE: readers are locked out as well
    c.execute("PRAGMA locking_mode=EXCLUSIVE")
c.execute("BEGIN EXCLUSIVE")
c.execute("UPDATE session SET title = title WHERE 0")
open(w + "/locked", "w").close()
while not os.path.exists(w + "/release"):
    time.sleep(0.05)
c.execute("ROLLBACK")
PY
    HOLDER=$!
    wait_until 20 test -e "$W/locked"
}
release() { touch "$W/release"; wait "$HOLDER"; }
holder write
run ls "$OCS" ls
ok "a writer holds the lock (WAL): ocshim ls still has the title, no note" \
    eval 'grep -q "$sid .*Fake title" "$W/ls.out" && ! test -s "$W/ls.err"'
release

# --- readers locked out, damaged, empty, not SQLite, missing ------------------------------------
holder exclusive
check locked "is locked by another process"
release
checkpointed
printf 'not SQLite, bytes' | dd of="$OC_DB" conv=notrunc status=none
check "damaged header" "is damaged (file is not a database)"
# a damaged page after the open: the index of session ids (the open's probe reads the table)
damage_index() {
    checkpointed
    local page psize
    page=$(db "select rootpage from sqlite_master where name = 'sqlite_autoindex_session_1'")
    psize=$(db "pragma page_size")
    head -c 64 /dev/zero | tr '\0' '\377' | dd of="$OC_DB" bs=1 seek=$(((page - 1) * psize)) conv=notrunc status=none
}
damage_index
check "damaged index page" "is damaged (database disk image is malformed)" answers
fresh
: >"$OC_DB"; rm -f "$OC_DB-wal" "$OC_DB-shm"
check empty "is empty"
fresh
echo "just text" >"$OC_DB"; rm -f "$OC_DB-wal" "$OC_DB-shm"
check "not SQLite" "is damaged (file is not a database)"
rm -f "$OC_DB" "$OC_DB-wal" "$OC_DB-shm"
check "missing file" "does not exist"
ok "... nothing made in its place" eval '! ls "$DBDIR"/opencode.db* 2>/dev/null'
rm -rf "$DBDIR"
check "missing directory" "does not exist"

# --- the restore, for real, last (the opencode it starts uses the database): damaged, the pane
# comes back on its conversation
damage_index
run real "$RES" -S "$W/tmux.sock" --all --no-kitty
ok "damaged: ocshim-restore restores the pane anyway, exit 0, one note" \
    eval 'test "$(cat "$W/real.rc")" = 0 && one_line real "is damaged"'
ok "... on its conversation" eval 'tm list-panes -t a -F "#{pane_start_command}" | grep -q -- "--session $sid"'
finish
