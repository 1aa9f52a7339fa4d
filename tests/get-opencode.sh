#!/usr/bin/env bash
# Fetches a pinned opencode binary from the npm registry (once, cached) and prints its path.
# Usage: tests/get-opencode.sh VERSION      cache: $OCSHIM_CACHE (default ~/.cache/ocshim-test)
set -eu
ver=${1:?usage: get-opencode.sh VERSION}
case $ver in *[!0-9.]*|"") echo "get-opencode: bad version '$ver'" >&2; exit 2;; esac
cache=${OCSHIM_CACHE:-$HOME/.cache/ocshim-test}
dir=$cache/opencode-$ver
bin=$dir/package/bin/opencode
if [ ! -x "$bin" ]; then
    mkdir -p "$dir"
    tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
    (cd "$tmp" && npm pack --silent "opencode-linux-x64@$ver" >/dev/null) \
        || { rm -rf "$tmp"; echo "get-opencode: npm pack opencode-linux-x64@$ver failed" >&2; exit 1; }
    tar xzf "$tmp/opencode-linux-x64-$ver.tgz" -C "$dir"
    rm -rf "$tmp"
fi
[ -x "$bin" ] || { echo "get-opencode: no binary at $bin" >&2; exit 1; }
echo "$bin"
