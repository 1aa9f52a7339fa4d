#!/usr/bin/env bash
# The whole test suite (what `make test` runs): unit tests, then every end-to-end test file.
# Prints each file's result and a last line "all: N passed, N failed".
#
# The e2e files run OCSHIM_JOBS at a time (default 2): each has its own scratch world, tmux
# socket, fake model and Xvfb display, and most of their time is spent waiting for opencode.
# The files listed in ALONE run with nothing beside them (test_load is a load test: it must have
# the machine to itself). The files in FIRST, the longest, start first so that the two lanes
# end close together. OCSHIM_TESTS="test_a test_b" runs only those files.
set -u
cd "$(dirname "$0")/.."
JOBS=${OCSHIM_JOBS:-2}
ALONE="test_load"
FIRST="test_restore test_server test_shim test_childenv"
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
queue=() alone=()
for t in $(for f in $FIRST; do echo "tests/e2e/$f.sh"; done) tests/e2e/test_*.sh; do
    name=$(basename "$t" .sh)
    [[ " ${queue[*]} ${alone[*]} " == *" $name "* ]] && continue
    if [ -n "$only" ] && ! printf '%s\n' $only | grep -qx "$name"; then continue; fi
    if printf '%s\n' $ALONE | grep -qx "$name"; then alone+=("$name"); else queue+=("$name"); fi
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
for name in "${queue[@]}"; do
    while [ "${#running[@]}" -ge "$JOBS" ]; do sleep 0.5; reap; done
    start_one "$name"
done
for name in "${alone[@]}"; do
    while [ "${#running[@]}" -gt 0 ]; do sleep 0.5; reap; done
    start_one "$name"
done
while [ "${#running[@]}" -gt 0 ]; do sleep 0.5; reap; done
echo "all: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
