#!/bin/bash
# make slurm-check: a bmc explore sweep through a real Slurm.
#   BMC=build/bmc BUILD=build tests/slurm_check.sh
# It starts munged, slurmctld and slurmd (Debian's munge and slurm-wlm) with
# a generated configuration in a scratch folder ($BUILD/slurm-check;
# tests/slurm_cluster.sh): one node on loopback, ports SLURM_CHECK_PORT and
# SLURM_CHECK_PORT+1 (default 16817), daemons running as the calling user.  It writes a 6-point sweep of
# examples/graph/expr.bmg (hx8k: yosys and nextpnr-ice40, one seed), runs it
# as one array job (sbatch --array), runs the same sweep under make -j2, and
# checks that the two collections (bmc explore --collect --no-wall-time) are
# byte for byte the same.  It stops the daemons it started, and only those
# (by the pid files they wrote), whatever the outcome.  It takes a few
# minutes on two cores, so it is not part of make test (docs/explore.md).
set -u
BMC=${BMC:-build/bmc}
BMC=$(cd "$(dirname "$BMC")" && pwd)/$(basename "$BMC")
BUILD=${BUILD:-build}
PORT=${SLURM_CHECK_PORT:-16817}
repo=$(pwd)

for tool in munged slurmctld slurmd sbatch squeue sinfo scontrol yosys nextpnr-ice40 flock; do
    command -v "$tool" >/dev/null || {
        echo "slurm-check: $tool not found: apt-get install slurm-wlm munge yosys nextpnr-ice40" >&2
        exit 1
    }
done

d=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)/slurm-check
. "$repo/tests/slurm_cluster.sh"
trap slurm_cluster_stop EXIT
slurm_cluster_start "$d" "$PORT" || exit 1

# with the test vectors, so that every point streams the whole test set
# through the simulated machine (and the check below sees it did)
tests_csv="$repo/tests/data/graph/expr.csv"
axes=(--strategy node,single --cores 2 --mul comb,pipe --seeds 1 --pnr-timeout 120 --test "$tests_csv")
"$BMC" explore "$repo/examples/graph/expr.bmg" "${axes[@]}" -o "$d/sweep-slurm" >/dev/null || exit 1
"$BMC" explore "$repo/examples/graph/expr.bmg" "${axes[@]}" -o "$d/sweep-make" >/dev/null || exit 1
[ "$(wc -l <"$d/sweep-slurm/points.tsv")" -ge 6 ] || { echo "slurm-check: fewer than 6 points" >&2; exit 1; }

t0=$(date +%s)
job=$(cd "$d/sweep-slurm" && sbatch --parsable sweep.sbatch) || { echo "slurm-check: sbatch failed" >&2; exit 1; }
echo "slurm-check: array job $job submitted"
# The array is done when squeue no longer lists it (limit: 20 minutes).
if ! slurm_wait_job "$job" 1200; then
    echo "slurm-check: the array job did not finish in 20 minutes" >&2
    exit 1
fi
t1=$(date +%s)
echo "slurm-check: Slurm ran the sweep in $((t1 - t0)) s"
(cd "$d/sweep-make" && make -s -j2 >/dev/null) || { echo "slurm-check: make -j2 failed" >&2; exit 1; }
t2=$(date +%s)
echo "slurm-check: make -j2 ran the sweep in $((t2 - t1)) s"

"$BMC" explore --collect "$d/sweep-slurm" --no-wall-time || exit 1
"$BMC" explore --collect "$d/sweep-make" --no-wall-time || exit 1
ok=$(grep -c ',ok,' "$d/sweep-slurm/results.csv")
n=$(($(wc -l <"$d/sweep-slurm/results.csv") - 1))
[ "$ok" = "$n" ] || { echo "slurm-check: $ok of $n points ok under Slurm (logs: $d/sweep-slurm)" >&2; exit 1; }
vectors=$(grep -cvE '^[[:space:]]*(#|$)' "$tests_csv")
tested=$(awk -F, -v v="$vectors" 'NR > 1 && $9 != v { bad++ } END { print bad + 0 }' "$d/sweep-slurm/results.csv")
[ "$tested" = 0 ] || { echo "slurm-check: $tested points did not test all $vectors vectors" >&2; exit 1; }
ls "$d/sweep-slurm/logs/" | grep -q "slurm-${job}_0.out" || { echo "slurm-check: no per-task Slurm log" >&2; exit 1; }
for f in results.csv results.json pareto.svg; do
    if ! cmp -s "$d/sweep-slurm/$f" "$d/sweep-make/$f"; then
        echo "slurm-check: FAIL: $f differs between Slurm and make -j2:" >&2
        diff "$d/sweep-slurm/$f" "$d/sweep-make/$f" >&2
        exit 1
    fi
done
echo "slurm-check: ok ($n points through a one-node Slurm array job equal to make -j2)"
