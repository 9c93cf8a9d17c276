#!/bin/sh
# The Python binding's overhead (docs/performance.md "Python"):
#   bench/python/run.sh [REPEATS]     (from anywhere; default 20)
# For iris and digits on a node and a fold-4 machine: the microseconds per
# vector of Machine.predict (simulator) and Network.evaluate (reference
# evaluator) against the same calls made from C (bench_predict.c), the work
# being identical (push every vector, run, read the outputs back; inputs
# already quantised on both sides; the fastest of REPEATS runs over the test
# set counts).  Then the time from `import libbm` to the first prediction
# (iris, node strategy), best of 5 fresh interpreters.
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
REPEATS=${1:-20}
PYTHON=${PYTHON:-/usr/bin/python3}
make -s all python
libs="$(pkg-config --libs libxml-2.0 gmp 2>/dev/null || echo -lxml2 -lgmp)"
mkdir -p build/bench
${CC:-cc} -std=c11 -O2 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -Ilibbm/include \
    bench/python/bench_predict.c build/libbm.a $libs -o build/bench/bench_predict
export PYTHONPATH="$root/python:$root/build/python"
printf '%-8s %-7s %10s %10s %9s %10s %10s %9s\n' network machine "C sim" "py predict" overhead \
    "C eval" "py eval" overhead
for net in iris digits; do
    for point in "node 0" "fold 4"; do
        set -- $point
        c=$(build/bench/bench_predict examples/networks/$net.xml examples/networks/$net-test.csv $1 $2 "$REPEATS")
        p=$("$PYTHON" bench/python/bench_predict.py examples/networks/$net.xml \
            examples/networks/$net-test.csv $1 $2 "$REPEATS")
        echo "$net $1$([ "$1" = fold ] && echo "-$2") $c $p" | awk '{
            printf "%-8s %-7s %8.2fus %8.2fus %8.2fus %8.2fus %8.2fus %8.2fus\n",
                   $1, $2, $3, $6, $6 - $3, $4, $7, $7 - $4 }'
    done
done
best=""
for i in 1 2 3 4 5; do
    t=$("$PYTHON" bench/python/first_prediction.py examples/networks/iris.xml)
    best=$(printf '%s\n%s\n' "$best" "$t" | awk 'NF' | sort -n -k2 | head -1)
done
echo "import libbm: $(echo "$best" | cut -d' ' -f1) ms; import to first prediction (load iris, compile, predict): $(echo "$best" | cut -d' ' -f2) ms"
