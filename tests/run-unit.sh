#!/usr/bin/env bash
# Runs the unit test binaries given as arguments; prints one summary line.
# --asan first: they were built with the sanitizers (make unit-asan); any report fails them.
name=unit
if [ "${1:-}" = --asan ]; then
    shift
    name=unit-asan
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
fi
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
echo "$name: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
