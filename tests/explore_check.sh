#!/bin/bash
# bmc explore, run by `make test`: the sweep folder (Makefile and Slurm
# script, checked by a dry run), a sweep run by make -j2 with a failing
# point, a killed run resumed, collection of partial results, determinism,
# odd paths, and clear errors for bad axes and devices.
#   BMC=build/bmc tests/explore_check.sh
# bmc compile, bmc verilog and bmc eval are real; yosys and nextpnr-ice40
# are the stubs in tests/data/explore (through YOSYS and NEXTPNR_ICE40, the
# variables the jobs honour), so that the check takes seconds: the real
# tools run in `make slurm-check` and in docs/performance.md's sweeps.
set -u
BMC=${BMC:-build/bmc}
BMC=$(cd "$(dirname "$BMC")" && pwd)/$(basename "$BMC")
repo=$(pwd)
export YOSYS=$repo/tests/data/explore/yosys-stub
export NEXTPNR_ICE40=$repo/tests/data/explore/nextpnr-stub
unset STUB_FAIL STUB_SLEEP STUB_CALLS
net=$repo/examples/networks/iris.xml
tests=$repo/examples/networks/iris-test.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "explore_check: FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { :; }

# expect_usage DESCRIPTION WORDS... : exit 2, a message naming the value
expect_error() {
    local want=$1 pattern=$2
    shift 2
    "$BMC" explore "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    [ "$rc" = "$want" ] || fail "bmc explore $*: exit $rc, expected $want"
    grep -q -- "$pattern" "$work/err" || fail "bmc explore $*: no '$pattern' in: $(cat "$work/err")"
}

cd "$work" || exit 1

# --- errors -----------------------------------------------------------------
expect_error 2 "unknown device 'zz9'" "$net" -o bad --device hx8k,zz9
expect_error 2 "unknown multiplier 'fast'" "$net" -o bad --mul comb,fast
expect_error 2 "bad value '0' in --fold" "$net" -o bad --fold 2,0
expect_error 2 "bad value '4/x' in --fold" "$net" -o bad --fold 4/x
expect_error 2 "unknown strategy 'greedy'" "$net" -o bad --strategy node,greedy
expect_error 2 "bad value 'many' in --cores" "$net" -o bad --cores many
expect_error 2 "unknown fetch 'slow'" "$net" -o bad --fetch slow
expect_error 2 "unknown value 'yes' in --chain (off, on or broadcast)" "$net" -o bad --chain off,yes
expect_error 2 "'on' given twice in --chain" "$net" -o bad --chain on,on
expect_error 2 "bad value '0' in --split" "$net" -o bad --fold 2 --split 2,0
expect_error 2 "bad value '65' in --split" "$net" -o bad --fold 2 --split 65
expect_error 2 "--split goes with --fold mappings only, not '--strategy node'" "$net" -o bad --fold 2 --strategy node --split 2
expect_error 2 "--split goes with --fold" "$net" -o bad --split 2
expect_error 2 "bad --type 'float'" "$net" -o bad --type float
expect_error 2 "empty value in --seeds" "$net" -o bad --seeds 1,,2
expect_error 2 "-o DIR is required" "$net"
expect_error 2 "go with --collect" "$net" -o bad --clock 100
expect_error 1 "cannot read" "$work/nothing.xml" -o bad
[ -e bad ] && fail "a refused sweep left its folder"

# --- the folder, and a dry run of make and of the Slurm script ----------------
axes=(--strategy node,single --fold 2 --mul comb,pipe --seeds 1,2)
"$BMC" explore "$net" --test "$tests" --labels "${axes[@]}" -o s1 >/dev/null || fail "explore s1"
"$BMC" explore "$net" --test "$tests" --labels "${axes[@]}" -o s2 >/dev/null || fail "explore s2"
diff -r s1 s2 >/dev/null || fail "two sweeps with the same arguments differ"
expect_error 1 "exists; a sweep folder is written once" "$net" -o s1
[ "$(wc -l <s1/points.tsv)" = 6 ] || fail "6 points expected in points.tsv"
grep -q '^p005	hx8k	--fold 2 --mul pipe$' s1/points.tsv || fail "points.tsv: $(cat s1/points.tsv)"
dry=$(make -n -C s1 2>&1)
for p in p000 p001 p002 p003 p004 p005; do
    grep -q "bash points/$p/job.sh" <<<"$dry" || fail "make -n does not run $p"
done
grep -q '^#SBATCH --array=0-5$' s1/sweep.sbatch || fail "sweep.sbatch: no --array=0-5"
grep -q '^#SBATCH --time=[0-9]' s1/sweep.sbatch || fail "sweep.sbatch: no per-task --time"
grep -q '^#SBATCH --output=logs/slurm-%A_%a.out$' s1/sweep.sbatch || fail "sweep.sbatch: no per-task log"
for f in s1/sweep.sbatch s1/flow.sh s1/collect.sh s1/points/*/job.sh; do
    bash -n "$f" || fail "$f: not valid bash"
done
grep -q "^args=('--fold' '2' '--mul' 'pipe')$" s1/points/p005/job.sh || fail "p005 job.sh args"
# the chain axis: after the mapping, before the multiplier
"$BMC" explore "$net" --fold 2/1 --chain off,on,broadcast --mul comb,pipe -o sc >/dev/null || fail "explore sc"
[ "$(cut -f3 sc/points.tsv | tr '\n' ';')" = "--fold 2,1 --mul comb;--fold 2,1 --mul pipe;--fold 2,1 --chain --mul comb;--fold 2,1 --chain --mul pipe;--fold 2,1 --broadcast --mul comb;--fold 2,1 --broadcast --mul pipe;" ] ||
    fail "chain axis: $(cat sc/points.tsv)"
# the split axis: right after the fold, before the chain
"$BMC" explore "$net" --fold 2/1,1 --split 2/1,2 --chain broadcast -o ss >/dev/null || fail "explore ss"
[ "$(cut -f3 ss/points.tsv | tr '\n' ';')" = "--fold 2,1 --split 2,1 --broadcast;--fold 2,1 --split 2 --broadcast;--fold 1 --split 2,1 --broadcast;--fold 1 --split 2 --broadcast;" ] ||
    fail "split axis: $(cat ss/points.tsv)"

# --- make -j2 with one failing point --------------------------------------------
export STUB_CALLS=$work/calls
STUB_FAIL=p001 make -s -C s1 -j2 >"$work/make1.out" 2>&1 || fail "make stopped at the failing point: $(cat "$work/make1.out")"
for p in p000 p002 p003 p004 p005; do
    [ -e "s1/points/$p/ok" ] || fail "$p did not finish: $(cat "s1/points/$p/log")"
    grep -q '"status": "ok"' "s1/points/$p/result.json" || fail "$p: status not ok"
done
[ -e s1/points/p001/ok ] && fail "the failing point is marked done"
grep -q '"status": "failed"' s1/points/p001/result.json || fail "p001: not recorded as failed"
grep -q '"failed_step": "synth"' s1/points/p001/result.json || fail "p001: failed step not synth"
grep -q 'failing p001 on purpose' s1/points/p001/log || fail "p001: its log lacks the tool's message"
r=s1/points/p002/result.json
grep -q '"accuracy": 0.9600' $r || fail "p002: accuracy (48/50 expected): $(grep accuracy $r)"
grep -q '"vectors_tested": 50' $r || fail "p002: vectors_tested"
grep -q '"fmax_mhz": \[41.2, 42.2\]' $r || fail "p002: Fmax per seed: $(grep fmax $r)"
grep -q '"fmax_median_mhz": 41.7' $r || fail "p002: median Fmax: $(grep median $r)"
grep -q '"yosys": "Yosys stub 1.0' $r || fail "p002: yosys version"
grep -q '"compile": {"machine":"iris","cores":1,' $r || fail "p002: the compile report"

# --- collection of partial results ----------------------------------------------
"$BMC" explore --collect s1 >"$work/collect.out" || fail "collect s1"
grep -q '6 points: 5 ok, 1 failed, 0 timed out, 0 killed, 0 missing' "$work/collect.out" ||
    fail "collect summary: $(cat "$work/collect.out")"
[ "$(wc -l <s1/results.csv)" = 7 ] || fail "results.csv: a header and 6 rows expected"
grep -q '^p001,hx8k,--strategy node --mul pipe,failed,synth,' s1/results.csv || fail "results.csv: p001 row"
grep -q '"summary": {"points": 6, "ok": 5, "failed": 1' s1/results.json || fail "results.json summary"
xmllint --noout s1/pareto.svg || fail "pareto.svg is not well-formed"
grep -q 'on the Pareto front' s1/pareto.svg || fail "pareto.svg: no Pareto front"

# --- a rerun redoes only the failed point ---------------------------------------
: >"$STUB_CALLS"
make -s -C s1 -j2 >/dev/null 2>&1 || fail "make rerun"
[ "$(cat "$STUB_CALLS")" = p001 ] || fail "the rerun synthesised '$(tr '\n' ' ' <"$STUB_CALLS")', not only p001"
[ -e s1/points/p001/ok ] || fail "p001 not done after the rerun"

# --- a killed sweep resumes -----------------------------------------------------
"$BMC" explore "$net" --test "$tests" --labels "${axes[@]}" -o s3 >/dev/null || fail "explore s3"
: >"$STUB_CALLS"
STUB_SLEEP=p003 setsid make -s -C s3 -j1 >/dev/null 2>&1 &
mpid=$!
for _ in $(seq 1 300); do
    grep -q '^p003$' "$STUB_CALLS" 2>/dev/null && break
    sleep 0.1
done
grep -q '^p003$' "$STUB_CALLS" || fail "p003 never started"
kill -TERM -- -"$mpid" 2>/dev/null
wait "$mpid" 2>/dev/null
for p in p000 p001 p002; do [ -e "s3/points/$p/ok" ] || fail "$p should have finished before the kill"; done
[ -e s3/points/p003/ok ] && fail "the killed point is marked done"
grep -q '"status": "killed"' s3/points/p003/result.json || fail "p003: not recorded as killed"
[ -e s3/points/p004/result.json ] && fail "p004 ran after the kill"
"$BMC" explore --collect s3 >"$work/collect3.out" || fail "collect s3"
grep -q '6 points: 3 ok, 0 failed, 0 timed out, 1 killed, 2 missing' "$work/collect3.out" ||
    fail "partial collect: $(cat "$work/collect3.out")"
grep -q '^p004,hx8k,--fold 2 --mul comb,missing,' s3/results.csv || fail "results.csv: p004 missing"
: >"$STUB_CALLS"
make -s -C s3 -j2 >/dev/null 2>&1 || fail "make resume"
[ "$(sort "$STUB_CALLS" | tr '\n' ' ')" = "p003 p004 p005 " ] ||
    fail "the resumed sweep ran '$(sort "$STUB_CALLS" | tr '\n' ' ')', not p003 p004 p005"

# --- determinism: the same sweep run twice collects to the same bytes ----------
make -s -C s2 -j2 >/dev/null 2>&1 || fail "make s2"
"$BMC" explore --collect s1 --no-wall-time >/dev/null && "$BMC" explore --collect s2 --no-wall-time >/dev/null ||
    fail "collect --no-wall-time"
for f in results.csv results.json pareto.svg; do
    cmp -s "s1/$f" "s2/$f" || fail "$f differs between two runs of one sweep"
done
grep -q wall_s s1/results.csv && fail "--no-wall-time left wall_s in"

# --- a second process on a running point is refused ------------------------------
(flock -n 9 && bash s2/points/p000/job.sh >"$work/busy.out" 2>&1; echo $? >"$work/busy.rc") 9>s2/points/p000/lock
[ "$(cat "$work/busy.rc")" = 75 ] || fail "a second run of a locked point: exit $(cat "$work/busy.rc"), expected 75"
grep -q 'is being run by another process' "$work/busy.out" || fail "no message for a locked point"

# --- the Slurm script's task logic, run as one array task would be -----------------
rm -f s2/points/p002/ok s2/points/p002/result.json
(cd / && SLURM_SUBMIT_DIR=$work/s2 SLURM_ARRAY_TASK_ID=2 bash "$work/s2/sweep.sbatch" >"$work/task.out" 2>&1) ||
    fail "sweep.sbatch as task 2"
[ -e s2/points/p002/ok ] || fail "sweep.sbatch task 2 did not run p002: $(cat "$work/task.out")"
(SLURM_SUBMIT_DIR=$work/s2 SLURM_ARRAY_TASK_ID=2 bash s2/sweep.sbatch >"$work/task.out" 2>&1)
grep -q 'p002: done earlier' "$work/task.out" || fail "sweep.sbatch reran a finished point"

# --- odd paths reach no shell -------------------------------------------------------
odd="$work/o'dd \$(touch PWNED) dir"
mkdir -p "$odd"
cp "$net" "$odd/ir\"is \`touch PWNED\`.xml"
ln -s "$BMC" "$odd/b'mc"
"$BMC" explore "$odd/ir\"is \`touch PWNED\`.xml" --bmc "$odd/b'mc" -o "$odd/sw \$(touch PWNED)" >/dev/null ||
    fail "explore with odd paths"
make -s -C "$odd/sw \$(touch PWNED)" >/dev/null 2>&1 || fail "make with odd paths"
grep -q '"status": "ok"' "$odd/sw \$(touch PWNED)/points/p000/result.json" ||
    fail "the odd-path point did not succeed: $(cat "$odd/sw \$(touch PWNED)/points/p000/log")"
grep -q "^name='ir_is__touch_PWNED_'$" "$odd/sw \$(touch PWNED)/sweep.conf" || fail "machine name from an odd file name"
find "$work" / -maxdepth 1 -name PWNED 2>/dev/null | grep -q . && fail "a path was run as a command"
[ -e "$odd/PWNED" ] && fail "a path was run as a command"

# --- reference points and a bad reference file -----------------------------------------
printf '# label,LUT,vectors/s\nhls4ml II 1,109753,2e8\n' >"$work/ref.csv"
"$BMC" explore --collect s1 --reference "$work/ref.csv" >/dev/null || fail "collect --reference"
grep -q 'hls4ml II 1' s1/pareto.svg || fail "the reference point is not on the chart"
printf 'x,12\n' >"$work/bad.csv"
"$BMC" explore --collect s1 --reference "$work/bad.csv" >/dev/null 2>"$work/err"
grep -q "bad.csv:1:1: error:" "$work/err" || fail "a bad reference file: $(cat "$work/err")"
"$BMC" explore --collect "$work/nowhere" >/dev/null 2>"$work/err" && fail "collect of no sweep succeeded"
grep -q "not a bmc explore sweep folder" "$work/err" || fail "collect of no sweep: $(cat "$work/err")"

if [ "$fails" -gt 0 ]; then
    echo "explore_check: $fails failure(s)" >&2
    exit 1
fi
echo "explore_check: ok (sweep folder, dry run, failing, killed and resumed points, partial collection, determinism, odd paths, errors)"
