#!/usr/bin/env bash
# Runs every benchmark (make bench): each prints its figures and whether its targets are met;
# a missed target does not stop the others. Exit 1 if any benchmark missed a target or failed.
cd "$(dirname "$0")/../.." || exit 1
rc=0
for b in tests/bench/bench_*.sh; do echo "##### $b"; bash "$b" || rc=1; done
exit $rc
