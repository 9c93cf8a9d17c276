#!/bin/sh
# Installs the Debian packages libbm needs when they are missing.
#   .ci/deps.sh          install what is missing (apt-get, as root)
#   .ci/deps.sh --check  only report; fail with the command to run if any is missing
set -eu

PACKAGES="build-essential pkg-config libgmp-dev libxml2-dev libxml2-utils libcriterion-dev verilator yosys nextpnr-ice40 iverilog graphviz python3-cffi python3-dev python3-pytest python3-numpy python3-sklearn python3-nbformat python3-nbclient python3-ipykernel libprotobuf-c-dev protobuf-c-compiler libonnx-dev protobuf-compiler clang"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "${1:-}" = "--check" ]; then
    echo "libbm: missing Debian packages:$missing" >&2
    echo "libbm: run 'make deps' (as root) or: sudo apt-get install -y$missing" >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "libbm: missing Debian packages:$missing" >&2
    echo "libbm: run as root, or: sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi

echo "libbm: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
