#!/bin/bash
# How close libbm's area estimate (bmc area, libbm/compile/area.c) comes to
# yosys, on every benchmark point and for each device family.
#
#   bench/area/run.sh          from the repository root, after `make`
#
# Points (POINTS, default all of them, in this order):
#   ex-NAME        examples/NAME.xml
#   hdl-NAME       bench/hdl/machines/NAME.xml
#   rand-N         bmc random --seed N
#   NET-STRAT[-MUL] examples/networks/NET.xml compiled with --strategy node
#                  or single, --cores N for coresN, --fold K,K1.. for
#                  fK.K1.. (dots for commas), and --mul MUL when given
#   mlp-STRAT      the 16-64-32-32-5 network with the seeded random weights
#                  of bench/compile/bench_compile.c (same generator)
#   jet-STRAT[-MUL] bench/networks/jet.xml (16-64-32-32-5, other weights)
# Each point goes through `bmc verilog` (the machine's own top module, no
# pin wrapper), then, ONE RUN AT A TIME, three yosys flows:
#   ice40     synth_ice40             (the hx8k estimate)
#   ice40dsp  synth_ice40 -dsp        (the up5k estimate)
#   xc7       synth_xilinx -family xc7 (the xc7z020 estimate)
# each limited to TIMEOUT seconds (XC7_TIMEOUT for xc7); a run that does not
# finish is recorded as such.  Counts are cached in CACHE by a hash of the
# Verilog and the flow, so a rerun after a change of the estimator only
# runs yosys on what changed.  SKIP lists points or point-flow pairs
# (e.g. "digits-node:xc7") left out, with a note.
# Results go to bench/area/results.json and to the '## Area estimate'
# section of docs/performance.md.  SYNTH_ONLY=1 stops after the syntheses;
# CACHED_ONLY=1 runs no yosys and reports what the cache holds (the rest as
# not synthesised).
#
# Environment: BMC (default build/bmc), CACHE (default build/area-cache),
# TIMEOUT (default 900), XC7_TIMEOUT (default 1200), POINTS, SKIP.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib/ice40.sh

BMC=${BMC:-build/bmc}
CACHE=${CACHE:-build/area-cache}
TIMEOUT=${TIMEOUT:-900}
XC7_TIMEOUT=${XC7_TIMEOUT:-1200}
DEFAULT_POINTS="ex-acc8 ex-fanout ex-lookup ex-pipeline ex-posted_pipeline ex-ram_table ex-widths
hdl-mul16 hdl-mul16_r16 rand-1 rand-3 rand-5 rand-7 iris-single iris-cores4 iris-node
digits-single digits-cores4 mlp-single digits-node mlp-cores8
iris-f2.1-pipe iris-f4-pipe iris-f2.1-serial iris-node-pipe iris-single-pipe
digits-f4.5-pipe digits-f6.10-pipe digits-f8.10-serial digits-single-pipe
jet-f8.2-pipe jet-f4.1-pipe jet-single-pipe"
POINTS=${POINTS:-$DEFAULT_POINTS}
# the jet network's points are measured on xc7 only (their iCE40 runs take
# long and the machines are far beyond any iCE40)
DEFAULT_SKIP="jet-f8.2-pipe:ice40 jet-f8.2-pipe:ice40dsp jet-f4.1-pipe:ice40
jet-f4.1-pipe:ice40dsp jet-single-pipe:ice40 jet-single-pipe:ice40dsp"
SKIP=${SKIP-$DEFAULT_SKIP}
RESULTS=bench/area/results.json
DOC=docs/performance.md
FLOWS="ice40 ice40dsp xc7"

for tool in "$BMC" yosys timeout sha256sum; do
    command -v "$tool" >/dev/null || { echo "bench/area: $tool not found (make; make deps)" >&2; exit 1; }
done
mkdir -p "$CACHE/machines" "$CACHE/stat"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# mlp_xml: the network of bench/compile/bench_compile.c (make_mlp), with the
# same splitmix64 stream from seed 42, in bash's 64-bit arithmetic.
mlp_xml() {
    local s=42 z r l n in k shape=(16 64 32 32 5)
    printf '<network format="1" name="mlp" total="16" frac="10">\n<input size="16"/>\n'
    for l in 0 1 2 3; do
        n=${shape[$((l + 1))]}
        in=${shape[$l]}
        printf '<layer neurons="%u" activation="%s"><weights>' "$n" "$([ $l -lt 3 ] && echo relu || echo linear)"
        for ((k = 0; k < n * in + n; k++)); do
            [ $k -ne $((n * in)) ] || printf '</weights><biases>'
            s=$((s + 0x9E3779B97F4A7C15))
            z=$s
            z=$(((z ^ ((z >> 30) & 0x3FFFFFFFF)) * 0xBF58476D1CE4E5B9))
            z=$(((z ^ ((z >> 27) & 0x1FFFFFFFFF)) * 0x94D049BB133111EB))
            z=$((z ^ ((z >> 31) & 0x1FFFFFFFF)))
            r=$(((z & 1023) - 512))
            [ $r -ne 0 ] || r=1
            # r / 1024 exactly, as %.10g prints it
            awk -v r=$r 'BEGIN { printf "%.10g ", r / 1024.0 }'
        done
        printf '</biases></layer>\n'
    done
    printf '</network>\n'
}

# make_machine POINT OUT.xml
make_machine() {
    local p=$1 out=$2 net strat mul args name src
    case "$p" in
    ex-*) cp "examples/${p#ex-}.xml" "$out" ;;
    hdl-*) cp "bench/hdl/machines/${p#hdl-}.xml" "$out" ;;
    rand-*) "$BMC" random --seed "${p#rand-}" -o "$out" ;;
    *-*)
        net=${p%%-*}
        strat=${p#*-}
        mul=
        case "$strat" in *-*) mul=${strat#*-}; strat=${strat%%-*} ;; esac
        case "$strat" in
        cores*) args="--cores ${strat#cores}" ;;
        f[0-9]*) strat=${strat#f}; args="--fold ${strat//./,}" ;;
        *) args="--strategy $strat" ;;
        esac
        [ -z "$mul" ] || args="$args --mul $mul"
        if [ "$net" = mlp ]; then
            [ -f "$CACHE/mlp.xml" ] || mlp_xml >"$CACHE/mlp.xml"
            src=$CACHE/mlp.xml
        elif [ "$net" = jet ]; then
            src=bench/networks/jet.xml
        else
            src=examples/networks/$net.xml
        fi
        name=${p//-/_}
        # shellcheck disable=SC2086
        "$BMC" compile "$src" $args --name "${name//./_}" -o "$out"
        ;;
    esac
}

# synth FLOW VDIR STATJSON LOG: one yosys run
synth() {
    local top cmd limit=$TIMEOUT
    top=$(ice40_top "$2")
    case "$1" in
    ice40) cmd="synth_ice40 -top $top" ;;
    ice40dsp) cmd="synth_ice40 -dsp -top $top" ;;
    xc7) cmd="synth_xilinx -family xc7 -top $top"; limit=$XC7_TIMEOUT ;;
    esac
    (cd "$2" && timeout "$limit" yosys -q -p "$cmd; tee -q -o stat.json stat -json" $(cat files.f)) >"$4" 2>&1 &&
        cp "$2/stat.json" "$3"
}

# counts FLOW STATJSON: "LUT FF CARRY DSP BRAM LUTRAM MUXF" of the design
counts() {
    local st=$2
    case "$1" in
    ice40 | ice40dsp)
        echo "$(ice40_count 'SB_LUT4' "$st") $(ice40_count 'SB_DFF[A-Z]*' "$st")" \
            "$(ice40_count 'SB_CARRY' "$st") $(ice40_count 'SB_MAC16' "$st")" \
            "$(ice40_count 'SB_RAM40_4K[A-Z]*' "$st") 0 0"
        ;;
    xc7)
        # a RAMB36E1 counts as two RAMB18E1
        echo "$(ice40_count 'LUT[1-6]' "$st") $(ice40_count 'FD[A-Z]*' "$st")" \
            "$(ice40_count 'CARRY4' "$st") $(ice40_count 'DSP48E1' "$st")" \
            "$(($(ice40_count 'RAMB18E1' "$st") + 2 * $(ice40_count 'RAMB36E1' "$st")))" \
            "$(ice40_count 'RAM[0-9]+[XM][0-9A-Z]*|SRL[A-Z0-9]*' "$st") $(ice40_count 'MUXF[78]' "$st")"
        ;;
    esac
}

skipped() {
    case " $SKIP " in *" $1 "*) return 0 ;; esac
    return 1
}

yosys_version=$(yosys -V | head -1)
date=$(date -u +%Y-%m-%d)
host="$(uname -n), $(nproc) CPUs, $(uname -m)"

# 1. machines, Verilog and syntheses (cached)
for p in $POINTS; do
    m=$CACHE/machines/$p.xml
    if skipped "$p"; then echo "bench/area: $p skipped"; continue; fi
    make_machine "$p" "$m.new" && mv "$m.new" "$m"
    rm -rf "$work/v-$p"
    if ! "$BMC" verilog "$m" -o "$work/v-$p" >/dev/null 2>"$work/verilog-$p.log"; then
        echo "bench/area: bmc verilog refused $p: $(head -1 "$work/verilog-$p.log")" >&2
        continue
    fi
    hash=$(cd "$work/v-$p" && cat $(cat files.f) | sha256sum | cut -c1-16)
    echo "$hash" >"$work/hash-$p"
    for f in $FLOWS; do
        st=$CACHE/stat/$hash-$f.json
        if skipped "$p:$f"; then echo "bench/area: $p $f skipped"; continue; fi
        if [ -f "$st" ]; then continue; fi
        if [ -f "$CACHE/stat/$hash-$f.timeout" ]; then continue; fi
        if [ "${CACHED_ONLY:-0}" = 1 ]; then continue; fi
        t0=$(date +%s)
        if synth "$f" "$work/v-$p" "$st" "$work/yosys-$p-$f.log"; then
            echo "$(($(date +%s) - t0))" >"$CACHE/stat/$hash-$f.seconds"
            echo "bench/area: $p $f: $(counts "$f" "$st") ($(cat "$CACHE/stat/$hash-$f.seconds") s)"
        else
            echo "$(($(date +%s) - t0))" >"$CACHE/stat/$hash-$f.timeout"
            echo "bench/area: $p $f: yosys failed or ran out of time (see $CACHE/stat/$hash-$f.log)" >&2
            cp "$work/yosys-$p-$f.log" "$CACHE/stat/$hash-$f.log" || true
        fi
    done
done
[ "${SYNTH_ONLY:-0}" = 1 ] && exit 0

# 2. estimates against the measurements
device_of() {
    case "$1" in ice40) echo hx8k ;; ice40dsp) echo up5k ;; xc7) echo xc7z020 ;; esac
}
# est FIELD JSON: a number of the machine total in `bmc area --json`
est() {
    grep -oE "\"total\": *\{[^}]*\}" "$2" | grep -oE "\"$1\": *[0-9]+" | grep -oE '[0-9]+$'
}
pct() {
    awk -v e="$1" -v y="$2" 'BEGIN { if (y == 0) { if (e == 0) print "0"; else print "null" } else printf "%.1f", (e - y) * 100 / y }'
}
rows=()
json=()
worst=0
over=()
for p in $POINTS; do
    skipped "$p" && continue
    [ -f "$work/hash-$p" ] || continue
    hash=$(cat "$work/hash-$p")
    cores=$(grep -c '<core ' "$CACHE/machines/$p.xml")
    for f in $FLOWS; do
        d=$(device_of "$f")
        st=$CACHE/stat/$hash-$f.json
        "$BMC" area "$CACHE/machines/$p.xml" --device "$d" --json >"$work/est-$p-$f.json" 2>/dev/null || true
        el=$(est lut "$work/est-$p-$f.json")
        ef=$(est ff "$work/est-$p-$f.json")
        ed=$(est dsp "$work/est-$p-$f.json")
        eb=$(est bram "$work/est-$p-$f.json")
        if skipped "$p:$f" || [ ! -f "$st" ]; then
            why="not synthesised"
            [ -f "$CACHE/stat/$hash-$f.timeout" ] && why="yosys did not finish in $(cat "$CACHE/stat/$hash-$f.timeout") s"
            skipped "$p:$f" && why="skipped (SKIP)"
            rows+=("| $p | $cores | $d | $el | - | - | $ef | - | - | $ed / - | $eb / - | $why |")
            json+=("$(printf '    {"point": "%s", "flow": "%s", "device": "%s", "cores": %s, "estimate": {"lut": %s, "ff": %s, "dsp": %s, "bram": %s}, "yosys": null, "note": "%s"}' \
                "$p" "$f" "$d" "$cores" "$el" "$ef" "$ed" "$eb" "$why")")
            continue
        fi
        read -r yl yf yc yd yb ylr ymx <<<"$(counts "$f" "$st")"
        secs=$(cat "$CACHE/stat/$hash-$f.seconds" 2>/dev/null || echo null)
        pl=$(pct "$el" "$yl")
        pf=$(pct "$ef" "$yf")
        for v in "$pl" "$pf"; do
            a=$(awk -v v="$v" 'BEGIN { if (v == "null") print 999; else print (v < 0 ? -v : v) }')
            if awk -v a="$a" 'BEGIN { exit !(a > 25) }'; then over+=("$p/$f"); fi
            worst=$(awk -v a="$a" -v w="$worst" 'BEGIN { print (a > w ? a : w) }')
        done
        rows+=("| $p | $cores | $d | $el | $yl | $pl% | $ef | $yf | $pf% | $ed / $yd | $eb / $yb | ${secs} s |")
        json+=("$(printf '    {"point": "%s", "flow": "%s", "device": "%s", "cores": %s, "estimate": {"lut": %s, "ff": %s, "dsp": %s, "bram": %s},\n     "yosys": {"lut": %s, "ff": %s, "carry": %s, "dsp": %s, "bram": %s, "lutram": %s, "muxf": %s, "seconds": %s}, "lut_error_pct": %s, "ff_error_pct": %s}' \
            "$p" "$f" "$d" "$cores" "$el" "$ef" "$ed" "$eb" "$yl" "$yf" "$yc" "$yd" "$yb" "$ylr" "$ymx" "$secs" "$pl" "$pf")")
    done
done
mapfile -t over < <(printf '%s\n' "${over[@]}" | awk 'NF && !seen[$0]++')

{
    echo "{"
    echo "  \"date\": \"$date\","
    echo "  \"host\": \"$host\","
    echo "  \"yosys\": \"$yosys_version\","
    echo "  \"flows\": {\"hx8k\": \"synth_ice40\", \"up5k\": \"synth_ice40 -dsp\", \"xc7z020\": \"synth_xilinx -family xc7\"},"
    echo "  \"results\": ["
    for i in "${!json[@]}"; do
        sep=$([ "$i" -lt $((${#json[@]} - 1)) ] && echo "," || true)
        echo "${json[$i]}$sep"
    done
    echo "  ]"
    echo "}"
} >"$RESULTS"

section=$work/section.md
{
    echo "## Area estimate"
    echo
    echo "Measured on $date on $host with \`bench/area/run.sh\` ($yosys_version):"
    echo "each point's \`bmc verilog\` output (the machine's own top module, no pin wrapper)"
    echo "synthesised by \`yosys synth_ice40\` (compared with \`bmc area --device hx8k\`),"
    echo "\`synth_ice40 -dsp\` (\`--device up5k\`) and \`synth_xilinx -family xc7\` (\`--device"
    echo "xc7z020\`), one run at a time, each limited to $TIMEOUT s ($XC7_TIMEOUT s for xc7)."
    echo "LUT is SB_LUT4 on iCE40 and LUT1-LUT6 on xc7; FF is SB_DFF* and FD*; DSP is"
    echo "SB_MAC16 and DSP48E1; BRAM is SB_RAM40_4K and RAMB18 (a RAMB36 counts two)."
    echo "Error is (estimate - yosys) / yosys.  Yosys's xc7 LUT and FF counts run"
    echo "10-15% above Vivado's (PicoRV32: 1,025 LUT against 917), so the xc7 estimate"
    echo "is an estimate of yosys, not of Vivado.  The model is described in"
    echo "[docs/area.md](area.md).  Raw figures: \`bench/area/results.json\`."
    echo
    echo "| point | cores | device | LUT est | LUT yosys | LUT error | FF est | FF yosys | FF error | DSP est / yosys | BRAM est / yosys | yosys time |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    if [ "${#over[@]}" -eq 0 ]; then
        echo "Every measured point is within 25% of yosys in LUT and FF (worst: ${worst}%)."
    else
        echo "Worst error ${worst}%; outside 25%: ${over[*]}."
    fi
    if [ -n "$SKIP" ]; then
        echo
        echo "Skipped: $SKIP."
    fi
    if [ -f bench/area/notes.md ]; then
        echo
        cat bench/area/notes.md
    fi
} >"$section"

doc_replace_section "$DOC" "Area estimate" "$section"
echo "bench/area: wrote $RESULTS and the Area estimate section of $DOC"
