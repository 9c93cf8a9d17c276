#!/bin/bash
# Area and Fmax of the reference machines on an iCE40 HX8K (ct256).
#
#   bench/hdl/run.sh            from the repository root, after `make`
#
# For each machine in bench/hdl/machines/, `bmc verilog --pin-wrapper`
# writes the Verilog and a wrapper that leaves three pins (clk, a serial input
# shifted into every machine input, reset included, and one flop holding the
# XOR of every machine output).  yosys synth_ice40 gives the cell counts and
# nextpnr-ice40 places and routes the wrapper with SEEDS seeds, each limited
# to TIMEOUT seconds; a seed that does not finish in time counts as failed.
# Results go to bench/hdl/results.json and to the '## Hardware' section of
# docs/performance.md (the rest of that file is kept): a table, then the
# hand-written analysis in bench/hdl/notes.md.
#
# Environment: BMC (default build/bmc), SEEDS (default "1 2 3 4 5"),
# TIMEOUT (default 120), MACHINES (default: the four reference machines).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib/ice40.sh

BMC=${BMC:-build/bmc}
SEEDS=${SEEDS:-"1 2 3 4 5"}
TIMEOUT=${TIMEOUT:-120}
MACHINES=${MACHINES:-"bench/hdl/machines/acc8_r4.xml bench/hdl/machines/acc8.xml bench/hdl/machines/mul16_r16.xml bench/hdl/machines/mul16.xml"}
RESULTS=bench/hdl/results.json
DOC=docs/performance.md

for tool in "$BMC" yosys nextpnr-ice40 timeout; do
    command -v "$tool" >/dev/null || { echo "bench/hdl: $tool not found (make; make deps)" >&2; exit 1; }
done

# The original BondMachine tools on the same flow (docs/performance.md):
# name lut4 carry ff fmax_median fmax_min fmax_max ("-" where it did not route).
bar() {
    case "$1" in
    acc8_r4 | acc8) echo "72 21 28 205 196 216" ;;
    mul16_r16 | mul16) echo "681 115 85 - - -" ;;
    *) echo "- - - - - -" ;;
    esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

date=$(date -u +%Y-%m-%d)
yosys_version=$(yosys -V | head -1)
nextpnr_version=$(nextpnr-ice40 --version 2>&1 | head -1)
rows=()
json_entries=()
for xml in $MACHINES; do
    name=$(basename "$xml" .xml)
    out=$work/$name
    "$BMC" verilog --pin-wrapper "$xml" -o "$out" >/dev/null
    registers=$(sed -n 's/.* registers="\([0-9]*\)".*/\1/p' "$xml" | head -1)
    ice40_synth "$out" || { echo "bench/hdl: yosys failed on $name" >&2; exit 1; }
    lut=$(ice40_count 'SB_LUT4' "$out/stat.json")
    carry=$(ice40_count 'SB_CARRY' "$out/stat.json")
    ff=$(ice40_count 'SB_DFF[A-Z]*' "$out/stat.json")
    bram=$(ice40_count 'SB_RAM40_4K[A-Z]*' "$out/stat.json")
    fmaxes=()
    lc=null
    for seed in $SEEDS; do
        read -r f l <<<"$(ice40_pnr "$out" "$seed" "$TIMEOUT")"
        fmaxes+=("$f")
        [ "$lc" != null ] || lc=$l
    done
    routed=$(printf '%s\n' "${fmaxes[@]}" | grep -vc null || true)
    read -r median fmin fmax <<<"$(ice40_fmax_stats "${fmaxes[@]}")"
    read -r b_lut b_carry b_ff b_med b_min b_max <<<"$(bar "$name")"
    nseeds=$(echo $SEEDS | wc -w)
    json_entries+=("$(printf '    {"name": "%s", "machine": "%s", "registers": %s, "lut4": %s, "carry": %s, "ff": %s, "bram": %s, "logic_cells": %s,\n     "seeds": [%s], "fmax_mhz": [%s], "routed": %s, "fmax_median": %s, "fmax_min": %s, "fmax_max": %s}' \
        "$name" "$xml" "$registers" "$lut" "$carry" "$ff" "$bram" "$lc" "$(echo $SEEDS | tr ' ' ',')" \
        "$(IFS=,; echo "${fmaxes[*]}")" "$routed" "$median" "$fmin" "$fmax")")
    if [ "$median" = null ]; then fm="did not route"; else fm="$median ($fmin-$fmax)"; fi
    if [ "$b_med" = - ]; then bfm="did not route"; else bfm="$b_med ($b_min-$b_max)"; fi
    lut_pct=$([ "$b_lut" = - ] && echo "" || awk -v a="$lut" -v b="$b_lut" 'BEGIN { printf " (%d%%)", 100 * a / b }')
    rows+=("| $name | $registers | $lut$lut_pct / $b_lut | $carry / $b_carry | $ff / $b_ff | $bram | $lc | $fm / $bfm | $routed of $nseeds |")
    echo "$name: $lut LUT4, $carry carry, $ff FF, $bram BRAM, $lc logic cells; Fmax $fm MHz; $routed of $nseeds seeds routed"
done

{
    echo "{"
    echo "  \"date\": \"$date\","
    echo "  \"flow\": \"bmc verilog --pin-wrapper; yosys synth_ice40; nextpnr-ice40 --hx8k --package ct256 --freq 12, seeds $SEEDS, $TIMEOUT s limit per seed\","
    echo "  \"yosys\": \"$yosys_version\","
    echo "  \"nextpnr\": \"$nextpnr_version\","
    echo "  \"bondmachine\": {\"acc8_r4\": {\"lut4\": 72, \"carry\": 21, \"ff\": 28, \"fmax_median\": 205, \"fmax_min\": 196, \"fmax_max\": 216},"
    echo "                  \"mul16_r16\": {\"lut4\": 681, \"carry\": 115, \"ff\": 85, \"fmax_median\": null, \"note\": \"did not route on 10 seeds within 60 s\"}},"
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
    echo "## Hardware"
    echo
    echo "Measured on $date with \`bench/hdl/run.sh\` ($yosys_version; $nextpnr_version):"
    echo "\`bmc verilog --pin-wrapper\`, then \`yosys synth_ice40\` and \`nextpnr-ice40 --hx8k"
    echo "--package ct256 --freq 12\` with seeds $SEEDS, each limited to $TIMEOUT s (a seed that does"
    echo "not finish counts as not routed).  The wrapper leaves three pins: every machine input,"
    echo "reset included, comes from a shift register fed by one pin, and every output bit is"
    echo "XOR-reduced into one flop; its flip-flops are in the FF column.  Raw figures:"
    echo "\`bench/hdl/results.json\`."
    echo
    echo "Where a cell reads *a / b*, a is libbm and b the original BondMachine tools (the bar,"
    echo "measured on the same flow); the percentage is libbm's share of the bar.  Logic cells"
    echo "(a LUT4 with its flip-flop and carry) are nextpnr's count.  Fmax is the median over"
    echo "the routed seeds, with the range."
    echo
    echo "| machine | registers | LUT4 | carry | FF | BRAM | logic cells | Fmax MHz | routed |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    if [ -f bench/hdl/notes.md ]; then
        echo
        cat bench/hdl/notes.md
    fi
} >"$section"

# Replace the '## Hardware' section of the document, or append it.
doc_replace_section "$DOC" "Hardware" "$section"
echo "bench/hdl: wrote $RESULTS and the Hardware section of $DOC"
