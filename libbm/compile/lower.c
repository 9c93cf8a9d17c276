/* Lowering a dense network to the graph IR (the rules are in bm/network.h
 * and docs/network.md).  Each neuron is a chain in input order:
 *
 *     acc = w0*x0;  acc = acc + w1*x1;  ...;  acc = acc + b;  relu(acc)
 *
 * Because additions wrap modulo 2^total, any other summation order gives
 * the same bits; the products are rounded one by one, as a multiply-
 * accumulate core computes them.  Products by a zero weight, zero biases
 * and neurons that no later neuron reads are left out: they cannot change
 * an output.
 *
 * With per-layer types (docs/numbers.md, "Per-layer types") the graph's
 * type is fixed<W, W-F> (network_layer_types.c): each weight is scaled by
 * 2^scale so that the graph's MUL, which floors by F, floors the product
 * into the accumulator's fraction bits, and the accumulator is converted
 * to the result type with SHL and SAR (wrap) or MIN and MAX (saturate).
 * Without them W is the network's total, every scale 0 and no conversion
 * is needed: the graph is the one of format 1. */
#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "network_impl.h"

typedef struct lowering {
    bm_graph *g;
    bm_fixed_type type; /* the graph's: fixed<W, W-F> */
    int layer, neuron; /* the tag for new nodes */
    bm_loc loc;
} lowering;

static int tag(lowering *lw, unsigned id)
{
    return bm_graph_set_node_tag(lw->g, id, lw->layer, lw->neuron);
}

static int constant(lowering *lw, int64_t raw, unsigned *out)
{
    int rc = bm_graph_add_const(lw->g, out, raw, lw->loc);
    return rc ? rc : tag(lw, *out);
}

static int operation(lowering *lw, bm_op op, const unsigned *operands, unsigned n, unsigned *out)
{
    int rc = bm_graph_add_op(lw->g, out, op, operands, n, lw->loc);
    return rc ? rc : tag(lw, *out);
}

static int binary(lowering *lw, bm_op op, unsigned a, unsigned b, unsigned *out)
{
    unsigned pair[2] = {a, b};
    return operation(lw, op, pair, 2, out);
}

static int shift(lowering *lw, bm_op op, unsigned a, unsigned amount, unsigned *out)
{
    int rc = bm_graph_add_shift(lw->g, out, op, a, amount, lw->loc);
    return rc ? rc : tag(lw, *out);
}

/* raw * 2^k, exact: the reader checked that the graph's word holds it. */
static int64_t scaled(int64_t raw, unsigned k)
{
    return (int64_t)((uint64_t)raw << k);
}

/* Every constant is a dyadic rational, so the table is exact in doubles. */
static const net_pwl sigmoid_pwl = {0.5, {0.125, 0.09375, 0.03125}, {1, 2.375, 5}};
static const net_pwl tanh_pwl = {0, {0.5, 0.375, 0.125}, {0.5, 1.1875, 2.5}};

const net_pwl *bm_net_pwl(bm_activation a)
{
    return a == BM_ACT_SIGMOID ? &sigmoid_pwl : a == BM_ACT_TANH ? &tanh_pwl : NULL;
}

static int64_t quantised(double v, bm_fixed_type t)
{
    int64_t raw = 0;
    bm_fixed_from_double(NULL, v, t, &raw); /* in range: the reader checked */
    return raw;
}

/* base + sum of slope * clamp(v, bound), in table order, in the result
 * type t (F - t.frac >= 0: the reader checked): every constant is
 * quantised to t, and a slope scaled by 2^(F - t.frac) so that the graph's
 * MUL floors the product to t's fraction bits. */
static int piecewise(lowering *lw, const net_pwl *f, bm_fixed_type t, unsigned v, unsigned *out)
{
    unsigned acc = 0, c, lo, hi, clamped, term;
    unsigned up = lw->type.frac - t.frac;
    int64_t base = quantised(f->base, t);
    int have = base != 0; /* adding a raw 0 changes nothing */
    int rc = have ? constant(lw, base, &acc) : BM_OK;
    for (unsigned k = 0; k < NET_PWL_TERMS && !rc; k++) {
        if (!(rc = constant(lw, quantised(-f->bound[k], t), &lo)) &&
            !(rc = constant(lw, quantised(f->bound[k], t), &hi)) &&
            !(rc = binary(lw, BM_OP_MAX, v, lo, &clamped)) &&
            !(rc = binary(lw, BM_OP_MIN, clamped, hi, &clamped)) &&
            !(rc = constant(lw, scaled(quantised(f->slope[k], t), up), &c)) &&
            !(rc = binary(lw, BM_OP_MUL, clamped, c, &term))) {
            if (have)
                rc = binary(lw, BM_OP_ADD, acc, term, &acc);
            else
                acc = term;
            have = 1;
        }
    }
    *out = acc;
    return rc;
}

/* The accumulator (type c, in the graph's word) converted to the result
 * type r: wrapped to c's width, shifted to r's fraction bits (floor), and
 * wrapped or saturated to r's width; steps that cannot change the value
 * are left out. */
static int convert(lowering *lw, bm_fixed_type c, bm_layer_types t, unsigned v, unsigned *out)
{
    bm_fixed_type r = t.result;
    unsigned word = lw->type.total;
    unsigned up = word - c.total;                 /* >= r.frac - c.frac: the word holds it */
    unsigned down = up + c.frac - r.frac;         /* SHL by up, then SAR by down */
    unsigned width = c.total - c.frac + r.frac;   /* bits of the value now */
    int rc = BM_OK;
    if (up)
        rc = shift(lw, BM_OP_SHL, v, up, &v);
    if (!rc && down)
        rc = shift(lw, BM_OP_SAR, v, down, &v);
    if (!rc && width > r.total && t.overflow == BM_OVERFLOW_WRAP) {
        if (!(rc = shift(lw, BM_OP_SHL, v, word - r.total, &v)))
            rc = shift(lw, BM_OP_SAR, v, word - r.total, &v);
    } else if (!rc && width > r.total) {
        unsigned lo, hi;
        if (!(rc = constant(lw, bm_fixed_min(r), &lo)) && !(rc = binary(lw, BM_OP_MAX, v, lo, &v)) &&
            !(rc = constant(lw, bm_fixed_max(r), &hi)))
            rc = binary(lw, BM_OP_MIN, v, hi, &v);
    }
    *out = v;
    return rc;
}

/* Neuron j of layer l, whose inputs have type a. */
static int neuron(lowering *lw, const bm_network *net, const net_layer *l, bm_fixed_type a,
                  unsigned j, const unsigned *in, unsigned *out)
{
    const int64_t *w = l->weights + (size_t)j * l->inputs;
    bm_layer_types t = bmi_net_layer_types(net, l);
    /* products floor s = fa + fw - fc bits; MUL floors F: scale by F - s */
    unsigned scale = (unsigned)((int)lw->type.frac - ((int)a.frac + (int)t.weight.frac -
                                                      (int)t.accum.frac));
    int have = 0;
    unsigned acc = 0, c, term;
    int rc = BM_OK;
    for (unsigned i = 0; i < l->inputs && !rc; i++) {
        if (w[i] == 0)
            continue;
        if (!(rc = constant(lw, scaled(w[i], scale), &c)) &&
            !(rc = binary(lw, BM_OP_MUL, in[i], c, &term))) {
            if (have)
                rc = binary(lw, BM_OP_ADD, acc, term, &acc);
            else
                acc = term;
            have = 1;
        }
    }
    if (!rc && (l->biases[j] != 0 || !have)) {
        if (!(rc = constant(lw, l->biases[j], &c))) {
            if (have)
                rc = binary(lw, BM_OP_ADD, acc, c, &acc);
            else
                acc = c;
        }
    }
    if (!rc)
        rc = convert(lw, t.accum, t, acc, &acc);
    if (!rc && l->activation == BM_ACT_RELU) {
        unsigned a = acc;
        rc = operation(lw, BM_OP_RELU, &a, 1, &acc);
        if (!rc && l->has_max && !(rc = constant(lw, l->max, &c)))
            rc = binary(lw, BM_OP_MIN, acc, c, &acc);
    } else if (!rc && l->activation == BM_ACT_LEAKY_RELU) {
        /* max(v, alpha*v): alpha*v >= v for v < 0 and <= v for v >= 0,
         * the product floor-rounded (0 <= alpha < 1, so it cannot wrap). */
        if (!(rc = constant(lw, scaled(l->alpha, lw->type.frac - t.result.frac), &c)) &&
            !(rc = binary(lw, BM_OP_MUL, acc, c, &term)))
            rc = binary(lw, BM_OP_MAX, acc, term, &acc);
    } else if (!rc && bm_net_pwl(l->activation)) {
        rc = piecewise(lw, bm_net_pwl(l->activation), t.result, acc, &acc);
    }
    *out = acc;
    return rc;
}

/* Marks the neurons whose value something reads: every neuron of the last
 * layer, and a neuron of an earlier layer when a live neuron of the next
 * layer has a nonzero weight for it.  live[] holds one flag per neuron,
 * layer after layer. */
static void find_live(const bm_network *net, unsigned char *live, const size_t *offset)
{
    size_t last = net->n_layers - 1;
    memset(live + offset[last], 1, net->layers[last].neurons);
    for (size_t l = last; l-- > 0;) {
        const net_layer *next = &net->layers[l + 1];
        for (unsigned i = 0; i < next->inputs; i++) {
            unsigned char used = 0;
            for (unsigned j = 0; j < next->neurons && !used; j++)
                used = live[offset[l + 1] + j] && next->weights[(size_t)j * next->inputs + i] != 0;
            live[offset[l] + i] = used;
        }
    }
}

static int lower(lowering *lw, const bm_network *net)
{
    bm_ctx *ctx = net->ctx;
    size_t widest = net->inputs, total = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        if (net->layers[l].neurons > widest)
            widest = net->layers[l].neurons;
        total += net->layers[l].neurons;
    }
    unsigned *prev = bm_malloc(ctx, widest * sizeof *prev);
    unsigned *cur = bm_malloc(ctx, widest * sizeof *cur);
    unsigned char *live = bm_malloc(ctx, total);
    size_t *offset = bm_malloc(ctx, net->n_layers * sizeof *offset);
    int rc = prev && cur && live && offset ? BM_OK : bm_oom(ctx);
    if (!rc) {
        for (size_t l = 0, o = 0; l < net->n_layers; o += net->layers[l++].neurons)
            offset[l] = o;
        find_live(net, live, offset);
    }
    char name[32];
    for (unsigned i = 0; i < net->inputs && !rc; i++) {
        snprintf(name, sizeof name, "x%u", i);
        rc = bm_graph_add_input(lw->g, &prev[i], name, net->input_loc);
    }
    unsigned width = net->inputs;
    bm_fixed_type in_type = net->type;
    for (size_t l = 0; l < net->n_layers && !rc; l++) {
        const net_layer *layer = &net->layers[l];
        lw->layer = (int)l;
        lw->loc = layer->loc;
        for (unsigned j = 0; j < layer->neurons && !rc; j++) {
            lw->neuron = (int)j;
            cur[j] = UINT32_MAX; /* a dead neuron: nothing reads it */
            if (live[offset[l] + j])
                rc = neuron(lw, net, layer, in_type, j, prev, &cur[j]);
        }
        in_type = bmi_net_layer_types(net, layer).result;
        unsigned *t = prev;
        prev = cur;
        cur = t;
        width = layer->neurons;
    }
    if (!rc && net->argmax) {
        unsigned cls;
        rc = bm_graph_add_op(lw->g, &cls, BM_OP_ARGMAX, prev, width, net->argmax_loc);
        if (!rc)
            rc = bm_graph_add_output(lw->g, NULL, "class", cls, net->argmax_loc);
    } else if (!rc && net->threshold) {
        /* argmax(0, y) is 1 exactly when y > 0: ties go to the first. */
        unsigned pair[2], cls = 0;
        rc = bm_graph_add_const(lw->g, &pair[0], 0, net->threshold_loc);
        pair[1] = prev[0];
        if (!rc)
            rc = bm_graph_add_op(lw->g, &cls, BM_OP_ARGMAX, pair, 2, net->threshold_loc);
        if (!rc)
            rc = bm_graph_add_output(lw->g, NULL, "class", cls, net->threshold_loc);
    } else {
        for (unsigned j = 0; j < width && !rc; j++) {
            snprintf(name, sizeof name, "y%u", j);
            rc = bm_graph_add_output(lw->g, NULL, name, prev[j], net->layers[net->n_layers - 1].loc);
        }
    }
    bm_free(ctx, prev);
    bm_free(ctx, cur);
    bm_free(ctx, live);
    bm_free(ctx, offset);
    return rc;
}

int bm_network_to_graph(bm_graph **out, const bm_network *net)
{
    if (!out || !net || !net->n_layers)
        return BM_EINVAL;
    *out = NULL;
    unsigned word;
    int rc = bmi_net_word(net, &word);
    if (rc)
        return rc;
    lowering lw = {NULL, {word, net->type.frac}, -1, -1, net->loc};
    rc = bm_graph_new(&lw.g, net->ctx, lw.type);
    if (rc)
        return rc;
    bm_graph_set_loc(lw.g, net->loc);
    rc = lower(&lw, net);
    if (!rc)
        rc = bm_graph_finish(lw.g, NULL);
    if (rc) {
        bm_graph_free(lw.g);
        return rc;
    }
    *out = lw.g;
    return BM_OK;
}
