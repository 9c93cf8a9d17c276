/* Dense networks: the model, its accessors and the reader of the network
 * XML (docs/network.md, arch/schema/network.rng).  Lowering to the graph IR
 * is in lower.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bm/network.h"
#include "compile.h"
#include "network_impl.h"

extern const char bm_schema_network[];

#define LAYER_SIZE_MAX BMI_NET_LAYER_SIZE_MAX
#define LAYER_WEIGHTS_MAX BMI_NET_LAYER_WEIGHTS_MAX
/* Range errors reported per element before the rest are summarised. */
#define RANGE_ERRORS_MAX 10

/* ---- accessors --------------------------------------------------------------------- */

void bm_network_free(bm_network *net)
{
    if (!net)
        return;
    for (size_t i = 0; i < net->n_layers; i++) {
        bm_free(net->ctx, net->layers[i].weights);
        bm_free(net->ctx, net->layers[i].biases);
    }
    bm_free(net->ctx, net->layers);
    bm_free(net->ctx, net->name);
    bm_free(net->ctx, net);
}

const char *bm_network_name(const bm_network *net)
{
    return net->name;
}

bm_fixed_type bm_network_type(const bm_network *net)
{
    return net->type;
}

bm_loc bm_network_loc(const bm_network *net)
{
    return net->loc;
}

unsigned bm_network_input_count(const bm_network *net)
{
    return net->inputs;
}

unsigned bm_network_layer_count(const bm_network *net)
{
    return (unsigned)net->n_layers;
}

static const net_layer *layer_at(const bm_network *net, unsigned l)
{
    return l < net->n_layers ? &net->layers[l] : NULL;
}

unsigned bm_network_layer_inputs(const bm_network *net, unsigned l)
{
    return layer_at(net, l) ? net->layers[l].inputs : 0;
}

unsigned bm_network_layer_neurons(const bm_network *net, unsigned l)
{
    return layer_at(net, l) ? net->layers[l].neurons : 0;
}

bm_activation bm_network_layer_activation(const bm_network *net, unsigned l)
{
    return layer_at(net, l) ? net->layers[l].activation : BM_ACT_LINEAR;
}

const int64_t *bm_network_layer_weights(const bm_network *net, unsigned l)
{
    return layer_at(net, l) ? net->layers[l].weights : NULL;
}

const int64_t *bm_network_layer_biases(const bm_network *net, unsigned l)
{
    return layer_at(net, l) ? net->layers[l].biases : NULL;
}

bm_loc bm_network_layer_loc(const bm_network *net, unsigned l)
{
    return layer_at(net, l) ? net->layers[l].loc : bm_loc_make(NULL, 0, 0);
}

int64_t bm_network_layer_alpha(const bm_network *net, unsigned l)
{
    return layer_at(net, l) && net->layers[l].activation == BM_ACT_LEAKY_RELU
               ? net->layers[l].alpha
               : 0;
}

int bm_network_layer_relu_max(const bm_network *net, unsigned l, int64_t *max)
{
    if (!layer_at(net, l) || !net->layers[l].has_max)
        return 0;
    if (max)
        *max = net->layers[l].max;
    return 1;
}

int bm_network_has_argmax(const bm_network *net)
{
    return net->argmax;
}

int bm_network_has_threshold(const bm_network *net)
{
    return net->threshold;
}

const char *bm_activation_name(bm_activation a)
{
    switch (a) {
    case BM_ACT_LINEAR: return "linear";
    case BM_ACT_RELU: return "relu";
    case BM_ACT_LEAKY_RELU: return "leaky_relu";
    case BM_ACT_SIGMOID: return "sigmoid";
    case BM_ACT_TANH: return "tanh";
    }
    return NULL;
}

/* ---- reading ------------------------------------------------------------------------- */

typedef struct reader {
    bm_ctx *ctx;
    bm_xml_doc doc;
    bm_network *net;
    int errors;
    unsigned format; /* the root's format attribute: 1 or 2 */
} reader;

/* An unsigned attribute that the schema has checked for form. */
static unsigned size_attr(reader *r, xmlNodePtr n, const char *name, unsigned max, int *present)
{
    char *v = bm_xml_attr(n, name);
    if (present)
        *present = v != NULL;
    if (!v)
        return 0;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    unsigned result = 0;
    if (errno || *end || x > max) {
        bm_error(r->ctx, bm_xml_loc(&r->doc, n), "%s=\"%s\" is too large (at most %u)", name, v,
                 max);
        r->errors++;
    } else {
        result = (unsigned)x;
    }
    xmlFree(v);
    return result;
}

/* Reads the decimal words of <weights> or <biases> into raw values:
 * exactly `expected` of them, each quantised to type t. */
static int read_values(reader *r, xmlNodePtr el, const char *what, unsigned layer,
                       size_t expected, const char *shape, bm_fixed_type t, int64_t **out)
{
    bm_xml_words w;
    int rc = bm_xml_words_get(&r->doc, el, &w);
    if (rc)
        return rc;
    if (w.count != expected) {
        bm_error(r->ctx, bm_xml_loc(&r->doc, el), "layer %u has %zu %s, expected %zu (%s)", layer,
                 w.count, what, expected, shape);
        r->errors++;
        bm_xml_words_free(&r->doc, &w);
        return BM_OK;
    }
    int64_t *values = bm_malloc(r->ctx, (expected ? expected : 1) * sizeof *values);
    if (!values) {
        bm_xml_words_free(&r->doc, &w);
        return bm_oom(r->ctx);
    }
    size_t bad = 0;
    for (size_t i = 0; i < w.count; i++) {
        values[i] = 0;
        if (bad >= RANGE_ERRORS_MAX) {
            /* Count the rest without recording each. */
            bm_ctx *quiet = NULL;
            if (bm_fixed_parse(quiet, w.words[i].text, t, w.words[i].loc, &values[i]))
                bad++;
            continue;
        }
        rc = bm_fixed_parse(r->ctx, w.words[i].text, t, w.words[i].loc, &values[i]);
        if (rc == BM_ENOMEM)
            break;
        if (rc) {
            bad++;
            rc = BM_OK;
        }
    }
    if (bad > RANGE_ERRORS_MAX)
        bm_error(r->ctx, bm_xml_loc(&r->doc, el), "layer %u: %zu more bad %s not shown", layer,
                 bad - RANGE_ERRORS_MAX, what);
    r->errors += bad != 0;
    bm_xml_words_free(&r->doc, &w);
    if (rc || bad) {
        bm_free(r->ctx, values);
        return rc;
    }
    *out = values;
    return BM_OK;
}

int bm_net_pwl_check(bm_activation a, bm_fixed_type t)
{
    const net_pwl *f = bm_net_pwl(a);
    int64_t raw;
    int rc = f ? bm_fixed_from_double(NULL, f->base, t, &raw) : BM_OK;
    for (unsigned k = 0; f && k < NET_PWL_TERMS && !rc; k++)
        if (bm_fixed_from_double(NULL, f->bound[k], t, &raw) ||
            bm_fixed_from_double(NULL, -f->bound[k], t, &raw) ||
            bm_fixed_from_double(NULL, f->slope[k], t, &raw))
            rc = BM_ERANGE;
    return rc;
}

/* A decimal attribute quantised to type t; *present says whether it was
 * given and read. */
static void value_attr(reader *r, xmlNodePtr el, const char *name, bm_fixed_type t, int64_t *out,
                       int *present, bm_loc *loc)
{
    char *v = bm_xml_attr(el, name);
    *present = v != NULL;
    *loc = bm_xml_loc(&r->doc, el);
    if (v && bm_fixed_parse(r->ctx, v, t, *loc, out)) {
        r->errors++;
        *present = 0;
    }
    xmlFree(v);
}

static int read_activation(reader *r, xmlNodePtr el, net_layer *l, unsigned number)
{
    char *a = bm_xml_attr(el, "activation");
    if (a && strcmp(a, "linear") == 0) {
        l->activation = BM_ACT_LINEAR;
    } else if (a && strcmp(a, "relu") == 0) {
        l->activation = BM_ACT_RELU;
    } else if (a && strcmp(a, "leaky_relu") == 0) {
        l->activation = BM_ACT_LEAKY_RELU;
    } else if (a && strcmp(a, "sigmoid") == 0) {
        l->activation = BM_ACT_SIGMOID;
    } else if (a && strcmp(a, "tanh") == 0) {
        l->activation = BM_ACT_TANH;
    } else {
        bm_error(r->ctx, bm_xml_loc(&r->doc, el),
                 "unknown activation '%s' (known: leaky_relu, linear, relu, sigmoid, tanh)",
                 a ? a : "");
        r->errors++;
        xmlFree(a);
        return BM_OK;
    }
    xmlFree(a);
    /* alpha, max and the activation's constants are in the result type */
    bm_fixed_type t = bmi_net_layer_types(r->net, l).result;
    int has_alpha;
    value_attr(r, el, "alpha", t, &l->alpha, &has_alpha, &l->alpha_loc);
    value_attr(r, el, "max", t, &l->max, &l->has_max, &l->max_loc);
    int has_max_attr = xmlHasProp(el, (const xmlChar *)"max") != NULL;
    int has_alpha_attr = xmlHasProp(el, (const xmlChar *)"alpha") != NULL;
    bm_loc loc = bm_xml_loc(&r->doc, el);
    if (l->activation == BM_ACT_LEAKY_RELU && !has_alpha_attr) {
        bm_error(r->ctx, loc, "layer %u: leaky_relu needs alpha (0 <= alpha < 1)", number);
        r->errors++;
    } else if (l->activation == BM_ACT_LEAKY_RELU && has_alpha &&
               (l->alpha < 0 || l->alpha >= ((int64_t)1 << t.frac))) {
        bm_error(r->ctx, loc, "layer %u: alpha must be 0 <= alpha < 1", number);
        r->errors++;
    } else if (l->activation != BM_ACT_LEAKY_RELU && has_alpha_attr) {
        bm_error(r->ctx, loc, "layer %u: alpha is for leaky_relu only", number);
        r->errors++;
    }
    if (bm_net_pwl(l->activation) && bm_net_pwl_check(l->activation, t)) {
        bm_error(r->ctx, loc, "layer %u: %s needs its constants (up to %g) to fit fixed<%u,%u>",
                 number, bm_activation_name(l->activation),
                 bm_net_pwl(l->activation)->bound[NET_PWL_TERMS - 1], t.total,
                 t.total - t.frac);
        r->errors++;
    }
    if (l->activation != BM_ACT_RELU && has_max_attr) {
        bm_error(r->ctx, loc, "layer %u: max is for relu only", number);
        r->errors++;
    } else if (l->has_max && l->max <= 0) {
        bm_error(r->ctx, loc, "layer %u: max must be positive", number);
        r->errors++;
    }
    return BM_OK;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (bm_xml_is(c, name))
            return c;
    return NULL;
}

/* <weight_t>, <accum_t> or <result_t> of a layer (format 2): total and frac as
 * on <network>, both required (the schema says so). */
static void read_type(reader *r, xmlNodePtr el, unsigned number, int *has, bm_fixed_type *t)
{
    *has = 0;
    if (!el)
        return;
    bm_loc loc = bm_xml_loc(&r->doc, el);
    if (r->format < 2) {
        bm_error(r->ctx, loc, "layer %u: <%s> needs <network format=\"2\">", number,
                 (const char *)el->name);
        r->errors++;
        return;
    }
    int errors = r->errors;
    t->total = size_attr(r, el, "total", 64, NULL);
    t->frac = size_attr(r, el, "frac", 64, NULL);
    if (r->errors != errors)
        return;
    if (bm_fixed_type_check(*t)) {
        bm_error(r->ctx, loc,
                 "layer %u: invalid %s type: total=\"%u\" frac=\"%u\" (need 2 <= total <= 64 "
                 "and frac < total)",
                 number, (const char *)el->name, t->total, t->frac);
        r->errors++;
        return;
    }
    *has = 1;
}

/* The per-layer types of format 2: <weight_t>, <accum_t> and <result_t>, whose
 * overflow attribute says wrap or saturate. */
static void read_layer_types(reader *r, xmlNodePtr el, net_layer *l, unsigned number)
{
    read_type(r, child(el, "weight_t"), number, &l->has_weight, &l->types.weight);
    read_type(r, child(el, "accum_t"), number, &l->has_accum, &l->types.accum);
    xmlNodePtr res = child(el, "result_t");
    read_type(r, res, number, &l->has_result, &l->types.result);
    char *v = res && r->format >= 2 ? bm_xml_attr(res, "overflow") : NULL;
    if (v && strcmp(v, "wrap") == 0) {
        l->has_overflow = 1;
        l->types.overflow = BM_OVERFLOW_WRAP;
    } else if (v && strcmp(v, "saturate") == 0) {
        l->has_overflow = 1;
        l->types.overflow = BM_OVERFLOW_SATURATE;
    } else if (v) {
        bm_error(r->ctx, bm_xml_loc(&r->doc, res),
                 "layer %u: unknown overflow mode '%s' (known: saturate, wrap)", number, v);
        r->errors++;
    }
    xmlFree(v);
}

static int read_layer(reader *r, xmlNodePtr el, unsigned inputs)
{
    bm_network *net = r->net;
    unsigned number = (unsigned)net->n_layers + 1; /* layers count from 1 in messages */
    if (bm_grow(r->ctx, (void **)&net->layers, &net->cap_layers, net->n_layers + 1,
                sizeof *net->layers))
        return BM_ENOMEM;
    net_layer *l = &net->layers[net->n_layers++];
    memset(l, 0, sizeof *l);
    l->loc = bm_xml_loc(&r->doc, el);
    l->inputs = inputs;
    int has_inputs;
    unsigned declared = size_attr(r, el, "inputs", LAYER_SIZE_MAX, &has_inputs);
    l->neurons = size_attr(r, el, "neurons", LAYER_SIZE_MAX, NULL);
    read_layer_types(r, el, l, number);
    read_activation(r, el, l, number);
    if (has_inputs && declared && declared != inputs) {
        if (number == 1)
            bm_error(r->ctx, l->loc,
                     "layer 1 has inputs=\"%u\", but the network input has size %u", declared,
                     inputs);
        else
            bm_error(r->ctx, l->loc, "layer %u has inputs=\"%u\", but layer %u has %u neurons",
                     number, declared, number - 1, inputs);
        r->errors++;
        return BM_OK;
    }
    if (!l->neurons || !inputs)
        return BM_OK; /* reported already */
    if ((uint64_t)l->neurons * inputs > LAYER_WEIGHTS_MAX) {
        bm_error(r->ctx, l->loc, "layer %u has too many weights (%u x %u, at most %u)", number,
                 l->neurons, inputs, LAYER_WEIGHTS_MAX);
        r->errors++;
        return BM_OK;
    }
    char shape[96];
    snprintf(shape, sizeof shape, "%u neurons x %u inputs", l->neurons, inputs);
    bm_layer_types t = bmi_net_layer_types(net, l);
    int rc = read_values(r, child(el, "weights"), "weights", number,
                         (size_t)l->neurons * inputs, shape, t.weight, &l->weights);
    if (!rc) {
        /* a bias is added to the accumulator, so it is held in its type */
        snprintf(shape, sizeof shape, "one per neuron");
        rc = read_values(r, child(el, "biases"), "biases", number, l->neurons, shape, t.accum,
                         &l->biases);
    }
    return rc;
}

static int read_network(reader *r, const bm_graph_options *opt)
{
    xmlNodePtr root = xmlDocGetRootElement(r->doc.doc);
    bm_network *net = r->net;
    net->loc = bm_xml_loc(&r->doc, root);
    char *name = bm_xml_attr(root, "name");
    net->name = bm_strdup(r->ctx, name ? name : "");
    xmlFree(name);
    char *format = bm_xml_attr(root, "format");
    r->format = format && strcmp(format, "2") == 0 ? 2 : 1; /* the schema allows 1 and 2 */
    xmlFree(format);
    if (!net->name)
        return bm_oom(r->ctx);
    int has_type;
    bm_fixed_type t;
    t.total = size_attr(r, root, "total", 64, &has_type);
    t.frac = size_attr(r, root, "frac", 64, NULL);
    net->type = opt->type;
    if (r->errors)
        return BM_EPARSE;
    if (has_type && bm_fixed_type_check(t)) {
        bm_error(r->ctx, net->loc,
                 "invalid type: total=\"%u\" frac=\"%u\" (need 2 <= total <= 64 and frac < total)",
                 t.total, t.frac);
        return BM_EPARSE;
    }
    if (has_type && !opt->force_type)
        net->type = t;
    int rc = BM_OK;
    unsigned width = 0;
    for (xmlNodePtr c = root->children; c && !rc; c = c->next) {
        if (bm_xml_is(c, "input")) {
            net->input_loc = bm_xml_loc(&r->doc, c);
            width = net->inputs = size_attr(r, c, "size", LAYER_SIZE_MAX, NULL);
        } else if (bm_xml_is(c, "layer")) {
            if (!(rc = read_layer(r, c, width)))
                width = net->layers[net->n_layers - 1].neurons;
        } else if (bm_xml_is(c, "argmax")) {
            net->argmax = 1;
            net->argmax_loc = bm_xml_loc(&r->doc, c);
            if (width == 1) {
                bm_error(r->ctx, net->argmax_loc,
                         "argmax over 1 neuron: the answer would always be 0; leave the "
                         "argmax out to output the neuron itself");
                r->errors++;
            } else if (width && (uint64_t)(width - 1) > (uint64_t)bm_fixed_max(net->type)) {
                bm_error(r->ctx, net->argmax_loc,
                         "argmax over %u neurons: the index does not fit fixed<%u,%u>", width,
                         net->type.total, net->type.total - net->type.frac);
                r->errors++;
            }
        } else if (bm_xml_is(c, "threshold")) {
            net->threshold = 1;
            net->threshold_loc = bm_xml_loc(&r->doc, c);
            if (width != 1 && net->n_layers) {
                bm_error(r->ctx, net->threshold_loc,
                         "threshold needs one output neuron, but layer %zu has %u neurons",
                         net->n_layers, width);
                r->errors++;
            }
        }
    }
    unsigned word;
    if (!rc && !r->errors && bmi_net_word(net, &word))
        r->errors++; /* reported at the layer */
    if (!rc && r->errors)
        rc = BM_EPARSE;
    return rc;
}

int bm_network_read(bm_network **out, bm_ctx *ctx, const char *data, size_t size,
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
    reader r;
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.net = bm_calloc(ctx, 1, sizeof *r.net);
    if (!r.net)
        return bm_oom(ctx);
    r.net->ctx = ctx;
    int rc = bm_xml_doc_parse(&r.doc, ctx, data, size, name);
    if (!rc)
        rc = bm_xml_doc_validate(&r.doc, bm_schema_network, "network");
    if (!rc)
        rc = read_network(&r, opt);
    bm_xml_doc_free(&r.doc);
    if (rc) {
        bm_network_free(r.net);
        return rc;
    }
    *out = r.net;
    return BM_OK;
}

int bm_network_read_file(bm_network **out, bm_ctx *ctx, const char *path,
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
    rc = bm_network_read(out, ctx, data, len, path, opt);
    bm_free(ctx, data);
    return rc;
}
