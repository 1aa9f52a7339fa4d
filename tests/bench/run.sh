#!/usr/bin/env bash
# Runs every benchmark (make bench): the shim's, then the restore tool's when present.
cd "$(dirname "$0")/../.." || exit 1
for b in tests/bench/bench_*.sh; do echo "##### $b"; bash "$b" || exit 1; done
