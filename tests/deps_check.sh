#!/bin/sh
# Set-up check, run by `make test`: on a machine that lacks a Debian package,
# the targets README's two commands run (`make demo`, `make test`) install it
# when run as root, through their dependency on check-deps, rather than stop
# with "run make deps".  dpkg-query, id and apt-get are stubs on PATH here:
# nothing is installed, and apt-get only records how it was called.
set -eu

tmp=$(mktemp -d /tmp/bm_deps_check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
    echo "deps_check: FAIL: $*" >&2
    exit 1
}

cat > "$tmp/dpkg-query" <<'STUB'
#!/bin/sh
# Every package is installed but iverilog.
for last; do :; done
[ "$last" = iverilog ] && exit 1
printf 'install ok installed'
STUB
cat > "$tmp/id" <<'STUB'
#!/bin/sh
echo 0
STUB
cat > "$tmp/apt-get" <<STUB
#!/bin/sh
echo "apt-get \$*" >> "$tmp/apt.log"
STUB
chmod +x "$tmp/dpkg-query" "$tmp/id" "$tmp/apt-get"

for target in demo test; do
    grep -q "^$target: check-deps" Makefile || fail "make $target does not depend on check-deps"
done
PATH="$tmp:$PATH" make --no-print-directory check-deps >"$tmp/out" 2>&1 \
    || { cat "$tmp/out" >&2; fail "make check-deps as root did not install"; }
grep -q 'apt-get install .*iverilog' "$tmp/apt.log" 2>/dev/null \
    || fail "make check-deps as root did not run apt-get install iverilog"

# Not root: it says what to run, and installs nothing.
cat > "$tmp/id" <<'STUB'
#!/bin/sh
echo 1000
STUB
rm -f "$tmp/apt.log"
if PATH="$tmp:$PATH" make --no-print-directory check-deps >"$tmp/out" 2>&1; then
    fail "make check-deps succeeded with a package missing, not as root"
fi
grep -q 'apt-get install -y iverilog' "$tmp/out" || fail "no command to run: $(cat "$tmp/out")"
[ ! -e "$tmp/apt.log" ] || fail "apt-get ran without root"

echo "deps_check: ok (as root check-deps installs what is missing; otherwise it says how)"
