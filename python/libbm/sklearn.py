"""A fitted scikit-learn MLPClassifier or MLPRegressor as libbm network XML
(docs/network.md).  Only the weights are translated; libbm reads the text,
quantises every weight with its own rounding rule and defines what the
network computes."""
import numpy as np

from ._capi import Error

_ACTIVATIONS = {"relu": "relu", "identity": "linear"}


def _number(v):
    v = float(v)
    if not np.isfinite(v):
        raise Error("libbm: the model holds a weight that is not a finite number: %r" % v)
    return "0" if v == 0 else repr(v)


def network_xml(model, name, total, frac):
    """The network XML text of a fitted MLP and its classes (None for a
    regressor).  A binary classifier (one logistic output z) becomes two
    outputs (0, z) and an argmax, which picks class 1 exactly when z > 0, as
    scikit-learn does."""
    kind = type(model).__name__
    if kind not in ("MLPClassifier", "MLPRegressor"):
        raise Error("libbm: expected a fitted MLPClassifier or MLPRegressor, not %s" % kind)
    if not hasattr(model, "coefs_"):
        raise Error("libbm: the %s is not fitted (call fit first)" % kind)
    hidden = _ACTIVATIONS.get(model.activation)
    if hidden is None:
        raise Error("libbm: activation %r has no libbm equivalent (use 'relu' or 'identity')"
                    % model.activation)
    classifier = kind == "MLPClassifier"
    layers = [(np.asarray(w, dtype=float), np.asarray(b, dtype=float))
              for w, b in zip(model.coefs_, model.intercepts_)]
    classes = None
    if classifier:
        classes = np.asarray(model.classes_)
        if model.out_activation_ == "logistic":
            if len(classes) != 2 or layers[-1][0].shape[1] != 1:
                raise Error("libbm: multi-label classifiers are not supported (one class per "
                            "sample only)")
            w, b = layers[-1]
            layers[-1] = (np.hstack([np.zeros_like(w), w]), np.concatenate([[0.0], b]))
        elif model.out_activation_ != "softmax":
            raise Error("libbm: output activation %r is not supported" % model.out_activation_)
    elif model.out_activation_ != "identity":
        raise Error("libbm: output activation %r is not supported" % model.out_activation_)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             "<!-- converted from a scikit-learn %s by the libbm Python package -->" % kind,
             '<network format="1" name="%s" total="%d" frac="%d">' % (name, total, frac),
             '  <input size="%d"/>' % layers[0][0].shape[0]]
    for l, (w, b) in enumerate(layers):
        act = hidden if l < len(layers) - 1 else "linear"
        n_in, n_out = w.shape
        lines.append('  <layer inputs="%d" neurons="%d" activation="%s">' % (n_in, n_out, act))
        lines.append("    <weights>")
        for j in range(n_out):  # row-major by neuron: scikit-learn's coefs_ transposed
            lines.append("      " + " ".join(_number(v) for v in w[:, j]))
        lines.append("    </weights>")
        lines.append("    <biases>" + " ".join(_number(v) for v in b) + "</biases>")
        lines.append("  </layer>")
    if classifier:
        lines.append("  <argmax/>")
    lines.append("</network>")
    return "\n".join(lines) + "\n", classes
