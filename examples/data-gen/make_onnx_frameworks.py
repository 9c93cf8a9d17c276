#!/usr/bin/python3
"""Makes the two example models that the ML frameworks write themselves, as
ONNX models in protobuf text format (examples/onnx/*.textproto), with the
framework's own predictions (NAME-float.txt).  make_onnx.py beside it writes
the other examples' text by hand; here the models are what the exporters
produce, converted to text unchanged:

  digits_torch   a PyTorch MLP trained by torch on sklearn's digits and
                 exported by torch.onnx.export (opset 13): input [N,1,8,8]
                 flattened by x.view(x.size(0), -1) (Shape, Gather,
                 Unsqueeze, Concat, Reshape), Gemm (transB=1) +
                 BatchNormalization + Relu, Gemm, Softmax (Dropout is gone
                 in eval mode)                                  (10 classes)
  cancer_logreg  scikit-learn's LogisticRegression on the breast cancer data,
                 built with python3-onnx's helper API (make_node, make_graph,
                 make_model; opset 15): MatMul + Add, Sigmoid   (binary)

Each model is converted to text with
google.protobuf.text_format.MessageToString(onnx.load(...)); tensors stay in
raw_data as the exporter wrote them.  `make` encodes the text into
build/onnx/NAME.onnx with `protoc --encode=onnx.ModelProto`, so building and
testing libbm need neither torch nor Python's onnx module; this script only
runs when the models are to change.  On Debian 12:

    apt-get install python3-torch python3-onnx python3-sklearn
    nice /usr/bin/python3 examples/data-gen/make_onnx_frameworks.py examples/onnx

With --check-exports BMC, instead, the script exports small untrained
torch modules in the forms users write (flattening by nn.Flatten,
torch.flatten or x.view; ReLU6, LeakyReLU, Hardtanh, Tanh, Sigmoid;
batch norm; softmax, log-softmax and argmax, a sigmoid output) at opsets
9, 11, 13 and 17 with several export options, and runs `BMC import` on
each; it fails if libbm refuses any:

    nice /usr/bin/python3 examples/data-gen/make_onnx_frameworks.py --check-exports build/bmc

The test vectors are those of make_onnx.py's digits and cancer models (the
same splits and scaling; the script checks that the files it would write are
the committed examples/networks/digits-test.csv and
examples/onnx/cancer-test.csv).  NAME-float.txt holds the framework's own
classes: the torch model's forward pass in eval mode, and sklearn's
LogisticRegression.predict().  The script also evaluates each written ONNX
model with numpy (float32 weights as stored) and stops if it classifies any
vector differently from the framework.

Training is seeded (torch.manual_seed, one thread, deterministic
algorithms); another CPU or torch version may still round differently and
give slightly different weights.
"""
import io
import os
import sys

import numpy as np
import onnx
import torch
from google.protobuf import text_format
from onnx import helper, numpy_helper
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_onnx import SEED, fmt, read_back, write_float, write_vectors  # noqa: E402

OPSET_TORCH = 13
OPSET_HELPER = 15


def write_text(path, model, comment):
    """The model as protobuf text, with a comment header; nothing changed."""
    lines = ["# %s" % line for line in comment.split("\n")]
    lines.append("# Written by examples/data-gen/make_onnx_frameworks.py; encoded by the Makefile.")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n" + text_format.MessageToString(model))
    back = onnx.ModelProto()
    text_format.Parse(open(path).read(), back)
    if back != model:
        sys.exit("%s: the text does not parse back to the model" % path)


def same_vectors(out, name, x, y, comment, committed, number):
    """Checks that the vectors are the committed file's, byte for byte."""
    tmp = os.path.join(out, name + "-test.csv.tmp")
    write_vectors(tmp, x, y, comment, number)
    same = open(tmp).read() == open(committed).read()
    os.remove(tmp)
    if not same:
        sys.exit("%s: the split differs from %s" % (name, committed))


def run_onnx(model, x):
    """The model's outputs for the rows of x, in numpy: the operators these
    two models use, with their ONNX semantics, from the stored weights."""
    g = model.graph
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    env[g.input[0].name] = np.asarray(x, dtype=np.float32).astype(np.float64)
    for n in g.node:
        a = {at.name: helper.get_attribute_value(at) for at in n.attribute}
        v = [env[i] for i in n.input if i]
        if n.op_type in ("Identity", "Cast"):
            r = v[0]
        elif n.op_type == "Constant":
            r = numpy_helper.to_array(a["value"])
        elif n.op_type == "Shape":
            r = np.array(v[0].shape, dtype=np.int64)
        elif n.op_type == "Gather":
            r = np.take(v[0], v[1].astype(np.int64), axis=a.get("axis", 0))
        elif n.op_type == "Unsqueeze":
            axes = a["axes"] if "axes" in a else v[1].astype(np.int64)
            r = np.expand_dims(v[0], tuple(int(k) for k in axes))
        elif n.op_type == "Concat":
            r = np.concatenate(v, axis=a["axis"])
        elif n.op_type == "Reshape":
            r = v[0].reshape(tuple(int(k) for k in v[1]))
        elif n.op_type == "Flatten":
            r = v[0].reshape(v[0].shape[0], -1)
        elif n.op_type == "Gemm":
            b = v[1].T if a.get("transB", 0) else v[1]
            r = a.get("alpha", 1.0) * v[0] @ b + a.get("beta", 1.0) * v[2]
        elif n.op_type == "MatMul":
            r = v[0] @ v[1]
        elif n.op_type == "Add":
            r = v[0] + v[1]
        elif n.op_type == "BatchNormalization":
            x_, scale, bias, mean, var = v
            r = (x_ - mean) / np.sqrt(var + a.get("epsilon", 1e-5)) * scale + bias
        elif n.op_type == "Relu":
            r = np.maximum(v[0], 0)
        elif n.op_type == "Sigmoid":
            r = 1 / (1 + np.exp(-v[0]))
        elif n.op_type == "Softmax":
            e = np.exp(v[0] - v[0].max(axis=1, keepdims=True))
            r = e / e.sum(axis=1, keepdims=True)
        else:
            sys.exit("run_onnx: %s is not evaluated here" % n.op_type)
        env[n.output[0]] = r
    return env[g.output[0].name]


def check_same(name, framework, from_onnx):
    differ = int(np.sum(framework != from_onnx))
    if differ:
        sys.exit("%s: the ONNX model classifies %d vectors differently from the framework"
                 % (name, differ))


class DigitsMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Linear(64, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU(),
            torch.nn.Dropout(0.1), torch.nn.Linear(16, 10))

    def forward(self, x):
        # the logits while training; the exported model ends in Softmax.
        # x.view(x.size(0), -1), the tutorials' flatten, exports as shape
        # arithmetic on the dynamic batch size (docs/onnx.md).
        return self.body(x.view(x.size(0), -1))


class WithSoftmax(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)


def digits_torch(out):
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    data = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=360,
                                              random_state=SEED, stratify=data.target)
    x_tr, x_te = read_back(x_tr / 16.0), read_back(x_te / 16.0)
    same_vectors(out, "digits_torch", x_te, y_te, "Digits: the 360 held-out samples, pixels / 16",
                 os.path.join(os.path.dirname(os.path.abspath(out)), "networks",
                              "digits-test.csv"), fmt)
    images = torch.tensor(x_tr, dtype=torch.float32).reshape(-1, 1, 8, 8)
    labels = torch.tensor(y_tr, dtype=torch.long)
    net = DigitsMLP()
    opt = torch.optim.Adam(net.parameters(), lr=0.01, weight_decay=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(SEED)
    for epoch in range(60):
        net.train()
        perm = torch.randperm(len(labels), generator=order)
        for k in range(0, len(labels), 64):
            idx = perm[k:k + 64]
            opt.zero_grad()
            loss = loss_fn(net(images[idx]), labels[idx])
            loss.backward()
            opt.step()
    net.eval()
    model = WithSoftmax(net).eval()
    test = torch.tensor(x_te, dtype=torch.float32).reshape(-1, 1, 8, 8)
    with torch.no_grad():
        predicted = model(test).argmax(dim=1).numpy()
    buf = io.BytesIO()
    torch.onnx.export(model, test[:1], buf, opset_version=OPSET_TORCH, input_names=["x"],
                      output_names=["p"], dynamic_axes={"x": {0: "N"}, "p": {0: "N"}})
    m = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(m)
    check_same("digits_torch", predicted, np.argmax(run_onnx(m, test.numpy()), axis=1))
    write_text(os.path.join(out, "digits_torch.textproto"), m,
               "Handwritten digits 8x8: a PyTorch MLP 64-16-10 (x.view(x.size(0), -1), Linear,\n"
               "BatchNorm1d, ReLU, Dropout, Linear; Softmax added for export) trained by\n"
               "torch %s on 1437 of the 1797 samples, exported by torch.onnx.export\n"
               "(opset %d); input [N, 1, 8, 8], pixels / 16.  Test vectors:\n"
               "examples/networks/digits-test.csv.  The float model's classes (torch's own\n"
               "forward pass) are in digits_torch-float.txt."
               % (torch.__version__, OPSET_TORCH))
    write_float(os.path.join(out, "digits_torch-float.txt"), "digits_torch", predicted, y_te,
                "examples/networks/digits-test.csv")
    bn = net.body[1]
    s = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).detach().numpy()
    w1 = net.body[0].weight.detach().numpy() * s[:, None]
    print("        largest |folded weight| %.2f, |output weight| %.2f"
          % (np.max(np.abs(w1)), np.max(np.abs(net.body[4].weight.detach().numpy()))))


def cancer_logreg(out):
    data = load_breast_cancer()
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=114,
                                              random_state=SEED, stratify=data.target)
    mean, std = x_tr.mean(axis=0), x_tr.std(axis=0)
    # as make_onnx.py's cancer model: standardised, clipped to +-8
    x_tr = read_back(np.clip((x_tr - mean) / std, -8, 8))
    x_te = read_back(np.clip((x_te - mean) / std, -8, 8))
    same_vectors(out, "cancer_logreg", x_te, y_te,
                 "Breast cancer: the 114 held-out samples, standardised and clipped",
                 os.path.join(out, "cancer-test.csv"), lambda v: "%.6f" % v)
    clf = LogisticRegression(C=0.1, max_iter=5000).fit(x_tr, y_tr)
    predicted = clf.predict(x_te)
    w = numpy_helper.from_array(clf.coef_.T.astype(np.float32), "W")  # [30, 1]
    b = numpy_helper.from_array(clf.intercept_.astype(np.float32), "B")  # [1]
    nodes = [helper.make_node("MatMul", ["x", "W"], ["logit_mm"], name="matmul"),
             helper.make_node("Add", ["logit_mm", "B"], ["logit"], name="bias"),
             helper.make_node("Sigmoid", ["logit"], ["p"], name="sigmoid")]
    graph = helper.make_graph(
        nodes, "cancer_logreg",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["N", 30])],
        [helper.make_tensor_value_info("p", onnx.TensorProto.FLOAT, ["N", 1])],
        initializer=[w, b])
    m = helper.make_model(graph, producer_name="libbm make_onnx_frameworks.py",
                          opset_imports=[helper.make_opsetid("", OPSET_HELPER)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    check_same("cancer_logreg", predicted, (run_onnx(m, x_te)[:, 0] > 0.5).astype(int))
    write_text(os.path.join(out, "cancer_logreg.textproto"), m,
               "Breast cancer (Wisconsin) binary classifier: scikit-learn's\n"
               "LogisticRegression (C=0.1) on 455 of the 569 samples (1 = benign), written\n"
               "with onnx.helper (opset %d).  Inputs standardised and clipped to +-8 as in\n"
               "cancer.textproto; test vectors: examples/onnx/cancer-test.csv." % OPSET_HELPER)
    write_float(os.path.join(out, "cancer_logreg-float.txt"), "cancer_logreg", predicted, y_te,
                "examples/onnx/cancer-test.csv")
    print("        largest |weight| %.2f, |logit| %.2f"
          % (np.max(np.abs(clf.coef_)), np.max(np.abs(clf.decision_function(x_te)))))


class ViewBatch(torch.nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


class ViewFixed(torch.nn.Module):
    def forward(self, x):
        return x.view(-1, 64)


class TorchFlatten(torch.nn.Module):
    def forward(self, x):
        return torch.flatten(x, 1)


class LogSoftmaxArgMax(torch.nn.Module):
    def forward(self, x):
        return torch.argmax(torch.log_softmax(x, dim=-1), dim=1)


def export_forms():
    """Small untrained torch modules in the forms a user's MLP takes: what
    --check-exports checks is that libbm reads the graphs torch writes."""
    nn = torch.nn

    def body(*tail):
        return [nn.Linear(64, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.1),
                nn.Linear(16, 10)] + list(tail)

    return {
        "flatten_bn_softmax": [nn.Flatten()] + body(nn.Softmax(dim=1)),
        "view_batch": [ViewBatch()] + body(),
        "view_fixed": [ViewFixed()] + body(),
        "torch_flatten": [TorchFlatten()] + body(),
        "relu6_leaky": [nn.Flatten(), nn.Linear(64, 16), nn.ReLU6(), nn.Linear(16, 8),
                        nn.LeakyReLU(0.1), nn.Linear(8, 10)],
        "hardtanh_0_6": [nn.Flatten(), nn.Linear(64, 16), nn.Hardtanh(0, 6), nn.Linear(16, 10)],
        "tanh_sigmoid": [nn.Flatten(), nn.Linear(64, 16), nn.Tanh(), nn.Linear(16, 8),
                         nn.Sigmoid(), nn.Linear(8, 10)],
        "binary_sigmoid": [nn.Flatten(), nn.Linear(64, 8), nn.ReLU(), nn.Linear(8, 1),
                           nn.Sigmoid()],
        "no_bias": [nn.Flatten(), nn.Linear(64, 16, bias=False), nn.ReLU(), nn.Linear(16, 10)],
        "logsoftmax_argmax": [nn.Flatten(), nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10),
                              LogSoftmaxArgMax()],
        "bn_no_affine": [nn.Flatten(), nn.Linear(64, 16), nn.BatchNorm1d(16, affine=False),
                         nn.ReLU(), nn.Linear(16, 10)],
    }


def check_exports(bmc):
    """Exports each form at several opsets and export options and runs
    `bmc import` on it; exits non-zero if any is refused."""
    import subprocess
    import tempfile
    import warnings
    warnings.filterwarnings("ignore")
    torch.manual_seed(SEED)
    options = {"": {"dynamic_axes": {"x": {0: "N"}}}, " fixed batch": {},
               " no folding": {"dynamic_axes": {"x": {0: "N"}}, "do_constant_folding": False},
               " initializers as inputs": {"dynamic_axes": {"x": {0: "N"}},
                                           "keep_initializers_as_inputs": True}}
    refused = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, layers in export_forms().items():
            model = torch.nn.Sequential(*layers).eval()
            for opset in (9, 11, 13, 17):
                for what, kw in options.items():
                    path = os.path.join(tmp, "m.onnx")
                    torch.onnx.export(model, torch.zeros(2, 1, 8, 8), path, opset_version=opset,
                                      input_names=["x"], **kw)
                    r = subprocess.run([bmc, "import", path, "-o", os.path.join(tmp, "m.xml")],
                                       capture_output=True, text=True)
                    if r.returncode:
                        refused += 1
                    print("%-18s opset %2d%-24s %s" % (name, opset, what,
                                                       "ok" if r.returncode == 0
                                                       else r.stderr.strip()))
    if refused:
        sys.exit("%d exports refused" % refused)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check-exports":
        check_exports(sys.argv[2])
        return
    out = sys.argv[1] if len(sys.argv) > 1 else "examples/onnx"
    os.makedirs(out, exist_ok=True)
    digits_torch(out)
    cancer_logreg(out)


if __name__ == "__main__":
    main()
