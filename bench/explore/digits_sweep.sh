#!/bin/bash
# Issue 13's sweep measurement: 24 design points of the digits network on
# the iCE40 HX8K flow (yosys, nextpnr-ice40), run three times by three
# engines: make -j1, make -j2, and a one-node Slurm (tests/slurm_cluster.sh,
# sbatch --array).  Prints each engine's wall time with the load average
# around it, and checks that the three collections (bmc explore --collect
# --no-wall-time: counts, cycles, Fmax, accuracy) are byte for byte the same.
#   BMC=build/bmc BUILD=build bench/explore/digits_sweep.sh
# Output: $BUILD/digits-sweep/{j1,j2,slurm}/ (each a sweep folder with
# results.csv, results.json, pareto.svg) and $BUILD/digits-sweep/summary.txt.
# It took 1 h 43 min on two shared cores (docs/performance.md); run it on a
# quiet host.
set -u
BMC=${BMC:-build/bmc}
BMC=$(cd "$(dirname "$BMC")" && pwd)/$(basename "$BMC")
BUILD=${BUILD:-build}
PORT=${SLURM_CHECK_PORT:-16817}
repo=$(pwd)
out=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)/digits-sweep
rm -rf "$out"
mkdir -p "$out" || exit 1
summary=$out/summary.txt

axes=(--device hx8k --strategy single --cores 2,4 --fold 8,16,32 --mul comb,pipe
      --fetch direct,staged --seeds 1 --synth-timeout 900 --pnr-timeout 300
      --test "$repo/examples/networks/digits-test.csv" --labels)
for e in j1 j2 slurm; do
    "$BMC" explore "$repo/examples/networks/digits.xml" "${axes[@]}" -o "$out/$e" >/dev/null || exit 1
done
n=$(wc -l <"$out/j1/points.tsv")
{
    echo "digits sweep: $n points, $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n), $(nproc) CPUs"
    echo "bmc explore examples/networks/digits.xml ${axes[*]}"
} | sed "s|$repo/||g" >"$summary"

load() { cut -d' ' -f1-3 /proc/loadavg; }
record() { # ENGINE SECONDS LOAD-BEFORE
    printf '%-6s %5d s  (%d min %02d s)  load before %s, after %s\n' \
        "$1" "$2" $(($2 / 60)) $(($2 % 60)) "$3" "$(load)" >>"$summary"
}

for j in 1 2; do
    l=$(load); t0=$(date +%s)
    make -C "$out/j$j" -s -j$j >"$out/j$j.log" 2>&1 || { echo "digits sweep: make -j$j failed ($out/j$j.log)" >&2; exit 1; }
    record "make -j$j" $(($(date +%s) - t0)) "$l"
done

. "$repo/tests/slurm_cluster.sh"
trap slurm_cluster_stop EXIT
slurm_cluster_start "$out/cluster" "$PORT" || exit 1
l=$(load); t0=$(date +%s)
job=$(cd "$out/slurm" && sbatch --parsable sweep.sbatch) || { echo "digits sweep: sbatch failed" >&2; exit 1; }
slurm_wait_job "$job" 14400 || { echo "digits sweep: the array job did not finish in 4 hours" >&2; exit 1; }
record "slurm" $(($(date +%s) - t0)) "$l"
slurm_cluster_stop

status=0
for e in j1 j2 slurm; do
    "$BMC" explore --collect "$out/$e" >/dev/null || exit 1
    for f in results.csv results.json pareto.svg; do cp "$out/$e/$f" "$out/$e/wall-$f"; done
    "$BMC" explore --collect "$out/$e" --no-wall-time >/dev/null || exit 1
done
for e in j2 slurm; do
    for f in results.csv results.json pareto.svg; do
        if ! cmp -s "$out/j1/$f" "$out/$e/$f"; then
            echo "$e: $f differs from make -j1's" >>"$summary"
            status=1
        fi
    done
done
[ $status = 0 ] && echo "the three collections (without wall times) are byte for byte the same" >>"$summary"
grep -o '"summary": {[^}]*}' "$out/j1/results.json" >>"$summary"
cat "$summary"
exit $status
