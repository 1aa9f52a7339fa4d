# Shared harness for the end-to-end tests (sourced, not run).
# Gives each test file: a scratch world (HOME, XDG dirs, project dirs), the fake model server,
# a private tmux server, the real opencode binary, and pass/fail counting.
#
#   source tests/e2e/lib.sh            # from the repo root; sets ROOT, W (scratch dir)
#   world_up [OPENCODE_VERSION]        # fake model + config + tmux socket; OC = opencode path
#                                      # (OC_BUILD=baseline: the x64-baseline build of that version)
#   tm CMD...                          # tmux on the private socket
#   ok "name" CONDITION-COMMAND...     # runs the command, counts pass/fail
#   wait_until SECONDS CMD...          # polls CMD (0.1 s) until it succeeds; 1 on time-out
#   finish                             # prints "N passed, N failed", cleans up, sets exit code

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHIM=${OCSHIM_SO:-$ROOT/build/libocshim.so}
PASS=0 FAIL=0
W=$(mktemp -d /tmp/ocshim-e2e.XXXXXX)
TEST_NAME=$(basename "$0" .sh)

log() { printf '[%s] %s\n' "$TEST_NAME" "$*"; }

ok() {
    local name=$1; shift
    if "$@"; then PASS=$((PASS + 1)); printf '  ok   %s\n' "$name"
    else FAIL=$((FAIL + 1)); printf '  FAIL %s\n' "$name"; fi
}

wait_until() {
    # (the names are odd on purpose: wait_for's expression runs in this function's scope)
    local _wu_secs=$1; shift
    local _wu_end=$((SECONDS + _wu_secs)) _wu_t0= _wu_rc=0
    [ "${OCSHIM_E2E_WAITLOG:-0}" = 0 ] || _wu_t0=$(date +%s%3N)
    until "$@"; do
        [ "$SECONDS" -ge "$_wu_end" ] && { _wu_rc=1; break; }
        sleep 0.1
    done
    [ -n "$_wu_t0" ] && wait_log "$_wu_t0" "$_wu_rc" "$_wu_secs"
    return $_wu_rc
}

# OCSHIM_E2E_WAITLOG=1 (unset or 0: off): each wait of 3 s or more, and each wait that timed
# out, is logged with the test file's line (a wait that always times out is a hidden sleep).
wait_log() {
    local ms=$(($(date +%s%3N) - $1)) i=1
    while [ "${BASH_SOURCE[$i]##*/}" = lib.sh ] && [ "$i" -lt $((${#BASH_SOURCE[@]} - 1)) ]; do i=$((i + 1)); done
    [ "$ms" -ge 3000 ] || [ "$2" != 0 ] || return 0
    printf '[%s] wait %d.%d s%s at line %s\n' "$TEST_NAME" $((ms / 1000)) $((ms % 1000 / 100)) \
        "$([ "$2" != 0 ] && echo " (timed out, limit $3 s)")" "${BASH_LINENO[$((i - 1))]}" >&2
}

# wait_for SECS 'SHELL EXPRESSION': like wait_until, but the expression is evaluated afresh each
# try ("wait_until 5 test "$(cmd)" = x" would expand $(cmd) once, before the first try).
wait_for() { wait_until "$1" eval "$2"; }

tm() { tmux -S "$W/tmux.sock" "$@"; }

# world_up [VERSION]: HOME, fake model, opencode config, tmux server.
world_up() {
    local ver=${1:-1.18.34}
    OC=$("$ROOT/tests/get-opencode.sh" ${OC_BUILD:+"--$OC_BUILD"} "$ver") \
        || { echo "cannot get opencode $ver${OC_BUILD:+ ($OC_BUILD)}"; exit 1; }
    export HOME=$W/home XDG_CONFIG_HOME=$W/home/.config XDG_DATA_HOME=$W/home/.local/share \
        XDG_STATE_HOME=$W/home/.local/state XDG_CACHE_HOME=$W/home/.cache
    export OCSHIM_STATE_DIR=$W/state
    unset TMUX TMUX_PANE KITTY_WINDOW_ID KITTY_LISTEN_ON OCSHIM_DISABLE OCSHIM_DEBUG LD_PRELOAD
    mkdir -p "$HOME/.config/opencode" "$W/proj"
    python3 "$ROOT/tests/fake_model.py" "$W/port" --max-seconds 1200 >"$W/fake_model.log" 2>&1 &
    FAKE_PID=$!
    # python3 can take over 10 s to start on a loaded machine; a failed start leaves no server behind
    wait_until 60 test -s "$W/port" || { echo "fake model did not start"; kill "$FAKE_PID" 2>/dev/null; exit 1; }
    local port; port=$(cat "$W/port")
    cat >"$HOME/.config/opencode/opencode.json" <<JSON
{ "autoupdate": false, "share": "disabled",
  "provider": { "mock": { "npm": "@ai-sdk/openai-compatible", "name": "Mock",
    "options": { "baseURL": "http://127.0.0.1:$port/v1", "apiKey": "x" },
    "models": { "m": { "name": "Mock" } } } },
  "model": "mock/m" }
JSON
    OC_LOG_DIR=$XDG_DATA_HOME/opencode/log
    OC_DB=$XDG_DATA_HOME/opencode/opencode.db
    # The tmux server gets the test environment; panes start opencode with the shim preloaded.
    tm -f /dev/null new-session -d -s _keep -x 200 -y 50 -c "$W" \
        || { echo "tmux did not start"; exit 1; }
    tm set -g remain-on-exit off
}

# pane_run SESSION DIR CMD: new tmux session SESSION in DIR running CMD (a shell string); prints pane id.
pane_run() {
    tm new-session -d -P -F '#{pane_id}' -s "$1" -x 200 -y 50 -c "$2" "$3"
}

# split_run TARGET DIR CMD: new pane beside TARGET; prints pane id.
split_run() {
    tm split-window -d -P -F '#{pane_id}' -t "$1" -c "$2" "$3"
}

pane_text() { tm capture-pane -p -t "$1" 2>/dev/null; }
pane_has() { pane_text "$1" | grep -qF -- "$2"; }
pane_opt() { tm show-options -p -t "$1" -v @opencode_session 2>/dev/null; }
pane_pid() { tm display-message -p -t "$1" '#{pane_pid}'; }

# tui_ready PANE: opencode's TUI has painted its prompt.
tui_ready() { pane_has "$1" "ctrl+p"; }

# prompt PANE TEXT: types TEXT into opencode's TUI and sends it.
prompt() {
    tm send-keys -t "$1" -l -- "$2"
    sleep 0.3
    tm send-keys -t "$1" Enter
}

db() { sqlite3 -readonly "file:$OC_DB?mode=ro" "$1" 2>/dev/null; }

# record_of PID: the record file of process PID (empty when none).
record_of() { ls "$OCSHIM_STATE_DIR"/"$1"-*.rec 2>/dev/null | head -n 1; }
# Records are read as the tools read them (ocshim ls --json), never by a copy of the parser here.
# rec_get FILE KEY: the first value of KEY in the record FILE; empty when the tools do not take
# the file for a record.
rec_get() {
    [ -n "$1" ] || return 0
    OCSHIM_STATE_DIR=$(dirname "$1") "$ROOT/build/ocshim" ls --json 2>/dev/null | python3 -c '
import json, os, sys
for e in json.load(sys.stdin):
    if e["record"] == os.path.basename(sys.argv[1]):
        v = e["fields"].get(sys.argv[2], "")
        print(v[0] if isinstance(v, list) else v)' "$1" "$2"
}
# rec_with KEY VALUE: the records in $OCSHIM_STATE_DIR whose KEY is VALUE, one path per line.
rec_with() {
    "$ROOT/build/ocshim" ls --json 2>/dev/null | python3 -c '
import json, os, sys
for e in json.load(sys.stdin):
    if e["fields"].get(sys.argv[1]) == sys.argv[2]:
        print(os.path.join(os.environ["OCSHIM_STATE_DIR"], e["record"]))' "$1" "$2"
}

# opencode_pid_in PANE: pid of the opencode process running in the pane (the pane process itself
# or its child when a shell started it).
opencode_pid_in() {
    local p; p=$(pane_pid "$1")
    if [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$OC" ]; then echo "$p"; return; fi
    pgrep -P "$p" -f "$OC" | head -n 1
}

# standin_record PID SESSION_ID DIR SOCKET TMUX_SESSION WINDOW PANE_INDEX: a record (as the
# shim writes them) of an opencode process that died with tmux, whose program is the stand-in
# script $W/bin/opencode (for tests of the restore's orchestration, not of opencode).
standin_record() {
    local boot; boot=$(tr -d - </proc/sys/kernel/random/boot_id)
    local f=$OCSHIM_STATE_DIR/$1-$boot-77.rec
    if [ ! -x "$W/bin/opencode" ]; then
        mkdir -p "$W/bin"
        printf '#!/bin/sh\nsleep 600\n' >"$W/bin/opencode" && chmod +x "$W/bin/opencode"
    fi
    cat >"$f" <<REC
ocshim_record=1
pid=$1
boot_id=$boot
start_time=77
started_ms=1700000000000
uid=$(id -u)
exe=$W/bin/opencode
cwd=$3
argc=1
arg=opencode
session=$2
session_source=log
sessions=$2
directory=$3
tmux_socket=$4
tmux_pane=%$1
tmux_session=$5
tmux_window=$6
tmux_window_name=oc
tmux_pane_index=$7
updated_ms=1700000001000
state=running
end=1
REC
    chmod 600 "$f"
}

cleanup() {
    tm kill-server 2>/dev/null
    declare -F kitty_down >/dev/null && kitty_down
    [ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null
    wait 2>/dev/null
    # opencode processes hung up by the kill-server may still be writing their last files
    if [ "$FAIL" -eq 0 ] && [ -z "${KEEP:-}" ]; then rm -rf "$W" 2>/dev/null || { sleep 1; rm -rf "$W"; }
    else echo "  (scratch kept: $W)"; fi
}

finish() {
    cleanup
    echo "$TEST_NAME: $PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}
trap 'cleanup; exit 1' INT TERM

# readme_kitty_conf: the README's kitty.conf lines for the key binding (the indented block after
# "In kitty.conf, a key that restores everything:"), without their indent. `ocshim doctor` and
# `ocshim-restore --help` print the same lines (tools/common/kittyconf.h; test_clidocs.sh).
readme_kitty_conf() {
    awk '/^In kitty.conf, a key that restores everything:$/ { on = 1; next }
         on && /^    / { sub(/^    /, ""); print; seen = 1; next }
         on && seen { exit }' "$ROOT/README.md"
}

# --- kitty under Xvfb (for the ocshim-restore tests) ------------------------------------------
# kitty_up NAME [KITTY ARGS...]: a headless kitty listening on $W/NAME.sock (remote control on);
# starts Xvfb once. KITTY_PIDS collects the kitty pids for kitty_down.
# xvfb_up [SCREEN]: one Xvfb for this test on a display it picks itself (-displayfd: the first
# free one, taken under its lock file), so that tests can run side by side. Sets KITTY_DISPLAY.
xvfb_up() {
    [ -n "${XVFB_PID:-}" ] && return 0
    Xvfb -displayfd 3 -nolisten tcp -screen 0 "${1:-1920x1200x24}" 3>"$W/xvfb.display" >"$W/xvfb.log" 2>&1 &
    XVFB_PID=$!
    wait_until 10 test -s "$W/xvfb.display" || { echo "Xvfb did not start"; return 1; }
    KITTY_DISPLAY=:$(cat "$W/xvfb.display")
}
kitty_up() {
    local name=$1; shift
    xvfb_up || return 1
    DISPLAY=$KITTY_DISPLAY kitty --config NONE -o allow_remote_control=yes -o remember_window_size=no \
        -o initial_window_width=1800 -o initial_window_height=1100 \
        --listen-on "unix:$W/$name.sock" "$@" >"$W/kitty-$name.log" 2>&1 &
    KITTY_PIDS="${KITTY_PIDS:-} $!"
    wait_until 20 kitty @ --to "unix:$W/$name.sock" ls >/dev/null 2>&1
}
# kitty_tabs NAME: one line per tab: "title<TAB>cmdline words of its windows, joined by spaces".
kitty_tabs() {
    kitty @ --to "unix:$W/$1.sock" ls 2>/dev/null | python3 -c '
import json, sys
for osw in json.load(sys.stdin):
    for t in osw["tabs"]:
        print(t["title"] + "\t" + " | ".join(" ".join(w["cmdline"]) for w in t["windows"]))'
}
kitty_down() {
    local p
    for p in ${KITTY_PIDS:-}; do kill "$p" 2>/dev/null; done
    [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null
    KITTY_PIDS= XVFB_PID=
}
