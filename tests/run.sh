#!/usr/bin/env bash
# The whole test suite (what `make test` runs): unit tests, then every end-to-end test file.
# Prints each file's result and a last line "all: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
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
only=${OCSHIM_TESTS:-}
for t in tests/e2e/test_*.sh; do
    name=$(basename "$t" .sh)
    if [ -n "$only" ] && ! printf '%s\n' $only | grep -qx "$name"; then continue; fi
    echo "== $name"
    start=$SECONDS
    out=$(timeout 600 bash "$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    echo "   ($((SECONDS - start)) s, exit $rc)"
    before=$fail; add "$out"
    [ $rc -ne 0 ] && [ "$fail" -eq "$before" ] && fail=$((fail + 1))
done
echo "all: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
