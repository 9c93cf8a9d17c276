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
 * is needed: the graph is the one of format 1.
 *
 * For the profile (profile.c), the lowering can also note what each node
 * is and which of the layer's types its raw value counts in
 * (bmi_net_note): only the lowering knows which constant is a scaled
 * weight and which MIN is a saturation. */
#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "network_impl.h"

typedef struct lowering {
    bm_graph *g;
    bm_fixed_type type; /* the graph's: fixed<W, W-F> */
    int layer, neuron; /* the tag for new nodes */
    bm_loc loc;
    bmi_net_note *notes; /* by node id as created; NULL: none wanted */
    size_t cap_notes;
    bmi_net_note note;   /* the note of new nodes */
} lowering;

/* New nodes are `role`, their raw value counting in frac + unscale
 * fraction bits (frac of their own type). */
static void as(lowering *lw, bmi_net_role role, unsigned frac, unsigned unscale)
{
    lw->note = (bmi_net_note){(unsigned char)role, 0, (unsigned char)frac,
                              (unsigned char)unscale};
}

static int keep_note(lowering *lw, unsigned id)
{
    if (id >= lw->cap_notes) {
        size_t old = lw->cap_notes;
        if (bm_grow(bm_graph_ctx(lw->g), (void **)&lw->notes, &lw->cap_notes, (size_t)id + 1,
                    sizeof *lw->notes))
            return BM_ENOMEM;
        /* nodes made without a tag (inputs, outputs, argmax) are OTHER */
        for (size_t i = old; i < lw->cap_notes; i++)
            lw->notes[i] = (bmi_net_note){BMI_ROLE_OTHER, 0, (unsigned char)lw->type.frac, 0};
    }
    lw->notes[id] = lw->note;
    return BM_OK;
}

static int tag(lowering *lw, unsigned id)
{
    int rc = bm_graph_set_node_tag(lw->g, id, lw->layer, lw->neuron);
    return rc || !lw->notes ? rc : keep_note(lw, id);
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
    unsigned acc = 0, c = 0, lo = 0, hi = 0, clamped = 0, term = 0;
    unsigned up = lw->type.frac - t.frac;
    int64_t base = quantised(f->base, t);
    int have = base != 0; /* adding a raw 0 changes nothing */
    as(lw, BMI_ROLE_ACT_CONST, t.frac, 0);
    int rc = have ? constant(lw, base, &acc) : BM_OK;
    for (unsigned k = 0; k < NET_PWL_TERMS && !rc; k++) {
        as(lw, BMI_ROLE_ACT_CONST, t.frac, 0);
        if (!(rc = constant(lw, quantised(-f->bound[k], t), &lo)))
            rc = constant(lw, quantised(f->bound[k], t), &hi);
        as(lw, BMI_ROLE_ACTIVATION, t.frac, 0);
        if (!rc && !(rc = binary(lw, BM_OP_MAX, v, lo, &clamped)))
            rc = binary(lw, BM_OP_MIN, clamped, hi, &clamped);
        as(lw, BMI_ROLE_ACT_CONST, t.frac, up);
        if (!rc)
            rc = constant(lw, scaled(quantised(f->slope[k], t), up), &c);
        as(lw, BMI_ROLE_ACTIVATION, t.frac, 0);
        if (!rc && !(rc = binary(lw, BM_OP_MUL, clamped, c, &term))) {
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
    as(lw, BMI_ROLE_CONVERT, c.frac + up, 0);
    if (up)
        rc = shift(lw, BM_OP_SHL, v, up, &v);
    as(lw, BMI_ROLE_CONVERT, r.frac, 0);
    if (!rc && down)
        rc = shift(lw, BM_OP_SAR, v, down, &v);
    if (!rc && width > r.total && t.overflow == BM_OVERFLOW_WRAP) {
        as(lw, BMI_ROLE_RESULT_WRAP, r.frac + word - r.total, 0);
        if (!(rc = shift(lw, BM_OP_SHL, v, word - r.total, &v))) {
            as(lw, BMI_ROLE_RESULT_WRAP, r.frac, 0);
            rc = shift(lw, BM_OP_SAR, v, word - r.total, &v);
        }
    } else if (!rc && width > r.total) {
        unsigned lo = 0, hi = 0;
        /* in the order of the graph without notes: the same node ids */
        as(lw, BMI_ROLE_BOUND, r.frac, 0);
        rc = constant(lw, bm_fixed_min(r), &lo);
        as(lw, BMI_ROLE_SATURATE, r.frac, 0);
        if (!rc)
            rc = binary(lw, BM_OP_MAX, v, lo, &v);
        as(lw, BMI_ROLE_BOUND, r.frac, 0);
        if (!rc)
            rc = constant(lw, bm_fixed_max(r), &hi);
        as(lw, BMI_ROLE_SATURATE, r.frac, 0);
        if (!rc)
            rc = binary(lw, BM_OP_MIN, v, hi, &v);
    }
    if (!rc && lw->notes)
        lw->notes[v].converted = 1; /* v was made by this neuron: it has a note */
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
    unsigned acc = 0, c = 0, term = 0;
    int rc = BM_OK;
    for (unsigned i = 0; i < l->inputs && !rc; i++) {
        if (w[i] == 0)
            continue;
        as(lw, BMI_ROLE_WEIGHT, t.weight.frac, scale);
        rc = constant(lw, scaled(w[i], scale), &c);
        as(lw, BMI_ROLE_PRODUCT, t.accum.frac, 0);
        if (!rc)
            rc = binary(lw, BM_OP_MUL, in[i], c, &term);
        as(lw, BMI_ROLE_SUM, t.accum.frac, 0);
        if (!rc) {
            if (have)
                rc = binary(lw, BM_OP_ADD, acc, term, &acc);
            else
                acc = term;
            have = 1;
        }
    }
    if (!rc && (l->biases[j] != 0 || !have)) {
        as(lw, BMI_ROLE_BIAS, t.accum.frac, 0);
        if (!(rc = constant(lw, l->biases[j], &c))) {
            as(lw, BMI_ROLE_SUM, t.accum.frac, 0);
            if (have)
                rc = binary(lw, BM_OP_ADD, acc, c, &acc);
            else
                acc = c;
        }
    }
    if (!rc)
        rc = convert(lw, t.accum, t, acc, &acc);
    unsigned fr = t.result.frac, up = lw->type.frac - fr;
    if (!rc && l->activation == BM_ACT_RELU) {
        unsigned a = acc;
        as(lw, BMI_ROLE_ACTIVATION, fr, 0);
        rc = operation(lw, BM_OP_RELU, &a, 1, &acc);
        as(lw, BMI_ROLE_ACT_CONST, fr, 0);
        if (!rc && l->has_max && !(rc = constant(lw, l->max, &c))) {
            as(lw, BMI_ROLE_ACTIVATION, fr, 0);
            rc = binary(lw, BM_OP_MIN, acc, c, &acc);
        }
    } else if (!rc && l->activation == BM_ACT_LEAKY_RELU) {
        /* max(v, alpha*v): alpha*v >= v for v < 0 and <= v for v >= 0,
         * the product floor-rounded (0 <= alpha < 1, so it cannot wrap). */
        as(lw, BMI_ROLE_ACT_CONST, fr, up);
        rc = constant(lw, scaled(l->alpha, up), &c);
        as(lw, BMI_ROLE_ACTIVATION, fr, 0);
        if (!rc && !(rc = binary(lw, BM_OP_MUL, acc, c, &term)))
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

/* The notes by final node id: bm_graph_finish renumbered the nodes. */
static int renumber_notes(lowering *lw, const unsigned *new_id, bmi_net_note **notes)
{
    size_t n = bm_graph_node_count(lw->g);
    bm_ctx *ctx = bm_graph_ctx(lw->g);
    bmi_net_note *by_id = bm_malloc(ctx, (n ? n : 1) * sizeof *by_id);
    if (!by_id)
        return bm_oom(ctx);
    bmi_net_note other = {BMI_ROLE_OTHER, 0, (unsigned char)lw->type.frac, 0};
    for (size_t i = 0; i < n; i++)
        by_id[new_id[i]] = i < lw->cap_notes ? lw->notes[i] : other;
    *notes = by_id;
    return BM_OK;
}

int bmi_network_to_graph_noted(bm_graph **out, const bm_network *net, bmi_net_note **notes)
{
    if (!out || !net || !net->n_layers)
        return BM_EINVAL;
    *out = NULL;
    if (notes)
        *notes = NULL;
    unsigned word;
    int rc = bmi_net_word(net, &word);
    if (rc)
        return rc;
    lowering lw = {NULL, {word, net->type.frac}, -1, -1, net->loc, NULL, 0, {0, 0, 0, 0}};
    rc = bm_graph_new(&lw.g, net->ctx, lw.type);
    if (rc)
        return rc;
    bm_graph_set_loc(lw.g, net->loc);
    if (notes) {
        /* a first note, so that tag() keeps notes from the first node on */
        lw.note = (bmi_net_note){BMI_ROLE_OTHER, 0, (unsigned char)lw.type.frac, 0};
        lw.cap_notes = 0;
        rc = bm_grow(net->ctx, (void **)&lw.notes, &lw.cap_notes, 16, sizeof *lw.notes) ? BM_ENOMEM
                                                                                       : BM_OK;
        for (size_t i = 0; i < lw.cap_notes; i++)
            lw.notes[i] = lw.note;
    }
    if (!rc)
        rc = lower(&lw, net);
    unsigned *new_id = NULL;
    if (!rc && notes) {
        size_t n = bm_graph_node_count(lw.g);
        new_id = bm_malloc(net->ctx, (n ? n : 1) * sizeof *new_id);
        rc = new_id ? BM_OK : bm_oom(net->ctx);
    }
    if (!rc)
        rc = bm_graph_finish(lw.g, new_id);
    if (!rc && notes)
        rc = renumber_notes(&lw, new_id, notes);
    bm_free(net->ctx, new_id);
    bm_free(net->ctx, lw.notes);
    if (rc) {
        bm_graph_free(lw.g);
        return rc;
    }
    *out = lw.g;
    return BM_OK;
}

int bm_network_to_graph(bm_graph **out, const bm_network *net)
{
    return bmi_network_to_graph_noted(out, net, NULL);
}
