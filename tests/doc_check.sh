#!/bin/sh
# Documentation check, run by `make test`: every function of the public
# headers (a BM_API declaration) carries a comment, either its own trailing
# comment or the comment that heads its group of declarations (the lines
# above it up to a comment, with no blank line between).
#   doc_check.sh [HEADER...]     (default: libbm/include/bm/*.h)
set -eu

[ $# -gt 0 ] || set -- libbm/include/bm/*.h
missing=$(awk '
    FNR == 1 { documented = 0; in_comment = 0 }
    /^[[:space:]]*$/ { documented = 0; next }
    {
        line = $0
        if (in_comment) {
            if (line ~ /\*\//) { in_comment = 0; documented = 1 }
            next
        }
        if (line ~ /^[[:space:]]*\/\*/) {
            if (line ~ /\*\//) documented = 1; else in_comment = 1
            next
        }
        if (line ~ /^BM_API /) {
            if (!documented && line !~ /\/\*.*\*\//) {
                name = line; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
                printf "%s:%d: %s\n", FILENAME, FNR, name
            }
            next
        }
        # A declaration continued on the next lines, or anything else that
        # is not a comment, ends a documented group only at a blank line.
        if (line ~ /^(#|typedef|enum|struct|\}|extern)/) documented = 0
    }' "$@")
if [ -n "$missing" ]; then
    echo "doc_check: FAIL: public functions without a comment:" >&2
    echo "$missing" >&2
    exit 1
fi
echo "doc_check: ok (every BM_API function in $# headers has a comment)"
