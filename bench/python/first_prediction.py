"""Time from `import libbm` to the first prediction, in a fresh interpreter
(bench/python/run.sh): prints "import_ms first_prediction_ms"."""
import sys
import time

t0 = time.perf_counter()
import libbm  # noqa: E402

t1 = time.perf_counter()
net = libbm.load(sys.argv[1])
m = net.compile()
m.predict([[0.0] * len(net.inputs)])
t2 = time.perf_counter()
print("%.1f %.1f" % ((t1 - t0) * 1e3, (t2 - t0) * 1e3))
