/* Lowering one ONNX node of a dense model into the float layers of the
 * reader (the supported operators and their rules are in bm/onnx.h and
 * docs/onnx.md).  Each function checks the node's attributes and constant
 * inputs and refuses, naming what is supported, anything it cannot lower
 * exactly: a dense layer is a Gemm or a MatMul (+ Add), everything else
 * either changes the layer before it (bias, batch normalisation,
 * activation), changes nothing (reshapes that keep [batch, features]), or
 * decides the output (Softmax, ArgMax, Sigmoid). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnx_impl.h"

#define LAYER_SIZE_MAX (1u << 20)

static const char *shape_text(const int64_t *dims, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    used += (size_t)snprintf(buf, size, "[");
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? ", " : "",
                                 (long long)dims[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
    return buf;
}

/* The layer an Add, BatchNormalization or activation applies to. */
static onnx_layer *last_layer(onnx_reader *r)
{
    return r->n_layers ? &r->layers[r->n_layers - 1] : NULL;
}

static int need_matrix(onnx_reader *r, const Onnx__NodeProto *n)
{
    if (r->rank != 2)
        return bm_onnx_node_error(r, n,
                                  "the input has rank %u (supported: a [batch, features] "
                                  "matrix; Flatten or Reshape it first)",
                                  r->rank);
    return BM_OK;
}

static int new_layer(onnx_reader *r, const Onnx__NodeProto *n, unsigned inputs,
                     unsigned neurons, onnx_layer **out)
{
    if (neurons == 0 || neurons > LAYER_SIZE_MAX)
        return bm_onnx_node_error(r, n, "a layer of %u neurons (supported: 1 to %u)", neurons,
                                  LAYER_SIZE_MAX);
    if (bm_grow(r->ctx, (void **)&r->layers, &r->cap_layers, r->n_layers + 1,
                sizeof *r->layers))
        return BM_ENOMEM;
    onnx_layer *l = &r->layers[r->n_layers];
    memset(l, 0, sizeof *l);
    l->w = bm_calloc(r->ctx, (size_t)neurons * inputs, sizeof *l->w);
    l->b = bm_calloc(r->ctx, neurons, sizeof *l->b);
    if (!l->w || !l->b) {
        bm_free(r->ctx, l->w);
        bm_free(r->ctx, l->b);
        return BM_ENOMEM;
    }
    r->n_layers++;
    l->inputs = inputs;
    l->neurons = neurons;
    l->activation = BM_ACT_LINEAR;
    l->origin = n;
    r->features = neurons;
    *out = l;
    return BM_OK;
}

/* Adds a bias tensor of shape [M], [1, M], [1] or [] (scaled by beta). */
static int add_bias(onnx_reader *r, const Onnx__NodeProto *n, unsigned k, const char *what,
                    onnx_layer *l, double beta)
{
    double *v;
    size_t count, nd;
    const int64_t *dims;
    int rc = bm_onnx_input_values(r, n, k, &v, &count, &dims, &nd);
    if (rc)
        return rc;
    int ok = count == 1 || (count == l->neurons && (nd == 1 || (nd == 2 && dims[0] == 1)));
    if (!ok) {
        char s[128];
        rc = bm_onnx_node_error(r, n,
                                "%s has shape %s, but the layer has %u neurons (supported: [%u], "
                                "[1, %u] or one value)",
                                what, shape_text(dims, nd, s, sizeof s), l->neurons, l->neurons,
                                l->neurons);
    } else {
        for (unsigned j = 0; j < l->neurons; j++)
            l->b[j] += beta * v[count == 1 ? 0 : j];
    }
    bm_free(r->ctx, v);
    return rc;
}

static int op_gemm(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {"alpha", "beta", "transA", "transB", NULL};
    int64_t trans_a = 0, trans_b = 0;
    double alpha = 1, beta = 1;
    int rc = bm_onnx_attrs_known(r, n, known);
    if (!rc)
        rc = bm_onnx_attr_int(r, n, "transA", 0, &trans_a);
    if (!rc)
        rc = bm_onnx_attr_int(r, n, "transB", 0, &trans_b);
    if (!rc)
        rc = bm_onnx_attr_float(r, n, "alpha", 1, &alpha);
    if (!rc)
        rc = bm_onnx_attr_float(r, n, "beta", 1, &beta);
    if (rc)
        return rc;
    if (slot != 0)
        return bm_onnx_node_error(r, n, "the data is input B (supported: the data as input A, "
                                        "constant weights as B)");
    if (trans_a)
        return bm_onnx_node_error(r, n, "transA=%lld is not supported (supported: transA=0)",
                                  (long long)trans_a);
    if ((rc = need_matrix(r, n)))
        return rc;
    double *w;
    size_t count, nd;
    const int64_t *dims;
    if ((rc = bm_onnx_input_values(r, n, 1, &w, &count, &dims, &nd)))
        return rc;
    char s[128];
    int64_t k = nd == 2 ? dims[trans_b ? 1 : 0] : -1, m = nd == 2 ? dims[trans_b ? 0 : 1] : -1;
    onnx_layer *l = NULL;
    if (nd != 2 || k != (int64_t)r->features) {
        rc = bm_onnx_node_error(r, n, "B has shape %s%s, but the input has %u features",
                                shape_text(dims, nd, s, sizeof s),
                                trans_b ? " (transB=1)" : "", r->features);
    } else if (!(rc = new_layer(r, n, (unsigned)k, m > 0 && m <= LAYER_SIZE_MAX ? (unsigned)m : 0,
                                &l))) {
        for (unsigned j = 0; j < l->neurons; j++)
            for (unsigned i = 0; i < l->inputs; i++)
                l->w[(size_t)j * l->inputs + i] =
                    alpha * w[trans_b ? (size_t)j * l->inputs + i : (size_t)i * l->neurons + j];
    }
    bm_free(r->ctx, w);
    if (!rc && n->n_input > 2 && n->input[2][0])
        rc = add_bias(r, n, 2, "C", l, beta);
    return rc;
}

static int op_matmul(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {NULL};
    int rc = bm_onnx_attrs_known(r, n, known);
    if (rc)
        return rc;
    if (slot != 0)
        return bm_onnx_node_error(r, n, "the data is input B (supported: the data as input A, "
                                        "constant weights as B)");
    if ((rc = need_matrix(r, n)))
        return rc;
    double *w;
    size_t count, nd;
    const int64_t *dims;
    if ((rc = bm_onnx_input_values(r, n, 1, &w, &count, &dims, &nd)))
        return rc;
    char s[128];
    onnx_layer *l = NULL;
    if (nd != 2 || dims[0] != (int64_t)r->features) {
        rc = bm_onnx_node_error(r, n, "B has shape %s, but the input has %u features",
                                shape_text(dims, nd, s, sizeof s), r->features);
    } else if (!(rc = new_layer(r, n, (unsigned)dims[0],
                                dims[1] > 0 && dims[1] <= LAYER_SIZE_MAX ? (unsigned)dims[1] : 0,
                                &l))) {
        for (unsigned j = 0; j < l->neurons; j++)
            for (unsigned i = 0; i < l->inputs; i++)
                l->w[(size_t)j * l->inputs + i] = w[(size_t)i * l->neurons + j];
    }
    bm_free(r->ctx, w);
    return rc;
}

/* The layer before an Add, BatchNormalization or activation; an error when
 * there is none, or when an activation has been applied already. */
static int open_layer(onnx_reader *r, const Onnx__NodeProto *n, int allow_activated,
                      onnx_layer **out)
{
    onnx_layer *l = last_layer(r);
    if (!l || (l->activated && !allow_activated))
        return bm_onnx_node_error(r, n,
                                  "%s (supported: %s directly after a Gemm or MatMul)",
                                  l ? "follows an activation" : "comes before any dense layer",
                                  n->op_type);
    *out = l;
    return BM_OK;
}

static int op_add(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {NULL};
    onnx_layer *l = NULL;
    int rc = bm_onnx_attrs_known(r, n, known);
    if (!rc && n->n_input != 2)
        rc = bm_onnx_node_error(r, n, "has %zu inputs (supported: 2)", n->n_input);
    if (!rc)
        rc = open_layer(r, n, 0, &l);
    return rc ? rc : add_bias(r, n, 1 - slot, "the bias", l, 1);
}

static int op_batchnorm(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {"epsilon", "momentum", "spatial", "training_mode",
                                        "is_test", NULL};
    int64_t spatial = 1, training = 0;
    double eps = 0;
    onnx_layer *l = NULL;
    int rc = bm_onnx_attrs_known(r, n, known);
    if (!rc)
        rc = bm_onnx_attr_int(r, n, "spatial", 1, &spatial);
    if (!rc)
        rc = bm_onnx_attr_int(r, n, "training_mode", 0, &training);
    if (!rc)
        rc = bm_onnx_attr_float(r, n, "epsilon", 1e-5, &eps);
    if (rc)
        return rc;
    if (slot != 0 || n->n_input != 5)
        return bm_onnx_node_error(r, n, "needs the data and 4 constants (scale, B, mean, var)");
    if (!spatial || training)
        return bm_onnx_node_error(r, n, "%s is not supported (supported: inference, spatial=1)",
                                  training ? "training_mode=1" : "spatial=0");
    for (size_t k = 1; k < n->n_output; k++)
        if (n->output[k][0])
            return bm_onnx_node_error(r, n, "has training outputs (supported: one output)");
    if ((rc = need_matrix(r, n)) || (rc = open_layer(r, n, 0, &l)))
        return rc;
    double *p[4] = {NULL, NULL, NULL, NULL};
    static const char *const names[4] = {"scale", "B", "mean", "var"};
    for (unsigned k = 0; k < 4 && !rc; k++) {
        size_t count;
        rc = bm_onnx_input_values(r, n, k + 1, &p[k], &count, NULL, NULL);
        if (!rc && count != l->neurons)
            rc = bm_onnx_node_error(r, n, "%s has %zu values, but the layer has %u neurons",
                                    names[k], count, l->neurons);
    }
    for (unsigned j = 0; j < l->neurons && !rc; j++) {
        double s = p[0][j] / sqrt(p[3][j] + eps);
        if (!(p[3][j] + eps > 0)) {
            rc = bm_onnx_node_error(r, n, "var + epsilon of channel %u is not positive", j);
            break;
        }
        for (unsigned i = 0; i < l->inputs; i++)
            l->w[(size_t)j * l->inputs + i] *= s;
        l->b[j] = (l->b[j] - p[2][j]) * s + p[1][j];
    }
    for (unsigned k = 0; k < 4; k++)
        bm_free(r->ctx, p[k]);
    return rc;
}

/* Sets the activation of the layer before n; a second Relu after a Relu
 * changes nothing, anything else after an activation is refused. */
static int set_activation(onnx_reader *r, const Onnx__NodeProto *n, bm_activation a, double alpha,
                          int has_max, double max)
{
    onnx_layer *l = NULL;
    int rc = open_layer(r, n, 1, &l);
    if (rc)
        return rc;
    if (l->activated) {
        if (a == BM_ACT_RELU && !has_max && l->activation == BM_ACT_RELU)
            return BM_OK; /* relu(relu(x)) and relu(clip(x, 0, m)) are themselves */
        return bm_onnx_node_error(r, n, "follows another activation (supported: one per layer)");
    }
    l->activation = a;
    l->alpha = alpha;
    l->has_max = has_max;
    l->max = max;
    l->act = n;
    l->activated = 1;
    return BM_OK;
}

static int set_relu(onnx_reader *r, const Onnx__NodeProto *n)
{
    return set_activation(r, n, BM_ACT_RELU, 0, 0, 0);
}

static int op_leaky_relu(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {"alpha", NULL};
    double alpha = 0;
    (void)slot;
    int rc = bm_onnx_attrs_known(r, n, known);
    if (!rc)
        rc = bm_onnx_attr_float(r, n, "alpha", 0.01, &alpha);
    if (rc)
        return rc;
    if (!(alpha >= 0 && alpha < 1))
        return bm_onnx_node_error(r, n, "alpha=%g is not supported (supported: 0 <= alpha < 1)",
                                  alpha);
    return set_activation(r, n, BM_ACT_LEAKY_RELU, alpha, 0, 0);
}

static int op_relu(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {NULL};
    (void)slot;
    int rc = bm_onnx_attrs_known(r, n, known);
    return rc ? rc : set_relu(r, n);
}

/* Clip's bound from an attribute (opset < 11) or a constant input. */
static int clip_bound(onnx_reader *r, const Onnx__NodeProto *n, const char *attr, unsigned k,
                      double def, double *out)
{
    *out = def;
    if (r->opset < 11)
        return bm_onnx_attr_float(r, n, attr, def, out);
    if (k >= n->n_input || !n->input[k][0])
        return BM_OK;
    double *v;
    size_t count;
    int rc = bm_onnx_input_values(r, n, k, &v, &count, NULL, NULL);
    if (rc)
        return rc;
    if (count != 1)
        rc = bm_onnx_node_error(r, n, "%s has %zu values (supported: one)", attr, count);
    else
        *out = v[0];
    bm_free(r->ctx, v);
    return rc;
}

static int op_clip(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known_old[] = {"min", "max", NULL};
    static const char *const known[] = {NULL};
    double lo = 0, hi = 0;
    (void)slot;
    int rc = bm_onnx_attrs_known(r, n, r->opset < 11 ? known_old : known);
    if (!rc)
        rc = clip_bound(r, n, "min", 1, -INFINITY, &lo);
    if (!rc)
        rc = clip_bound(r, n, "max", 2, INFINITY, &hi);
    if (rc)
        return rc;
    /* float's largest value is how exporters write "no bound". */
    if (lo == 0 && hi >= 3.4028234e38)
        return set_relu(r, n);
    if (lo == 0 && hi > 0)
        return set_activation(r, n, BM_ACT_RELU, 0, 1, hi);
    return bm_onnx_node_error(r, n,
                              "Clip to [%g, %g] is not supported (supported: min 0 and a "
                              "positive max or none: a relu, clipped like ReLU6 or not)",
                              lo, hi);
}

static int op_flatten(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {"axis", NULL};
    int64_t axis = 0;
    (void)slot;
    int rc = bm_onnx_attrs_known(r, n, known);
    if (!rc)
        rc = bm_onnx_attr_int(r, n, "axis", 1, &axis);
    if (rc)
        return rc;
    if (axis != 1 && !(axis == 1 - (int64_t)r->rank && r->rank > 1))
        return bm_onnx_node_error(r, n, "axis=%lld is not supported (supported: axis=1, which "
                                        "keeps the batch dimension)",
                                  (long long)axis);
    r->rank = 2;
    return BM_OK;
}

static int op_reshape(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {"allowzero", NULL};
    int rc = bm_onnx_attrs_known(r, n, known);
    if (rc)
        return rc;
    if (slot != 0)
        return bm_onnx_node_error(r, n, "the data is not input 1");
    double *v;
    size_t count;
    /* a target computed from the data's Shape (torch's x.view(x.size(0),
     * -1)) is evaluated with the batch size as 0, copied */
    const char *target = n->n_input > 1 ? n->input[1] : "";
    if (target[0] && !bm_onnx_constant(r, target) && !bmi_onnx_constant_dq(r, target))
        rc = bmi_onnx_shape_values(r, n, &v, &count);
    else
        rc = bm_onnx_input_values(r, n, 1, &v, &count, NULL, NULL);
    if (rc)
        return rc;
    /* [batch, features] with the batch as -1, 0 (copied), 1 or the input's
     * fixed batch size (torch folds x.size(0) to it when the batch is not
     * dynamic), and the features as -1 (inferred) or their count. */
    const Onnx__TensorShapeProto__Dimension *d0 = r->input_shape->dim[0];
    int64_t fixed =
        d0->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ? d0->dim_value : 1;
    int ok = count == 2 && (v[0] == -1 || v[0] == 0 || v[0] == 1 || v[0] == (double)fixed) &&
             (v[1] == (double)r->features || (v[1] == -1 && v[0] != -1));
    if (!ok) {
        char s[128] = "[", batch[64] = "";
        for (size_t i = 0; i < count && strlen(s) < 100; i++)
            snprintf(s + strlen(s), sizeof s - strlen(s), "%s%g", i ? ", " : "", v[i]);
        strncat(s, "]", sizeof s - strlen(s) - 1);
        if (fixed > 1)
            snprintf(batch, sizeof batch, ", [%lld, %u]", (long long)fixed, r->features);
        rc = bm_onnx_node_error(r, n,
                                "reshaping to %s is not supported (supported: [-1, %u]%s or "
                                "[1, %u], which keep %u features per vector)",
                                s, r->features, batch, r->features, r->features);
    }
    bm_free(r->ctx, v);
    if (!rc)
        r->rank = 2;
    return rc;
}

static int op_identity(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {NULL};
    (void)slot;
    return bm_onnx_attrs_known(r, n, known);
}

static int op_dropout(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {"seed", "ratio", "is_test", NULL};
    (void)slot;
    int rc = bm_onnx_attrs_known(r, n, known);
    if (rc || n->n_input < 3 || !n->input[2][0])
        return rc;
    double *v;
    size_t count;
    if ((rc = bm_onnx_input_values(r, n, 2, &v, &count, NULL, NULL)))
        return rc;
    if (count != 1 || v[0] != 0)
        rc = bm_onnx_node_error(r, n, "training_mode is on (supported: inference)");
    bm_free(r->ctx, v);
    return rc;
}

/* Softmax and LogSoftmax: monotonic over the features, so a classifier's
 * prediction is the argmax of what comes in. */
static int op_softmax(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {"axis", NULL};
    int64_t axis = 0;
    (void)slot;
    int rc = bm_onnx_attrs_known(r, n, known);
    if (!rc)
        rc = bm_onnx_attr_int(r, n, "axis", r->opset < 13 ? 1 : -1, &axis);
    if (!rc)
        rc = need_matrix(r, n);
    if (rc)
        return rc;
    if (axis != 1 && axis != -1)
        return bm_onnx_node_error(r, n, "axis=%lld is not supported (supported: the features, "
                                        "axis 1 or -1)",
                                  (long long)axis);
    if (!r->n_layers)
        return bm_onnx_node_error(r, n, "comes before any dense layer");
    r->argmax = 1;
    r->ended = 1;
    return BM_OK;
}

static int op_argmax(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {"axis", "keepdims", "select_last_index", NULL};
    int64_t axis = 0, last = 0;
    (void)slot;
    int rc = bm_onnx_attrs_known(r, n, known);
    if (!rc)
        rc = bm_onnx_attr_int(r, n, "axis", 0, &axis);
    if (!rc)
        rc = bm_onnx_attr_int(r, n, "select_last_index", 0, &last);
    if (!rc)
        rc = need_matrix(r, n);
    if (rc)
        return rc;
    if (axis != 1 && axis != -1)
        return bm_onnx_node_error(r, n, "axis=%lld is not supported (supported: the features, "
                                        "axis 1 or -1)",
                                  (long long)axis);
    if (last)
        return bm_onnx_node_error(r, n, "select_last_index=1 is not supported (supported: 0, "
                                        "ties go to the first index)");
    if (!r->n_layers || r->threshold)
        return bm_onnx_node_error(r, n, "%s", r->threshold ? "follows a Sigmoid output"
                                                           : "comes before any dense layer");
    r->argmax = 1;
    r->ended = 1;
    return BM_OK;
}

/* A Sigmoid that ends the model on one neuron is a binary classifier:
 * p > 0.5 exactly when the neuron's value is > 0, so the class needs no
 * sigmoid at all.  Anywhere else it is the layer's (piecewise-linear)
 * sigmoid activation. */
static int op_sigmoid(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot, int last)
{
    static const char *const known[] = {NULL};
    (void)slot;
    int rc = bm_onnx_attrs_known(r, n, known);
    if (rc)
        return rc;
    if (last && r->n_layers && r->features == 1 && !r->layers[r->n_layers - 1].activated) {
        r->threshold = 1;
        r->ended = 1;
        return BM_OK;
    }
    return set_activation(r, n, BM_ACT_SIGMOID, 0, 0, 0);
}

static int op_tanh(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    static const char *const known[] = {NULL};
    (void)slot;
    int rc = bm_onnx_attrs_known(r, n, known);
    return rc ? rc : set_activation(r, n, BM_ACT_TANH, 0, 0, 0);
}

typedef struct op_entry {
    const char *name;
    int (*lower)(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot);
} op_entry;

static const op_entry ops[] = {
    {"Gemm", op_gemm},         {"MatMul", op_matmul},   {"Add", op_add},
    {"BatchNormalization", op_batchnorm},               {"Relu", op_relu},
    {"Clip", op_clip},         {"LeakyRelu", op_leaky_relu}, {"Tanh", op_tanh},
    {"Flatten", op_flatten},   {"Reshape", op_reshape},
    {"Identity", op_identity}, {"Dropout", op_dropout}, {"Softmax", op_softmax},
    {"LogSoftmax", op_softmax}, {"ArgMax", op_argmax},
};

#define SUPPORTED_OPS                                                                        \
    "Gemm, MatMul, Add, BatchNormalization, Relu, LeakyRelu, Clip, Sigmoid, Tanh, Flatten, " \
    "Reshape, Identity, Dropout, Softmax, LogSoftmax, ArgMax, QuantizeLinear, "              \
    "DequantizeLinear"

int bm_onnx_lower_node(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot, int last)
{
    if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx") != 0)
        return bm_onnx_node_error(r, n, "domain '%s' is not supported (supported: the default "
                                        "ONNX domain)",
                                  n->domain);
    /* a QuantizeLinear's integers go to its DequantizeLinear and nowhere else */
    int dequantize = strcmp(n->op_type, "DequantizeLinear") == 0;
    if (r->quantized && !dequantize) {
        char q[300];
        return bm_onnx_node_error(r, n, "reads the integers of %s (supported: a DequantizeLinear "
                                        "right after each QuantizeLinear)",
                                  bm_onnx_node_label(r, r->quantized, q, sizeof q));
    }
    /* QDQ pairs change no value libbm computes: allowed after the output
     * decision too */
    if (dequantize)
        return bmi_onnx_op_dequantize(r, n, slot);
    if (strcmp(n->op_type, "QuantizeLinear") == 0)
        return bmi_onnx_op_quantize(r, n, slot, last);
    if (strcmp(n->op_type, "Sigmoid") == 0)
        return op_sigmoid(r, n, slot, last);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strcmp(ops[i].name, n->op_type) != 0)
            continue;
        int passes = ops[i].lower == op_identity || ops[i].lower == op_argmax;
        if (r->ended && !passes)
            return bm_onnx_node_error(r, n, "follows the model's output decision (supported "
                                            "after Softmax: ArgMax)");
        return ops[i].lower(r, n, slot);
    }
    return bm_onnx_node_error(r, n, "operator %s is not supported (supported: " SUPPORTED_OPS ")",
                              n->op_type);
}
