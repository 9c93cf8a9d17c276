"""The Python side of bench/python (run by run.sh): the same work as
bench_predict.c through the libbm package, and the time from `import libbm`
to the first prediction in a fresh interpreter.

    bench_predict.py NETWORK.xml VECTORS.csv STRATEGY FOLD REPEATS
prints "predict_us_per_vector evaluate_us_per_vector"."""
import sys
import time

import numpy as np

import libbm

path, csv, strategy, fold, repeats = sys.argv[1:6]
repeats = int(repeats)
d = np.loadtxt(csv, delimiter=",", comments="#")
X = d[:, :-1]
net = libbm.load(path)
m = net.compile(strategy=strategy, fold=int(fold)) if strategy == "fold" else \
    net.compile(strategy=strategy)
raw = net.quantize(X)
best_predict = best_evaluate = float("inf")
for _ in range(repeats):  # the fastest repeat counts, as in bench_predict.c
    t0 = time.perf_counter()
    m.predict(raw, raw=True, raw_in=True)
    t1 = time.perf_counter()
    net.evaluate(raw, raw=True, raw_in=True)
    t2 = time.perf_counter()
    best_predict = min(best_predict, t1 - t0)
    best_evaluate = min(best_evaluate, t2 - t1)
print("%.3f %.3f" % (best_predict * 1e6 / len(X), best_evaluate * 1e6 / len(X)))
