/* Per-layer types of a network (format 2, docs/network.md and
 * docs/numbers.md, "Per-layer types"): the effective types of a layer, the
 * rules they must satisfy, and the machine word they need.
 *
 * The graph a typed network lowers to keeps one type, fixed<W, W-F>: F is
 * the network's fraction bits (inputs and outputs are read and printed in
 * it), W the widest word any layer needs.  Every value is a raw integer
 * sign-extended to W bits; what differs between layers is only which
 * power of two a raw integer counts in.  A product of an input (fa
 * fraction bits) and a weight (fw) goes into the accumulator (fc) floored
 * by s = fa + fw - fc bits; the graph's MUL floors by F, so the lowering
 * scales each weight by 2^(F - s), exactly, which needs s <= F. */
#include "network_impl.h"
#include "internal.h"

bm_layer_types bmi_net_layer_types(const bm_network *net, const net_layer *l)
{
    bm_layer_types t = {net->type, net->type, net->type, BM_OVERFLOW_WRAP};
    if (l->has_weight)
        t.weight = l->types.weight;
    if (l->has_accum)
        t.accum = l->types.accum;
    if (l->has_result)
        t.result = l->types.result;
    if (l->has_overflow)
        t.overflow = l->types.overflow;
    return t;
}

static int gives_types(const net_layer *l)
{
    return l->has_weight || l->has_accum || l->has_result || l->has_overflow;
}

int bm_network_layer_types(const bm_network *net, unsigned layer, bm_layer_types *out)
{
    if (!net || !out)
        return 0;
    if (layer >= net->n_layers) {
        *out = (bm_layer_types){net->type, net->type, net->type, BM_OVERFLOW_WRAP};
        return 0;
    }
    *out = bmi_net_layer_types(net, &net->layers[layer]);
    return gives_types(&net->layers[layer]);
}

int bmi_net_has_layer_types(const bm_network *net)
{
    for (size_t l = 0; l < net->n_layers; l++)
        if (gives_types(&net->layers[l]))
            return 1;
    return 0;
}

static unsigned max_u(unsigned a, unsigned b)
{
    return a > b ? a : b;
}

int bmi_net_word(const bm_network *net, unsigned *word)
{
    unsigned f = net->type.frac, w = net->type.total;
    bm_fixed_type in = net->type; /* the type of the layer's inputs */
    int errors = 0;
    for (size_t k = 0; k < net->n_layers; k++) {
        const net_layer *l = &net->layers[k];
        bm_layer_types t = bmi_net_layer_types(net, l);
        unsigned number = (unsigned)k + 1;
        /* s = fa + fw - fc bits are floored off each product */
        int s = (int)in.frac + (int)t.weight.frac - (int)t.accum.frac;
        if (s > (int)f) {
            bm_error(net->ctx, l->loc,
                     "layer %u: the accumulator fixed<%u,%u> has too few fraction bits: products "
                     "of inputs (%u fraction bits) and weights (%u) may drop at most %u (the "
                     "network's frac), so it needs at least %u",
                     number, t.accum.total, t.accum.total - t.accum.frac, in.frac, t.weight.frac,
                     f, in.frac + t.weight.frac - f);
            errors++;
            s = (int)f;
        }
        if ((l->activation == BM_ACT_LEAKY_RELU || bm_net_pwl(l->activation)) &&
            t.result.frac > f) {
            bm_error(net->ctx, l->loc,
                     "layer %u: %s in a result type with more fraction bits (%u) than the "
                     "network's (%u) is not supported",
                     number, bm_activation_name(l->activation), t.result.frac, f);
            errors++;
        }
        unsigned scale = (unsigned)((int)f - s); /* weights are scaled by 2^scale */
        unsigned need = t.weight.total + scale;
        if (t.result.frac > t.accum.frac) /* the accumulator shifted left */
            need = max_u(need, t.accum.total + (t.result.frac - t.accum.frac));
        need = max_u(need, max_u(t.accum.total, t.result.total));
        if (need > 64) {
            bm_error(net->ctx, l->loc,
                     "layer %u: these types need a machine word of %u bits (at most 64): weights "
                     "of %u bits scaled by 2^%u, an accumulator of %u bits",
                     number, need, t.weight.total, scale, t.accum.total);
            errors++;
        }
        w = max_u(w, need);
        in = t.result;
    }
    if (net->n_layers && !net->argmax && !net->threshold && in.frac != f) {
        const net_layer *l = &net->layers[net->n_layers - 1];
        bm_error(net->ctx, l->loc,
                 "layer %zu: the network's outputs are in its type fixed<%u,%u>, so the last "
                 "layer's result needs %u fraction bits, not %u (or end in <argmax/> or "
                 "<threshold/>)",
                 net->n_layers, net->type.total, net->type.total - f, f, in.frac);
        errors++;
    }
    if (errors)
        return BM_EPARSE;
    *word = w > 64 ? 64 : w;
    return BM_OK;
}
