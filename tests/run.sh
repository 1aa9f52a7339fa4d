#!/usr/bin/env bash
# The whole test suite (what `make test` runs): unit tests, then every end-to-end test file.
# Prints each file's result and a last line "all: N passed, N failed".
#
# The e2e files run in two lanes: the files in LIGHT (no opencode TUI, few or no opencode
# processes) one after another beside the others, which also run one after another; each file
# has its own scratch world, tmux socket, fake model and Xvfb display. Two heavy files side by
# side on two cores slowed each other 2-4x and timed out, hence the split. The files in ALONE
# run with nothing beside them (test_load is a load test: it must have the machine to itself).
# OCSHIM_JOBS=1 runs every file alone. OCSHIM_TESTS="test_a test_b" runs only those files.
set -u
cd "$(dirname "$0")/.."
JOBS=${OCSHIM_JOBS:-2}
ALONE="test_load"
LIGHT="test_build test_clidocs test_headers test_hosts test_keybinding test_neutral test_restore_layout test_restore_twice"
pass=0 fail=0
add() {   # add "<text containing a line 'name: N passed, N failed'>"
    local line p f
    line=$(printf '%s\n' "$1" | grep -E '^[A-Za-z_0-9.-]+: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then fail=$((fail + 1)); return; fi
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
    pass=$((pass + p)); fail=$((fail + f))
}
out=$(tests/run-unit.sh build/tests/test_* 2>&1); rc=$?
printf '%s\n' "$out"; add "$out"; [ $rc -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
# the same unit tests built with ASan and UBSan (make unit-asan), when make test built them
if [ -n "${ASAN_UNIT_BIN:-}" ]; then
    before=$fail
    out=$(tests/run-unit.sh --asan $ASAN_UNIT_BIN 2>&1); rc=$?
    printf '%s\n' "$out"; add "$out"; [ $rc -ne 0 ] && [ "$fail" -eq "$before" ] && fail=$((fail + 1))
fi

only=${OCSHIM_TESTS:-}
heavy=() light=() alone=()
for t in tests/e2e/test_*.sh; do
    name=$(basename "$t" .sh)
    if [ -n "$only" ] && ! printf '%s\n' $only | grep -qx "$name"; then continue; fi
    if printf '%s\n' $ALONE | grep -qx "$name"; then alone+=("$name")
    elif [ "$JOBS" -gt 1 ] && printf '%s\n' $LIGHT | grep -qx "$name"; then light+=("$name")
    else heavy+=("$name"); fi
done
R=$(mktemp -d /tmp/ocshim-run.XXXXXX)
trap 'rm -rf "$R"' EXIT
declare -A started=()
running=()
start_one() {   # start_one NAME: the file in the background; its output and exit code land in $R
    local name=$1
    started[$name]=$SECONDS
    ( timeout 600 bash "tests/e2e/$name.sh" >"$R/$name.out" 2>&1; echo $? >"$R/$name.rc.tmp"
      mv "$R/$name.rc.tmp" "$R/$name.rc" ) &
    running+=("$name")
}
reap() {   # reap: print and count every file that has ended; keep the others in `running`
    local name rc still=() before
    for name in "${running[@]}"; do
        if [ ! -e "$R/$name.rc" ]; then still+=("$name"); continue; fi
        rc=$(cat "$R/$name.rc")
        echo "== $name"
        cat "$R/$name.out"
        echo "   ($((SECONDS - started[$name])) s, exit $rc)"
        before=$fail; add "$(cat "$R/$name.out")"
        [ "$rc" -ne 0 ] && [ "$fail" -eq "$before" ] && fail=$((fail + 1))
    done
    running=("${still[@]}")
}
# lane one: the heavy files in turn; lane two: the light ones in turn, beside them
hi=0 li=0
while [ "$hi" -lt "${#heavy[@]}" ] || [ "$li" -lt "${#light[@]}" ]; do
    busy_h=0 busy_l=0
    for name in "${running[@]}"; do
        if printf '%s\n' "${light[@]}" | grep -qx "$name"; then busy_l=1; else busy_h=1; fi
    done
    if [ "$busy_h" = 0 ] && [ "$hi" -lt "${#heavy[@]}" ]; then start_one "${heavy[$hi]}"; hi=$((hi + 1)); continue; fi
    if [ "$busy_l" = 0 ] && [ "$li" -lt "${#light[@]}" ]; then start_one "${light[$li]}"; li=$((li + 1)); continue; fi
    sleep 0.5; reap
done
for name in "${alone[@]}"; do
    while [ "${#running[@]}" -gt 0 ]; do sleep 0.5; reap; done
    start_one "$name"
done
while [ "${#running[@]}" -gt 0 ]; do sleep 0.5; reap; done
echo "all: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
