#!/usr/bin/python3
"""Trains small models with scikit-learn and writes them as ONNX models in
protobuf text format (examples/onnx/*.textproto), with labelled test
vectors (CSV) and the float model's own predictions (NAME-float.txt).

`make` encodes each .textproto into build/onnx/NAME.onnx with
`protoc --encode=onnx.ModelProto` (Debian's protobuf-compiler and the
onnx.proto of libonnx-dev), so neither Python nor Python's onnx module is
needed to build or test libbm.  This script only runs when the models are
to change.  On Debian: apt-get install python3-sklearn, then from the
repository root:

    /usr/bin/python3 examples/data-gen/make_onnx.py examples/onnx

The models (docs/onnx.md):
  iris     4-8-3: Gemm (transB=1) + Relu, Gemm, Softmax        (3 classes)
  cancer   30-8-1: MatMul + Add + Relu, MatMul + Add, Sigmoid  (binary)
  digits   [N,1,8,8] input, Flatten, MatMul + BatchNormalization + Clip(min 0),
           Reshape, MatMul + Add, LogSoftmax, ArgMax           (10 classes)
  iris_tanh     4-8-3: Gemm + Tanh, Gemm, Softmax             (3 classes)
  wine_sigmoid  13-8-3: Gemm + Sigmoid, Gemm, Softmax         (3 classes)
  iris_qdq      4-8-3 QDQ: QuantizeLinear/DequantizeLinear pairs (int16,
                scale 2^-8: fixed<16,8>) on the input, the hidden layer and
                the logits; int8 weights and int32 biases dequantised by
                DequantizeLinear, power-of-two scales     (3 classes)

The float predictions are computed with numpy from the float32 weights
exactly as written to the model (the ONNX semantics in double precision);
they are what the fixed-point network is compared with.
"""
import os
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

SEED = 0


def f32(a):
    return np.asarray(a, dtype=np.float32)


def floats(a):
    # %.9g round-trips a float32 exactly.
    return "[" + ", ".join("%.9g" % v for v in f32(a).ravel()) + "]"


def tensor_info(name, dims):
    ds = " ".join('dim { dim_param: "N" }' if d is None else "dim { dim_value: %d }" % d
                  for d in dims)
    return ('  %s {\n    name: "%s"\n    type { tensor_type { elem_type: 1 shape { %s } } }\n  }'
            % ("%s", name, ds))


class Model:
    def __init__(self, name, comment):
        self.name, self.comment = name, comment
        self.inits, self.nodes = [], []

    def init(self, name, a, dtype=1):
        a = np.asarray(a)
        dims = " ".join("dims: %d" % d for d in a.shape)
        if dtype == 7:
            data = "int64_data: [" + ", ".join("%d" % v for v in a.ravel()) + "]"
        elif dtype in (3, 5, 6):  # int8, int16, int32: stored in int32_data
            data = "int32_data: [" + ", ".join("%d" % v for v in a.ravel()) + "]"
        else:
            data = "float_data: " + floats(a)
        self.inits.append('  initializer { name: "%s" %s data_type: %d\n    %s }'
                          % (name, dims, dtype, data))

    def node(self, name, op, inputs, output, attrs=""):
        self.nodes.append('  node { name: "%s" op_type: "%s" input: [%s] output: "%s"%s }'
                          % (name, op, ", ".join('"%s"' % i for i in inputs), output,
                             (" " + attrs) if attrs else ""))

    def write(self, path, opset, in_dims, out_name, out_dims):
        lines = ["# %s" % line for line in self.comment.split("\n")]
        lines += ["# Written by examples/data-gen/make_onnx.py; encoded by the Makefile.",
                  "ir_version: 8", 'producer_name: "libbm make_onnx.py"',
                  'opset_import { domain: "" version: %d }' % opset, "graph {",
                  '  name: "%s"' % self.name,
                  tensor_info("x", in_dims) % "input",
                  tensor_info(out_name, out_dims) % "output"]
        lines += self.inits + self.nodes + ["}"]
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")


def fmt(v):
    s = "%.9g" % v
    return "0" if s in ("-0", "0") else s


def write_vectors(path, x, y, comment, number=lambda v: "%.6f" % v):
    with open(path, "w") as f:
        f.write("# %s\n# %d inputs then the label, one vector per line (docs/network.md)\n"
                % (comment, x.shape[1]))
        for row, label in zip(x, y):
            f.write(",".join(number(v) for v in row) + ",%d\n" % label)


def read_back(x):
    """The inputs exactly as the CSV gives them."""
    return np.array([[float("%.6f" % v) for v in row] for row in x])


def write_float(path, name, predicted, y, vectors=None):
    vectors = vectors or "examples/onnx/%s-test.csv" % name
    acc = 100.0 * np.mean(predicted == y)
    with open(path, "w") as f:
        f.write("# %s: the float model's class for each vector of %s\n" % (name, vectors))
        f.write("# float accuracy %.2f%% (%d of %d)\n" % (acc, np.sum(predicted == y), len(y)))
        for p in predicted:
            f.write("%d\n" % p)
    print("%-7s %4d vectors: float accuracy %.2f%%" % (name, len(y), acc))


def peak(*arrays):
    return max(float(np.max(np.abs(a))) for a in arrays)


def iris(out):
    data = load_iris()
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=50,
                                              random_state=SEED, stratify=data.target)
    mean, std = x_tr.mean(axis=0), x_tr.std(axis=0)
    x_tr, x_te = read_back((x_tr - mean) / std), read_back((x_te - mean) / std)
    clf = MLPClassifier(hidden_layer_sizes=(8,), activation="relu", solver="lbfgs",
                        alpha=0.3, max_iter=5000, random_state=SEED).fit(x_tr, y_tr)
    w1, b1, w2, b2 = (f32(a) for a in (clf.coefs_[0], clf.intercepts_[0], clf.coefs_[1],
                                       clf.intercepts_[1]))
    m = Model("iris", "Iris MLP 4-8-3 trained by scikit-learn on 100 of the 150 samples;\n"
                      "inputs standardised with mean %s and std %s."
              % (" ".join("%.6f" % v for v in mean), " ".join("%.6f" % v for v in std)))
    m.init("W1", w1.T)  # [neurons, inputs]: Gemm with transB=1
    m.init("B1", b1)
    m.init("W2", w2)    # [inputs, neurons]: Gemm as written
    m.init("B2", b2)
    m.node("fc1", "Gemm", ["x", "W1", "B1"], "h1", 'attribute { name: "transB" type: INT i: 1 }')
    m.node("relu1", "Relu", ["h1"], "a1")
    m.node("fc2", "Gemm", ["a1", "W2", "B2"], "h2")
    m.node("softmax", "Softmax", ["h2"], "p", 'attribute { name: "axis" type: INT i: 1 }')
    m.write(os.path.join(out, "iris.textproto"), 13, [None, 4], "p", [None, 3])
    h = np.maximum(x_te @ w1 + b1, 0)
    z = h @ w2 + b2
    write_vectors(os.path.join(out, "iris-test.csv"), x_te, y_te,
                  "Iris: the 50 held-out samples, standardised (see iris.textproto)")
    write_float(os.path.join(out, "iris-float.txt"), "iris", np.argmax(z, axis=1), y_te)
    print("        largest |value| %.2f" % peak(x_te, x_te @ w1 + b1, z))


def cancer(out):
    data = load_breast_cancer()
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=114,
                                              random_state=SEED, stratify=data.target)
    mean, std = x_tr.mean(axis=0), x_tr.std(axis=0)
    # Standardised inputs reach about 12; clipped to +-8 to leave headroom.
    x_tr = read_back(np.clip((x_tr - mean) / std, -8, 8))
    x_te = read_back(np.clip((x_te - mean) / std, -8, 8))
    clf = MLPClassifier(hidden_layer_sizes=(8,), activation="relu", solver="lbfgs",
                        alpha=10.0, max_iter=5000, random_state=SEED).fit(x_tr, y_tr)
    w1, b1, w2, b2 = (f32(a) for a in (clf.coefs_[0], clf.intercepts_[0], clf.coefs_[1],
                                       clf.intercepts_[1]))
    m = Model("cancer", "Breast cancer (Wisconsin) binary classifier 30-8-1 trained by\n"
                        "scikit-learn on 455 of the 569 samples (1 = benign); inputs\n"
                        "standardised with the training set's mean and std, clipped to +-8.")
    m.init("W1", w1)
    m.init("B1", b1)
    m.init("W2", w2)
    m.init("B2", b2)
    m.node("mm1", "MatMul", ["x", "W1"], "m1")
    m.node("bias1", "Add", ["m1", "B1"], "h1")
    m.node("relu1", "Relu", ["h1"], "a1")
    m.node("mm2", "MatMul", ["a1", "W2"], "m2")
    m.node("bias2", "Add", ["B2", "m2"], "z")
    m.node("sigmoid", "Sigmoid", ["z"], "p")
    m.write(os.path.join(out, "cancer.textproto"), 13, [None, 30], "p", [None, 1])
    h = np.maximum(x_te @ w1 + b1, 0)
    z = (h @ w2 + b2)[:, 0]
    write_vectors(os.path.join(out, "cancer-test.csv"), x_te, y_te,
                  "Breast cancer: the 114 held-out samples, standardised and clipped")
    write_float(os.path.join(out, "cancer-float.txt"), "cancer", (z > 0).astype(int), y_te)
    print("        largest |value| %.2f" % peak(x_te, x_te @ w1 + b1, z))


def digits(out):
    data = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=360,
                                              random_state=SEED, stratify=data.target)
    x_tr, x_te = read_back(x_tr / 16.0), read_back(x_te / 16.0)
    clf = MLPClassifier(hidden_layer_sizes=(16,), activation="relu", solver="adam",
                        alpha=0.1, max_iter=2000, random_state=SEED).fit(x_tr, y_tr)
    # The first layer as MatMul + BatchNormalization: with random scale,
    # var and mean the weights are rescaled so the float function is the
    # trained one (what a network trained with batch norm exports).
    rng = np.random.default_rng(SEED)
    eps = 1e-5
    scale = f32(rng.uniform(0.5, 2.0, 16))
    var = f32(rng.uniform(0.5, 2.0, 16))
    mean = f32(rng.uniform(-1.0, 1.0, 16))
    s = scale / np.sqrt(var.astype(np.float64) + eps)
    w1 = f32(clf.coefs_[0] / s)
    bn_b = f32(clf.intercepts_[0] + mean * s)
    w2, b2 = f32(clf.coefs_[1]), f32(clf.intercepts_[1])
    m = Model("digits", "Handwritten digits 8x8, 64-16-10, trained by scikit-learn on 1437 of\n"
                        "the 1797 samples; input [N, 1, 8, 8], pixels / 16.  The first layer\n"
                        "is a MatMul + BatchNormalization (folded by the importer).")
    m.init("W1", w1)
    m.init("scale", scale)
    m.init("bn_b", bn_b)
    m.init("mean", mean)
    m.init("var", var)
    m.init("zero", np.zeros(()))
    m.init("shape", np.array([-1, 16]), dtype=7)
    m.init("W2", w2)
    m.init("B2", b2)
    m.node("flatten", "Flatten", ["x"], "f", 'attribute { name: "axis" type: INT i: 1 }')
    m.node("mm1", "MatMul", ["f", "W1"], "m1")
    m.node("bn1", "BatchNormalization", ["m1", "scale", "bn_b", "mean", "var"], "n1",
           'attribute { name: "epsilon" type: FLOAT f: 1e-05 }')
    m.node("clip1", "Clip", ["n1", "zero"], "a1")
    m.node("reshape", "Reshape", ["a1", "shape"], "r1")
    m.node("identity", "Identity", ["r1"], "i1")
    m.node("mm2", "MatMul", ["i1", "W2"], "m2")
    m.node("bias2", "Add", ["m2", "B2"], "z")
    m.node("logsoftmax", "LogSoftmax", ["z"], "l", 'attribute { name: "axis" type: INT i: -1 }')
    m.node("argmax", "ArgMax", ["l"], "class",
           'attribute { name: "axis" type: INT i: 1 } attribute { name: "keepdims" type: INT i: 1 }')
    m.write(os.path.join(out, "digits.textproto"), 13, [None, 1, 8, 8], "class", [None, 1])
    pre = (x_te @ w1.astype(np.float64) - mean) * (scale / np.sqrt(var.astype(np.float64) + eps)) + bn_b
    z = np.maximum(pre, 0) @ w2 + b2
    # The test vectors are examples/networks/digits-test.csv (train_mlp.py
    # makes the same split): checked, not written twice.
    tmp = os.path.join(out, "digits-test.csv.tmp")
    write_vectors(tmp, x_te, y_te, "Digits: the 360 held-out samples, pixels / 16", fmt)
    same = open(tmp).read() == open(os.path.join(os.path.dirname(os.path.abspath(out)),
                                                 "networks", "digits-test.csv")).read()
    os.remove(tmp)
    if not same:
        sys.exit("digits: the split differs from examples/networks/digits-test.csv")
    write_float(os.path.join(out, "digits-float.txt"), "digits", np.argmax(z, axis=1), y_te,
                "examples/networks/digits-test.csv")
    print("        largest |value| %.2f" % peak(x_te, pre, z))


PWL = {"sigmoid": (0.5, (0.125, 0.09375, 0.03125), (1, 2.375, 5)),
       "tanh": (0.0, (0.5, 0.375, 0.125), (0.5, 1.1875, 2.5))}


def exact(kind, x):
    return 1 / (1 + np.exp(-x)) if kind == "sigmoid" else np.tanh(x)


def piecewise(kind, x):
    """libbm's piecewise-linear activation (docs/numbers.md), in float."""
    base, slopes, bounds = PWL[kind]
    return base + sum(s * np.clip(x, -t, t) for s, t in zip(slopes, bounds))


def smooth(out, kind, name, loader, test_size, hidden, alpha):
    """A 3-class MLP with a sigmoid or tanh hidden layer: Gemm + Sigmoid/Tanh,
    Gemm, Softmax.  The float predictions use the exact activation; the
    script also prints the accuracy with libbm's piecewise-linear one."""
    data = loader()
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=test_size,
                                              random_state=SEED, stratify=data.target)
    mean, std = x_tr.mean(axis=0), x_tr.std(axis=0)
    x_tr, x_te = read_back((x_tr - mean) / std), read_back((x_te - mean) / std)
    clf = MLPClassifier(hidden_layer_sizes=(hidden,),
                        activation="logistic" if kind == "sigmoid" else "tanh",
                        solver="lbfgs", alpha=alpha, max_iter=5000,
                        random_state=SEED).fit(x_tr, y_tr)
    w1, b1, w2, b2 = (f32(a) for a in (clf.coefs_[0], clf.intercepts_[0], clf.coefs_[1],
                                       clf.intercepts_[1]))
    m = Model(name, "%s MLP %d-%d-%d with a %s hidden layer, trained by scikit-learn;\n"
                    "inputs standardised with mean %s and std %s."
              % (name, w1.shape[0], hidden, w2.shape[1], kind,
                 " ".join("%.6f" % v for v in mean), " ".join("%.6f" % v for v in std)))
    m.init("W1", w1)
    m.init("B1", b1)
    m.init("W2", w2)
    m.init("B2", b2)
    m.node("fc1", "Gemm", ["x", "W1", "B1"], "h1")
    m.node("act1", "Sigmoid" if kind == "sigmoid" else "Tanh", ["h1"], "a1")
    m.node("fc2", "Gemm", ["a1", "W2", "B2"], "h2")
    m.node("softmax", "Softmax", ["h2"], "p", 'attribute { name: "axis" type: INT i: 1 }')
    m.write(os.path.join(out, name + ".textproto"), 13, [None, w1.shape[0]], "p",
            [None, w2.shape[1]])
    pre = x_te @ w1 + b1
    z = exact(kind, pre) @ w2 + b2
    zp = piecewise(kind, pre) @ w2 + b2
    write_vectors(os.path.join(out, name + "-test.csv"), x_te, y_te,
                  "%s: the %d held-out samples, standardised (see %s.textproto)"
                  % (name, len(y_te), name))
    write_float(os.path.join(out, name + "-float.txt"), name, np.argmax(z, axis=1), y_te)
    print("        piecewise-linear %s in float: accuracy %.2f%%; largest |value| %.2f"
          % (kind, 100 * np.mean(np.argmax(zp, axis=1) == y_te), peak(x_te, pre, z)))


def round_even(v):
    return np.round(v)  # numpy rounds halves to even, like QuantizeLinear


def qdq(out, name="iris_qdq", bits=16, frac=8):
    """A QDQ model: the iris MLP of iris() with its tensors quantised the way
    ONNX Runtime's static quantisation writes them (QuantizeLinear then
    DequantizeLinear on the data, DequantizeLinear of integer weights), but
    with power-of-two scales and zero points 0, which libbm maps to
    fixed<bits, bits-frac>.  The float predictions follow the ONNX semantics
    of every node (round half to even and saturate in QuantizeLinear)."""
    data = load_iris()
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=50,
                                              random_state=SEED, stratify=data.target)
    mean, std = x_tr.mean(axis=0), x_tr.std(axis=0)
    x_tr, x_te = read_back((x_tr - mean) / std), read_back((x_te - mean) / std)
    clf = MLPClassifier(hidden_layer_sizes=(8,), activation="relu", solver="lbfgs",
                        alpha=0.3, max_iter=5000, random_state=SEED).fit(x_tr, y_tr)
    dtype = {8: 3, 16: 5}[bits]
    lo, hi = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    s_act = 2.0 ** -frac

    def weight_exponent(w):
        # the finest power-of-two step (at most the activations') whose int8 holds w
        f = frac
        while np.max(np.abs(w)) / 2.0 ** -f > 127:
            f -= 1
        return f

    m = Model(name, "Iris MLP 4-8-3 as a QDQ model: int%d activations with scale 2^-%d\n"
                    "(fixed<%d,%d>), int8 weights and int32 biases, power-of-two scales,\n"
                    "zero points 0; inputs standardised with mean %s and std %s."
              % (bits, frac, bits, bits - frac, " ".join("%.6f" % v for v in mean),
                 " ".join("%.6f" % v for v in std)))
    m.init("act_scale", np.float32(s_act))
    m.init("act_zero", np.array(0), dtype)
    m.init("b_scale", np.float32(s_act))
    layers = []
    for k, (w, b) in enumerate(zip(clf.coefs_, clf.intercepts_), 1):
        fw = weight_exponent(w)
        wq = np.clip(round_even(w / 2.0 ** -fw), -128, 127).astype(int)
        bq = round_even(b / s_act).astype(int)
        m.init("W%d_q" % k, wq, 3)
        m.init("W%d_scale" % k, np.float32(2.0 ** -fw))
        m.init("W%d_zero" % k, np.array(0), 3)
        m.init("B%d_q" % k, bq, 6)
        m.node("dq_w%d" % k, "DequantizeLinear", ["W%d_q" % k, "W%d_scale" % k, "W%d_zero" % k],
               "W%d" % k)
        m.node("dq_b%d" % k, "DequantizeLinear", ["B%d_q" % k, "b_scale"], "B%d" % k)
        layers.append((wq * 2.0 ** -fw, bq * s_act))

    def pair(tag, src, dst):
        m.node("q_" + tag, "QuantizeLinear", [src, "act_scale", "act_zero"], src + "_q")
        m.node("dq_" + tag, "DequantizeLinear", [src + "_q", "act_scale", "act_zero"], dst)

    pair("x", "x", "xq")
    m.node("fc1", "Gemm", ["xq", "W1", "B1"], "h1")
    m.node("relu1", "Relu", ["h1"], "a1")
    pair("a1", "a1", "a1q")
    m.node("fc2", "Gemm", ["a1q", "W2", "B2"], "h2")
    pair("h2", "h2", "h2q")
    m.node("softmax", "Softmax", ["h2q"], "p", 'attribute { name: "axis" type: INT i: 1 }')
    m.write(os.path.join(out, name + ".textproto"), 13, [None, 4], "p", [None, 3])

    def q(v):
        return np.clip(round_even(v / s_act), lo, hi) * s_act

    (w1, b1), (w2, b2) = layers
    a1 = q(np.maximum(q(x_te) @ w1 + b1, 0))
    z = q(a1 @ w2 + b2)
    # the test vectors are iris()'s (the same split and standardisation)
    write_float(os.path.join(out, name + "-float.txt"), name, np.argmax(z, axis=1), y_te,
                "examples/onnx/iris-test.csv")
    print("        largest |value| %.2f" % peak(x_te, q(x_te) @ w1 + b1, z))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "examples/onnx"
    os.makedirs(out, exist_ok=True)
    iris(out)
    cancer(out)
    digits(out)
    smooth(out, "tanh", "iris_tanh", load_iris, 50, 8, 0.3)
    smooth(out, "sigmoid", "wine_sigmoid", load_wine, 45, 8, 1.0)
    qdq(out)


if __name__ == "__main__":
    main()
