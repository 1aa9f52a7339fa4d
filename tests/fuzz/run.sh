#!/usr/bin/env bash
# Runs the fuzz targets (what `make fuzz` runs, after building them):
#   tests/fuzz/run.sh SECONDS NAME...        FUZZ_JOBS=N: N targets at a time (default 1)
# Each build/fuzz/fuzz_NAME runs for SECONDS on a fresh copy of its seeds, build/fuzz/corpus-NAME
# (what it finds goes there, never into tests/fuzz/corpus). Prints, per target and in the order
# given, libFuzzer's "Done N runs in S second(s)" line; for a crash, leak, property failure or
# hang (10 s on one input), the report's end and the input that did it
# (build/fuzz/NAME-crash-..., to add to the seeds once fixed). Last line
# "fuzz: N passed, N failed"; exits non-zero when any failed.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-}
shift || true
jobs=${FUZZ_JOBS:-1}
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ] || [ $# -eq 0 ] ||
   ! [[ $jobs =~ ^[0-9]+$ ]] || [ "$jobs" -lt 1 ]; then
    echo "usage: [FUZZ_JOBS=N] tests/fuzz/run.sh SECONDS NAME..." >&2
    exit 2
fi
if [ "$(printf '%s\n' "$@" | sort | uniq -d)" ]; then   # two runs of one target share its files
    echo "tests/fuzz/run.sh: a target named twice: $(printf '%s\n' "$@" | sort | uniq -d | head -n 1)" >&2
    exit 2
fi
out=build/fuzz
mkdir -p "$out"

# run_one NAME: runs one target; its report goes to $out/NAME.result, and the file
# $out/NAME.ok exists when it passed.
run_one() {
    local name=$1 bin=$out/fuzz_$1 corpus=$out/corpus-$1 log=$out/$1.log tmp=$out/tmp-$1
    local res=$out/$name.result.tmp rc seeds done_line runs s a
    if [ ! -x "$bin" ] || [ ! -d "tests/fuzz/corpus/$name" ]; then
        echo "fuzz_$name: missing $bin or tests/fuzz/corpus/$name" >"$res"
        mv "$res" "$out/$name.result"
        return
    fi
    rm -rf "$corpus" "$tmp"
    mkdir -p "$corpus" "$tmp"
    cp tests/fuzz/corpus/"$name"/* "$corpus"/
    seeds=$(ls "$corpus" | wc -l)
    TMPDIR=$PWD/$tmp "$bin" -max_total_time="$secs" -timeout=10 -artifact_prefix="$out/$name-" \
        "$corpus" >"$log" 2>&1
    rc=$?
    rm -rf "$tmp"
    done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1)
    if [ $rc -eq 0 ] && [ -n "$done_line" ]; then
        runs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) .*/\1/')
        s=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) .*/\2/')
        echo "fuzz_$name: $done_line ($((runs / (s > 0 ? s : 1))) runs/s; corpus $seeds -> $(ls "$corpus" | wc -l) inputs)" >"$res"
        : >"$out/$name.ok"
    else
        {
            echo "fuzz_$name: FAILED (exit $rc); the end of $log:"
            # the report: from its first line, without the shadow-memory map and libFuzzer's frames
            sed -n '/property failed\|ERROR: \|runtime error\|ALARM\|out-of-memory/,$p' "$log" |
                grep -vE '^( +0x[0-9a-f]+:|Shadow|  [A-Z][A-Za-z ]+: |=>0x|(0x[0-9a-f]+,)+$|Base64: )|fuzzer::|libc_start|_start ' |
                head -n 30 |
                sed 's/^/    /'
            a=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
            [ -n "$a" ] && echo "    input: $a (again: $bin $a)"
        } >"$res"
    fi
    mv "$res" "$out/$name.result"   # whole, once the target is done
}

names=("$@")
for name in "${names[@]}"; do rm -f "$out/$name.result" "$out/$name.result.tmp" "$out/$name.ok"; done
pass=0 fail=0 shown=0
# show: prints the results that are in, in the order given, up to the first still running
show() {
    local name
    while [ "$shown" -lt "${#names[@]}" ]; do
        name=${names[$shown]}
        [ -e "$out/$name.result" ] || [ "${1:-}" = all ] || return 0
        if [ -e "$out/$name.result" ]; then cat "$out/$name.result"
        else echo "fuzz_$name: no result (the run was killed?)"; fi
        if [ -e "$out/$name.ok" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
        rm -f "$out/$name.result" "$out/$name.ok"
        shown=$((shown + 1))
    done
}
running=0
for name in "${names[@]}"; do
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); show; fi
    run_one "$name" &
    running=$((running + 1))
done
wait
show all
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
