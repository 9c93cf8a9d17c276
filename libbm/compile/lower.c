/* Lowering a dense network to the graph IR (the rules are in bm/network.h
 * and docs/network.md).  Each neuron is a chain in input order:
 *
 *     acc = w0*x0;  acc = acc + w1*x1;  ...;  acc = acc + b;  relu(acc)
 *
 * Because additions wrap modulo 2^total, any other summation order gives
 * the same bits; the products are rounded one by one, as a multiply-
 * accumulate core computes them. */
#include <stdio.h>

#include "compile.h"
#include "network_impl.h"

typedef struct lowering {
    bm_graph *g;
    int layer, neuron; /* the tag for new nodes */
    bm_loc loc;
} lowering;

static int tagged(lowering *lw, int rc, unsigned id)
{
    return rc ? rc : bm_graph_set_node_tag(lw->g, id, lw->layer, lw->neuron);
}

static int constant(lowering *lw, int64_t raw, unsigned *out)
{
    return tagged(lw, bm_graph_add_const(lw->g, out, raw, lw->loc), *out);
}

static int binary(lowering *lw, bm_op op, unsigned a, unsigned b, unsigned *out)
{
    unsigned pair[2] = {a, b};
    return tagged(lw, bm_graph_add_op(lw->g, out, op, pair, 2, lw->loc), *out);
}

static int neuron(lowering *lw, const net_layer *l, unsigned j, const unsigned *in, unsigned *out)
{
    const int64_t *w = l->weights + (size_t)j * l->inputs;
    int have = 0;
    unsigned acc = 0, c, term;
    int rc = BM_OK;
    for (unsigned i = 0; i < l->inputs && !rc; i++) {
        if (w[i] == 0)
            continue;
        if (!(rc = constant(lw, w[i], &c)) && !(rc = binary(lw, BM_OP_MUL, in[i], c, &term))) {
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
    if (!rc && l->activation == BM_ACT_RELU) {
        unsigned a = acc;
        rc = tagged(lw, bm_graph_add_op(lw->g, &acc, BM_OP_RELU, &a, 1, lw->loc), acc);
    }
    *out = acc;
    return rc;
}

static int lower(lowering *lw, const bm_network *net)
{
    bm_ctx *ctx = net->ctx;
    size_t widest = net->inputs;
    for (size_t l = 0; l < net->n_layers; l++)
        if (net->layers[l].neurons > widest)
            widest = net->layers[l].neurons;
    unsigned *prev = bm_malloc(ctx, widest * sizeof *prev);
    unsigned *cur = bm_malloc(ctx, widest * sizeof *cur);
    int rc = prev && cur ? BM_OK : bm_oom(ctx);
    char name[32];
    for (unsigned i = 0; i < net->inputs && !rc; i++) {
        snprintf(name, sizeof name, "x%u", i);
        rc = bm_graph_add_input(lw->g, &prev[i], name, net->input_loc);
    }
    unsigned width = net->inputs;
    for (size_t l = 0; l < net->n_layers && !rc; l++) {
        const net_layer *layer = &net->layers[l];
        lw->layer = (int)l;
        lw->loc = layer->loc;
        for (unsigned j = 0; j < layer->neurons && !rc; j++) {
            lw->neuron = (int)j;
            rc = neuron(lw, layer, j, prev, &cur[j]);
        }
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
    } else {
        for (unsigned j = 0; j < width && !rc; j++) {
            snprintf(name, sizeof name, "y%u", j);
            rc = bm_graph_add_output(lw->g, NULL, name, prev[j], net->layers[net->n_layers - 1].loc);
        }
    }
    bm_free(ctx, prev);
    bm_free(ctx, cur);
    return rc;
}

int bm_network_to_graph(bm_graph **out, const bm_network *net)
{
    if (!out || !net || !net->n_layers)
        return BM_EINVAL;
    *out = NULL;
    lowering lw = {NULL, -1, -1, net->loc};
    int rc = bm_graph_new(&lw.g, net->ctx, net->type);
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
