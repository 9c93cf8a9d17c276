#!/bin/bash
# Network machines on real FPGA parts: area, Fmax, latency, interval and
# vectors/s of design points (strategy, folding, multiplier variant) on the
# iCE40 HX8K and UP5K (place and route) and the 7-series (yosys cell counts).
#
#   bench/fpga/run.sh            from the repository root, after `make`
#
# Each POINT is "NETWORK|LABEL|BMC COMPILE ARGUMENTS|FAMILIES" where NETWORK
# is examples/networks/NAME.xml (or bench/networks/NAME.xml) with
# NAME-test.csv beside it, and FAMILIES a comma list of
#   hx8k  yosys synth_ice40, nextpnr-ice40 --hx8k --package ct256
#   up5k  yosys synth_ice40 -dsp, nextpnr-ice40 --up5k --package sg48
#   xc7   yosys synth_xilinx -family xc7 (counts only: no place and route)
# For each point `bmc compile --json --test --labels` measures latency and
# interval by simulating the whole test set (every output checked against
# the evaluator), `bmc verilog --pin-wrapper` writes the RTL, then each
# family's flow runs.  An iCE40 design whose LUT4, carry or flip-flop count
# alone exceeds the part's logic cells, or whose SB_RAM40_4K or SB_MAC16
# count exceeds the part's, is not placed: it does not fit.  Place and
# route uses SEEDS, each limited to TIMEOUT seconds, one at a time (the
# machine has two cores and yosys runs beside it); a design that routes
# below the 12 MHz constraint counts as routed, at its Fmax.
# Results: bench/fpga/results.json and the '## Networks on FPGAs' section of
# docs/performance.md (a table, then bench/fpga/notes.md).
#
# Environment: BMC (default build/bmc), SEEDS (default "1 2 3"), TIMEOUT
# (default 300), XC7_TIMEOUT (default 900), POINTS (newline-separated,
# default below), BMC_AREA=1 to add libbm's area estimate (`bmc area`).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib/ice40.sh

BMC=${BMC:-build/bmc}
SEEDS=${SEEDS:-"1 2 3"}
TIMEOUT=${TIMEOUT:-300}
XC7_TIMEOUT=${XC7_TIMEOUT:-900}
RESULTS=bench/fpga/results.json
DOC=docs/performance.md
DEFAULT_POINTS="iris|node comb|--strategy node|hx8k,up5k,xc7
iris|single comb|--strategy single|hx8k,up5k"
POINTS=${POINTS:-$DEFAULT_POINTS}

for tool in "$BMC" yosys nextpnr-ice40 timeout; do
    command -v "$tool" >/dev/null || { echo "bench/fpga: $tool not found (make; make deps)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# json_field NAME FILE: a number field of the compile report (top level)
json_field() {
    grep -oE "^\{.*" "$2" | grep -oE "\"$1\":[0-9.]+" | head -1 | cut -d: -f2
}

# part_limits FAMILY: "LOGIC_CELLS BRAM DSP" of the iCE40 part
part_limits() {
    case "$1" in
    hx8k) echo "7680 32 0" ;;
    up5k) echo "5280 30 8" ;;
    esac
}

# synth_ice40_family DIR FAMILY: like ice40_synth, -dsp for the UP5K
synth_ice40_family() {
    local top flags=""
    top=$(ice40_top "$1")
    [ "$2" = up5k ] && flags="-dsp"
    (cd "$1" && yosys -q -p "synth_ice40 $flags -top ${top}_pins -json pnr_$2.json; tee -q -o stat_$2.json stat -json" \
        $(cat files.f) "${top}_pins.v" >yosys_$2.log 2>&1)
}

# pnr_family DIR FAMILY SEED: "FMAX LOGIC_CELLS" or "null null"
pnr_family() {
    local dev pkg f lc
    case "$2" in
    hx8k) dev=--hx8k pkg=ct256 ;;
    up5k) dev=--up5k pkg=sg48 ;;
    esac
    if timeout "$TIMEOUT" nextpnr-ice40 "$dev" --package "$pkg" --json "$1/pnr_$2.json" \
        --pcf-allow-unconstrained --freq 12 --timing-allow-fail --seed "$3" \
        --report "$1/route_$2_$3.json" \
        -q >"$1/route_$2_$3.log" 2>&1; then
        f=$(grep -oE '"achieved": [0-9.]+' "$1/route_$2_$3.json" | head -1 | awk '{ printf "%.1f", $2 }')
        lc=$(grep -oE '"ICESTORM_LC": \{[^}]*\}' "$1/route_$2_$3.json" |
            grep -oE '"used": [0-9]+' | awk '{ print $2 }')
        echo "${f:-null} ${lc:-null}"
    else
        echo "null null"
    fi
}

# xc7_counts DIR: "LUT FF DSP BRAM18 MUXF" from synth_xilinx, or "null ..."
xc7_counts() {
    local top st
    top=$(ice40_top "$1")
    st=$1/stat_xc7.json
    if (cd "$1" && timeout "$XC7_TIMEOUT" yosys -q -p "synth_xilinx -family xc7 -top ${top}_pins; tee -q -o stat_xc7.json stat -json" \
        $(cat files.f) "${top}_pins.v" >yosys_xc7.log 2>&1); then
        local lut ff dsp r18 r36 muxf
        lut=$(ice40_count 'LUT[1-6]' "$st")
        ff=$(ice40_count 'FD[A-Z]*' "$st")
        dsp=$(ice40_count 'DSP48E1' "$st")
        r18=$(ice40_count 'RAMB18E1' "$st")
        r36=$(ice40_count 'RAMB36E1' "$st")
        muxf=$(ice40_count 'MUXF[78]' "$st")
        echo "$lut $ff $dsp $((r18 + 2 * r36)) $muxf"
    else
        echo "null null null null null"
    fi
}

net_file() {
    if [ -f "examples/networks/$1.xml" ]; then echo "examples/networks/$1"; else echo "bench/networks/$1"; fi
}

date=$(date -u +%Y-%m-%d)
host="$(uname -n), $(nproc) CPUs"
yosys_version=$(yosys -V | head -1)
nextpnr_version=$(nextpnr-ice40 --version 2>&1 | head -1)

rows=()
json_entries=()
while IFS='|' read -r net label args families; do
    [ -n "$net" ] || continue
    base=$(net_file "$net")
    name=$(echo "$net-$label" | tr ' ,' '__')
    out=$work/$name
    mkdir -p "$out"
    # shellcheck disable=SC2086
    "$BMC" compile "$base.xml" $args -o "$out/machine.xml"
    # shellcheck disable=SC2086
    "$BMC" compile "$base.xml" $args --json --test "$base-test.csv" --labels >"$out/report.json"
    "$BMC" verilog --pin-wrapper "$out/machine.xml" -o "$out/v" >/dev/null
    cores=$(json_field cores "$out/report.json")
    latency=$(json_field latency "$out/report.json")
    interval=$(json_field interval "$out/report.json")
    for fam in ${families//,/ }; do
        est=null
        if [ "${BMC_AREA:-0}" = 1 ]; then
            est=$("$BMC" area "$out/machine.xml" --device "$([ "$fam" = xc7 ] && echo xc7z020 || echo "$fam")" --json 2>/dev/null |
                grep -oE '"lut":[0-9]+' | head -1 | cut -d: -f2 || true)
            [ -n "$est" ] || est=null
        fi
        if [ "$fam" = xc7 ]; then
            read -r lut ff dsp bram muxf <<<"$(xc7_counts "$out/v")"
            carry=null fm="-" median=null fmaxes=()
            echo "$name xc7: $lut LUT, $ff FF, $dsp DSP48E1, $bram RAMB18, $muxf MUXF"
            fits=null
        else
            synth_ice40_family "$out/v" "$fam" || { echo "bench/fpga: yosys failed on $name $fam" >&2; exit 1; }
            st=$out/v/stat_$fam.json
            lut=$(ice40_count 'SB_LUT4' "$st")
            carry=$(ice40_count 'SB_CARRY' "$st")
            ff=$(ice40_count 'SB_DFF[A-Z]*' "$st")
            bram=$(ice40_count 'SB_RAM40_4K[A-Z]*' "$st")
            dsp=$(ice40_count 'SB_MAC16' "$st")
            muxf=null
            read -r lc_max bram_max dsp_max <<<"$(part_limits "$fam")"
            fits=true
            for n in "$lut" "$ff" "$carry"; do [ "$n" -le "$lc_max" ] || fits=false; done
            [ "$bram" -le "$bram_max" ] || fits=false
            [ "$dsp" -le "$dsp_max" ] || fits=false
            fmaxes=()
            if $fits; then
                for seed in $SEEDS; do
                    read -r f _ <<<"$(pnr_family "$out/v" "$fam" "$seed")"
                    fmaxes+=("$f")
                done
            fi
            read -r median fmin fmax <<<"$(ice40_fmax_stats "${fmaxes[@]:-null}")"
            routed=$(printf '%s\n' "${fmaxes[@]:-}" | grep -cvE '^(null)?$' || true)
            if [ "$fits" != true ]; then
                fm="does not fit"
            elif [ "$median" = null ]; then
                fm="did not route"
            else
                fm="$median ($fmin-$fmax)"
                [ "$routed" = "$(echo $SEEDS | wc -w)" ] || fm="$fm, $routed seeds"
            fi
            echo "$name $fam: $lut LUT4, $carry carry, $ff FF, $bram BRAM, $dsp SB_MAC16; $fm"
        fi
        if [ "$median" = null ] || [ -z "$median" ]; then
            vps=null; vps_cell=-
        else
            vps=$(awk -v f="$median" -v i="$interval" 'BEGIN { printf "%.0f", f * 1e6 / i }')
            vps_cell=$vps
        fi
        est_cell=-
        if [ "$est" != null ] && [ "$lut" != null ]; then
            est_cell="$est ($(awk -v e="$est" -v m="$lut" 'BEGIN { printf "%+.0f%%", (e - m) * 100 / m }'))"
        fi
        interval_cell=$(awk -v i="$interval" 'BEGIN { printf "%.1f", i }')
        rows+=("| $net | $label | $fam | $cores | $lut | $ff | $dsp | $bram | $est_cell | $fm | $latency | $interval_cell | $vps_cell |")
        json_entries+=("$(printf '    {"network": "%s", "point": "%s", "args": "%s", "family": "%s", "cores": %s, "lut": %s, "carry": %s, "ff": %s, "dsp": %s, "bram": %s, "muxf": %s, "fits": %s,\n     "estimate_lut": %s, "latency_cycles": %s, "interval_cycles": %s, "fmax_mhz": [%s], "fmax_median": %s, "vectors_per_s": %s}' \
            "$net" "$label" "$args" "$fam" "$cores" "$lut" "$carry" "$ff" "$dsp" "$bram" "$muxf" "$fits" \
            "$est" "$latency" "$interval" "$(IFS=,; echo "${fmaxes[*]:-}")" "${median:-null}" "$vps")")
    done
done <<<"$POINTS"

{
    echo "{"
    echo "  \"date\": \"$date\","
    echo "  \"host\": \"$host\","
    echo "  \"yosys\": \"$yosys_version\","
    echo "  \"nextpnr\": \"$nextpnr_version\","
    echo "  \"seeds\": \"$SEEDS\","
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
    echo "## Networks on FPGAs"
    echo
    echo "Measured on $date on $host with \`bench/fpga/run.sh\` ($yosys_version; $nextpnr_version)."
    echo "Each point is \`bmc compile NET.xml ARGS\`; latency and interval (cycles) come from"
    echo "\`bmc compile --json --test NET-test.csv --labels\`, which streams the whole test set"
    echo "through the simulated machine and checks every output against the evaluator.  Then"
    echo "\`bmc verilog --pin-wrapper\` and, per family: **hx8k** \`yosys synth_ice40\` and"
    echo "\`nextpnr-ice40 --hx8k --package ct256 --freq 12 --timing-allow-fail\`; **up5k** \`synth_ice40 -dsp\` and \`nextpnr-ice40"
    echo "--up5k --package sg48\`; **xc7** \`synth_xilinx -family xc7\` cell counts only (LUT1-6,"
    echo "FD*, DSP48E1, RAMB18 equivalents; no place and route exists for it here, and yosys"
    echo "counts run about 10-15% above Vivado's).  Fmax is the median over seeds $SEEDS (range in"
    echo "brackets), each limited to $TIMEOUT s; vectors/s is that median over the interval.  The"
    echo "counts include the pin wrapper (16 flip-flops per network input).  *Estimate* is"
    echo "\`bmc area\`'s LUT figure for the same machine and its error against yosys.  Raw figures:"
    echo "\`bench/fpga/results.json\`.  The machine is shared and noisy; Fmax does not depend on it."
    echo
    echo "| network | point | family | cores | LUT | FF | DSP | BRAM | estimate LUT | Fmax MHz | latency | interval | vectors/s |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    if [ -f bench/fpga/notes.md ]; then
        echo
        cat bench/fpga/notes.md
    fi
} >"$section"

doc_replace_section "$DOC" "Networks on FPGAs" "$section"
echo "bench/fpga: wrote $RESULTS and the Networks on FPGAs section of $DOC"
