#!/usr/bin/env bash
# Fault injection (#11): opencode SIGKILLed while the shim rewrites its record, many times over:
# never a torn record, never an earlier good record lost, leftover temp files harmless.
set -u
source "$(dirname "$0")/lib.sh"

world_up
KILLS=${OCSHIM_KILLS:-24}
SID=ses_faultkill0000000000000000A
# Each run is a real opencode (the pinned binary, shim preloaded) that learns its session from
# argv, writes its record at once, and rewrites it as it leaves (state=exited): `-s ID --version`
# is the cheapest opencode that does both. It runs under strace, which only holds each write()
# 2 ms (--seccomp-bpf: no other syscall stops), so that a rewrite lasts long enough for random
# kills to land inside it, whichever way it is written (an in-place rewrite would be caught
# empty). The driver watches the state directory with inotify and, once a process's record is in
# place, SIGKILLs it a random 0-10 ms after its rewrite begins (a file of its own appears or
# changes). A kill is inside the write window when the temp file is still there once it is dead.
python3 - "$OCSHIM_STATE_DIR" "$KILLS" "$OC" "$SHIM" "$SID" >"$W/kills.txt" 2>"$W/kills.err" <<'PY'
import ctypes, os, random, select, signal, struct, subprocess, sys, time
state, kills, oc, shim, sid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
IN_MODIFY, IN_CREATE, IN_MOVED_TO = 0x2, 0x100, 0x80
libc = ctypes.CDLL(None, use_errno=True)
ifd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
os.makedirs(state, mode=0o700, exist_ok=True)
libc.inotify_add_watch(ifd, state.encode(), IN_MODIFY | IN_CREATE | IN_MOVED_TO)
env = dict(os.environ, LD_PRELOAD=shim)
procs = {}          # strace's pid -> {"p": Popen, "oc": opencode's pid, "rec": name, "good": bytes}
done = inwin = 0
deadline = time.monotonic() + 400   # a guard only
def events():
    try:
        buf = os.read(ifd, 65536)
    except BlockingIOError:
        return
    i = 0
    while i < len(buf):
        _, mask, _, n = struct.unpack_from("iIII", buf, i)
        yield mask, buf[i + 16:i + 16 + n].rstrip(b"\0").decode()
        i += 16 + n
def owner(pid):     # the run whose opencode this is (strace's child)
    try:
        with open("/proc/%d/status" % pid) as f:
            ppid = int([l for l in f if l.startswith("PPid:")][0].split()[1])
    except (OSError, IndexError):
        return None
    st = procs.get(ppid)
    if st and st["oc"] in (None, pid):
        st["oc"] = pid
        return st
    return None
while done < kills and time.monotonic() < deadline:
    while len(procs) < 3 and done + len(procs) < kills:
        p = subprocess.Popen(["strace", "-f", "--seccomp-bpf", "-qq", "-o", "/dev/null", "-e", "trace=write",
                              "-e", "inject=write:delay_enter=2000", "--", oc, "-s", sid, "--version"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs[p.pid] = {"p": p, "oc": None, "rec": None, "good": b""}
    select.select([ifd], [], [], 0.05)
    for mask, name in events():
        pid = name.lstrip(".").split("-", 1)[0]
        st = [v for v in procs.values() if v["oc"] == int(pid)] if pid.isdigit() else []
        st = st[0] if st else (owner(int(pid)) if pid.isdigit() else None)
        if not st:
            continue
        if st["rec"] is None and mask & IN_MOVED_TO and name.endswith(".rec"):
            st["rec"] = name       # the first record is in place: the next change is a rewrite
            with open(os.path.join(state, name), "rb") as f:
                st["good"] = f.read()
            continue
        if st["rec"] is None or mask & IN_MOVED_TO:
            continue
        t = time.monotonic() + random.uniform(0, 0.010)
        while time.monotonic() < t:
            pass
        try:
            os.kill(st["oc"], signal.SIGKILL)
        except ProcessLookupError:
            pass
        st["p"].wait()
        tmp = os.path.exists(os.path.join(state, "." + st["rec"] + ".tmp"))
        with open(os.path.join(state, st["rec"]), "rb") as f:
            now = f.read()
        killed = st["p"].returncode in (-signal.SIGKILL, 128 + signal.SIGKILL)
        inwin += killed and tmp
        # the record the kill left: the good one untouched, or (rename done) a whole new one
        print("kill", st["rec"], int(killed), int(tmp), int(now == st["good"]),
              int(now.startswith(b"ocshim_record=1\n") and now.endswith(b"\nend=1\n")), flush=True)
        done += 1
        del procs[st["p"].pid]
    for pid, st in list(procs.items()):
        if st["p"].poll() is not None:   # ended before a rewrite was seen: not a kill
            print("ended", st["oc"], st["rec"] or "-", flush=True)
            del procs[pid]
for st in procs.values():
    st["p"].kill(); st["p"].wait()
print("summary", done, inwin, flush=True)
PY
log "$(tail -n 1 "$W/kills.txt"), $(grep -c '^ended' "$W/kills.txt") runs ended unkilled"
read -r _ done inwin < <(tail -n 1 "$W/kills.txt")
ok "the driver ran" test -s "$W/kills.txt" -a ! -s "$W/kills.err"
ok "$KILLS opencode processes SIGKILLed during their record's rewrite" test "${done:-0}" -eq "$KILLS"
ok "... at least a quarter of them inside the write window (temp file left: $inwin)" \
    test "${inwin:-0}" -ge $((KILLS / 4))
ok "... each killed inside the window left its earlier record byte for byte" \
    sh -c "! awk '\$1 == \"kill\" && \$4 == 1 && \$5 != 1' '$W/kills.txt' | grep -q ."
ok "... and every kill left a whole record (old or new)" \
    sh -c "! awk '\$1 == \"kill\" && \$6 != 1' '$W/kills.txt' | grep -q ."

# Every record in the state directory, read as the tools read them: whole, every key there.
"$ROOT/build/ocshim" ls --json >"$W/ls.json" 2>"$W/ls.err"
ok "ocshim ls reads the state directory (leftover temp files and all) without a complaint" \
    test $? -eq 0 -a "$(grep -c -e '\.tmp' -e '\.rec' "$W/ls.err")" = 0
nrec=$(ls "$OCSHIM_STATE_DIR" | grep -c '\.rec$')
ok "every record file is read as a record ($nrec)" python3 -c '
import json, sys
ls = json.load(open(sys.argv[1]))
need = ("ocshim_record", "pid", "boot_id", "start_time", "exe", "cwd", "argc", "arg", "role",
        "session", "updated_ms", "state", "end")
bad = [e["record"] for e in ls if any(k not in e["fields"] for k in need)
       or e["fields"]["session"] != sys.argv[3]]
sys.exit(1 if bad or len(ls) != int(sys.argv[2]) else 0)' "$W/ls.json" "$nrec" "$SID"
ok "every process killed left its record (none lost)" \
    sh -c "awk '\$1 == \"kill\" {print \$2}' '$W/kills.txt' | while read -r f; do test -f '$OCSHIM_STATE_DIR'/\$f || exit 1; done"
ntmp=$(ls -A "$OCSHIM_STATE_DIR" | grep -c '\.tmp$')
"$ROOT/build/ocshim" gc >"$W/gc.out" 2>&1
ok "ocshim gc removes the $ntmp leftover temp files of dead processes, no record" \
    test "$(ls -A "$OCSHIM_STATE_DIR" | grep -c '\.tmp$')|$(ls "$OCSHIM_STATE_DIR" | grep -c '\.rec$')" = "0|$nrec"
finish
