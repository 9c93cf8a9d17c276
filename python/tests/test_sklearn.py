"""scikit-learn models loaded directly against their network XML, and
against scikit-learn's own float predictions."""
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.neural_network import MLPClassifier, MLPRegressor

import libbm


@pytest.fixture(scope="module")
def iris_split():
    data = load_iris()
    X = (data.data - data.data.mean(axis=0)) / data.data.std(axis=0)
    rng = np.random.RandomState(0)
    order = rng.permutation(len(X))
    tr, te = order[:100], order[100:]
    return X[tr], data.target[tr], X[te], data.target[te]


def fit_quietly(model, X, y):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def test_classifier_same_as_its_xml(iris_split, tmp_path):
    Xtr, ytr, Xte, yte = iris_split
    clf = fit_quietly(MLPClassifier(hidden_layer_sizes=(8,), max_iter=800, random_state=0),
                      Xtr, ytr)
    net = libbm.from_sklearn(clf, name="iris_mlp")
    assert net.argmax and list(net.classes) == [0, 1, 2]
    path = tmp_path / "iris_mlp.xml"
    path.write_text(net.xml)
    from_file = libbm.load(path)
    assert (from_file.evaluate(Xte) == net.evaluate(Xte)).all()
    assert from_file.score(Xte, yte) == net.score(Xte, yte)
    # fixed point stays close to the float model
    agree = np.mean(net.evaluate(Xte) == clf.predict(Xte))
    assert agree >= 0.96, agree
    m = net.compile(strategy="fold", fold=4)
    assert (m.predict(Xte) == net.evaluate(Xte)).all()


def test_string_labels_and_binary(iris_split):
    Xtr, ytr, Xte, yte = iris_split
    names = np.array(["setosa", "versicolor", "virginica"])
    clf = fit_quietly(MLPClassifier(hidden_layer_sizes=(6,), max_iter=800, random_state=1),
                      Xtr, names[ytr])
    net = libbm.from_sklearn(clf)
    pred = net.evaluate(Xte)
    assert set(pred) <= set(names) and np.mean(pred == clf.predict(Xte)) >= 0.9
    yb = (ytr == 2).astype(int)
    binary = fit_quietly(MLPClassifier(hidden_layer_sizes=(5,), max_iter=800, random_state=2),
                         Xtr, yb)
    bnet = libbm.from_sklearn(binary)
    assert bnet.outputs == ["class"] and list(bnet.classes) == [0, 1]
    assert np.mean(bnet.evaluate(Xte) == binary.predict(Xte)) >= 0.95
    assert (bnet.compile().predict(Xte) == bnet.evaluate(Xte)).all()


def test_regressor(iris_split):
    Xtr, _, Xte, _ = iris_split
    Y = np.stack([Xtr[:, 0] * 0.5 + Xtr[:, 1], Xtr[:, 2] - Xtr[:, 3]], axis=1)
    reg = fit_quietly(MLPRegressor(hidden_layer_sizes=(6,), max_iter=2000, random_state=0),
                      Xtr[:, :2].copy(), Y)
    net = libbm.from_sklearn(reg, name="reg")
    assert not net.argmax and net.outputs == ["y0", "y1"]
    got = net.evaluate(Xte[:, :2])
    assert got.shape == (len(Xte), 2)
    assert np.max(np.abs(got - reg.predict(Xte[:, :2]))) < 0.1
    m = net.compile(cores=2)
    assert (m.predict(Xte[:, :2], raw=True) == net.evaluate(Xte[:, :2], raw=True)).all()


def test_unsupported_models(iris_split):
    Xtr, ytr, _, _ = iris_split
    tanh = fit_quietly(MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", max_iter=50,
                                     random_state=0), Xtr, ytr)
    with pytest.raises(libbm.Error, match="activation 'tanh'"):
        libbm.from_sklearn(tanh)
    with pytest.raises(libbm.Error, match="not fitted"):
        libbm.from_sklearn(MLPClassifier())
    with pytest.raises(libbm.Error, match="expected a fitted"):
        libbm.from_sklearn(object())
    big = fit_quietly(MLPRegressor(hidden_layer_sizes=(3,), max_iter=10, random_state=0),
                      Xtr, ytr)
    big.coefs_[0][0, 0] = 1000.0
    with pytest.raises(libbm.Error) as e:
        libbm.from_sklearn(big, name="big")
    assert "<MLPRegressor big>:7:7: error: constant 1000.0 does not fit" in str(e.value)
