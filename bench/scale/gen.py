#!/usr/bin/python3
"""Writes the scaling benchmark's inputs for N cores (bench/scale/run.sh).

    gen.py chain N > chain.s    a chain of N bonded cores, each adding 1
    gen.py graph N > graph.bmg  a chain of 2N dataflow operations (about N cores)

Deterministic: the same N gives the same text."""
import sys


def chain(n):
    out = [".machine chain%d" % n, ".input x 8", ".output y 8", ""]
    for i in range(n):
        out += [".core c%d 8" % i, "top: in r0, i0", "     addi r0, 1", "     out o0, r0",
                "     j top", ""]
    out.append(".bond x -> c0.i0")
    for i in range(1, n):
        out.append(".bond c%d.o0 -> c%d.i0" % (i - 1, i))
    out.append(".bond c%d.o0 -> y" % (n - 1))
    return "\n".join(out) + "\n"


def graph(n):
    out = ["type fixed<16,6>", "input x", "v0 = x"]
    for i in range(1, n):
        # alternate operations so nothing folds away
        out.append("v%d = %s" % (i, ("relu(v%d - 0.25)" if i % 2 else "0.5 * v%d + 0.125") % (i - 1)))
    out.append("output z = v%d" % (n - 1))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    kind, n = sys.argv[1], int(sys.argv[2])
    if kind == "graph":
        n *= 2
    sys.stdout.write({"chain": chain, "graph": graph}[kind](n))
