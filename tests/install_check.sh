#!/bin/sh
# `make install` check, run by `make test`: installs into a scratch DESTDIR
# with PREFIX=/usr, then builds tests/install/user.c against the installed
# library using only pkg-config (shared and static), runs it, runs the
# installed bmc, checks the exported symbols (tests/symbols_check.sh), and
# finally checks that `make uninstall` removes it all.
#
# Environment: BUILD (the build folder to install from, default build), CC,
# EXTRA_LDFLAGS (added when linking, e.g. the sanitizer runtime).
set -eu

BUILD=${BUILD:-build}
CC=${CC:-cc}
EXTRA_LDFLAGS=${EXTRA_LDFLAGS:-}
VERSION=$(sed -n 's/^VERSION_\(MAJOR\|MINOR\|PATCH\) *:= *//p' Makefile | paste -sd.)
tmp=$(mktemp -d /tmp/bm_install_check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
    echo "install_check: FAIL: $*" >&2
    exit 1
}

root=$tmp/root
if ! make --no-print-directory install PREFIX=/usr DESTDIR="$root" BUILD="$BUILD" \
        >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    fail "make install"
fi

for f in usr/lib/libbm.a "usr/lib/libbm.so.$VERSION" usr/lib/libbm.so.0 usr/lib/libbm.so \
         usr/lib/pkgconfig/libbm.pc usr/include/bm.h usr/include/bm/machine.h \
         usr/include/bm/xml.h usr/bin/bmc; do
    [ -e "$root/$f" ] || fail "$f was not installed"
done
[ "$(readlink "$root/usr/lib/libbm.so.0")" = "libbm.so.$VERSION" ] || fail "libbm.so.0 link"
grep -qx 'prefix=/usr' "$root/usr/lib/pkgconfig/libbm.pc" || fail "libbm.pc prefix is not /usr"

export PKG_CONFIG_PATH="$root/usr/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$root"
[ "$(pkg-config --modversion libbm)" = "$VERSION" ] || fail "pkg-config --modversion libbm"
cflags=$(pkg-config --cflags libbm)
# The public headers include neither libxml2 nor GMP: users' Cflags are ours.
[ "$(echo $cflags)" = "-I$root/usr/include" ] || fail "pkg-config --cflags libbm is '$cflags'"
[ -e "$root/usr/include/bm/version.h" ] || fail "bm/version.h was not installed"
cat > "$tmp/version.c" <<EOF
#include <stdio.h>
#include <bm.h>
int main(void)
{
    printf("%s %d %u\\n", BM_VERSION_STRING, BM_VERSION_NUMBER, bm_version_number());
    return 0;
}
EOF
libs=$(pkg-config --libs libbm)
static_libs=$(pkg-config --static --libs libbm | sed 's/-lbm\b/-l:libbm.a/')

# shellcheck disable=SC2086
"$CC" -std=c11 -Wall -Wextra -Werror $cflags tests/install/user.c -o "$tmp/user_shared" \
    $libs $EXTRA_LDFLAGS || fail "building against the shared library"
# shellcheck disable=SC2086
"$CC" -std=c11 -Wall -Wextra -Werror $cflags tests/install/user.c -o "$tmp/user_static" \
    $static_libs $EXTRA_LDFLAGS || fail "building against the static library"

want="libbm $VERSION: acc8 has 1 core, 6-bit instructions"
got=$(LD_LIBRARY_PATH="$root/usr/lib" "$tmp/user_shared") || fail "user_shared did not run"
[ "$got" = "$want" ] || fail "user_shared printed '$got'"
LD_LIBRARY_PATH="$root/usr/lib" ldd "$tmp/user_shared" | grep -q "libbm.so.0 => $root/usr/lib/" \
    || fail "user_shared does not use the installed libbm.so.0"
# shellcheck disable=SC2086
"$CC" -std=c11 -Wall -Wextra -Werror $cflags "$tmp/version.c" -o "$tmp/version" $libs $EXTRA_LDFLAGS \
    || fail "building version.c"
number=$(echo "$VERSION" | awk -F. '{ print $1 * 10000 + $2 * 100 + $3 }')
got=$(LD_LIBRARY_PATH="$root/usr/lib" "$tmp/version") || fail "version did not run"
[ "$got" = "$VERSION $number $number" ] || fail "bm/version.h and bm_version_number() say '$got'"
got=$("$tmp/user_static") || fail "user_static did not run"
[ "$got" = "$want" ] || fail "user_static printed '$got'"
if ldd "$tmp/user_static" | grep -q libbm; then
    fail "user_static is linked to a shared libbm"
fi

./tests/symbols_check.sh "$root/usr/include" "$root/usr/lib" "$BUILD" || fail "symbols"

got=$("$root/usr/bin/bmc" --version) || fail "the installed bmc did not run"
[ "$got" = "bmc (libbm) $VERSION" ] || fail "installed bmc --version printed '$got'"

# The Python package (make install-python), unless PYTEST=0 (make sanitize:
# an ASan-built libbm.so does not load into Python).
if [ "${PYTEST:-1}" != 0 ]; then
    make --no-print-directory install-python PREFIX=/usr DESTDIR="$root" BUILD="$BUILD" \
        >"$tmp/install-python.log" 2>&1 || { cat "$tmp/install-python.log" >&2; fail "make install-python"; }
    pydir="$root/usr/lib/python3/dist-packages"
    [ -f "$pydir/libbm/__init__.py" ] || fail "the Python package was not installed"
    ext=$(ls "$pydir"/_libbm_cffi*.so) || fail "the compiled module was not installed"
    readelf -d "$ext" | grep -q 'R.*PATH.*\[/usr/lib\]' || fail "_libbm_cffi has no run path /usr/lib"
    got=$(cd "$tmp" && LD_LIBRARY_PATH="$root/usr/lib" PYTHONPATH="$pydir" /usr/bin/python3 -c \
        'import libbm; m = libbm.assemble("in r0, i0\naddi r0, 1\nout o0, r0\nj 0\n"); print(libbm.__file__.split("/dist-packages/")[0], libbm.version(), m.simulate(inputs={"in0": [41]}).values("out0"))') \
        || fail "the installed Python package did not run"
    [ "$got" = "$root/usr/lib/python3 $VERSION [42]" ] || fail "the installed Python package printed '$got'"
    make --no-print-directory uninstall-python PREFIX=/usr DESTDIR="$root" BUILD="$BUILD" \
        >"$tmp/uninstall-python.log" 2>&1 || fail "make uninstall-python"
fi

make --no-print-directory uninstall PREFIX=/usr DESTDIR="$root" BUILD="$BUILD" \
    >"$tmp/uninstall.log" 2>&1 || { cat "$tmp/uninstall.log" >&2; fail "make uninstall"; }
left=$(find "$root" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"

echo "install_check: ok (PREFIX=/usr DESTDIR, pkg-config, shared and static, Python package, uninstall)"
