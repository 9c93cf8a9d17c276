/* Reading an ONNX model into a bm_network (bm/onnx.h, docs/onnx.md).
 *
 * The model is decoded by the C code protoc-c generates from onnx.proto
 * (in the build tree), allocating through the context.  Then the graph is
 * walked as a chain from its one input to its one output, each node lowered
 * by onnx_ops.c into layers of doubles; only at the end is every weight
 * quantised, once, to the network's type.  Nothing is returned unless all
 * of it succeeded. */
#include <stdio.h>
#include <string.h>

#include "../compile/network_impl.h"
#include "bm/onnx.h"
#include "onnx_impl.h"

#define OPSET_MIN 7
#define OPSET_MAX 21
#define INPUT_SIZE_MAX (1u << 20)
/* Range errors reported per layer before the rest are counted. */
#define RANGE_ERRORS_MAX 10

/* ---- decoding ------------------------------------------------------------------------ */

typedef struct pb_heap {
    bm_ctx *ctx;
    int failed;
} pb_heap;

static void *pb_alloc(void *data, size_t size)
{
    pb_heap *h = data;
    void *p = bm_malloc(h->ctx, size ? size : 1);
    if (!p)
        h->failed = 1;
    return p;
}

static void pb_free(void *data, void *p)
{
    pb_heap *h = data;
    bm_free(h->ctx, p);
}

/* ---- the model's input, output and opset ----------------------------------------------- */

/* onnx.proto is proto2, so protoc-c leaves an absent string NULL.  The
 * names that ONNX requires (of inputs, outputs, initializers, attributes,
 * and every node's op_type) are checked once here, so the rest of the
 * reader can compare them. */
static int check_required_strings(onnx_reader *r, const Onnx__GraphProto *g)
{
    const char *what = NULL;
    size_t index = 0;
    for (size_t i = 0; i < g->n_input && !what; i++)
        if (!g->input[i]->name)
            what = "input", index = i;
    for (size_t i = 0; i < g->n_output && !what; i++)
        if (!g->output[i]->name)
            what = "output", index = i;
    for (size_t i = 0; i < g->n_initializer && !what; i++)
        if (!g->initializer[i]->name)
            what = "initializer", index = i;
    for (size_t i = 0; i < g->n_node && !what; i++) {
        if (!g->node[i]->op_type)
            what = "node (its op_type)", index = i;
        for (size_t k = 0; k < g->node[i]->n_attribute && !what; k++)
            if (!g->node[i]->attribute[k]->name)
                what = "node (an attribute)", index = i;
    }
    if (what)
        return bm_error(r->ctx, r->loc, "not an ONNX model: %s %zu has no name", what,
                        index + 1);
    return BM_OK;
}

static int is_initializer(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_initializer; i++)
        if (strcmp(g->initializer[i]->name, name) == 0)
            return 1;
    return 0;
}

static int read_opset(onnx_reader *r, const Onnx__ModelProto *m)
{
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        if (o->domain && o->domain[0] && strcmp(o->domain, "ai.onnx") != 0)
            continue;
        r->opset = o->version;
        if (o->version < OPSET_MIN || o->version > OPSET_MAX)
            return bm_error(r->ctx, r->loc,
                            "the model uses opset %lld of the default ONNX domain (supported: "
                            "%d to %d)",
                            (long long)o->version, OPSET_MIN, OPSET_MAX);
        return BM_OK;
    }
    return bm_error(r->ctx, r->loc, "the model imports no opset of the default ONNX domain");
}

/* The one input that is not an initializer, with a shape [batch, d1, ...]
 * whose dimensions after the batch are fixed. */
static int read_input(onnx_reader *r, const char **name)
{
    const Onnx__GraphProto *g = r->graph;
    const Onnx__ValueInfoProto *in = NULL;
    size_t count = 0;
    for (size_t i = 0; i < g->n_input; i++)
        if (!is_initializer(g, g->input[i]->name)) {
            in = in ? in : g->input[i];
            count++;
        }
    if (count != 1)
        return bm_error(r->ctx, r->loc, "the model has %zu inputs (supported: one)", count);
    *name = in->name;
    const Onnx__TypeProto *t = in->type;
    if (!t || t->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !t->tensor_type->shape)
        return bm_error(r->ctx, r->loc, "input '%s' is not a tensor of known rank (supported: "
                                        "[batch, features...])",
                        in->name);
    int32_t elem = t->tensor_type->elem_type;
    if (elem != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT &&
        elem != ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE)
        return bm_error(r->ctx, r->loc,
                        "input '%s' has element type %d (supported: float, double)", in->name,
                        (int)elem);
    const Onnx__TensorShapeProto *s = t->tensor_type->shape;
    if (s->n_dim < 2)
        return bm_error(r->ctx, r->loc,
                        "input '%s' has rank %zu (supported: [batch, features...])", in->name,
                        s->n_dim);
    uint64_t features = 1;
    for (size_t d = 1; d < s->n_dim; d++) {
        const Onnx__TensorShapeProto__Dimension *dim = s->dim[d];
        if (dim->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
            dim->dim_value <= 0)
            return bm_error(r->ctx, r->loc,
                            "input '%s' has a dynamic dimension %zu%s%s%s (supported: fixed "
                            "sizes, except the first, batch, dimension)",
                            in->name, d,
                            dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                                ? " ('"
                                : "",
                            dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                                ? dim->dim_param
                                : "",
                            dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                                ? "')"
                                : "");
        features *= (uint64_t)dim->dim_value;
        if (features > INPUT_SIZE_MAX)
            return bm_error(r->ctx, r->loc, "input '%s' has more than %u features", in->name,
                            INPUT_SIZE_MAX);
    }
    r->inputs = r->features = (unsigned)features;
    r->rank = (unsigned)s->n_dim;
    r->input_shape = s;
    return BM_OK;
}

/* ---- the walk from input to output ----------------------------------------------------- */

static const char *label(onnx_reader *r, const Onnx__NodeProto *n, char *buf, size_t size)
{
    return bm_onnx_node_label(r, n, buf, size);
}

static int walk(onnx_reader *r, const char *input, const char *output)
{
    const Onnx__GraphProto *g = r->graph;
    unsigned char *done = bm_calloc(r->ctx, g->n_node ? g->n_node : 1, 1);
    if (!done)
        return BM_ENOMEM;
    r->done = done;
    const char *cur = input;
    int rc = BM_OK;
    while (!rc && strcmp(cur, output) != 0) {
        size_t readers = 0, first = 0, second = 0;
        unsigned slot = 0;
        /* a Shape of the data computes a Reshape's target (onnx_shape.c),
         * not the chain */
        for (size_t i = 0; i < g->n_node; i++)
            for (size_t k = 0; k < g->node[i]->n_input; k++)
                if (strcmp(g->node[i]->input[k], cur) == 0 &&
                    strcmp(g->node[i]->op_type, "Shape") != 0) {
                    if (readers == 0) {
                        first = i;
                        slot = (unsigned)k;
                    } else if (readers == 1) {
                        second = i;
                    }
                    readers++;
                }
        char a[300], b[300];
        if (readers == 0) {
            rc = bm_error(r->ctx, r->loc,
                          "tensor '%s' is read by no node and is not the model's output '%s'",
                          cur, output);
        } else if (readers > 1) {
            rc = bm_error(r->ctx, r->loc,
                          "tensor '%s' is read %zu times (%s and %s) (supported: a chain, each "
                          "tensor read once)",
                          cur, readers, label(r, g->node[first], a, sizeof a),
                          label(r, g->node[second], b, sizeof b));
        } else if (done[first] || g->node[first]->n_output < 1) {
            rc = bm_error(r->ctx, r->loc, "%s: a cycle, or no output",
                          label(r, g->node[first], a, sizeof a));
        } else {
            const Onnx__NodeProto *n = g->node[first];
            done[first] = 1;
            rc = bm_onnx_lower_node(r, n, slot, strcmp(n->output[0], output) == 0);
            cur = n->output[0];
        }
    }
    for (size_t i = 0; i < g->n_node && !rc; i++) {
        char a[300];
        /* constants, Identity copies of constants, Transposes of constant
         * matrices and the DequantizeLinear of quantised weights are read
         * by the nodes that use them */
        const Onnx__NodeProto *n = g->node[i];
        int constant = n->n_output == 1 && (bm_onnx_constant(r, n->output[0]) ||
                                            bmi_onnx_constant_dq(r, n->output[0]) ||
                                            bmi_onnx_constant_transpose(r, n->output[0]));
        if (!done[i] && strcmp(n->op_type, "Constant") != 0 && !constant)
            rc = bm_error(r->ctx, r->loc,
                          "%s is not on the path from input '%s' to output '%s' (supported: one "
                          "chain of nodes)",
                          label(r, g->node[i], a, sizeof a), input, output);
    }
    if (!rc && !r->n_layers)
        rc = bm_error(r->ctx, r->loc, "the model has no dense layer (Gemm or MatMul)");
    bm_free(r->ctx, done);
    r->done = NULL;
    return rc;
}

/* ---- quantisation into a network ------------------------------------------------------- */

static int quantise_values(onnx_reader *r, const onnx_layer *l, const double *v, size_t n,
                           int is_bias, bm_fixed_type t, int64_t *out, size_t *bad)
{
    for (size_t i = 0; i < n; i++) {
        int rc = bm_fixed_from_double(NULL, v[i], t, &out[i]);
        if (rc != BM_ERANGE)
            continue;
        if (++*bad > RANGE_ERRORS_MAX)
            continue;
        char a[64], b[64], what[96];
        bm_fixed_format(a, sizeof a, bm_fixed_min(t), t);
        bm_fixed_format(b, sizeof b, bm_fixed_max(t), t);
        if (is_bias)
            snprintf(what, sizeof what, "bias of neuron %zu", i);
        else
            snprintf(what, sizeof what, "weight of neuron %zu for input %zu", i / l->inputs,
                     i % l->inputs);
        bm_onnx_node_error(r, l->origin, "%s = %.9g does not fit fixed<%u,%u> (range %s .. %s)",
                           what, v[i], t.total, t.total - t.frac, a, b);
    }
    return BM_OK;
}

/* A leaky relu's alpha (which must stay below 1 once rounded) and a
 * clipped relu's bound, in the network's type. */
static int quantise_activation(onnx_reader *r, const onnx_layer *l, bm_fixed_type t,
                               net_layer *nl)
{
    char a[64], b[64];
    bm_fixed_format(a, sizeof a, bm_fixed_min(t), t);
    bm_fixed_format(b, sizeof b, bm_fixed_max(t), t);
    if (l->activation == BM_ACT_LEAKY_RELU) {
        if (bm_fixed_from_double(NULL, l->alpha, t, &nl->alpha) ||
            nl->alpha >= ((int64_t)1 << t.frac))
            return bm_onnx_node_error(r, l->act,
                                      "alpha = %.9g rounds to 1 or more in fixed<%u,%u> "
                                      "(supported: below 1)",
                                      l->alpha, t.total, t.total - t.frac);
    } else if (l->has_max) {
        nl->has_max = 1;
        if (bm_fixed_from_double(NULL, l->max, t, &nl->max) || nl->max <= 0)
            return bm_onnx_node_error(r, l->act,
                                      "max = %.9g does not fit fixed<%u,%u> (range %s .. %s)",
                                      l->max, t.total, t.total - t.frac, a, b);
    }
    return BM_OK;
}

static int build_network(onnx_reader *r, bm_network *net)
{
    net->inputs = r->inputs;
    net->argmax = r->argmax;
    net->threshold = r->threshold;
    net->input_loc = net->argmax_loc = net->threshold_loc = r->loc;
    net->layers = bm_calloc(r->ctx, r->n_layers, sizeof *net->layers);
    if (!net->layers)
        return BM_ENOMEM;
    net->cap_layers = r->n_layers;
    int rc = BM_OK, errors = 0;
    for (size_t k = 0; k < r->n_layers && !rc; k++) {
        const onnx_layer *l = &r->layers[k];
        net_layer *nl = &net->layers[net->n_layers++];
        nl->inputs = l->inputs;
        nl->neurons = l->neurons;
        nl->activation = l->activation;
        if (bm_net_pwl(l->activation) && bm_net_pwl_check(l->activation, net->type)) {
            bm_onnx_node_error(r, l->act, "its constants (up to %g) do not fit fixed<%u,%u>",
                               bm_net_pwl(l->activation)->bound[NET_PWL_TERMS - 1],
                               net->type.total, net->type.total - net->type.frac);
            errors++;
        }
        nl->loc = nl->alpha_loc = nl->max_loc = r->loc;
        nl->weights = bm_malloc(r->ctx, (size_t)l->inputs * l->neurons * sizeof *nl->weights);
        nl->biases = bm_malloc(r->ctx, l->neurons * sizeof *nl->biases);
        if (!nl->weights || !nl->biases)
            return BM_ENOMEM;
        size_t bad = 0;
        quantise_values(r, l, l->w, (size_t)l->inputs * l->neurons, 0, net->type, nl->weights,
                        &bad);
        quantise_values(r, l, l->b, l->neurons, 1, net->type, nl->biases, &bad);
        if (bad > RANGE_ERRORS_MAX)
            bm_onnx_node_error(r, l->origin, "%zu more values do not fit", bad - RANGE_ERRORS_MAX);
        errors += bad != 0;
        errors += quantise_activation(r, l, net->type, nl) != 0;
    }
    unsigned width = r->layers[r->n_layers - 1].neurons;
    if (r->argmax && width == 1) {
        /* what the network XML reader refuses as <argmax/> over one neuron */
        bm_error(r->ctx, r->loc, "the model ends in a Softmax or ArgMax over 1 output: the "
                 "class would always be 0; end it in the output itself (or a Sigmoid for a "
                 "binary classifier)");
        errors++;
    } else if (r->argmax && (uint64_t)(width - 1) > (uint64_t)bm_fixed_max(net->type)) {
        bm_error(r->ctx, r->loc, "argmax over %u neurons: the index does not fit fixed<%u,%u>",
                 width, net->type.total, net->type.total - net->type.frac);
        errors++;
    }
    return errors ? BM_EINVALID : BM_OK;
}

/* The network's name: the graph's name, else the file's base name, as an
 * identifier ([A-Za-z_][A-Za-z0-9_]*). */
static char *network_name(bm_ctx *ctx, const char *graph_name, const char *file)
{
    const char *src = graph_name && graph_name[0] ? graph_name : NULL;
    char base[128] = "";
    if (!src && file) {
        const char *slash = strrchr(file, '/');
        snprintf(base, sizeof base, "%s", slash ? slash + 1 : file);
        char *dot = strchr(base, '.');
        if (dot)
            *dot = '\0';
        src = base;
    }
    if (!src || !src[0])
        src = "onnx";
    size_t n = strlen(src);
    if (n > 64)
        n = 64;
    char *name = bm_malloc(ctx, n + 2);
    if (!name)
        return NULL;
    size_t o = 0;
    if (!((src[0] >= 'A' && src[0] <= 'Z') || (src[0] >= 'a' && src[0] <= 'z') || src[0] == '_'))
        name[o++] = '_';
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        name[o++] = ok ? c : '_';
    }
    name[o] = '\0';
    return name;
}

int bm_onnx_read(bm_network **out, bm_ctx *ctx, const void *data, size_t size,
                 const char *name, const bm_graph_options *opt)
{
    if (!out || !ctx || (!data && size))
        return BM_EINVAL;
    *out = NULL;
    bm_graph_options defaults = BM_GRAPH_OPTIONS_INIT;
    if (!opt)
        opt = &defaults;
    if (opt->version != BM_GRAPH_OPTIONS_VERSION || bm_fixed_type_check(opt->type))
        return BM_EINVAL;
    onnx_reader r;
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.file = name ? name : "<onnx>";
    r.loc = bm_loc_make(r.file, 0, 0);
    pb_heap heap = {ctx, 0};
    ProtobufCAllocator allocator = {pb_alloc, pb_free, &heap};
    Onnx__ModelProto *m = onnx__model_proto__unpack(&allocator, size, data);
    if (!m) {
        if (heap.failed)
            return bm_oom(ctx);
        return bm_error(ctx, r.loc, "not an ONNX model: the data does not decode as an "
                                    "onnx.ModelProto (a truncated file, or not protobuf)");
    }
    int rc = BM_OK;
    if (!m->graph)
        rc = bm_error(ctx, r.loc, "not an ONNX model: it holds no graph");
    const char *input = NULL;
    if (!rc) {
        r.graph = m->graph;
        rc = check_required_strings(&r, m->graph);
    }
    if (!rc)
        rc = read_opset(&r, m);
    if (!rc && m->graph->n_output != 1)
        rc = bm_error(ctx, r.loc, "the model has %zu outputs (supported: one)",
                      m->graph->n_output);
    if (!rc)
        rc = read_input(&r, &input);
    if (!rc)
        rc = walk(&r, input, m->graph->output[0]->name);
    bm_network *net = NULL;
    if (!rc) {
        net = bm_calloc(ctx, 1, sizeof *net);
        if (!net)
            rc = BM_ENOMEM;
    }
    if (!rc) {
        net->ctx = ctx;
        /* QDQ pairs declare the type, like a network XML's total and frac */
        net->type = r.qdq_set && !opt->force_type ? r.qdq_type : opt->type;
        net->loc = r.loc;
        net->name = network_name(ctx, m->graph->name, name);
        rc = net->name ? build_network(&r, net) : BM_ENOMEM;
    }
    for (size_t k = 0; k < r.n_layers; k++) {
        bm_free(ctx, r.layers[k].w);
        bm_free(ctx, r.layers[k].b);
    }
    bm_free(ctx, r.layers);
    onnx__model_proto__free_unpacked(m, &allocator);
    if (rc) {
        bm_network_free(net);
        return rc == BM_ENOMEM ? bm_oom(ctx) : rc;
    }
    *out = net;
    return BM_OK;
}

int bm_onnx_read_file(bm_network **out, bm_ctx *ctx, const char *path,
                      const bm_graph_options *opt)
{
    if (!out || !ctx || !path)
        return BM_EINVAL;
    *out = NULL;
    char *data;
    size_t len;
    int rc = bm_read_file(ctx, path, &data, &len);
    if (rc)
        return rc;
    rc = bm_onnx_read(out, ctx, data, len, path, opt);
    bm_free(ctx, data);
    return rc;
}
