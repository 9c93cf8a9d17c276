#!/bin/bash
# Verilator speed of the simulator benchmark's machines, next to the simulator's.
#
#   bench/verilator/run.sh          (from anywhere; needs verilator and a C++ compiler)
#
# 1. Builds libbm, bmc and bench_sim (make; bench/sim/run.sh), and writes the
#    simulator benchmark's machines as XML (bench_sim --write-machines), so
#    both simulators run exactly the same machines.
# 2. For each machine: `bmc verilog --harness`, then the harness tb_TOP.cpp is
#    built by Verilator on one thread with the flags in VFLAGS below.
# 3. Checks that the harness prints the same transfers as `bmc sim --raw` over the
#    first CHECK_CYCLES cycles, with the same stimulus.
# 4. Calibrates the number of cycles N of each machine so that a run takes
#    about TARGET seconds, and writes a stimulus that keeps it busy for the
#    whole run: input values v & 0x7f (v = 0, 1, ...), as bench_sim pushes
#    them, N/4 + 16 per input (every core that reads an input here runs a
#    4-instruction loop, so it takes at most one value every 4 cycles).
# 5. RUNS rounds; each round runs bench_sim (TARGET seconds per machine) once
#    and each machine's harness once for N cycles (output to /dev/null), so
#    that both see the same load.  Verilator's time of a run is its wall time
#    minus the wall time of `tb --cycles 0` with the same stimulus, run just
#    before it (start-up and reading the stimulus file: the harness reads all
#    of it before cycle 0).  Figures are medians over the rounds, with the
#    range.  The same harness with its printf calls replaced (obj-noprint)
#    runs next to it, to show what printing costs.
# 6. One more run of each machine, not timed, counts its output transfers:
#    a machine with inputs must end the run with stimulus left unread.
#
# Results go to bench/verilator/results.json and to the '## Verilator'
# section of docs/performance.md (the rest of that file is kept byte for byte;
# a new section goes right after '## Simulator').
#
# Environment: RUNS (default 5), TARGET (seconds per run, default 2),
# CHECK_CYCLES (default 20000), WORK (default build/bench/verilator).
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-5}
TARGET=${TARGET:-2}
CHECK_CYCLES=${CHECK_CYCLES:-20000}
WORK=${WORK:-build/bench/verilator}
MACHINES="ring64 acc8 pipe2"
RESULTS=bench/verilator/results.json
DOC=docs/performance.md
BMC=build/bmc
BENCH_SIM=build/bench/bench_sim
VFLAGS=(--cc --exe --build -O3 -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O2 OPT_GLOBAL=-O2" -Wno-fatal)
VFLAGS_TEXT='--cc --exe --build -O3 -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O2 OPT_GLOBAL=-O2" -Wno-fatal'

for tool in verilator make awk; do
    command -v "$tool" >/dev/null || { echo "bench/verilator: $tool not found (make deps)" >&2; exit 1; }
done

make -s
rm -rf "$WORK"
mkdir -p "$WORK/xml"
bench/sim/run.sh --write-machines "$WORK/xml"

# median and range of the numbers on standard input: "MEDIAN MIN MAX"
stats() {
    sort -g | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.6g %.6g %.6g\n", m, v[1], v[NR] }'
}
# wall time of a command, in seconds (bash's EPOCHREALTIME, no fork)
timed() {
    local t0=$EPOCHREALTIME
    "$@"
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.6f\n", b - a }' >&2
}
# seconds of one harness run: MACHINE CYCLES [BUILD]  (BUILD obj or obj-noprint)
run_tb() {
    { timed "$WORK/$1/${3:-obj}/tb" --cycles "$2" "$WORK/$1/stim.txt" >/dev/null; } 2>&1
}
# writes COUNT values v & 0x7f of every input of MACHINE, as 'INPUT VALUE' lines
write_stim() {
    local inputs
    inputs=$(sed -n 's/.*<input name="\([^"]*\)".*/\1/p' "$WORK/xml/$1.xml")
    : >"$WORK/$1/stim.txt"
    for name in $inputs; do
        awk -v n="$name" -v count="$2" 'BEGIN { for (v = 0; v < count; v++) print n, v % 128 }' \
            >>"$WORK/$1/stim.txt"
    done
    echo "$inputs" | wc -w >"$WORK/$1/n_inputs"
}

date_text=$(date)
date_iso=$(date -u +%Y-%m-%d)
verilator_version=$(verilator --version)
cxx_version=$(${CXX:-g++} --version | head -1)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
ncpu=$(nproc)
os="Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

declare -A N T0 CAL
for m in $MACHINES; do
    mkdir -p "$WORK/$m"
    "$BMC" verilog --harness "$WORK/xml/$m.xml" -o "$WORK/$m/rtl" >/dev/null
    top=$(sed -n 's/^# Written by .*; top module \([A-Za-z0-9_]*\)\.$/\1/p' "$WORK/$m/rtl/MANIFEST")
    echo "bench/verilator: building $m (top $top)" >&2
    (cd "$WORK/$m/rtl" && verilator "${VFLAGS[@]}" --top-module "$top" -f files.f "$PWD/tb_$top.cpp" \
        -o tb --Mdir ../obj >../build.log 2>&1) ||
        { echo "bench/verilator: Verilator failed on $m, see $WORK/$m/build.log" >&2; exit 1; }

    # The same harness with each output's printf replaced by an XOR into a
    # volatile variable: how much of Verilator's time is the printing.
    mkdir -p "$WORK/$m/noprint"
    noprint=$(cd "$WORK/$m/noprint" && pwd)/tb_$top.cpp
    sed -e 's|std::printf("%llu \([A-Za-z0-9_]*\) %llu\\n", cycle, (unsigned long long)top\.\1_tdata);|bench_sink = bench_sink ^ cycle ^ (unsigned long long)top.\1_tdata;|' \
        -e 's|^typedef V[A-Za-z0-9_]* TOP_CLASS;$|&\nstatic volatile unsigned long long bench_sink;|' \
        "$WORK/$m/rtl/tb_$top.cpp" >"$noprint"
    if [ "$(grep -c bench_sink "$noprint")" != $(($(grep -c '<output ' "$WORK/xml/$m.xml") + 1)) ] ||
        grep -q 'std::printf("%llu ' "$noprint"; then
        echo "bench/verilator: $m: the harness's printf lines are not as expected; update the sed in $0" >&2
        exit 1
    fi
    (cd "$WORK/$m/rtl" && verilator "${VFLAGS[@]}" --top-module "$top" -f files.f "$noprint" \
        -o tb --Mdir ../obj-noprint >../build-noprint.log 2>&1) ||
        { echo "bench/verilator: Verilator failed on $m, see $WORK/$m/build-noprint.log" >&2; exit 1; }

    # Same transfers as the simulator over the first CHECK_CYCLES cycles.
    write_stim "$m" $((CHECK_CYCLES / 4 + 16))
    awk '{ v[$1] = v[$1] (v[$1] == "" ? "" : ", ") $2 } END { for (n in v) print n " = " v[n] }' \
        "$WORK/$m/stim.txt" >"$WORK/$m/stim.sim"
    status=0
    "$BMC" sim -q --raw --cycles "$CHECK_CYCLES" --in-file "$WORK/$m/stim.sim" "$WORK/xml/$m.xml" \
        >"$WORK/$m/check.sim" || status=$?
    # 3: the cycle limit was reached, as it should be
    [ "$status" = 3 ] || { echo "bench/verilator: bmc sim exited with $status on $m" >&2; exit 1; }
    "$WORK/$m/obj/tb" --cycles "$CHECK_CYCLES" "$WORK/$m/stim.txt" >"$WORK/$m/check.tb"
    if ! cmp -s "$WORK/$m/check.sim" "$WORK/$m/check.tb"; then
        echo "bench/verilator: $m: the harness and bmc sim differ over $CHECK_CYCLES cycles" >&2
        diff "$WORK/$m/check.sim" "$WORK/$m/check.tb" | head >&2
        exit 1
    fi
    [ -s "$WORK/$m/check.tb" ] || { echo "bench/verilator: $m made no output transfer" >&2; exit 1; }

    # Calibration: cycles per second of a short run, then N for TARGET seconds.
    cal=$([ "$m" = ring64 ] && echo 200000 || echo 4000000)
    write_stim "$m" $((cal / 4 + 16))
    t0=$(for _ in 1 2 3; do run_tb "$m" 0; done | stats | cut -d' ' -f1)
    t=$(run_tb "$m" "$cal")
    N[$m]=$(awk -v c="$cal" -v t="$t" -v t0="$t0" -v s="$TARGET" 'BEGIN {
        n = c / (t - t0) * s; p = 1; while (n >= 100) { n /= 10; p *= 10 }
        printf "%d\n", int(n + 0.5) * p }')
    write_stim "$m" $((N[$m] / 4 + 16))
    echo "bench/verilator: $m: harness agrees with bmc sim; N = ${N[$m]} cycles" >&2
done

# CPU ticks from /proc/stat: "BUSY TOTAL"
cpu_ticks() {
    awk '$1 == "cpu" { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat
}

# The rounds.
read -r busy0 total0 <<<"$(cpu_ticks)"
declare -A SIM_CPS SIM_IPC VL_CPS VN_CPS T0S
for r in $(seq "$RUNS"); do
    echo "bench/verilator: round $r of $RUNS" >&2
    out=$("$BENCH_SIM" "$TARGET")
    for m in $MACHINES; do
        line=$(echo "$out" | awk -v m="$m" '$1 == m')
        [ -n "$line" ] || { echo "bench/verilator: bench_sim printed no line for $m" >&2; exit 1; }
        read -r _ _ cycles retired seconds _ <<<"$line"
        SIM_CPS[$m]+="$(awk -v c="$cycles" -v s="$seconds" 'BEGIN { printf "%.6g", c / s }') "
        SIM_IPC[$m]+="$(awk -v c="$cycles" -v i="$retired" 'BEGIN { printf "%.6g", i / c }') "
    done
    for m in $MACHINES; do
        # start-up, measured next to the runs it is taken from; the code
        # before cycle 0 is the same in both builds
        t0=$(run_tb "$m" 0)
        T0S[$m]+="$t0 "
        t=$(run_tb "$m" "${N[$m]}")
        VL_CPS[$m]+="$(awk -v n="${N[$m]}" -v t="$t" -v t0="$t0" 'BEGIN { printf "%.6g", n / (t - t0) }') "
        t=$(run_tb "$m" "${N[$m]}" obj-noprint)
        VN_CPS[$m]+="$(awk -v n="${N[$m]}" -v t="$t" -v t0="$t0" 'BEGIN { printf "%.6g", n / (t - t0) }') "
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
read -r busy1 total1 <<<"$(cpu_ticks)"
# CPUs busy on average during the rounds: 1 when the benchmark ran alone
busy_cpus=$(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) -v n="$ncpu" 'BEGIN { printf "%.2f", b / t * n }')
if awk -v b="$busy_cpus" 'BEGIN { exit !(b > 1.2) }'; then
    echo "bench/verilator: warning: $busy_cpus CPUs busy during the rounds: something else ran; rerun on a quiet host" >&2
fi

# Busy to the end: a machine with inputs has stimulus left unread.
declare -A TRANSFERS LAST
for m in $MACHINES; do
    read -r TRANSFERS[$m] LAST[$m] < <("$WORK/$m/obj/tb" --cycles "${N[$m]}" "$WORK/$m/stim.txt" |
        awk 'END { print NR, (NR ? $1 : -1) }')
    values=$((N[$m] / 4 + 16))
    if [ "$(cat "$WORK/$m/n_inputs")" -gt 0 ] && [ "${TRANSFERS[$m]}" -ge $((values - 1)) ]; then
        echo "bench/verilator: $m used up its stimulus (${TRANSFERS[$m]} transfers)" >&2
        exit 1
    fi
done
rm -f "$WORK"/*/stim.txt

# Table rows and JSON.
M() { awk -v x="$1" 'BEGIN { x /= 1e6; printf (x >= 100 ? "%.0f" : x >= 10 ? "%.1f" : "%.2f"), x }'; }
rows=()
json=()
declare -A RATIO RATIO_NP
for m in $MACHINES; do
    read -r s_med s_min s_max <<<"$(echo "${SIM_CPS[$m]}" | tr ' ' '\n' | grep . | stats)"
    read -r v_med v_min v_max <<<"$(echo "${VL_CPS[$m]}" | tr ' ' '\n' | grep . | stats)"
    read -r n_med n_min n_max <<<"$(echo "${VN_CPS[$m]}" | tr ' ' '\n' | grep . | stats)"
    ipc=$(echo "${SIM_IPC[$m]}" | tr ' ' '\n' | grep . | stats | cut -d' ' -f1)
    cores=$(grep -c '<core ' "$WORK/xml/$m.xml")
    ratio=$(awk -v a="$s_med" -v b="$v_med" 'BEGIN { printf "%.2f", a / b }')
    RATIO[$m]=$ratio
    RATIO_NP[$m]=$(awk -v a="$s_med" -v b="$n_med" 'BEGIN { printf "%.2f", a / b }')
    v_insn=$(awk -v c="$v_med" -v i="$ipc" 'BEGIN { printf "%.6g", c * i }')
    ipc_text=$(awk -v i="$ipc" 'BEGIN { printf (i == int(i) ? "%d" : "%.2f"), i }')
    rows+=("| \`$m\` | $cores | $ipc_text | $(M "$s_med") ($(M "$s_min")-$(M "$s_max")) | $(M "$v_med") ($(M "$v_min")-$(M "$v_max")) | $(M "$v_insn") | **$ratio** | $(M "$n_med") ($(M "$n_min")-$(M "$n_max")) | ${RATIO_NP[$m]} |")
    json+=("$(printf '    {"name": "%s", "cores": %s, "cycles": %s, "instructions_per_cycle": %s,\n     "simulator_cycles_per_s": [%s], "simulator_median": %s,\n     "verilator_cycles_per_s": [%s], "verilator_median": %s, "verilator_startup_s": [%s],\n     "verilator_core_instructions_per_s": %s, "ratio_simulator_over_verilator": %s,\n     "verilator_no_printing_cycles_per_s": [%s], "verilator_no_printing_median": %s, "ratio_simulator_over_verilator_no_printing": %s,\n     "output_transfers": %s, "last_transfer_cycle": %s}' \
        "$m" "$cores" "${N[$m]}" "$ipc" "$(echo ${SIM_CPS[$m]} | tr ' ' ',')" "$s_med" \
        "$(echo ${VL_CPS[$m]} | tr ' ' ',')" "$v_med" "$(echo ${T0S[$m]} | tr ' ' ',')" "$v_insn" "$ratio" \
        "$(echo ${VN_CPS[$m]} | tr ' ' ',')" "$n_med" "${RATIO_NP[$m]}" \
        "${TRANSFERS[$m]}" "${LAST[$m]}")")
    echo "$m: simulator $(M "$s_med") M cycles/s, Verilator $(M "$v_med") M cycles/s (${N[$m]} cycles), ratio $ratio; without printing $(M "$n_med") M cycles/s, ratio ${RATIO_NP[$m]}"
done

{
    echo "{"
    echo "  \"date\": \"$date_iso\","
    echo "  \"command\": \"bench/verilator/run.sh\","
    echo "  \"host\": \"$ncpu CPUs, $cpu, $os\","
    echo "  \"load_average_before\": \"$load_before\", \"load_average_after\": \"$load_after\","
    echo "  \"busy_cpus_during_rounds\": $busy_cpus,"
    echo "  \"verilator\": \"$verilator_version\","
    echo "  \"cxx\": \"$cxx_version\","
    echo "  \"verilator_flags\": \"$(echo "$VFLAGS_TEXT" | sed 's/"/\\"/g')\","
    echo "  \"runs\": $RUNS, \"target_seconds\": $TARGET,"
    echo "  \"machines\": ["
    for i in "${!json[@]}"; do
        sep=$([ "$i" -lt $((${#json[@]} - 1)) ] && echo "," || true)
        echo "${json[$i]}$sep"
    done
    echo "  ]"
    echo "}"
} >"$RESULTS"

section=$WORK/section.md
{
    echo "## Verilator"
    echo
    echo "Command: \`bench/verilator/run.sh\` (builds \`bmc\` and \`bench_sim\`, writes the"
    echo "simulator benchmark's machines with \`bench_sim --write-machines\`, then for each"
    echo "\`bmc verilog --harness\` and a Verilator build of the harness \`tb_TOP.cpp\`)."
    echo "Measured $date_text"
    echo "on a $ncpu-vCPU \"$cpu\" virtual machine, $os;"
    echo "$verilator_version;"
    echo "$cxx_version."
    echo "Load average (1, 5, 15 min) $load_before before the measurements and"
    echo "$load_after after; during the timed rounds $busy_cpus CPUs were busy on average"
    echo "(1 when the benchmark runs alone).  Raw figures: \`bench/verilator/results.json\`."
    echo
    echo "Verilator flags:"
    echo "\`$VFLAGS_TEXT\`,"
    echo "single-threaded (no \`--threads\`), no \`--trace\` (so no VCD).  The \`OPT_*\`"
    echo "variables matter: \`-CFLAGS -O2\` alone is overridden by Verilator's default"
    echo "\`OPT_FAST=-Os\`."
    echo
    echo "Each of $RUNS rounds runs \`bench_sim $TARGET\` (each machine for $TARGET s of wall"
    echo "time) and then each harness for N cycles with its output on \`/dev/null\`"
    echo "(N calibrated to about $TARGET s: ring64 ${N[ring64]}, acc8 ${N[acc8]}, pipe2 ${N[pipe2]});"
    echo "medians over the rounds, with the range.  A harness run's time is its wall"
    echo "time minus that of the same command with \`--cycles 0\` run just before it"
    echo "(start-up, and reading the stimulus file, which the harness does before"
    echo "cycle 0).  Before timing, the script checks that the harness prints the same"
    echo "transfers as \`bmc sim\` over the first $CHECK_CYCLES cycles."
    echo
    echo "| machine | cores | instructions per cycle | simulator M cycles/s | Verilator M cycles/s | Verilator M core-instructions/s | simulator / Verilator | Verilator without printing, M cycles/s | simulator / that |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Both run the same machines with the same stimulus: \`acc8\` and \`pipe2\` are fed"
    echo "values without end (bench_sim tops its queue up; the harness gets N/4 + 16"
    echo "values, more than a 4-instruction loop can take in N cycles, and still had some"
    echo "left at the end), so they never wait for input, and every output is always"
    echo "ready.  \`ring64\` has no input; its last core's output also goes to the"
    echo "external output \`tap\` (one value per lap of that core's loop), without which"
    echo "Verilator removes the whole ring as dead logic.  Instructions per cycle are"
    echo "the simulator's (retired instructions over cycles); the RTL does the same"
    echo "thing cycle for cycle, so Verilator's core-instructions/s is its cycles/s times"
    echo "that.  The harness prints one line per output transfer (one every 4 cycles for"
    echo "\`acc8\` and \`pipe2\`, one every thousand or so for \`ring64\`), inside"
    echo "Verilator's time, as recording outputs is inside the simulator's; the last two"
    echo "columns are the same harness with each output's \`printf\` replaced by an XOR"
    echo "into a volatile variable (built and run the same way, same start-up subtracted),"
    echo "which is Verilator's own speed on these machines."
    echo
    echo "What the numbers mean: the simulator does ${RATIO[ring64]} times as many cycles per"
    echo "second as Verilator on \`ring64\`, ${RATIO[acc8]} times on \`acc8\` and ${RATIO[pipe2]} on"
    echo "\`pipe2\` (${RATIO_NP[ring64]}, ${RATIO_NP[acc8]} and ${RATIO_NP[pipe2]} against the harness without"
    echo "printing).  Verilator evaluates all the logic of every core in every cycle: the"
    echo "decoded controls, every function unit the program uses (a 32 x 32"
    echo "multiplier in each \`ring64\` core) whether the current instruction needs it or"
    echo "not, the register-write and read muxes and the handshakes, with two \`eval()\`"
    echo "calls per cycle (clock low, clock high) from the harness.  The simulator does"
    echo "one predecoded instruction per core per cycle (for an ALU instruction: three"
    echo "slot loads, the one operation it names, a store) and looks at handshakes only"
    echo "for bonds with a ready sink.  Verilator's figure is what running the RTL in"
    echo "software costs (\`bmc verify\` and \`make test\` do it, built with lower"
    echo "optimisation to save build time), not the speed of the machine in hardware,"
    echo "which does one cycle per clock period (section Hardware)."
} >"$section"

# Replace the '## Verilator' section, or insert it after '## Simulator'
# (at the end when there is no later section).
awk -v section="$section" -v has_own="$(grep -c '^## Verilator[[:space:]]*$' "$DOC" || true)" '
    function emit() { while ((getline line < section) > 0) print line; printed = 1 }
    /^## Verilator[[:space:]]*$/ { emit(); skipping = 1; next }
    skipping && /^## / { skipping = 0; print "" }
    skipping { next }
    /^## / { if (after_sim && !printed && !has_own) { emit(); print "" } after_sim = 0 }
    /^## Simulator[[:space:]]*$/ { after_sim = 1 }
    { print }
    END { if (!printed) { print ""; emit() } }
' "$DOC" >"$WORK/doc.md"
cp "$WORK/doc.md" "$DOC"
echo "bench/verilator: wrote $RESULTS and the Verilator section of $DOC"
