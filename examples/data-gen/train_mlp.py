#!/usr/bin/python3
"""Trains the example networks of examples/networks/ with scikit-learn and
writes them as libbm network XML (docs/network.md) plus labelled test
vectors (CSV).

Not part of the build: Python and scikit-learn are only needed to remake
these files.  On Debian: apt-get install python3-sklearn, then from the
repository root:

    /usr/bin/python3 examples/data-gen/train_mlp.py examples/networks

The script prints the float accuracy of each network (computed with the
weights and inputs exactly as written, in double precision); the
fixed-point accuracy is what `bmc eval --vectors ... --labels` reports.

Input scaling (the networks expect scaled inputs; the CSV files hold them):
  iris    standardised with the training set's mean and standard deviation
  digits  pixel values 0..16 divided by 16, so inputs are in [0, 1]
"""
import os
import sys

import numpy as np
from sklearn.datasets import load_digits, load_iris
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

SEED = 0
TOTAL, FRAC = 16, 10  # fixed<16,6>: the range is [-32, 32)


def fmt(x):
    # 9 significant digits: far below the fixed-point step (2^-10).
    s = "%.9g" % x
    return "0" if s in ("-0", "0") else s


def write_network(path, name, clf, comment):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             "<!-- %s -->" % comment,
             '<network format="1" name="%s" total="%d" frac="%d">' % (name, TOTAL, FRAC),
             '  <input size="%d"/>' % clf.coefs_[0].shape[0]]
    n_layers = len(clf.coefs_)
    for l, (w, b) in enumerate(zip(clf.coefs_, clf.intercepts_)):
        act = "relu" if l < n_layers - 1 else "linear"
        n_in, n_out = w.shape
        lines.append('  <layer inputs="%d" neurons="%d" activation="%s">' % (n_in, n_out, act))
        lines.append("    <weights>")
        for j in range(n_out):  # one row per neuron: its weight for each input
            lines.append("      " + " ".join(fmt(v) for v in w[:, j]))
        lines.append("    </weights>")
        lines.append("    <biases>" + " ".join(fmt(v) for v in b) + "</biases>")
        lines.append("  </layer>")
    lines.append("  <argmax/>")
    lines.append("</network>")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def written_layers(clf):
    """The weights and biases as the XML gives them (after formatting)."""
    return [(np.array([[float(fmt(v)) for v in row] for row in w]),
             np.array([float(fmt(v)) for v in b]))
            for w, b in zip(clf.coefs_, clf.intercepts_)]


def forward(layers, x):
    """Float forward pass; returns the logits and the largest |value| seen
    before any activation (the fixed-point headroom check)."""
    peak = np.max(np.abs(x))
    for l, (w, b) in enumerate(layers):
        x = x @ w + b
        peak = max(peak, np.max(np.abs(x)))
        if l < len(layers) - 1:
            x = np.maximum(x, 0)
    return x, peak


def write_vectors(path, x_text, y, comment):
    with open(path, "w") as f:
        f.write("# %s\n" % comment)
        f.write("# %d inputs then the label, one vector per line (docs/network.md)\n"
                % len(x_text[0]))
        for row, label in zip(x_text, y):
            f.write(",".join(row) + ",%d\n" % label)


def parse_rows(x_text):
    return np.array([[float(v) for v in row] for row in x_text])


def accuracy(layers, x, y):
    logits, peak = forward(layers, x)
    return float(np.mean(np.argmax(logits, axis=1) == y)), peak


def report(name, layers, sets):
    for label, x_text, y in sets:
        acc, peak = accuracy(layers, parse_rows(x_text), y)
        print("%-6s %-5s %4d vectors: float accuracy %.2f%% (largest |value| %.2f, range 32)"
              % (name, label, len(y), 100 * acc, peak))
        if peak >= 2 ** (TOTAL - FRAC - 1):
            print("warning: values exceed the range of fixed<%d,%d>" % (TOTAL, TOTAL - FRAC))


def iris(out):
    data = load_iris()
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=50,
                                              random_state=SEED, stratify=data.target)
    mean, std = x_tr.mean(axis=0), x_tr.std(axis=0)
    scale = lambda x: [["%.6f" % v for v in (row - mean) / std] for row in x]
    tr_text, te_text, all_text = scale(x_tr), scale(x_te), scale(data.data)
    # alpha (L2) keeps every value well inside fixed<16,6>'s range of +-32:
    # with 1e-2 the logits reach 42 and would wrap.
    clf = MLPClassifier(hidden_layer_sizes=(8,), activation="relu", solver="lbfgs",
                        alpha=0.3, max_iter=5000, random_state=SEED)
    clf.fit(parse_rows(tr_text), y_tr)
    write_network(os.path.join(out, "iris.xml"), "iris", clf,
                  "Iris MLP 4-8-3 (relu, then linear and argmax), trained by "
                  "examples/data-gen/train_mlp.py on 100 of the 150 samples. Inputs are "
                  "standardised: (x - mean) / std with mean = %s and std = %s (sepal length, "
                  "sepal width, petal length, petal width, cm)."
                  % (" ".join("%.6f" % v for v in mean), " ".join("%.6f" % v for v in std)))
    write_vectors(os.path.join(out, "iris-test.csv"), te_text, y_te,
                  "Iris: the 50 held-out samples, standardised (see iris.xml)")
    write_vectors(os.path.join(out, "iris-all.csv"), all_text, data.target,
                  "Iris: all 150 samples (100 of them trained on), standardised (see iris.xml)")
    report("iris", written_layers(clf),
           [("test", te_text, y_te), ("all", all_text, data.target)])


def digits(out):
    data = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=360,
                                              random_state=SEED, stratify=data.target)
    scale = lambda x: [[fmt(v / 16.0) for v in row] for row in x]
    tr_text, te_text = scale(x_tr), scale(x_te)
    clf = MLPClassifier(hidden_layer_sizes=(16,), activation="relu", solver="adam",
                        alpha=0.1, max_iter=2000, random_state=SEED)
    clf.fit(parse_rows(tr_text), y_tr)
    write_network(os.path.join(out, "digits.xml"), "digits", clf,
                  "Handwritten digits 8x8 MLP 64-16-10 (relu, then linear and argmax), "
                  "trained by examples/data-gen/train_mlp.py on 1437 of the 1797 samples. "
                  "Inputs are the 64 pixels row by row, each divided by 16 (0..1).")
    write_vectors(os.path.join(out, "digits-test.csv"), te_text, y_te,
                  "Digits: the 360 held-out samples, pixels / 16")
    report("digits", written_layers(clf), [("test", te_text, y_te)])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "examples/networks"
    os.makedirs(out, exist_ok=True)
    iris(out)
    digits(out)


if __name__ == "__main__":
    main()
