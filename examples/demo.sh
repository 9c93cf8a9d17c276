#!/bin/sh
# `make demo`: the main job of libbm on a bundled example.
set -eu
BMC=${1:-build/bmc}
cd "$(dirname "$0")/.."
echo "== bmc check examples/acc8.xml"
"$BMC" check examples/acc8.xml
echo
echo "== bmc isa examples/acc8.xml"
"$BMC" isa examples/acc8.xml
