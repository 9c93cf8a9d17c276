#!/bin/sh
# Symbol check, run by tests/install_check.sh on an installed tree:
#   symbols_check.sh INCLUDEDIR LIBDIR BUILD
# 1. The functions libbm.so exports (nm -D --defined-only) are exactly the
#    functions the installed headers declare (gcc -aux-info over bm.h): a
#    public function without BM_API, or an internal one that leaks, fails.
# 2. libbm.a defines, as global symbols, those same functions and nothing else.
# 3. Every global function or object of the library's own objects (OBJDIR)
#    (BUILD/obj, without bmc/ and tests/) is public or carries the prefix
#    bm_ or bmi_ (bm/export.h); protoc-c's generated decoder (BUILD/gen/onnx)
#    keeps its own names, hidden and so covered by 1 and 2.
# 4. A program that defines names libbm uses inside (tests/install/clash.c)
#    links against libbm.a and libbm.so and gets libbm's behaviour, not its own.
# Environment: CC, EXTRA_LDFLAGS.
set -eu

inc=$1 lib=$2 build=$3
CC=${CC:-cc}
EXTRA_LDFLAGS=${EXTRA_LDFLAGS:-}
tmp=$(mktemp -d /tmp/bm_symbols_check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
    echo "symbols_check: FAIL: $*" >&2
    exit 1
}

# -aux-info writes one prototype a line, with the header it came from.
aux_cc=$CC
if ! echo 'int x;' | "$aux_cc" -x c -aux-info "$tmp/probe" -fsyntax-only - 2>/dev/null; then
    aux_cc=gcc
fi
echo '#include <bm.h>' > "$tmp/all.c"
"$aux_cc" -std=c11 -I"$inc" -aux-info "$tmp/aux" -fsyntax-only "$tmp/all.c" \
    || fail "could not list the declarations of $inc/bm.h (needs gcc -aux-info)"
grep -F "/* $inc/" "$tmp/aux" | sed -E 's/^.*[ *]([A-Za-z_][A-Za-z_0-9]*) \(.*$/\1/' \
    | sort -u > "$tmp/declared"
[ "$(wc -l < "$tmp/declared")" -gt 100 ] || fail "found only $(wc -l < "$tmp/declared") declarations"

nm -D --defined-only "$lib/libbm.so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' \
    | sort -u > "$tmp/exported"
leaked=$(comm -13 "$tmp/declared" "$tmp/exported")
[ -z "$leaked" ] || fail "libbm.so exports symbols no header declares: $(echo $leaked)"
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
[ -z "$missing" ] || fail "declared but not exported by libbm.so (BM_API?): $(echo $missing)"
nm -D "$lib/libbm.so" | grep -q ' bm_version@@LIBBM_0$' || fail "no version node LIBBM_0"

nm -g --defined-only "$lib/libbm.a" | awk 'NF == 3 { print $3 }' | sort -u > "$tmp/static"
leaked=$(comm -13 "$tmp/declared" "$tmp/static")
[ -z "$leaked" ] || fail "libbm.a defines global symbols no header declares: $(echo $leaked)"
missing=$(comm -23 "$tmp/declared" "$tmp/static")
[ -z "$missing" ] || fail "declared but not in libbm.a: $(echo $missing)"

# protoc-c's decoder (gen/onnx) keeps its generated onnx__* names: they are
# hidden like the rest, so check 1 and 2 keep them out of both libraries.
# AddressSanitizer adds an ODR indicator (__odr_asan.NAME) beside each global
# variable of a `make sanitize` build: the compiler's, not ours.
find "$build/obj" "$build/gen" \( -path "$build/obj/bmc" -o -path "$build/obj/tests" \
    -o -path "$build/gen/onnx" \) -prune \
    -o -name '*.o' -exec nm -g --defined-only {} + | awk 'NF == 3 { print $3 }' | sort -u \
    | comm -23 - "$tmp/declared" | grep -v '^bmi\?_' | grep -v '^__odr_asan\.' \
    > "$tmp/unprefixed" || true
[ ! -s "$tmp/unprefixed" ] || fail "internal names without the prefix bmi_: $(echo $(cat "$tmp/unprefixed"))"

# shellcheck disable=SC2086
"$CC" -std=c11 -Wall -Wextra -Werror -I"$inc" tests/install/clash.c -o "$tmp/clash_shared" \
    -L"$lib" -lbm $EXTRA_LDFLAGS || fail "a program defining sim_cycle does not link with libbm.so"
# shellcheck disable=SC2086
"$CC" -std=c11 -Wall -Wextra -Werror -I"$inc" tests/install/clash.c -o "$tmp/clash_static" \
    "$lib/libbm.a" $(pkg-config --libs libxml-2.0 gmp libprotobuf-c) -lm $EXTRA_LDFLAGS \
    || fail "a program defining sim_cycle does not link with libbm.a"
LD_LIBRARY_PATH="$lib" "$tmp/clash_shared" || fail "clash_shared (libbm.so)"
"$tmp/clash_static" || fail "clash_static (libbm.a)"

echo "symbols_check: ok ($(wc -l < "$tmp/declared") functions, libbm.so and libbm.a)"
