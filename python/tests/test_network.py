"""Networks: loading, quantising, the reference evaluator against `bmc eval`,
the simulator against the evaluator, errors."""
import os
import re

import numpy as np
import pytest

import libbm
from conftest import bmc, load_csv, repo


def bmc_eval_classes(network, vectors):
    out = bmc("eval", network, "--vectors", vectors, "--labels").stdout
    return np.array([int(m) for m in re.findall(r"class=(-?\d+) \(index\)", out)])


def test_iris_evaluate_equals_bmc_eval(iris_data):
    X, y = iris_data
    net = libbm.load(repo("examples", "networks", "iris.xml"))
    assert net.argmax and net.inputs == ["x0", "x1", "x2", "x3"] and net.outputs == ["class"]
    want = bmc_eval_classes(repo("examples", "networks", "iris.xml"),
                            repo("examples", "networks", "iris-test.csv"))
    assert len(want) == len(X) == 50
    assert (net.evaluate(X) == want).all()
    assert net.score(X, y) == pytest.approx(np.mean(want == y))


def test_digits_predict_equals_evaluate_and_bmc_eval(digits_data):
    X, y = digits_data
    path = repo("examples", "networks", "digits.xml")
    net = libbm.load(path)
    want = bmc_eval_classes(path, repo("examples", "networks", "digits-test.csv"))
    got = net.evaluate(X)
    assert (got == want).all()
    m = net.compile(strategy="fold", fold=8)
    assert (m.predict(X) == want).all()
    # bmc compile --test streams the same vectors through its own simulation
    out = bmc("compile", path, "--fold", "8", "--test", repo("examples", "networks",
                                                             "digits-test.csv"),
              "--labels").stdout
    right = re.search(r"accuracy (\d+)/(\d+)", out)
    assert right, out
    assert int(right.group(1)) == int(np.sum(got == y)) and int(right.group(2)) == len(y)


@pytest.mark.parametrize("options", [dict(), dict(strategy="single"), dict(cores=3),
                                     dict(fold=[2, 1], mul="pipe"), dict(reuse=2),
                                     dict(fold=2, mul="pipe", chain=True),
                                     dict(fold=[2, 1], mul="pipe", chain="broadcast"),
                                     dict(fold=[2, 3], split=[2, 1], mul="pipe",
                                          chain="broadcast"),
                                     dict(fold=2, split=2),
                                     dict(strategy="node", mul="serial", buffers=0),
                                     dict(strategy="single", fetch="staged")])
def test_strategies_predict_bit_exact(iris_data, options):
    X, _ = iris_data
    net = libbm.load(repo("examples", "networks", "iris.xml"))
    m = net.compile(**options)
    assert (m.predict(X, raw=True) == net.evaluate(X, raw=True)).all()


def test_quantize_follows_libbm(iris_data):
    net = libbm.load(repo("examples", "networks", "iris.xml"))
    raw = net.quantize([[0.5, -1.25, 0.0009765625, 0.00048828125]])
    # 2^-10 steps, ties to even: 0.5 * 1024 = 512, 2^-11 rounds to 0
    assert raw.tolist() == [[512, -1280, 1, 0]]
    assert net.quantize(np.zeros((0, 4))).shape == (0, 4)


def test_raw_outputs_equal_bmc_eval_for_linear_outputs(tmp_path):
    net = libbm.load(repo("tests", "data", "graph", "tiny.xml"))
    # tiny.xml ends in an argmax; its text graph twin without one:
    text = tmp_path / "lin.bmg"
    text.write_text("input a, b\nt = a * 0.75 - b\noutput y = t + 0.5\n")
    g = libbm.load(text)
    assert not g.argmax
    X = np.array([[1.0, 2.0], [-0.3, 0.1], [3.25, -7.5]])
    raw = g.evaluate(X, raw=True)
    for k, row in enumerate(X):
        out = bmc("eval", text, "--in", "a=%r,b=%r" % tuple(row)).stdout
        assert int(re.search(r"raw (-?\d+)", out).group(1)) == raw[k, 0]
    assert (g.compile().predict(X, raw=True) == raw).all()
    assert np.allclose(g.evaluate(X)[:, 0], raw[:, 0] / 1024.0)
    assert (net.compile().predict([[1, 1]]) == net.evaluate([[1, 1]])).all()


def test_errors_carry_diagnostics(tmp_path):
    with pytest.raises(libbm.Error) as e:
        libbm.load(repo("tests", "data", "graph", "bad_bias_range.xml"))
    assert "bad_bias_range.xml:19:15: error: constant -40 does not fit" in str(e.value)
    d = e.value.diagnostics[0]
    assert (d.line, d.column, d.severity) == (19, 15, "error")
    assert e.value.code < 0
    with pytest.raises(libbm.Error, match="no/such.xml"):
        libbm.load("no/such.xml")
    net = libbm.load(repo("examples", "networks", "iris.xml"))
    with pytest.raises(libbm.Error, match="does not fit"):
        net.evaluate([[100.0, 0, 0, 0]])
    with pytest.raises(libbm.Error, match="takes vectors of 4 inputs"):
        net.evaluate([[1.0, 2.0]])
    with pytest.raises(libbm.Error, match="unknown strategy"):
        net.compile(strategy="magic")
    with pytest.raises(libbm.Error, match="unknown multiplier"):
        net.compile(mul="fast")
    with pytest.raises(libbm.Error):
        net.compile(cores=0)
    with pytest.raises(libbm.Error, match="unknown fetch kind"):
        net.compile(fetch="soon")
    with pytest.raises(libbm.Error, match="type must be"):
        libbm.load(repo("examples", "networks", "iris.xml"), type="float")


def test_graph_type_override():
    net = libbm.load(repo("examples", "networks", "iris.xml"), type="fixed<24,8>")
    assert net.type == (24, 16)


def test_onnx_model_loads_like_bmc_reads_it():
    """libbm.load takes an ONNX model (bm_graph_read_file lowers it like a
    network): its evaluation equals `bmc eval` of the same file, and the
    simulated machine equals the evaluation."""
    model = os.path.join(os.environ.get("BM_ONNX_MODELS", repo("build", "onnx")), "iris.onnx")
    vectors = repo("examples", "onnx", "iris-test.csv")
    X, y = load_csv(vectors)
    net = libbm.load(model)
    want = bmc_eval_classes(model, vectors)
    assert len(want) == len(X) == 50
    assert (net.evaluate(X) == want).all()
    assert (net.compile(strategy="node").predict(X) == want).all()
    assert net.score(X, y) >= 0.9


def test_profile_ranges_and_suggested_type():
    # tests/data/profile/wrap.xml: the ranges tests/test_profile.c works out by hand
    net = libbm.load(repo("tests", "data", "profile", "wrap.xml"))
    X = np.array([[1, 1], [3, 2], [-2, 7.5], [0.5, -0.25]])
    p = net.profile(X)
    assert p["vectors"] == 4
    assert (p["inputs"]["exact_min"], p["inputs"]["exact_max"]) == (-2, 7.5)
    sums = p["layers"][0]["sums"]
    assert (sums["exact_min"], sums["exact_max"], sums["min"], sums["max"]) == (-2, 10, -7.75, 7.25)
    assert sums["wrapped"] == 3 and sums["int_bits"] == 5
    out = p["layers"][1]["outputs"]
    assert (out["exact_min"], out["exact_max"], out["float_max"]) == (5.125, 30.75, 30.75)
    assert p["all"]["wrapped"] == 5
    assert p["suggested_type"] == "fixed<10,6>"
    # in that type nothing wraps, and the outputs are the exact ones
    wide = libbm.load(repo("tests", "data", "profile", "wrap.xml"), type="fixed<10,6>")
    assert wide.profile(X)["all"]["wrapped"] == 0
    assert list(wide.evaluate(X)[:, 0]) == [13.75, 30.25, 30.75, 5.125]


def iris_arrays():
    """The weights and biases of examples/networks/iris.xml as float arrays,
    (neurons, inputs) per layer, as a program holding the model has them."""
    text = open(repo("examples", "networks", "iris.xml")).read()
    ws = [np.array([float(v) for v in m.split()])
          for m in re.findall(r"<weights>(.*?)</weights>", text, re.S)]
    bs = [np.array([float(v) for v in m.split()])
          for m in re.findall(r"<biases>(.*?)</biases>", text, re.S)]
    return [ws[0].reshape(8, 4), ws[1].reshape(3, 8)], bs


def test_from_arrays_is_the_network_read_from_xml(iris_data):
    X, y = iris_data
    ws, bs = iris_arrays()
    net = libbm.from_arrays(ws, bs, ["relu", "linear"], name="iris", output="argmax")
    xml = libbm.load(repo("examples", "networks", "iris.xml"))
    assert net.argmax and net.inputs == xml.inputs and net.outputs == xml.outputs
    assert (net.evaluate(X) == xml.evaluate(X)).all()
    assert net.score(X, y) == xml.score(X, y) == pytest.approx(48 / 50)
    # its XML, read back, is the same network again
    again = libbm.from_xml(net.xml)
    assert (again.evaluate(X, raw=True) == net.evaluate(X, raw=True)).all()
    # without the argmax: the three outputs, as floats
    raw = libbm.from_arrays(ws, bs, ["relu", "linear"], name="iris")
    assert raw.outputs == ["y0", "y1", "y2"]
    assert (np.argmax(raw.evaluate(X), axis=1) == net.evaluate(X)).all()


def test_from_arrays_errors():
    ws, bs = iris_arrays()
    with pytest.raises(libbm.Error) as e:
        libbm.from_arrays([ws[0] * 100], [bs[0]], "relu")
    assert "layer 1: weight of neuron 0 for input 1 = 55.4511906 does not fit fixed<16,6>" \
        in str(e.value)
    with pytest.raises(libbm.Error, match="argmax over 1 neuron"):
        libbm.from_arrays([[[1.0, 2.0]]], [[0.5]], "linear", output="argmax")
    with pytest.raises(libbm.Error, match="expected \\(neurons, 8\\)"):
        libbm.from_arrays([ws[0], ws[1].T], bs, "relu")
    with pytest.raises(libbm.Error, match="unknown activation 'softmax'"):
        libbm.from_arrays(ws, bs, "softmax")


def test_split_builds_tiles_and_distributors(iris_data):
    X, _ = iris_data
    net = libbm.load(repo("examples", "networks", "iris.xml"))
    m = net.compile(fold=[2, 3], split=[2, 1], mul="pipe", chain="broadcast")
    xml = m.xml
    # slice 1 of neurons 2 and 3 of layer 0, its slice's distributor, layer 1 whole
    assert 'name="l0c1s1"' in xml and 'name="l0s1"' in xml and 'name="l1c0"' in xml, xml
    assert (m.predict(X[:20], raw=True) == net.evaluate(X[:20], raw=True)).all()
    with pytest.raises(libbm.Error):
        net.compile(reuse=2, split=2)
