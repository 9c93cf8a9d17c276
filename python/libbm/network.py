"""Networks and graphs: load, quantise, evaluate with the reference
evaluator, compile onto a machine, draw."""
import re

import numpy as np

from . import _capi
from ._capi import Error, ffi, lib
from .draw import svg


class Network:
    """A graph libbm can evaluate and compile: a dense network read from
    network XML or converted from scikit-learn, or any graph (text language,
    GraphML).  Build one with load(), from_xml() or from_sklearn()."""

    def __init__(self, ctx, graph, name, classes=None, xml=None):
        self._ctx = ctx
        self._g = graph
        self.name = name
        self.classes = classes
        self.xml = xml
        g = graph
        self.type = (lib.bm_graph_type(g).total, lib.bm_graph_type(g).frac)
        self.inputs = [_capi.string(lib.bm_graph_node_name(g, lib.bm_graph_input(g, i)))
                       for i in range(lib.bm_graph_input_count(g))]
        self.outputs = [_capi.string(lib.bm_graph_node_name(g, lib.bm_graph_output(g, i)))
                        for i in range(lib.bm_graph_output_count(g))]
        out0 = lib.bm_graph_output(g, 0)
        self.argmax = (len(self.outputs) == 1 and
                       lib.bm_graph_node_op(g, lib.bm_graph_node_operand(g, out0, 0))
                       == lib.BM_OP_ARGMAX)

    def __del__(self):
        if getattr(self, "_g", None) is not None:
            lib.bm_graph_free(self._g)
            self._g = None

    def __repr__(self):
        return "<libbm.Network %s: %d inputs, %d outputs%s, fixed<%d,%d>>" % (
            self.name, len(self.inputs), len(self.outputs), ", argmax" if self.argmax else "",
            self.type[0], self.type[0] - self.type[1])

    # ---- numbers ----------------------------------------------------------

    def quantize(self, X):
        """The raw fixed-point inputs (int64, vectors x inputs) of X, rounded
        by libbm's rule (docs/numbers.md); a value out of range is an Error."""
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != len(self.inputs):
            raise Error("libbm: %s takes vectors of %d inputs, got an array of shape %s"
                        % (self.name, len(self.inputs), X.shape))
        if X.shape[0] == 0:
            return np.zeros((0, len(self.inputs)), dtype=np.int64)
        v = self._vectors(X)
        try:
            n, ni = lib.bm_vectors_count(v), len(self.inputs)
            raw = np.empty((n, ni), dtype=np.int64)
            for k in range(n):
                raw[k] = ffi.unpack(lib.bm_vectors_inputs(v, k), ni)
        finally:
            lib.bm_vectors_free(v)
        return raw

    def _vectors(self, X):
        """X (2-D, checked) read by bm_vectors_read; free with bm_vectors_free."""
        text = "\n".join(",".join(repr(float(v)) for v in row) for row in X) + "\n"
        data = text.encode("ascii")
        out = ffi.new("bm_vectors **")
        self._ctx.check(lib.bm_vectors_read(out, self._g, data, len(data), b"<X>", 0),
                        "libbm: quantising the inputs")
        return out[0]

    def decode(self, raw):
        """Raw outputs (vectors x outputs) as the user sees them: for an
        argmax network the class (an index, or scikit-learn's class label),
        otherwise the fixed-point values as floats."""
        raw = np.asarray(raw, dtype=np.int64)
        if self.argmax:
            idx = raw[:, 0]
            return np.asarray(self.classes)[idx] if self.classes is not None else idx
        t = lib.bm_graph_type(self._g)
        return np.array([[lib.bm_fixed_to_double(int(r), t) for r in row] for row in raw],
                        dtype=float).reshape(raw.shape)

    def _raw_inputs(self, X, raw_in):
        if raw_in:
            raw = np.asarray(X, dtype=np.int64)
            return raw.reshape(1, -1) if raw.ndim == 1 else raw
        return self.quantize(X)

    def evaluate(self, X, raw=False, raw_in=False):
        """The reference evaluator (bm_graph_eval) on every vector of X: what
        any machine compiled from this network outputs, bit for bit.  raw=True
        gives the raw int64 outputs; raw_in=True takes X as raw inputs."""
        rin = np.ascontiguousarray(self._raw_inputs(X, raw_in), dtype=np.int64)
        n, no = rin.shape[0], len(self.outputs)
        out = np.empty((n, no), dtype=np.int64)
        obuf = ffi.new("int64_t[]", max(no, 1))
        for k in range(n):
            ibuf = ffi.cast("int64_t *", ffi.from_buffer(rin[k]))
            self._ctx.check(lib.bm_graph_eval(self._g, ibuf, obuf), "libbm: evaluating")
            out[k] = ffi.unpack(obuf, no)
        return out if raw else self.decode(out)

    def score(self, X, y):
        """Accuracy (classifiers) of evaluate(X) against y."""
        return float(np.mean(self.evaluate(X) == np.asarray(y)))

    def profile(self, X):
        """Value ranges over the vectors of X (bm_graph_profile, docs/profile.md):
        a dict with "inputs", "layers" (per layer a dict of "outputs", "sums",
        "products", "consts"), "all", each range a dict of float, fixed and
        exact min/max (as numbers), "wrapped" and "int_bits"; and
        "suggested_type", the fixed<T,I> that holds every exact value."""
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != len(self.inputs):
            raise Error("libbm: %s takes vectors of %d inputs, got an array of shape %s"
                        % (self.name, len(self.inputs), X.shape))
        v = self._vectors(X)
        p = ffi.new("bm_profile **")
        try:
            self._ctx.check(lib.bm_graph_profile(p, self._g, v), "libbm: profiling")
        finally:
            lib.bm_vectors_free(v)
        t = lib.bm_graph_type(self._g)
        wide = ffi.new("bm_fixed_type *", {"total": 64, "frac": t.frac})[0]
        r = ffi.new("bm_value_range *")

        def rng():
            return {"count": r.count,
                    "float_min": r.float_min, "float_max": r.float_max,
                    "min": lib.bm_fixed_to_double(r.min, t),
                    "max": lib.bm_fixed_to_double(r.max, t),
                    "exact_min": lib.bm_fixed_to_double(r.exact_min, wide),
                    "exact_max": lib.bm_fixed_to_double(r.exact_max, wide),
                    "wrapped": r.wrapped, "int_bits": r.int_bits}
        try:
            result = {"vectors": lib.bm_profile_vector_count(p[0])}
            lib.bm_profile_inputs(p[0], r)
            result["inputs"] = rng()
            parts = (("outputs", lib.BM_PROFILE_OUTPUTS), ("sums", lib.BM_PROFILE_SUMS),
                     ("products", lib.BM_PROFILE_PRODUCTS), ("consts", lib.BM_PROFILE_CONSTS))
            result["layers"] = []
            for layer in range(lib.bm_profile_layer_count(p[0])):
                entry = {}
                for key, part in parts:
                    lib.bm_profile_layer(p[0], layer, part, r)
                    entry[key] = rng()
                result["layers"].append(entry)
            lib.bm_profile_all(p[0], r)
            result["all"] = rng()
            s = ffi.new("bm_fixed_type *")
            self._ctx.check(lib.bm_profile_suggest_type(p[0], s), "libbm: suggesting a type")
            result["suggested_type"] = "fixed<%d,%d>" % (s.total, s.total - s.frac)
        finally:
            lib.bm_profile_free(p[0])
        return result

    # ---- compiling --------------------------------------------------------

    def compile(self, strategy="node", cores=None, fold=None, reuse=None, mul="comb",
                buffers=None, name=None, fetch="auto", chain=False, split=None):
        """Compiles onto a machine (bm_compile, docs/compile.md).  strategy is
        node, cores, single or fold; cores (implies "cores"), fold and reuse
        (an int, or one per layer; imply "fold"), split (with fold: each
        neuron in that many parts, a core a slice of K neurons; an int or
        one per layer), mul (comb, pipe, serial), fetch (auto, direct,
        staged) and chain (each layer's fold cores chained by forwards: True
        or "line" is --chain, "broadcast" is --broadcast) are `bmc
        compile`'s options."""
        from .machine import Machine
        opt = _capi.compile_options()
        keep = []
        if cores is not None and strategy == "node":
            strategy = "cores"
        if (fold is not None or reuse is not None) and strategy == "node":
            strategy = "fold"
        s = lib.bm_map_strategy_from_name(_capi.cstr(strategy))
        if s < 0:
            raise Error("libbm: unknown strategy %r (node, cores, single or fold)" % strategy,
                        lib.BM_EINVAL)
        opt.strategy = s
        if cores is not None:
            opt.cores = int(cores)
        v = lib.bm_mul_variant_from_name(_capi.cstr(mul))
        if v < 0:
            raise Error("libbm: unknown multiplier %r (comb, pipe or serial)" % mul,
                        lib.BM_EINVAL)
        opt.mul = v
        f = lib.bm_compile_fetch_from_name(_capi.cstr(fetch))
        if f < 0:
            raise Error("libbm: unknown fetch kind %r (auto, direct or staged)" % fetch,
                        lib.BM_EINVAL)
        opt.fetch = f
        if buffers is not None:
            opt.buffers = int(buffers)
        chains = {False: 0, None: 0, True: 1, "line": 1, "broadcast": 2}
        if not isinstance(chain, (bool, str, type(None))) or chain not in chains:
            raise Error("libbm: unknown chain %r (False, True or 'line', 'broadcast')" % (chain,),
                        lib.BM_EINVAL)
        opt.chain = chains[chain]
        for key, value in (("fold", fold), ("reuse", reuse), ("split", split)):
            if value is None:
                continue
            values = [int(x) for x in (value if np.ndim(value) else [value])]
            arr = ffi.new("unsigned[]", values)
            keep.append(arr)
            setattr(opt, key + "_layers", arr)
            setattr(opt, "n_%s_layers" % key, len(values))
            if key != "split":
                setattr(opt, key, values[0])
        mname = name if name is not None else re.sub(r"\W", "_", self.name) or "graph"
        cname = ffi.new("char[]", _capi.cstr(mname))
        opt.name = cname
        out = ffi.new("bm_machine **")
        self._ctx.check(lib.bm_compile(out, self._g, opt), "libbm: compiling %s" % self.name)
        return Machine(self._ctx, out[0], network=self)

    # ---- pictures ---------------------------------------------------------

    def dot(self):
        """The graph as Graphviz text (bm_graph_dot, docs/dot.md)."""
        out, n = ffi.new("char **"), ffi.new("size_t *")
        self._ctx.check(lib.bm_graph_dot(out, n, self._g), "libbm: drawing")
        try:
            return ffi.unpack(out[0], n[0]).decode("utf-8")
        finally:
            lib.bm_dot_free(self._ctx.ptr, out[0])

    def svg(self):
        return svg(self.dot())

    def _repr_svg_(self):
        return self.svg()


def load(path, type=None):
    """Reads a network XML, GraphML or text graph (bm_graph_read_file).
    type ("fixed<16,6>", "int<8>") overrides the file's type."""
    ctx = _capi.Ctx()
    out = ffi.new("bm_graph **")
    ctx.check(lib.bm_graph_read_file(out, ctx.ptr, _capi.cstr(str(path)),
                                     _capi.graph_options(type)),
              "libbm: reading %s" % path)
    name = re.sub(r"\.[^./]*$", "", str(path).rsplit("/", 1)[-1])
    return Network(ctx, out[0], name)


def from_xml(text, name="network.xml", type=None, classes=None):
    """A network from network XML text (docs/network.md)."""
    ctx = _capi.Ctx()
    data = _capi.cstr(text)
    net = ffi.new("bm_network **")
    ctx.check(lib.bm_network_read(net, ctx.ptr, data, len(data), _capi.cstr(name),
                                  _capi.graph_options(type)),
              "libbm: reading %s" % name)
    try:
        g = ffi.new("bm_graph **")
        ctx.check(lib.bm_network_to_graph(g, net[0]), "libbm: lowering %s" % name)
        nname = _capi.string(lib.bm_network_name(net[0]))
    finally:
        lib.bm_network_free(net[0])
    return Network(ctx, g[0], nname, classes=classes,
                   xml=text if isinstance(text, str) else text.decode())


_ACTIVATIONS = {"linear": "BM_ACT_LINEAR", "identity": "BM_ACT_LINEAR", "relu": "BM_ACT_RELU",
                "sigmoid": "BM_ACT_SIGMOID", "tanh": "BM_ACT_TANH"}
_OUTPUTS = {None: "BM_NETWORK_OUTPUT_NEURONS", "argmax": "BM_NETWORK_OUTPUT_ARGMAX",
            "threshold": "BM_NETWORK_OUTPUT_THRESHOLD"}


def from_arrays(weights, biases, activations, type="fixed<16,6>", name="network", output=None,
                classes=None):
    """A dense network from arrays (bm_network_from_arrays): per layer a
    weight matrix of shape (neurons, inputs) (row j holds neuron j's
    weights: the transpose of scikit-learn's coefs_), a bias vector and an
    activation ("linear", "relu", "sigmoid" or "tanh"; one name for every
    layer, or a list).  output is None (the last layer's neurons), "argmax"
    or "threshold".  libbm quantises every value to `type` with its own
    rule (nearest, ties to even); a value out of range is an Error naming
    the layer, neuron and input.  The network's XML is kept in .xml."""
    t = ffi.new("bm_fixed_type *")
    if lib.bm_graph_parse_type(_capi.cstr(type), t):
        raise Error("libbm: the type must be fixed<TOTAL,INTEGER> or int<TOTAL>, not %r" % type,
                    lib.BM_EINVAL)
    if output not in _OUTPUTS:
        raise Error("libbm: output must be None, 'argmax' or 'threshold', not %r" % (output,),
                    lib.BM_EINVAL)
    n = len(weights)
    if len(biases) != n:
        raise Error("libbm: %d weight matrices but %d bias vectors" % (n, len(biases)),
                    lib.BM_EINVAL)
    if isinstance(activations, str):
        activations = [activations] * n
    if len(activations) != n:
        raise Error("libbm: %d layers but %d activations" % (n, len(activations)), lib.BM_EINVAL)
    ws = [np.ascontiguousarray(np.asarray(w, dtype=float)) for w in weights]
    bs = [np.ascontiguousarray(np.asarray(b, dtype=float).ravel()) for b in biases]
    inputs = ws[0].shape[1] if n and ws[0].ndim == 2 else 0
    width = inputs
    for k, (w, b) in enumerate(zip(ws, bs)):
        if w.ndim != 2 or w.shape[1] != width or b.shape != (w.shape[0],):
            raise Error("libbm: layer %d: weights of shape %s and biases of shape %s; expected "
                        "(neurons, %d) and (neurons,)" % (k + 1, w.shape, b.shape, width),
                        lib.BM_EINVAL)
        width = w.shape[0]
    acts = []
    for a in activations:
        if a not in _ACTIVATIONS:
            raise Error("libbm: unknown activation %r (linear, relu, sigmoid, tanh)" % (a,),
                        lib.BM_EINVAL)
        acts.append(getattr(lib, _ACTIVATIONS[a]))
    ctx = _capi.Ctx()
    # the buffers stay referenced (keep) until the call has copied them
    keep = [ffi.from_buffer("double[]", w) for w in ws] + [ffi.from_buffer("double[]", b)
                                                          for b in bs]
    c_neurons = ffi.new("unsigned[]", [w.shape[0] for w in ws] or [0])
    c_acts = ffi.new("bm_activation[]", acts or [0])
    c_ws = ffi.new("const double *[]", keep[:n] or [ffi.NULL])
    c_bs = ffi.new("const double *[]", keep[n:] or [ffi.NULL])
    net = ffi.new("bm_network **")
    ctx.check(lib.bm_network_from_arrays(net, ctx.ptr, _capi.cstr(name), t[0], inputs, n,
                                         c_neurons, c_acts, c_ws, c_bs,
                                         getattr(lib, _OUTPUTS[output])),
              "libbm: building network %s" % name)
    try:
        text = ffi.new("char **")
        size = ffi.new("size_t *")
        ctx.check(lib.bm_network_write_memory(net[0], text, size), "libbm: writing %s" % name)
        xml = ffi.string(text[0], size[0]).decode()
        lib.bm_xml_buffer_free(ctx.ptr, text[0])
        g = ffi.new("bm_graph **")
        ctx.check(lib.bm_network_to_graph(g, net[0]), "libbm: lowering %s" % name)
    finally:
        lib.bm_network_free(net[0])
    return Network(ctx, g[0], name, classes=classes, xml=xml)


def from_sklearn(model, type="fixed<16,6>", name="mlp"):
    """A fitted scikit-learn MLPClassifier or MLPRegressor (relu or identity
    hidden layers).  Its weights are written as network XML (kept in
    .xml) and read by libbm, which quantises them to `type`.  A classifier's
    predictions are its class labels."""
    from .sklearn import network_xml
    t = ffi.new("bm_fixed_type *")
    if lib.bm_graph_parse_type(_capi.cstr(type), t):
        raise Error("libbm: the type must be fixed<TOTAL,INTEGER> or int<TOTAL>, not %r" % type,
                    lib.BM_EINVAL)
    text, classes = network_xml(model, name, t.total, t.frac)
    return from_xml(text, name="<%s %s>" % (type_name(model), name), classes=classes)


def type_name(model):
    return type(model).__name__
