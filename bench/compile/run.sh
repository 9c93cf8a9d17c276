#!/bin/sh
# Builds libbm and the compiler benchmark, then runs it.
#   bench/compile/run.sh [RUNS]      (compile runs per measurement, default 5)
# Results go to stdout; docs/performance.md records them.
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
make -s build/libbm.a onnx-models
libs="$(pkg-config --libs libxml-2.0 gmp libprotobuf-c 2>/dev/null || echo -lxml2 -lgmp -lprotobuf-c) -lm"
mkdir -p build/bench
${CC:-cc} -std=c11 -O2 -g -Wall -Wextra -Ibuild/include -Ilibbm/include bench/compile/bench_compile.c \
    build/libbm.a $libs -o build/bench/bench_compile
exec build/bench/bench_compile "$@"
