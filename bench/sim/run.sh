#!/bin/sh
# Builds libbm and the simulator benchmark, then runs it.
#   bench/sim/run.sh [SECONDS]      (wall time per machine, default 2)
#   bench/sim/run.sh --write-machines DIR   (the machines as XML, for bench/verilator)
# Results go to stdout; docs/performance.md records them.
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
make -s build/libbm.a
libs="$(pkg-config --libs libxml-2.0 gmp libprotobuf-c 2>/dev/null || echo -lxml2 -lgmp -lprotobuf-c) -lm"
mkdir -p build/bench
${CC:-cc} -std=c11 -O2 -g -Wall -Wextra -Ibuild/include -Ilibbm/include bench/sim/bench_sim.c build/libbm.a \
    $libs -o build/bench/bench_sim
exec build/bench/bench_sim "$@"
