/* Giving a network another fixed-point type (bm_network_set_type): every
 * stored constant is converted by the constant rule, so the network reads
 * as if its file had been written in the new type. */
#include "network_impl.h"
#include "internal.h"

/* raw (frac bits `from`) converted to `to`'s fraction bits, rounded to
 * nearest with ties to even like bm_fixed_parse; 0 or BM_ERANGE. */
static int convert(int64_t raw, unsigned from, bm_fixed_type to, int64_t *out)
{
    __int128 v = raw;
    if (to.frac >= from) {
        unsigned s = to.frac - from;
        /* |raw| < 2^63 and s < 64: no overflow of 128 bits */
        v = v * ((__int128)1 << s);
    } else {
        unsigned s = from - to.frac;
        __int128 unit = (__int128)1 << s;
        __int128 q = v >= 0 ? v / unit : -((-v + unit - 1) / unit); /* floor */
        __int128 rem = v - q * unit, twice = rem * 2;
        if (twice > unit || (twice == unit && (q & 1)))
            q++;
        v = q;
    }
    if (v < bm_fixed_min(to) || v > bm_fixed_max(to))
        return BM_ERANGE;
    *out = (int64_t)v;
    return BM_OK;
}

/* Converts (or, with out NULL, only checks) the n values of type `from`;
 * the first that does not fit is reported. */
static int convert_from(bm_network *net, const int64_t *in, int64_t *out, size_t n,
                        bm_fixed_type from, bm_fixed_type to, unsigned layer, const char *what,
                        bm_loc loc)
{
    for (size_t i = 0; i < n; i++) {
        int64_t r;
        if (convert(in[i], from.frac, to, &r)) {
            char dec[96];
            bm_fixed_format(dec, sizeof dec, in[i], from);
            return bm_error(net->ctx, loc, "layer %u: %s %s does not fit fixed<%u,%u>", layer,
                            what, dec, to.total, to.total - to.frac);
        }
        if (out)
            out[i] = r;
    }
    return BM_OK;
}

static int convert_all(bm_network *net, const int64_t *in, int64_t *out, size_t n,
                       bm_fixed_type to, unsigned layer, const char *what, bm_loc loc)
{
    return convert_from(net, in, out, n, net->type, to, layer, what, loc);
}

static int convert_layer(bm_network *net, net_layer *l, unsigned number, bm_fixed_type to,
                         int apply)
{
    int rc = convert_all(net, l->weights, apply ? l->weights : NULL,
                         (size_t)l->neurons * l->inputs, to, number, "weight", l->loc);
    if (!rc)
        rc = convert_all(net, l->biases, apply ? l->biases : NULL, l->neurons, to, number,
                         "bias", l->loc);
    if (!rc && l->activation == BM_ACT_LEAKY_RELU)
        rc = convert_all(net, &l->alpha, apply ? &l->alpha : NULL, 1, to, number, "alpha",
                         l->alpha_loc);
    if (!rc && l->has_max)
        rc = convert_all(net, &l->max, apply ? &l->max : NULL, 1, to, number, "max",
                         l->max_loc);
    if (!rc && bm_net_pwl_check(l->activation, to))
        rc = bm_error(net->ctx, l->loc, "layer %u: %s needs its constants to fit fixed<%u,%u>",
                      number, bm_activation_name(l->activation), to.total, to.total - to.frac);
    return rc;
}

int bm_network_set_type(bm_network *net, bm_fixed_type type)
{
    if (!net || bm_fixed_type_check(type))
        return BM_EINVAL;
    if (bmi_net_has_layer_types(net)) {
        bm_error(net->ctx, net->loc,
                 "network '%s' has per-layer types: it cannot be given one type for everything",
                 net->name);
        return BM_EINVAL;
    }
    /* check everything first, so that a failure leaves the network as it was */
    for (size_t k = 0; k < net->n_layers; k++)
        if (convert_layer(net, &net->layers[k], (unsigned)k + 1, type, 0))
            return BM_ERANGE;
    unsigned width = net->n_layers ? net->layers[net->n_layers - 1].neurons : 0;
    if (net->argmax && width && (uint64_t)(width - 1) > (uint64_t)bm_fixed_max(type))
        return bm_error(net->ctx, net->argmax_loc,
                        "argmax over %u neurons: the index does not fit fixed<%u,%u>", width,
                        type.total, type.total - type.frac);
    for (size_t k = 0; k < net->n_layers; k++)
        convert_layer(net, &net->layers[k], (unsigned)k + 1, type, 1);
    net->type = type;
    return BM_OK;
}

/* Converts (apply 0: only checks) a layer's constants from its types `from`
 * to `to`: weights to the weight type, biases to the accumulator's, alpha
 * and max to the result's. */
static int convert_layer_types(bm_network *net, net_layer *l, unsigned number,
                               bm_layer_types from, const bm_layer_types *to, int apply)
{
    int rc = convert_from(net, l->weights, apply ? l->weights : NULL,
                          (size_t)l->neurons * l->inputs, from.weight, to->weight, number,
                          "weight", l->loc);
    if (!rc)
        rc = convert_from(net, l->biases, apply ? l->biases : NULL, l->neurons, from.accum,
                          to->accum, number, "bias", l->loc);
    if (!rc && l->activation == BM_ACT_LEAKY_RELU)
        rc = convert_from(net, &l->alpha, apply ? &l->alpha : NULL, 1, from.result, to->result,
                          number, "alpha", l->alpha_loc);
    if (!rc && l->has_max)
        rc = convert_from(net, &l->max, apply ? &l->max : NULL, 1, from.result, to->result,
                          number, "max", l->max_loc);
    if (!rc && bm_net_pwl_check(l->activation, to->result))
        rc = bm_error(net->ctx, l->loc, "layer %u: %s needs its constants to fit fixed<%u,%u>",
                      number, bm_activation_name(l->activation), to->result.total,
                      to->result.total - to->result.frac);
    return rc;
}

int bm_network_set_layer_types(bm_network *net, unsigned layer, const bm_layer_types *types)
{
    if (!net || !types)
        return BM_EINVAL;
    if (layer >= net->n_layers || bm_fixed_type_check(types->weight) ||
        bm_fixed_type_check(types->accum) || bm_fixed_type_check(types->result) ||
        (types->overflow != BM_OVERFLOW_WRAP && types->overflow != BM_OVERFLOW_SATURATE)) {
        bm_error(net->ctx, net->loc, "layer %u: bad per-layer types (or no such layer)",
                 layer + 1);
        return BM_EINVAL;
    }
    net_layer *l = &net->layers[layer];
    unsigned number = layer + 1;
    bm_layer_types from = bmi_net_layer_types(net, l);
    if (convert_layer_types(net, l, number, from, types, 0))
        return BM_ERANGE;
    /* the rules of format 2 (and the machine word) with the new types;
     * restored when they fail, so that a failure changes nothing */
    net_layer old = *l;
    l->types = *types;
    l->has_weight = l->has_accum = l->has_result = 1;
    /* the overflow mode is written only when the file gave it, or now
     * that it is not the default */
    l->has_overflow = old.has_overflow || types->overflow != BM_OVERFLOW_WRAP;
    unsigned word;
    if (bmi_net_word(net, &word)) {
        *l = old;
        return BM_EINVALID;
    }
    convert_layer_types(net, l, number, from, types, 1);
    return BM_OK;
}
