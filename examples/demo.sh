#!/bin/sh
# `make demo`: libbm's main job on a bundled example.  The 8x8-digits network
# (examples/networks/digits.xml, 64-16-10 in fixed<16,6>) is compiled onto a
# machine with one core per neuron, written as Verilog, every test vector is
# streamed through the simulated machine (each output checked against the
# reference evaluator), and a slice of them is co-simulated with Verilator
# against the simulator, transfer by transfer.
set -eu
BMC=${1:-build/bmc}
cd "$(dirname "$0")/.."
OUT=build/demo
NET=examples/networks/digits.xml
TEST=examples/networks/digits-test.csv
SLICE=20
mkdir -p "$OUT"

echo "== 1. compile $NET (one core per neuron), simulate all test vectors, write Verilog"
"$BMC" compile "$NET" --strategy node -o "$OUT/digits.xml" --verilog "$OUT/digits_rtl" \
    --test "$TEST" --labels --stimulus "$OUT/digits-slice.stim" --stimulus-vectors "$SLICE" \
    --report | tee "$OUT/report.txt"

echo
echo "== 2. Verilator co-simulation of the first $SLICE test vectors"
"$BMC" verify "$OUT/digits.xml" --in-file "$OUT/digits-slice.stim" --work "$OUT/verify"

echo
echo "== summary"
grep '^machine ' "$OUT/report.txt"
grep '^test: accuracy' "$OUT/report.txt" | sed 's/^test: accuracy/accuracy (fixed<16,6>, simulated machine, 360 test digits):/'
grep '^test: latency' "$OUT/report.txt" | sed 's/^test: //'
echo "machine XML: $OUT/digits.xml"
echo "Verilog:     $OUT/digits_rtl/ ($(ls "$OUT/digits_rtl"/*.v | wc -l) files, top module in $OUT/digits_rtl/digits.v)"
