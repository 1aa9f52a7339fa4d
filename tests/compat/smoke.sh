#!/usr/bin/env bash
# The capture smoke test on one opencode release (run by tests/compat/run.sh, `make compat`):
# `opencode run` under the shim makes one bash tool call; checks the record, the env, the db id.
# Usage: tests/compat/smoke.sh VERSION BUILD RESULT    (BUILD: x64 or baseline)
# Appends one line to RESULT: VERSION<TAB>BUILD<TAB>record<TAB>env<TAB>db<TAB>notes, each check
# "ok" or "FAIL" ("-" when it could not be run).
[ $# -eq 3 ] || { echo "usage: smoke.sh VERSION x64|baseline RESULT" >&2; exit 2; }
ver=$1 build=$2 result=$3
case $build in x64) OC_BUILD=;; baseline) OC_BUILD=baseline;; *) echo "smoke: bad build '$build'" >&2; exit 2;; esac
source "$(dirname "$0")/../e2e/lib.sh"
TEST_NAME=compat-$ver-$build
notes=()
put() {   # put RECORD ENV DB: the result line (notes joined by "; ", no tab or | in them)
    local n all=
    for n in "${notes[@]}"; do all+=${all:+; }$n; done
    all=$(printf '%s' "$all" | tr '\t|\n' '  /')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$ver" "$build" "$1" "$2" "$3" "$all" >>"$result"
}
if ! OC=$("$ROOT/tests/get-opencode.sh" ${OC_BUILD:+"--$OC_BUILD"} "$ver" 2>"$W/get.err"); then
    notes+=("not fetched: $(tail -n 1 "$W/get.err")")
    put - - -; FAIL=1; finish; exit 1
fi
world_up "$ver"

# The bash tool's command writes what it sees to a file of its own: no reliance on run's
# output or on how this version stores tool output.
cat >"$W/sid.sh" <<'EOF'
printf '%s\n' "${OPENCODE_SESSION_ID:-none}" >"$1"
EOF
marker="compat-probe-$$"
(cd "$W/proj" && LD_PRELOAD=$SHIM timeout 180 "$OC" run "$marker RUN: sh $W/sid.sh $W/sid.out :END" \
    >"$W/run.out" 2>&1)
rc=$?
[ "$rc" = 0 ] || notes+=("opencode run exited $rc")

# db id: the root session in opencode.db that holds the prompt (its text part carries the marker).
dbid=
if [ ! -f "$OC_DB" ]; then
    notes+=("no $(basename "$OC_DB") (files: $(ls "$XDG_DATA_HOME/opencode" 2>/dev/null | tr '\n' ' '))")
else
    dbid=$(db "select distinct session_id from part where data like '%$marker%'")
    [ -n "$dbid" ] || notes+=("no part in opencode.db holds the prompt")
    [ "$(printf '%s\n' "$dbid" | grep -c .)" -le 1 ] || { notes+=("several sessions hold the prompt"); dbid=; }
    [ -z "$dbid" ] || [ -n "$(db "select id from session where id='$dbid' and parent_id is null")" ] \
        || { notes+=("the prompt's session is not a root session"); dbid=; }
fi
dbok=FAIL; [ -n "$dbid" ] && dbok=ok
ok "$ver $build: opencode.db has the root session that holds the prompt" test "$dbok" = ok

# env: the bash command saw OPENCODE_SESSION_ID = that session.
seen=$(cat "$W/sid.out" 2>/dev/null)
[ -n "$seen" ] || notes+=("the bash tool did not run")
envok=FAIL; [ -n "$dbid" ] && [ "$seen" = "$dbid" ] && envok=ok
[ -n "$seen" ] && [ "$envok" = FAIL ] && notes+=("bash saw OPENCODE_SESSION_ID=$seen")
ok "$ver $build: the bash command saw OPENCODE_SESSION_ID = the session" test "$envok" = ok

# record: the state dir holds a record (read as `ocshim ls --json` reads it) naming that session.
recs=$(ls "$OCSHIM_STATE_DIR"/*.rec 2>/dev/null | grep -c .)
recok=FAIL
if [ "$recs" = 0 ]; then
    notes+=("no record in the state dir")
elif [ -n "$dbid" ] && [ -n "$(rec_with session "$dbid")" ]; then
    recok=ok
else
    notes+=("record session=$(rec_get "$(ls "$OCSHIM_STATE_DIR"/*.rec | head -n 1)" session)")
fi
ok "$ver $build: ocshim ls --json shows a record of that session" test "$recok" = ok

put "$recok" "$envok" "$dbok"
[ "$FAIL" = 0 ] || { echo "   opencode run's output (last lines):"; tail -n 5 "$W/run.out" | sed 's/^/   | /'; }
finish
