/* bm_network_from_arrays: a dense network from the arrays of doubles a
 * program (or a binding) holds, without writing network XML.  The values
 * are quantised exactly like the reader's (bm_fixed_from_double: the double
 * itself, nearest, ties to even), and the network obeys the reader's rules
 * (docs/network.md): the same shapes, limits, activations and output
 * forms, checked before anything is built. */
#include <string.h>

#include "bm/network.h"
#include "compile.h"
#include "network_impl.h"

/* Range errors reported per array before the rest are summarised. */
#define RANGE_ERRORS_MAX 10

typedef struct builder {
    bm_ctx *ctx;
    bm_loc loc; /* the network's name, as the object messages are about */
    bm_fixed_type type;
    int errors;
} builder;

static int is_identifier(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

/* Quantises n doubles into out; every value that does not fit is an error
 * naming the layer (from 1, as in the reader's messages), the neuron and
 * for a weight the input. */
static void quantise(builder *b, unsigned layer, const double *v, size_t n, unsigned inputs,
                     int is_bias, int64_t *out)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        if (bm_fixed_from_double(NULL, v[i], b->type, &out[i]) == BM_OK)
            continue;
        if (++bad > RANGE_ERRORS_MAX)
            continue;
        char lo[64], hi[64];
        bm_fixed_format(lo, sizeof lo, bm_fixed_min(b->type), b->type);
        bm_fixed_format(hi, sizeof hi, bm_fixed_max(b->type), b->type);
        if (is_bias)
            bm_error(b->ctx, b->loc, "layer %u: bias of neuron %zu = %.9g does not fit "
                     "fixed<%u,%u> (range %s .. %s)", layer, i, v[i], b->type.total,
                     b->type.total - b->type.frac, lo, hi);
        else
            bm_error(b->ctx, b->loc, "layer %u: weight of neuron %zu for input %zu = %.9g does "
                     "not fit fixed<%u,%u> (range %s .. %s)", layer, i / inputs, i % inputs, v[i],
                     b->type.total, b->type.total - b->type.frac, lo, hi);
    }
    if (bad > RANGE_ERRORS_MAX)
        bm_error(b->ctx, b->loc, "layer %u: %zu more %s do not fit", layer, bad - RANGE_ERRORS_MAX,
                 is_bias ? "biases" : "weights");
    b->errors += bad != 0;
}

/* The shape, activation and output rules, before anything is allocated. */
static void check_shape(builder *b, unsigned inputs, unsigned n_layers, const unsigned *neurons,
                        const bm_activation *activations, const double *const *weights,
                        const double *const *biases, bm_network_output output)
{
    if (inputs == 0 || inputs > BMI_NET_LAYER_SIZE_MAX) {
        bm_error(b->ctx, b->loc, "the input size must be 1 to %u, not %u", BMI_NET_LAYER_SIZE_MAX,
                 inputs);
        b->errors++;
    }
    if (n_layers == 0) {
        bm_error(b->ctx, b->loc, "a network needs at least one layer");
        b->errors++;
        return;
    }
    unsigned width = inputs;
    for (unsigned l = 0; l < n_layers; l++) {
        unsigned n = neurons[l];
        if (n == 0 || n > BMI_NET_LAYER_SIZE_MAX) {
            bm_error(b->ctx, b->loc, "layer %u: the neuron count must be 1 to %u, not %u", l + 1,
                     BMI_NET_LAYER_SIZE_MAX, n);
            b->errors++;
        } else if (width && (uint64_t)n * width > BMI_NET_LAYER_WEIGHTS_MAX) {
            bm_error(b->ctx, b->loc, "layer %u has too many weights (%u x %u, at most %u)", l + 1,
                     n, width, BMI_NET_LAYER_WEIGHTS_MAX);
            b->errors++;
        }
        if (!weights[l] || !biases[l]) {
            bm_error(b->ctx, b->loc, "layer %u: no %s given", l + 1,
                     weights[l] ? "biases" : "weights");
            b->errors++;
        }
        bm_activation a = activations[l];
        if (!bm_activation_name(a)) {
            bm_error(b->ctx, b->loc, "layer %u: unknown activation %d", l + 1, (int)a);
            b->errors++;
        } else if (a == BM_ACT_LEAKY_RELU) {
            /* its alpha has no place in the arrays */
            bm_error(b->ctx, b->loc, "layer %u: leaky_relu needs an alpha, which "
                     "bm_network_from_arrays does not take: write network XML (docs/network.md)",
                     l + 1);
            b->errors++;
        } else if (bm_net_pwl(a) && bm_net_pwl_check(a, b->type)) {
            bm_error(b->ctx, b->loc, "layer %u: the constants of %s (up to %g) do not fit "
                     "fixed<%u,%u>", l + 1, bm_activation_name(a),
                     bm_net_pwl(a)->bound[NET_PWL_TERMS - 1], b->type.total,
                     b->type.total - b->type.frac);
            b->errors++;
        }
        width = n;
    }
    if (output == BM_NETWORK_OUTPUT_ARGMAX) {
        if (width == 1) {
            bm_error(b->ctx, b->loc, "argmax over 1 neuron: the answer would always be 0; leave "
                     "the argmax out to output the neuron itself");
            b->errors++;
        } else if (width && (uint64_t)(width - 1) > (uint64_t)bm_fixed_max(b->type)) {
            bm_error(b->ctx, b->loc, "argmax over %u neurons: the index does not fit "
                     "fixed<%u,%u>", width, b->type.total, b->type.total - b->type.frac);
            b->errors++;
        }
    } else if (output == BM_NETWORK_OUTPUT_THRESHOLD) {
        if (width != 1) {
            bm_error(b->ctx, b->loc, "threshold needs one output neuron, but layer %u has %u "
                     "neurons", n_layers, width);
            b->errors++;
        }
    } else if (output != BM_NETWORK_OUTPUT_NEURONS) {
        bm_error(b->ctx, b->loc, "unknown network output %d", (int)output);
        b->errors++;
    }
}

int bm_network_from_arrays(bm_network **out, bm_ctx *ctx, const char *name, bm_fixed_type type,
                           unsigned inputs, unsigned n_layers, const unsigned *neurons,
                           const bm_activation *activations, const double *const *weights,
                           const double *const *biases, bm_network_output output)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return BM_EINVAL;
    if (!out) {
        bm_error(ctx, bm_loc_make(NULL, 0, 0), "bm_network_from_arrays: out is NULL");
        return BM_EINVAL;
    }
    if (!name)
        name = "network";
    builder b = {ctx, bm_loc_make(bm_ctx_intern(ctx, name), 0, 0), type, 0};
    if (!b.loc.file)
        return bm_oom(ctx);
    if (n_layers && (!neurons || !activations || !weights || !biases)) {
        bm_error(ctx, b.loc, "bm_network_from_arrays: NULL arrays for %u layers", n_layers);
        return BM_EINVAL;
    }
    if (!is_identifier(name)) {
        bm_error(ctx, b.loc, "the network name must be an identifier ([A-Za-z_][A-Za-z0-9_]*, "
                 "at most 64 characters)");
        b.errors++;
    }
    if (bm_fixed_type_check(type)) {
        bm_error(ctx, b.loc, "invalid type: total %u, frac %u (need 2 <= total <= 64 and "
                 "frac < total)", type.total, type.frac);
        return BM_EINVAL;
    }
    check_shape(&b, inputs, n_layers, neurons, activations, weights, biases, output);
    if (b.errors)
        return BM_EINVALID;

    bm_network *net = bm_calloc(ctx, 1, sizeof *net);
    if (!net)
        return bm_oom(ctx);
    net->ctx = ctx;
    net->name = bm_strdup(ctx, name);
    net->type = type;
    net->loc = net->input_loc = net->argmax_loc = net->threshold_loc = b.loc;
    net->inputs = inputs;
    net->argmax = output == BM_NETWORK_OUTPUT_ARGMAX;
    net->threshold = output == BM_NETWORK_OUTPUT_THRESHOLD;
    net->layers = bm_calloc(ctx, n_layers, sizeof *net->layers);
    if (!net->name || !net->layers) {
        bm_network_free(net);
        return bm_oom(ctx);
    }
    net->cap_layers = n_layers;
    unsigned width = inputs;
    for (unsigned l = 0; l < n_layers; l++) {
        net_layer *nl = &net->layers[net->n_layers++];
        nl->inputs = width;
        nl->neurons = neurons[l];
        nl->activation = activations[l];
        nl->loc = nl->alpha_loc = nl->max_loc = b.loc;
        size_t nw = (size_t)width * neurons[l];
        nl->weights = bm_malloc(ctx, nw * sizeof *nl->weights);
        nl->biases = bm_malloc(ctx, neurons[l] * sizeof *nl->biases);
        if (!nl->weights || !nl->biases) {
            bm_network_free(net);
            return bm_oom(ctx);
        }
        quantise(&b, l + 1, weights[l], nw, width, 0, nl->weights);
        quantise(&b, l + 1, biases[l], neurons[l], width, 1, nl->biases);
        width = neurons[l];
    }
    if (b.errors) {
        bm_network_free(net);
        return BM_ERANGE;
    }
    *out = net;
    return BM_OK;
}
