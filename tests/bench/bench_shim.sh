#!/usr/bin/env bash
# Benchmark of the shim, all figures from one run, as ratios and medians:
#  1. per-exec cost: /bin/true and bash -c true with no preload, an empty library, the shim;
#  2. `opencode run` wall and CPU time with vs without the shim (interleaved pairs, medians);
#  3. latency from the trapped log write to the record renamed into place and to the tmux
#     option set (p50/p99), and from the session's creation (time_created in opencode.db)
#     to the pane option;
#  4. the shim's own cost inside opencode, counted rather than timed (section 2's wall times
#     vary by several percent from run to run on a shared VM): syscalls trapped per run x the
#     cost of one trap (trapbench.c), plus the worker thread's CPU time;
#  5. opencode's client/server mode: `opencode run --attach` with vs without the shim, a
#     server answering prompts with vs without it (its CPU time, from /proc), and the latency
#     from a client's request that names its session to the tmux option (target 100 ms).
# usage: tests/bench/bench_shim.sh [PAIRS] [LATENCY_RUNS]   (defaults 5 and 12)
source "$(dirname "$0")/../e2e/lib.sh"
PAIRS=${1:-5}
RUNS=${2:-12}
EXECB=$ROOT/build/execbench
cc -O2 -o "$EXECB" "$ROOT/tests/bench/execbench.c" || exit 1
TRAPB=$ROOT/build/trapbench
cc -O2 -pthread -I"$ROOT/shim" -o "$TRAPB" "$ROOT/tests/bench/trapbench.c" "$ROOT/build/libocshim_core.a" -ldl || exit 1

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "n/a"}'; }
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {if (!NR) {print "n/a"; exit} i=int(NR*p/100+0.999); if (i<1) i=1; print a[i]}'; }

echo "== 1. per-exec cost (15 rounds x 200 execs, median us per exec; ratio to no preload)"
for cmd in "/bin/true" "/bin/bash -c true"; do
    echo "-- $cmd"
    "$EXECB" 15 200 - "$ROOT/build/libempty.so" "$SHIM" -- $cmd
done

echo "-- instructions per exec (valgrind callgrind: repeatable, unlike wall time on a shared VM)"
for cmd in "/bin/true" "/bin/bash -c true"; do
    counts=""
    for lib in "" "$ROOT/build/libempty.so" "$SHIM"; do
        n=$(env ${lib:+LD_PRELOAD=$lib} valgrind --tool=callgrind --callgrind-out-file=/dev/null $cmd 2>&1 \
            | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
        counts="$counts $n"
    done
    set -- $counts
    printf '%-18s none %s, empty %s, shim %s instructions: shim - empty = %s\n' "$cmd" "$1" "$2" "$3" $(($3 - $2))
done

world_up 1.18.34
echo
echo "== 2. opencode run, $PAIRS interleaved pairs (wall s, CPU s = user+sys)"
one_run() {   # one_run PRELOAD -> "wall cpu"
    local out
    out=$( { cd "$W/proj" && TIMEFORMAT='%R %U %S'; time env ${1:+LD_PRELOAD=$1} "$OC" run "RUN: echo bench :END" >/dev/null 2>&1; } 2>&1 )
    echo "$out" | awk '{printf "%.3f %.3f\n", $1, $2 + $3}'
}
: >"$W/plain"; : >"$W/shim"
for i in $(seq "$PAIRS"); do
    one_run "" >>"$W/plain"
    one_run "$SHIM" >>"$W/shim"
done
pw=$(cut -d' ' -f1 "$W/plain" | median); pc=$(cut -d' ' -f2 "$W/plain" | median)
sw=$(cut -d' ' -f1 "$W/shim" | median); sc=$(cut -d' ' -f2 "$W/shim" | median)
printf 'without shim: wall %s s, cpu %s s (medians)\n' "$pw" "$pc"
printf 'with shim:    wall %s s, cpu %s s (medians)\n' "$sw" "$sc"
printf 'ratio with/without: wall %.3f, cpu %.3f\n' "$(echo "$sw / $pw" | bc -l)" "$(echo "$sc / $pc" | bc -l)"

echo
echo "== 3. latency, $RUNS opencode runs inside tmux panes with the shim"
for i in $(seq "$RUNS"); do
    p=$(pane_run "b$i" "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 $OC run 'hello $i'")
    wait_until 120 sh -c "! tmux -S $W/tmux.sock has-session -t b$i 2>/dev/null"
done
cat "$OCSHIM_STATE_DIR"/debug-*.log >"$W/debug.all" 2>/dev/null
sed -n 's/.*trap_to_record_us=\([0-9]*\).*/\1/p' "$W/debug.all" >"$W/rec_us"
sed -n 's/.*trap_to_tmux_us=\([0-9]*\).*/\1/p' "$W/debug.all" >"$W/tmux_us"
: >"$W/create_ms"
while read -r id done_ms; do
    created=$(db "select time_created from session where id='$id'")
    [ -n "$created" ] && echo $((done_ms - created)) >>"$W/create_ms"
done < <(sed -n 's/.*tmux id=\(ses_[A-Za-z0-9]*\) trap_to_tmux_us=[0-9]* tmux_done_ms=\([0-9]*\).*/\1 \2/p' "$W/debug.all")
printf 'trapped log write -> record renamed: p50 %s us, p99 %s us (n=%s; target p50 <= 1000 us)\n' \
    "$(median <"$W/rec_us")" "$(pct 99 <"$W/rec_us")" "$(wc -l <"$W/rec_us")"
printf 'trapped log write -> tmux option set: p50 %s us, p99 %s us (n=%s; target p50 <= 20000 us)\n' \
    "$(median <"$W/tmux_us")" "$(pct 99 <"$W/tmux_us")" "$(wc -l <"$W/tmux_us")"
printf 'session created (db time_created) -> tmux option set: p50 %s ms, p99 %s ms (n=%s)\n' \
    "$(median <"$W/create_ms")" "$(pct 99 <"$W/create_ms")" "$(wc -l <"$W/create_ms")"

echo
echo "== 4. the shim's own cost inside opencode (section 3's runs, counted)"
sed -n 's/.* traps=\([0-9]*\) .*/\1/p' "$W/debug.all" >"$W/traps"
sed -n 's/.*worker_cpu_us=\([0-9]*\).*/\1/p' "$W/debug.all" >"$W/wcpu"
tb=$("$TRAPB") || tb=""
extra=$(echo "$tb" | sed -n 's/.*extra \([0-9-]*\) ns.*/\1/p')
tr=$(median <"$W/traps"); wc_us=$(median <"$W/wcpu")
echo "trapbench: $tb"
printf 'per opencode run: %s syscalls trapped (median, n=%s), worker thread CPU %s us (median)\n' "$tr" "$(wc -l <"$W/traps")" "$wc_us"
if [ -n "$extra" ] && [ "$tr" != n/a ] && [ "$wc_us" != n/a ]; then
    printf 'shim cost = %s x %s ns + %s us = %.1f ms per run: %.2f%% of the CPU time, %.2f%% of the wall time of a run without the shim (section 2; target 1%%)\n' \
        "$tr" "$extra" "$wc_us" "$(echo "($tr * $extra / 1000 + $wc_us) / 1000" | bc -l)" \
        "$(echo "($tr * $extra / 1000 + $wc_us) / ($pc * 10000)" | bc -l)" \
        "$(echo "$tr * $extra / 1000 / ($pw * 10000)" | bc -l)"
fi

echo
echo "== 5. client/server mode: $PAIRS interleaved pairs each"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_server() {   # start_server PRELOAD PORT -> pid; waits until it listens
    (cd "$W/proj" && exec env ${1:+LD_PRELOAD=$1} "$OC" serve --port "$2" >/dev/null 2>&1) &
    local pid=$!
    wait_until 90 sh -c "ss -Hltn | grep -q '127.0.0.1:$2 '" || echo "server on $2 did not start" >&2
    echo "$pid"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
attach_run() {   # attach_run PRELOAD PORT -> "wall cpu" of one `opencode run --attach`
    local out
    out=$( { cd "$W/proj" && TIMEFORMAT='%R %U %S'; time env ${1:+LD_PRELOAD=$1} "$OC" run --attach "http://127.0.0.1:$2" "RUN: echo bench :END" >/dev/null 2>&1; } 2>&1 )
    echo "$out" | awk '{printf "%.3f %.3f\n", $1, $2 + $3}'
}
pa=$(free_port); plain_srv=$(start_server "" "$pa")
pb=$(free_port); shim_srv=$(start_server "$SHIM" "$pb")
attach_run "" "$pa" >/dev/null; attach_run "" "$pb" >/dev/null   # warm both servers
: >"$W/cl_plain"; : >"$W/cl_shim"; : >"$W/sv_plain"; : >"$W/sv_shim"
for i in $(seq "$PAIRS"); do
    attach_run "" "$pa" >>"$W/cl_plain"           # the client, with and without the shim
    attach_run "$SHIM" "$pa" >>"$W/cl_shim"
    t0=$(cpu_ticks "$plain_srv"); w=$(attach_run "" "$pa" | cut -d' ' -f1)
    echo "$w $(( $(cpu_ticks "$plain_srv") - t0 ))" >>"$W/sv_plain"
    t0=$(cpu_ticks "$shim_srv"); w=$(attach_run "" "$pb" | cut -d' ' -f1)
    echo "$w $(( $(cpu_ticks "$shim_srv") - t0 ))" >>"$W/sv_shim"
done
cw=$(cut -d' ' -f1 "$W/cl_plain" | median); cc_=$(cut -d' ' -f2 "$W/cl_plain" | median)
sw=$(cut -d' ' -f1 "$W/cl_shim" | median); sc=$(cut -d' ' -f2 "$W/cl_shim" | median)
printf 'opencode run --attach without shim: wall %s s, cpu %s s; with shim: wall %s s, cpu %s s (medians)\n' "$cw" "$cc_" "$sw" "$sc"
printf 'ratio with/without (client): wall %.3f, cpu %.3f\n' "$(echo "$sw / $cw" | bc -l)" "$(echo "$sc / $cc_" | bc -l)"
hz=$(getconf CLK_TCK)
pw=$(cut -d' ' -f1 "$W/sv_plain" | median); pt=$(cut -d' ' -f2 "$W/sv_plain" | median)
sw=$(cut -d' ' -f1 "$W/sv_shim" | median); st=$(cut -d' ' -f2 "$W/sv_shim" | median)
printf 'server answering a prompt without shim: wall %s s, server cpu %s ms; with shim: wall %s s, server cpu %s ms (medians)\n' \
    "$pw" "$((pt * 1000 / hz))" "$sw" "$((st * 1000 / hz))"
printf 'ratio with/without (server): wall %.3f, server cpu %.3f\n' "$(echo "$sw / $pw" | bc -l)" \
    "$(echo "($st + 0.0001) / ($pt + 0.0001)" | bc -l)"

# A client in a tmux pane: its request naming the session -> the pane option.
for i in $(seq "$RUNS"); do
    p=$(pane_run "c$i" "$W/proj" "env LD_PRELOAD=$SHIM OCSHIM_DEBUG=1 OCSHIM_STATE_DIR=$W/state-clients $OC run --attach http://127.0.0.1:$pa 'hello $i'")
    wait_until 120 sh -c "! tmux -S $W/tmux.sock has-session -t c$i 2>/dev/null"
done
cat "$W"/state-clients/debug-*.log 2>/dev/null | sed -n 's/.*trap_to_tmux_us=\([0-9]*\).*/\1/p' >"$W/http_us"
printf 'client request naming its session -> tmux option set: p50 %s us, p99 %s us (n=%s; target <= 100000 us)\n' \
    "$(median <"$W/http_us")" "$(pct 99 <"$W/http_us")" "$(wc -l <"$W/http_us")"
cat "$W"/state-clients/debug-*.log 2>/dev/null >"$W/client.all"
ctr=$(sed -n 's/.* traps=\([0-9]*\) .*/\1/p' "$W/client.all" | median)
cwc=$(sed -n 's/.*worker_cpu_us=\([0-9]*\).*/\1/p' "$W/client.all" | median)
if [ -n "$extra" ] && [ "$ctr" != n/a ] && [ "$cwc" != n/a ]; then
    printf 'shim cost in one opencode run --attach, counted: %s x %s ns + %s us worker CPU = %.1f ms: %.2f%% of its CPU time without the shim\n' \
        "$ctr" "$extra" "$cwc" "$(echo "($ctr * $extra / 1000 + $cwc) / 1000" | bc -l)" \
        "$(echo "($ctr * $extra / 1000 + $cwc) / ($cc_ * 10000)" | bc -l)"
fi
kill "$plain_srv" "$shim_srv" 2>/dev/null; wait "$plain_srv" "$shim_srv" 2>/dev/null
PASS=1
finish >/dev/null
