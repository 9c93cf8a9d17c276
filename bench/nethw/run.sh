#!/bin/bash
# What the compiled example networks cost on an iCE40 HX8K (ct256).
#
#   bench/nethw/run.sh          from the repository root, after `make`
#
# For each network in NETWORKS and each strategy in STRATEGIES, `bmc compile`
# builds the machine and measures its latency and interval (in cycles, by
# simulation over the network's test set, as `bmc compile --json --test
# --labels` does), then the flow of bench/hdl/run.sh (the functions in
# bench/lib/ice40.sh): `bmc verilog --pin-wrapper`, yosys synth_ice40 and,
# when the design can fit the HX8K, nextpnr-ice40 with SEEDS seeds, each
# limited to TIMEOUT seconds, JOBS of them at a time.  A design whose LUT4,
# flip-flop or carry count alone exceeds the 7680 logic cells (or whose
# SB_RAM40_4K count exceeds 32) is not placed: it does not fit.
# Results go to bench/nethw/results.json and to the '## Networks in hardware'
# section of docs/performance.md (the rest of that file is kept): a table,
# then the hand-written analysis in bench/nethw/notes.md.
#
# Environment: BMC (default build/bmc), SEEDS (default "1 2 3"), TIMEOUT
# (default 300), JOBS (default 2), NETWORKS (default "iris digits", taken from
# examples/networks/NAME.xml with NAME-test.csv), STRATEGIES (default
# "node single cores4"; coresN means --cores N).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib/ice40.sh

BMC=${BMC:-build/bmc}
SEEDS=${SEEDS:-"1 2 3"}
TIMEOUT=${TIMEOUT:-300}
JOBS=${JOBS:-2}
NETWORKS=${NETWORKS:-"iris digits"}
STRATEGIES=${STRATEGIES:-"node single cores4"}
RESULTS=bench/nethw/results.json
DOC=docs/performance.md
HX8K_LC=7680
HX8K_BRAM=32

for tool in "$BMC" yosys nextpnr-ice40 timeout xargs; do
    command -v "$tool" >/dev/null || { echo "bench/nethw: $tool not found (make; make deps)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# json_field NAME FILE: a number field of the compile report (top level)
json_field() {
    grep -oE "^\{.*" "$2" | grep -oE "\"$1\":[0-9.]+" | head -1 | cut -d: -f2
}

date=$(date -u +%Y-%m-%d)
yosys_version=$(yosys -V | head -1)
nextpnr_version=$(nextpnr-ice40 --version 2>&1 | head -1)

# Compile and synthesise everything; collect the place-and-route jobs.
designs=()
: >"$work/pnr_jobs"
for net in $NETWORKS; do
    for strat in $STRATEGIES; do
        case "$strat" in
        cores*) args="--cores ${strat#cores}" ;;
        *) args="--strategy $strat" ;;
        esac
        name=$net-$strat
        out=$work/$name
        mkdir -p "$out"
        # shellcheck disable=SC2086
        "$BMC" compile "examples/networks/$net.xml" $args -o "$out/machine.xml"
        # shellcheck disable=SC2086
        "$BMC" compile "examples/networks/$net.xml" $args --json \
            --test "examples/networks/$net-test.csv" --labels >"$out/report.json"
        "$BMC" verilog --pin-wrapper "$out/machine.xml" -o "$out/v" >/dev/null
        ice40_synth "$out/v" || { echo "bench/nethw: yosys failed on $name" >&2; exit 1; }
        st=$out/v/stat.json
        lut=$(ice40_count 'SB_LUT4' "$st")
        carry=$(ice40_count 'SB_CARRY' "$st")
        ff=$(ice40_count 'SB_DFF[A-Z]*' "$st")
        bram=$(ice40_count 'SB_RAM40_4K[A-Z]*' "$st")
        mac=$(ice40_count 'SB_MAC16' "$st")
        fits=true
        for n in "$lut" "$ff" "$carry"; do [ "$n" -le "$HX8K_LC" ] || fits=false; done
        [ "$bram" -le "$HX8K_BRAM" ] || fits=false
        echo "$name $(json_field cores "$out/report.json") $lut $carry $ff $bram $mac $fits" >"$out/synth"
        echo "$name: $lut LUT4, $carry carry, $ff FF, $bram BRAM, $mac SB_MAC16; fits: $fits"
        if $fits; then
            for seed in $SEEDS; do echo "$out/v $seed" >>"$work/pnr_jobs"; done
        fi
        designs+=("$name")
    done
done

# Place and route, JOBS runs at a time (each still limited to TIMEOUT s).
export -f ice40_pnr
export TIMEOUT
# shellcheck disable=SC2016
xargs -r -P "$JOBS" -L 1 bash -c 'ice40_pnr "$0" "$1" "$TIMEOUT" >"$0/fmax_$1"' <"$work/pnr_jobs"

rows=()
json_entries=()
nseeds=$(echo $SEEDS | wc -w)
for name in "${designs[@]}"; do
    out=$work/$name
    read -r _ cores lut carry ff bram mac fits <"$out/synth"
    net=${name%%-*}
    strat=${name#*-}
    latency=$(json_field latency "$out/report.json")
    interval=$(json_field interval "$out/report.json")
    vectors=$(json_field vectors "$out/report.json")
    fmaxes=()
    lc=null
    if [ "$fits" = true ]; then
        for seed in $SEEDS; do
            read -r f l <"$out/v/fmax_$seed"
            fmaxes+=("$f")
            [ "$lc" != null ] || lc=$l
        done
    fi
    routed=$(printf '%s\n' "${fmaxes[@]}" | grep -vc '^null$' | grep . || true)
    [ "${#fmaxes[@]}" -gt 0 ] || routed=0
    read -r median fmin fmax <<<"$(ice40_fmax_stats "${fmaxes[@]}")"
    if [ "$median" = null ]; then
        vps=null
        lat_us=null
    else
        vps=$(awk -v f="$median" -v i="$interval" 'BEGIN { printf "%.0f", f * 1e6 / i }')
        lat_us=$(awk -v f="$median" -v l="$latency" 'BEGIN { printf "%.2f", l / f }')
    fi
    json_entries+=("$(printf '    {"network": "%s", "strategy": "%s", "cores": %s, "lut4": %s, "carry": %s, "ff": %s, "bram": %s, "mac16": %s, "fits_hx8k": %s, "logic_cells": %s,\n     "latency_cycles": %s, "interval_cycles": %s, "interval_vectors": %s, "seeds": [%s], "fmax_mhz": [%s], "routed": %s,\n     "fmax_median": %s, "fmax_min": %s, "fmax_max": %s, "vectors_per_s": %s, "latency_us": %s}' \
        "$net" "$strat" "$cores" "$lut" "$carry" "$ff" "$bram" "$mac" "$fits" "$lc" \
        "$latency" "$interval" "$vectors" "$([ "$fits" = true ] && echo $SEEDS | tr ' ' ',' || true)" \
        "$(IFS=,; echo "${fmaxes[*]:-}")" "$routed" "$median" "$fmin" "$fmax" "$vps" "$lat_us")")
    if [ "$fits" != true ]; then
        fm="does not fit"
    elif [ "$median" = null ]; then
        fm="did not route (0 of $nseeds)"
    else
        fm="$median ($fmin-$fmax)"
        [ "$routed" = "$nseeds" ] || fm="$fm, $routed of $nseeds seeds"
    fi
    [ "$vps" = null ] && vps_cell=- || vps_cell=$vps
    interval_cell=$(awk -v i="$interval" 'BEGIN { printf "%.1f", i }')
    [ "$lat_us" = null ] && lat_cell=- || lat_cell=$lat_us
    rows+=("| $net | $strat | $cores | $lut | $carry | $ff | $bram | $fm | $latency | $interval_cell | $vps_cell | $lat_cell |")
    echo "$name: Fmax (MHz) $fm; latency $latency, interval $interval cycles; $vps_cell vectors/s; $lat_cell us"
done

{
    echo "{"
    echo "  \"date\": \"$date\","
    echo "  \"flow\": \"bmc compile; bmc verilog --pin-wrapper; yosys synth_ice40; nextpnr-ice40 --hx8k --package ct256 --freq 12, seeds $SEEDS, $TIMEOUT s limit per seed, $JOBS at a time\","
    echo "  \"yosys\": \"$yosys_version\","
    echo "  \"nextpnr\": \"$nextpnr_version\","
    echo "  \"results\": ["
    for i in "${!json_entries[@]}"; do
        sep=$([ "$i" -lt $((${#json_entries[@]} - 1)) ] && echo "," || true)
        echo "${json_entries[$i]}$sep"
    done
    echo "  ]"
    echo "}"
} >"$RESULTS"

section=$work/section.md
{
    echo "## Networks in hardware"
    echo
    echo "Measured on $date with \`bench/nethw/run.sh\` ($yosys_version; $nextpnr_version):"
    echo "each example network compiled with \`bmc compile NET.xml --strategy S\` (\`--cores 4\` for"
    echo "cores4), then the flow of [Hardware](#hardware): \`bmc verilog --pin-wrapper\`, \`yosys"
    echo "synth_ice40\` and, when the design can fit the HX8K (7680 logic cells, 32 SB_RAM40_4K),"
    echo "\`nextpnr-ice40 --hx8k --package ct256 --freq 12\` with seeds $SEEDS, each limited to"
    echo "$TIMEOUT s, $JOBS at a time (fewer seeds and a longer limit than [Hardware](#hardware):"
    echo "these designs are big).  A design whose LUT4, carry or flip-flop count alone exceeds"
    echo "7680 is not placed: *does not fit*.  A seed that does not finish in time counts as not"
    echo "routed.  Latency and interval are in cycles, from \`bmc compile --json --test"
    echo "NET-test.csv --labels\` (the interval is the mean over the test set, rounded here); vectors/s is the"
    echo "median Fmax over the interval and latency in us the latency over the median Fmax."
    echo "The counts include the pin wrapper (its input shift register holds 16 flip-flops per"
    echo "network input and one per handshake bit).  No SB_MAC16 is used: the HX8K has none.  Raw figures:"
    echo "\`bench/nethw/results.json\`."
    echo
    echo "| network | strategy | cores | LUT4 | carry | FF | BRAM | Fmax MHz median (range) | latency cycles | interval cycles | vectors/s | latency us |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    if [ -f bench/nethw/notes.md ]; then
        echo
        cat bench/nethw/notes.md
    fi
} >"$section"

doc_replace_section "$DOC" "Networks in hardware" "$section"
echo "bench/nethw: wrote $RESULTS and the Networks in hardware section of $DOC"
