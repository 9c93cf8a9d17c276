/* The fold strategy: a network's neurons K at a time per core, like
 * hls4ml's ReuseFactor trades multipliers for cycles.
 *
 * Neurons n of layer L (the network lowering's tags) with the same n / K
 * share core `l<L>c<n/K>`, K being that layer's fold; a relu goes with its
 * neuron (it carries the same tag).  Operations without a tag (argmax, a
 * copied or constant output, the sink of unused inputs) get a core each,
 * as in the node strategy.
 *
 * The global order is the fops' own (topological, layer after layer,
 * neuron after neuron), and the emitter accumulates eagerly
 * (map_code_options.eager): each value a core receives is multiplied into
 * all of the core's neurons as it arrives, so a layer's code is
 * input-major,
 *
 *     in r0, i0;  macfxi r1, r0, w00;  macfxi r2, r0, w10; ...   per input
 *     relu r1;  outn o0, r1;  relu r2;  outn o0, r2; ...        per neuron
 *
 * and needs K + 1 registers; in a chain (--chain) the core multiplies the
 * value where it waits on the port instead, pkmacfx for K - 1 neurons and
 * inmacfx, which takes it, for the K-th: K cycles an input, K registers
 * (map_emit.c).  A core's K results go out on one port whose
 * bond fans out to every core that reads any of them
 * (bmi_map_plan_events_shared), so the next layer's cores have one input port
 * per core of this layer: ports stay few, and so do the input
 * multiplexers.  (In a dense layer every result has those readers anyway;
 * where a zero weight leaves a reader out, it takes the value and drops
 * it, a cycle instead of a port.)  With K = 1 a core is the node
 * strategy's neuron (an inmacfx chain).
 *
 * The parts of a neuron split across cores (map_split.c, the reuse factor
 * below a layer's fan-in) get a core each, `l<L>n<N>p<j>`, the relu going
 * with the last part; a part core is a K = 1 neuron over its slice, plus
 * the previous part's partial sum.
 *
 * Deadlock freedom is map_plan.c's argument unchanged: every core executes
 * its own steps of one topological global order (eager accumulation only
 * moves instructions between a core's own steps, never across a transfer). */
#include <stdio.h>
#include <string.h>

#include "map.h"

/* The fold of layer l: fold[l], the last value for deeper layers. */
static unsigned layer_fold(const unsigned *fold, size_t n_fold, int layer)
{
    size_t l = (size_t)layer;
    return fold[l < n_fold ? l : n_fold - 1];
}

/* A network's lowering tags its nodes (even when selection folds them all
 * into constants and copies, which then get cores of their own). */
static int is_network(const map_graph *mg)
{
    for (unsigned i = 0; i < bm_graph_node_count(mg->g); i++)
        if (bm_graph_node_layer(mg->g, i) >= 0)
            return 1;
    return 0;
}

/* The chains of bmi_map_plan_events_chained: each layer's cores of K
 * neurons (not the parts of split neurons) in the order they were made,
 * which is neuron order.  *out (on the plan's context) per core. */
static int layer_chains(map_plan *p, const map_graph *mg, const uint32_t *owner, uint32_t **out)
{
    int layers = 0;
    for (uint32_t f = 0; f < mg->n_fops; f++)
        if (mg->fops[f].layer + 1 > layers)
            layers = mg->fops[f].layer + 1;
    size_t nc = p->n_cores ? p->n_cores : 1;
    uint32_t *next = bm_malloc(p->ctx, nc * sizeof *next);
    uint32_t *last = bm_malloc(p->ctx, (size_t)(layers ? layers : 1) * sizeof *last);
    unsigned char *seen = bm_calloc(p->ctx, nc, 1);
    if (!next || !last || !seen) {
        bm_free(p->ctx, next);
        bm_free(p->ctx, last);
        bm_free(p->ctx, seen);
        return bm_oom(p->ctx);
    }
    for (size_t c = 0; c < p->n_cores; c++)
        next[c] = MAP_NONE;
    for (int l = 0; l < layers; l++)
        last[l] = MAP_NONE;
    for (uint32_t f = 0; f < mg->n_fops; f++) {
        const map_fop *fo = &mg->fops[f];
        if (fo->kind == MF_INPUT || fo->layer < 0 || fo->parts > 1 || owner[f] == MAP_NONE ||
            seen[owner[f]])
            continue;
        seen[owner[f]] = 1;
        if (last[fo->layer] != MAP_NONE)
            next[last[fo->layer]] = owner[f];
        last[fo->layer] = owner[f];
    }
    bm_free(p->ctx, last);
    bm_free(p->ctx, seen);
    *out = next;
    return BM_OK;
}

int bmi_map_strategy_fold(map_plan *p, const map_graph *mg, const unsigned *fold, size_t n_fold,
                          bm_compile_chain chain)
{
    bm_ctx *ctx = p->ctx;
    if (!is_network(mg)) {
        bm_error(ctx, bm_graph_loc(mg->g),
                 "the fold strategy needs a network (layers of neurons, as read from a network "
                 "XML file); this graph has no layer tags: use the node, cores or single "
                 "strategy");
        return BM_EINVAL;
    }
    map_namer nm;
    bm_names groups;
    bm_names_init(&nm.used, ctx);
    bm_names_init(&groups, ctx);
    size_t nf = mg->n_fops ? mg->n_fops : 1;
    uint32_t *owner = bm_malloc(ctx, nf * sizeof *owner);
    uint32_t *order = bm_malloc(ctx, nf * sizeof *order);
    int rc = owner && order ? BM_OK : bm_oom(ctx);
    char buf[96], key[48];
    for (uint32_t f = 0; f < mg->n_fops && !rc; f++) {
        const map_fop *fo = &mg->fops[f];
        bm_loc loc =
            fo->node != MAP_NONE ? bm_graph_node_loc(mg->g, fo->node) : bm_graph_loc(mg->g);
        order[f] = f;
        owner[f] = MAP_NONE;
        if (fo->kind == MF_INPUT)
            continue;
        if (fo->layer >= 0) {
            unsigned group = (unsigned)(fo->neuron < 0 ? 0 : fo->neuron) /
                             layer_fold(fold, n_fold, fo->layer);
            if (fo->parts > 1)
                snprintf(key, sizeof key, "l%dn%dp%u", fo->layer, fo->neuron, fo->part);
            else
                snprintf(key, sizeof key, "l%dc%u", fo->layer, group);
            unsigned core;
            if (bm_names_get(&groups, key, &core)) {
                owner[f] = core;
                continue;
            }
            if (!(rc = bmi_map_named_core(p, &nm, key, loc, &owner[f])))
                rc = bm_names_put(&groups, key, owner[f]);
            continue;
        }
        if (bmi_map_relu_joins_sum(mg, f)) {
            owner[f] = owner[mg->args[fo->first].fop];
            continue;
        }
        rc = bmi_map_named_core(p, &nm, bmi_map_fop_base_name(mg, f, buf, sizeof buf), loc, &owner[f]);
    }
    uint32_t *next = NULL;
    if (!rc && chain && !(rc = layer_chains(p, mg, owner, &next)))
        rc = bmi_map_plan_events_chained(p, mg, owner, order, next,
                                         chain == BM_COMPILE_CHAIN_BROADCAST);
    else if (!rc)
        rc = bmi_map_plan_events_shared(p, mg, owner, order);
    bm_free(ctx, next);
    bm_free(ctx, owner);
    bm_free(ctx, order);
    bm_names_free(&nm.used);
    bm_names_free(&groups);
    return rc;
}
