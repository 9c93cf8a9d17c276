#!/bin/sh
# Scaling benchmark (issue 9): wall, user and system time and peak memory
# of bmc check, asm, verilog, sim and compile on machines of 1k, 10k and
# 100k cores.  docs/performance.md "Scaling" records the figures.
#
#   bench/scale/run.sh [SIZES]     (default: 1000 10000 100000)
#
# Inputs come from bench/scale/gen.py: a chain of N bonded cores (asm, then
# check, verilog and sim of its XML) and a chain of 2N dataflow operations
# that compiles to about N cores.  sim runs 1000 cycles with three input
# values, so nearly every core waits on its input: it measures the cost of
# idle cores (and includes reading the machine, see the check row).
# BUILD (default build) names the build folder; work files go to a
# temporary folder that is removed at the end.
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
build="${BUILD:-build}"
make -s BUILD="$build" "$build/bmc"
bmc="$root/$build/bmc"
sizes="${*:-1000 10000 100000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/bm_scale_XXXXXX")"
trap 'rm -rf "$work"' EXIT INT TERM

# run LABEL N CMD...: one row; the command's stdout is discarded.  Any
# failure stops the benchmark, except bmc sim's exit 3 (its cycle limit,
# the expected end).
run() {
    label="$1"
    n="$2"
    shift 2
    status=0
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || status=$?
    if [ "$status" != 0 ] && ! { [ "$label" = sim ] && [ "$status" = 3 ]; }; then
        head -n 5 "$work/err" >&2
        echo "bench/scale: $label on $n cores failed (exit $status)" >&2
        exit 1
    fi
    set -- $(tail -n 1 "$work/time")
    printf '%-8s %7s %8s %8s %8s %8s\n' "$label" "$n" "$1" "$2" "$3" "$(($4 / 1024))"
}

printf '# %s, %s, %s CPUs, load %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(uname -srm)" \
    "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %7s %8s %8s %8s %8s\n' command cores wall_s user_s sys_s peak_MB
for n in $sizes; do
    /usr/bin/python3 bench/scale/gen.py chain "$n" >"$work/chain$n.s"
    /usr/bin/python3 bench/scale/gen.py graph "$n" >"$work/graph$n.bmg"
    run asm "$n" "$bmc" asm "$work/chain$n.s" -o "$work/chain$n.xml"
    run check "$n" "$bmc" check "$work/chain$n.xml"
    run verilog "$n" "$bmc" verilog "$work/chain$n.xml" -o "$work/v$n"
    run sim "$n" "$bmc" sim "$work/chain$n.xml" --in x=1,2,3 --cycles 1000 -q
    run compile "$n" "$bmc" compile "$work/graph$n.bmg" -o "$work/graph$n.xml"
    rm -rf "$work/v$n" "$work/chain$n.s" "$work/chain$n.xml" "$work/graph$n.xml"
done
