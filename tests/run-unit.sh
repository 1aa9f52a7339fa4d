#!/usr/bin/env bash
# Runs the unit test binaries given as arguments; prints one summary line.
pass=0 fail=0
for t in "$@"; do
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | grep -E '^[a-z_0-9]+: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then echo "$t: crashed or printed no summary (exit $rc)"; fail=$((fail + 1)); continue; fi
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/'); f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed/\1/')
    pass=$((pass + p)); fail=$((fail + f))
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && fail=$((fail + 1))
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
