#!/usr/bin/env bash
# Benchmark under load: eight TUIs of the real opencode in one directory, prompted at the same
# moment (the scenario of tests/e2e/test_load.sh, run here ROUNDS times): how long each pane
# takes to settle on its own session, from the Enter to its session in tmux (p50, max), and
# whether every pane did (the test's checks).
# usage: tests/bench/bench_load.sh [ROUNDS]   (default 1; one round takes ~3 min on 2 cores)
cd "$(dirname "$0")/../.." || exit 1
ROUNDS=${1:-1}
all=() rc=0
for r in $(seq "$ROUNDS"); do
    out=$(bash tests/e2e/test_load.sh 2>&1) || rc=1
    echo "$out" | grep -E '^  (ok|FAIL) '
    ms=$(echo "$out" | sed -n 's/.*settle ms: //p')
    all+=($ms)
done
echo "== load: 8 TUIs in one directory prompted at once, $ROUNDS round(s), ${#all[@]} panes"
printf '%s\n' "${all[@]}" | sort -n | awk '{a[NR]=$1} END {
    if (!NR) { print "no settle times (the scenario failed)"; exit }
    printf "Enter -> own session in tmux: p50 %d ms, max %d ms (n=%d)\n", a[int((NR+1)/2)], a[NR], NR }'
exit $rc
