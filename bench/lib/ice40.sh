# Shared pieces of the iCE40 hardware benchmarks (bench/hdl/run.sh,
# bench/nethw/run.sh): synthesis with yosys synth_ice40, place and route with
# nextpnr-ice40 on an HX8K (ct256), and the replacement of one '## ' section
# of a Markdown document.  Source it; it defines functions only.

# ice40_count TYPE_REGEX STAT_JSON: the cells of the whole design whose type
# matches
ice40_count() {
    sed -n '/"design":/,$p' "$2" | { grep -oE "\"($1)\": [0-9]+" || true; } |
        awk '{ n += $2 } END { print n + 0 }'
}

# ice40_top DIR: the top module named in the MANIFEST `bmc verilog` wrote
ice40_top() {
    sed -n 's/^# Written by .*; top module \([A-Za-z0-9_]*\)\.$/\1/p' "$1/MANIFEST"
}

# ice40_synth DIR: synthesise the pin wrapper of the Verilog `bmc verilog
# --pin-wrapper` wrote to DIR; leaves DIR/pnr_in.json, DIR/stat.json and
# DIR/yosys.log.  Fails when yosys does.
ice40_synth() {
    local top
    top=$(ice40_top "$1")
    (cd "$1" && yosys -q -p "synth_ice40 -top ${top}_pins -json pnr_in.json; tee -q -o stat.json stat -json" \
        $(cat files.f) "${top}_pins.v" >yosys.log 2>&1)
}

# ice40_pnr DIR SEED TIMEOUT: place and route DIR/pnr_in.json with one seed,
# limited to TIMEOUT seconds; prints "FMAX_MHZ LOGIC_CELLS", or "null null"
# when nextpnr failed or ran out of time.  Leaves DIR/pnr_SEED.{json,log}.
ice40_pnr() {
    local f lc
    if timeout "$3" nextpnr-ice40 --hx8k --package ct256 --json "$1/pnr_in.json" \
        --pcf-allow-unconstrained --freq 12 --seed "$2" --report "$1/pnr_$2.json" \
        -q >"$1/pnr_$2.log" 2>&1; then
        f=$(grep -oE '"achieved": [0-9.]+' "$1/pnr_$2.json" | head -1 | awk '{ printf "%.1f", $2 }')
        lc=$(grep -oE '"ICESTORM_LC": \{[^}]*\}' "$1/pnr_$2.json" |
            grep -oE '"used": [0-9]+' | awk '{ print $2 }')
        echo "${f:-null} ${lc:-null}"
    else
        echo "null null"
    fi
}

# ice40_fmax_stats FMAX...: "MEDIAN MIN MAX" over the arguments that are not
# null, or "null null null"
ice40_fmax_stats() {
    printf '%s\n' "$@" | grep -v '^null$' | grep . | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "null null null";
              else printf "%s %s %s\n", (NR % 2 ? v[(NR + 1) / 2] : sprintf("%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2)), v[1], v[NR] }'
}

# doc_replace_section DOC HEADING SECTION_FILE: replace the section of DOC
# whose heading line is exactly '## HEADING' (up to the next '## ' heading)
# with SECTION_FILE, or append it; the rest of DOC is kept byte for byte.
doc_replace_section() {
    local tmp
    tmp=$(mktemp)
    if [ ! -f "$1" ]; then
        printf '# Performance\n\nFigures measured by the benchmarks in `bench/`.\n' >"$1"
    fi
    awk -v section="$3" -v heading="## $2" '
        function emit() { while ((getline line < section) > 0) print line; printed = 1 }
        { stripped = $0; sub(/[[:space:]]+$/, "", stripped) }
        stripped == heading { emit(); skipping = 1; next }
        skipping && /^## / { skipping = 0; print ""; }
        !skipping { print }
        END { if (!printed) { print ""; emit() } }
    ' "$1" >"$tmp"
    cat "$tmp" >"$1"
    rm -f "$tmp"
}
