#!/usr/bin/python3
"""Writes bench/networks/jet.xml: a network of the shape of hls4ml's
jet-tagging benchmark, 16-64-32-32-5 (relu, relu, relu, linear, argmax),
with seeded random weights in fixed<16,6>, and jet-test.csv, 200 seeded
random input vectors labelled with the class the float network picks.

Nobody trained it: it is there to measure hardware of that size
(docs/performance.md compares it with hls4ml's published figures).  The
weights are uniform in [-0.5, 0.5] and the biases in [-0.25, 0.25], the
inputs uniform in [-2, 2].  Standard library only, so the files are the
same bytes on every machine:

    /usr/bin/python3 bench/networks/random_mlp.py bench/networks
"""
import os
import random
import sys

SHAPE = [16, 64, 32, 32, 5]
SEED = 1664525


def main(out):
    rng = random.Random(SEED)
    layers = []
    for n_in, n_out in zip(SHAPE, SHAPE[1:]):
        w = [[rng.uniform(-0.5, 0.5) for _ in range(n_in)] for _ in range(n_out)]
        b = [rng.uniform(-0.25, 0.25) for _ in range(n_out)]
        layers.append((w, b))
    with open(os.path.join(out, "jet.xml"), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write("<!-- 16-64-32-32-5, the shape of hls4ml's jet-tagging MLP, with seeded random "
                "weights (bench/networks/random_mlp.py, seed %d): for hardware "
                "benchmarks, not trained. -->\n" % SEED)
        f.write('<network format="1" name="jet" total="16" frac="10">\n')
        f.write('  <input size="%d"/>\n' % SHAPE[0])
        for i, (w, b) in enumerate(layers):
            act = "relu" if i + 1 < len(layers) else "linear"
            f.write('  <layer inputs="%d" neurons="%d" activation="%s">\n    <weights>\n'
                    % (len(w[0]), len(w), act))
            for row in w:
                f.write("      " + " ".join("%.6f" % v for v in row) + "\n")
            f.write("    </weights>\n    <biases>" + " ".join("%.6f" % v for v in b)
                    + "</biases>\n  </layer>\n")
        f.write("  <argmax/>\n</network>\n")
    with open(os.path.join(out, "jet-test.csv"), "w") as f:
        f.write("# jet: 200 seeded random input vectors in [-2, 2] (bench/networks/random_mlp.py)\n")
        f.write("# 16 inputs then the class the float network picks (docs/network.md)\n")
        for _ in range(200):
            x = [round(rng.uniform(-2.0, 2.0), 6) for _ in range(SHAPE[0])]
            v = x
            for i, (w, b) in enumerate(layers):
                v = [sum(wi * vi for wi, vi in zip(row, v)) + bi for row, bi in zip(w, b)]
                if i + 1 < len(layers):
                    v = [max(0.0, t) for t in v]
            label = max(range(len(v)), key=lambda k: (v[k], -k))
            f.write(",".join("%.6f" % t for t in x) + ",%d\n" % label)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/networks")
