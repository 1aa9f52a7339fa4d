#!/usr/bin/env bash
# Fetches a pinned opencode from the npm registry (once, cached) and prints its path.
# Usage: tests/get-opencode.sh VERSION            the platform binary (npm pack opencode-linux-x64)
#        tests/get-opencode.sh --baseline VERSION the build for CPUs without AVX2
#                                                 (npm pack opencode-linux-x64-baseline)
#        tests/get-opencode.sh --global VERSION   installed as users do: npm i -g opencode-ai@VERSION
#                                                 into its own prefix; prints <prefix>/bin/opencode
# Cache: $OCSHIM_CACHE (default ~/.cache/ocshim-test)
set -eu
usage="usage: get-opencode.sh [--global|--baseline] VERSION"
global= pkg=opencode-linux-x64 tag=
case ${1:-} in
    --global) global=1; shift;;
    --baseline) pkg=opencode-linux-x64-baseline tag=baseline-; shift;;
esac
[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
ver=$1
case $ver in *[!0-9.]*|"") echo "get-opencode: bad version '$ver'" >&2; exit 2;; esac
cache=${OCSHIM_CACHE:-$HOME/.cache/ocshim-test}
mkdir -p "$cache"

is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

if [ -n "$global" ]; then
    prefix=$cache/npm-global-$ver
    bin=$prefix/bin/opencode
    pkg=$prefix/lib/node_modules/opencode-ai/package.json
    installed() {   # the right version is there and bin/opencode resolves to an ELF binary
        [ -L "$bin" ] && [ -f "$pkg" ] && is_elf "$(readlink -f "$bin")" &&
            grep -q "\"version\": *\"$ver\"" "$pkg"
    }
    if ! installed; then
        # npm 11 may warn that install scripts were run or need approval; the warnings go to the log.
        rm -rf "$prefix"
        mkdir -p "$prefix"
        if ! npm i -g --prefix "$prefix" --no-fund --no-audit --loglevel=warn "opencode-ai@$ver" \
                >"$prefix/npm-install.log" 2>&1; then
            echo "get-opencode: npm i -g --prefix $prefix opencode-ai@$ver failed:" >&2
            tail -n 20 "$prefix/npm-install.log" >&2
            exit 1
        fi
        if [ ! -e "$bin" ]; then
            echo "get-opencode: npm installed opencode-ai@$ver but made no $bin" >&2
            tail -n 20 "$prefix/npm-install.log" >&2
            exit 1
        fi
        if ! is_elf "$(readlink -f "$bin")"; then
            echo "get-opencode: $bin resolves to $(readlink -f "$bin"), which is not an ELF binary" >&2
            echo "  (did the package's postinstall run? npm may have skipped install scripts:" >&2
            echo "   see $prefix/npm-install.log)" >&2
            exit 1
        fi
        installed || { echo "get-opencode: $pkg does not say version $ver" >&2; exit 1; }
    fi
    echo "$bin"
    exit 0
fi

dir=$cache/opencode-$tag$ver
bin=$dir/package/bin/opencode
if [ ! -x "$bin" ]; then
    mkdir -p "$dir"
    tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
    (cd "$tmp" && npm pack --silent "$pkg@$ver" >/dev/null) \
        || { rm -rf "$tmp"; echo "get-opencode: npm pack $pkg@$ver failed" >&2; exit 1; }
    tar xzf "$tmp/$pkg-$ver.tgz" -C "$dir"
    rm -rf "$tmp"
fi
[ -x "$bin" ] || { echo "get-opencode: no binary at $bin" >&2; exit 1; }
echo "$bin"
