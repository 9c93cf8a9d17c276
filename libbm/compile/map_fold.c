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
 * the previous part's partial sum.  With tiles (--split) part j of the K
 * neurons of group g share tile `l<L>c<g>s<j>`, which looks at its inputs
 * (pkmacfx) chained or not; a chain runs per slice, past the first slice
 * from a distributor (layer_chains), and within a layer of tiles the
 * global order takes slice by slice (tile_order).
 *
 * Deadlock freedom is map_plan.c's argument unchanged: every core executes
 * its own steps of one topological global order (eager accumulation only
 * moves instructions between a core's own steps, never across a transfer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"

/* Chains a layer can have: one of its whole-neuron cores, one per slice of
 * its tiles. */
#define MAP_CHAIN_SLICES (BM_COMPILE_SPLIT_MAX + 1)

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
 * neurons in the order they were made, which is neuron order, and in a
 * layer of tiles the cores of each slice (which read the same values); not
 * the parts of neurons split one a core.  A chain of tiles past the first
 * slice starts at a distributor, `l<L>s<j>`, made here: its tiles take
 * partial sums besides the chain's values, and a core forwards all it
 * takes.  *out (on the plan's context) per core. */
static int layer_chains(map_plan *p, map_namer *nm, const map_graph *mg, const uint32_t *owner,
                        uint32_t **out)
{
    size_t layers = 0;
    for (uint32_t f = 0; f < mg->n_fops; f++)
        if (mg->fops[f].layer >= 0 && (size_t)mg->fops[f].layer + 1 > layers)
            layers = (size_t)mg->fops[f].layer + 1;
    /* a chain per layer and slice: last[layer * SLICES + slice] */
    const size_t slices = MAP_CHAIN_SLICES;
    /* at most one distributor a chain */
    size_t nc = p->n_cores + (layers ? layers : 1) * slices, nl = (layers ? layers : 1) * slices;
    uint32_t *next = bm_malloc(p->ctx, nc * sizeof *next);
    uint32_t *last = bm_malloc(p->ctx, nl * sizeof *last);
    unsigned char *seen = bm_calloc(p->ctx, nc, 1);
    if (!next || !last || !seen) {
        bm_free(p->ctx, next);
        bm_free(p->ctx, last);
        bm_free(p->ctx, seen);
        return bm_oom(p->ctx);
    }
    for (size_t c = 0; c < nc; c++)
        next[c] = MAP_NONE;
    for (size_t l = 0; l < nl; l++)
        last[l] = MAP_NONE;
    int rc = BM_OK;
    for (uint32_t f = 0; f < mg->n_fops && !rc; f++) {
        const map_fop *fo = &mg->fops[f];
        if (fo->kind == MF_INPUT || fo->layer < 0 || owner[f] == MAP_NONE || seen[owner[f]])
            continue;
        int tile = p->cores[owner[f]].tile;
        if (fo->parts > 1 && !tile)
            continue;
        seen[owner[f]] = 1;
        size_t chain = (size_t)fo->layer * slices + (tile ? fo->slice + 1 : 0);
        if (tile && fo->slice > 0 && last[chain] == MAP_NONE) {
            char key[48];
            snprintf(key, sizeof key, "l%ds%u", fo->layer, fo->slice);
            bm_loc loc = bm_graph_node_loc(mg->g, fo->node);
            if ((rc = bmi_map_named_core(p, nm, key, loc, &last[chain])))
                break;
            p->cores[last[chain]].distributor = 1;
        }
        if (last[chain] != MAP_NONE)
            next[last[chain]] = owner[f];
        last[chain] = owner[f];
    }
    bm_free(p->ctx, last);
    bm_free(p->ctx, seen);
    if (rc) {
        bm_free(p->ctx, next);
        return rc;
    }
    *out = next;
    return BM_OK;
}

/* ---- the global order ------------------------------------------------------ */

/* The order of the fops within a run of a tiled layer's parts: by tile
 * (neuron / K), then slice, then neuron, a sum before the relu of it. */
typedef struct tile_key {
    uint32_t group, slice, neuron, relu, fop;
} tile_key;

static int by_tile_key(const void *a, const void *b)
{
    const tile_key *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->slice != y->slice)
        return x->slice < y->slice ? -1 : 1;
    if (x->neuron != y->neuron)
        return x->neuron < y->neuron ? -1 : 1;
    if (x->relu != y->relu)
        return x->relu < y->relu ? -1 : 1;
    return x->fop < y->fop ? -1 : x->fop > y->fop;
}

/* The fops' own order (topological, neuron after neuron), but in a layer
 * of tiles (K neurons per core, each split) slice j of every neuron of a
 * tile comes before slice j + 1 of any: a tile core then takes the K
 * partial sums of the tile before it sends on any of its own, so the
 * pipelined product of one is not waited for by the next instruction
 * (`inmacfx r0, ..; inmacfx r1, ..; outn o0, r0; outn o0, r1`, two nops
 * fewer on jet's K = 2 tiles).  Still topological: part j needs part
 * j - 1 of its own neuron, which comes first, and the layer's inputs, which
 * come before the run. */
static int tile_order(const map_graph *mg, bm_ctx *ctx, const unsigned *fold, size_t n_fold,
                      uint32_t *order)
{
    tile_key *keys = bm_malloc(ctx, (mg->n_fops ? mg->n_fops : 1) * sizeof *keys);
    if (!keys)
        return bm_oom(ctx);
    for (uint32_t f = 0; f < mg->n_fops;) {
        const map_fop *fo = &mg->fops[f];
        uint32_t end = f + 1;
        if (fo->parts < 2 || fo->layer < 0) {
            f = end;
            continue;
        }
        while (end < mg->n_fops && mg->fops[end].parts > 1 && mg->fops[end].layer == fo->layer)
            end++;
        unsigned k = layer_fold(fold, n_fold, fo->layer);
        for (uint32_t g = f; g < end; g++) {
            const map_fop *go = &mg->fops[g];
            uint32_t neuron = go->neuron < 0 ? 0 : (uint32_t)go->neuron;
            tile_key key = {neuron / k, go->slice, neuron, go->kind == MF_RELU, g};
            keys[g - f] = key;
        }
        qsort(keys, end - f, sizeof *keys, by_tile_key);
        for (uint32_t g = f; g < end; g++)
            order[g] = keys[g - f].fop;
        f = end;
    }
    bm_free(ctx, keys);
    return BM_OK;
}

int bmi_map_strategy_fold(map_plan *p, const map_graph *mg, const unsigned *fold, size_t n_fold,
                          bm_compile_chain chain, int tiles)
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
        owner[f] = MAP_NONE;
        if (fo->kind == MF_INPUT)
            continue;
        if (fo->layer >= 0) {
            unsigned group = (unsigned)(fo->neuron < 0 ? 0 : fo->neuron) /
                             layer_fold(fold, n_fold, fo->layer);
            int tile = tiles && fo->parts > 1;
            if (tile)
                snprintf(key, sizeof key, "l%dc%us%u", fo->layer, group, fo->slice);
            else if (fo->parts > 1)
                snprintf(key, sizeof key, "l%dn%dp%u", fo->layer, fo->neuron, fo->part);
            else
                snprintf(key, sizeof key, "l%dc%u", fo->layer, group);
            unsigned core;
            if (bm_names_get(&groups, key, &core)) {
                owner[f] = core;
                continue;
            }
            if (!(rc = bmi_map_named_core(p, &nm, key, loc, &owner[f])) &&
                !(rc = bm_names_put(&groups, key, owner[f])))
                p->cores[owner[f]].tile = (uint8_t)tile;
            continue;
        }
        if (bmi_map_relu_joins_sum(mg, f)) {
            owner[f] = owner[mg->args[fo->first].fop];
            continue;
        }
        rc = bmi_map_named_core(p, &nm, bmi_map_fop_base_name(mg, f, buf, sizeof buf), loc, &owner[f]);
    }
    for (uint32_t f = 0; !rc && f < mg->n_fops; f++)
        order[f] = f;
    if (!rc && tiles)
        rc = tile_order(mg, ctx, fold, n_fold, order);
    uint32_t *next = NULL;
    if (!rc && chain && !(rc = layer_chains(p, &nm, mg, owner, &next)))
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
