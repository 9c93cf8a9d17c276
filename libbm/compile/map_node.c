/* The node and single strategies.
 *
 * node: one core per fused operation (a sum of products with its constant
 * is one operation; a relu joins the sum it rectifies when nothing else
 * reads the sum), or one core per neuron for nodes that carry a network
 * tag.  Each value leaves its core through one output port whose bond fans
 * out to every core that reads it; each graph input fans out from the
 * machine input to the cores that read it.  The global order is the fops'
 * (topological) order, so every core reads its producers in one global
 * topological order: a core that reads A and B, where B also depends on A,
 * reads A first, which reconvergent fan-out needs not to deadlock.
 *
 * single: every fop on one core, in the same order; inputs are read where
 * they are declared. */
#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "map.h"

/* ---- core names --------------------------------------------------------------- */

/* Adds a core named after base (made an identifier, made unique by a
 * numeric suffix). */
int bmi_map_named_core(map_plan *p, map_namer *nm, const char *base, bm_loc loc, uint32_t *out)
{
    char name[64];
    size_t n = 0;
    if (!((*base >= 'a' && *base <= 'z') || (*base >= 'A' && *base <= 'Z') || *base == '_')) {
        name[n++] = 'n';
        name[n++] = '_';
    }
    for (const char *s = base; *s && n < 48; s++)
        name[n++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                                   (*s >= '0' && *s <= '9') || *s == '_'
                               ? *s
                               : '_');
    name[n] = '\0';
    unsigned k, unused;
    int rc;
    if (bm_names_get(&nm->used, name, &k)) {
        /* name holds the last suffix tried for this base */
        do
            snprintf(name + n, sizeof name - n, "_%u", ++k);
        while (bm_names_get(&nm->used, name, &unused));
        char stem[64];
        memcpy(stem, name, n);
        stem[n] = '\0';
        if ((rc = bm_names_put(&nm->used, stem, k)))
            return rc;
    }
    if ((rc = bm_names_put(&nm->used, name, 1)))
        return rc;
    return bmi_map_plan_add_core(p, name, loc, out);
}

const char *bmi_map_fop_base_name(const map_graph *mg, uint32_t f, char *buf, size_t size)
{
    const map_fop *fo = &mg->fops[f];
    const bm_graph *g = mg->g;
    switch ((map_fop_kind)fo->kind) {
    case MF_SINK: return "sink";
    case MF_COPY: snprintf(buf, size, "copy_%s", bm_graph_node_name(g, fo->node)); return buf;
    case MF_CONST: return "const";
    default: break;
    }
    if (fo->layer >= 0) {
        snprintf(buf, size, "l%dn%d", fo->layer, fo->neuron);
        return buf;
    }
    const char *name = bm_graph_node_name(g, fo->node);
    if (name && bm_is_identifier(name) && strlen(name) <= 48)
        return name;
    return bm_op_name(bm_graph_node_op(g, fo->node));
}

/* A relu that can join the core of the sum it reads. */
int bmi_map_relu_joins_sum(const map_graph *mg, uint32_t f)
{
    const map_fop *fo = &mg->fops[f];
    if (fo->kind != MF_RELU)
        return 0;
    uint32_t a = mg->args[fo->first].fop;
    return mg->fops[a].kind == MF_SUM && mg->user_start[a + 1] - mg->user_start[a] == 1 &&
           mg->out_start[a + 1] == mg->out_start[a];
}

static int plan_in_order(map_plan *p, const map_graph *mg, const uint32_t *owner)
{
    uint32_t *order = bm_malloc(p->ctx, (mg->n_fops ? mg->n_fops : 1) * sizeof *order);
    if (!order)
        return bm_oom(p->ctx);
    for (uint32_t f = 0; f < mg->n_fops; f++)
        order[f] = f;
    int rc = bmi_map_plan_events(p, mg, owner, order);
    bm_free(p->ctx, order);
    return rc;
}

typedef struct buffer_namer {
    map_namer *nm;
    const map_graph *mg;
} buffer_namer;

/* A buffer core of value f's delay line: named after f's core ("x_buf",
 * then "x_buf_2", ...), at f's place in the source. */
static int buffer_core(void *user, map_plan *p, uint32_t f, unsigned j, uint32_t *out)
{
    buffer_namer *bn = user;
    const map_graph *mg = bn->mg;
    const map_fop *fo = &mg->fops[f];
    char buf[96], base[64];
    (void)j;
    const char *name = fo->kind == MF_INPUT ? bm_graph_node_name(mg->g, fo->node)
                                            : bmi_map_fop_base_name(mg, f, buf, sizeof buf);
    snprintf(base, sizeof base, "%.44s_buf", name ? name : "value");
    bm_loc loc = fo->node != MAP_NONE ? bm_graph_node_loc(mg->g, fo->node) : bm_graph_loc(mg->g);
    return bmi_map_named_core(p, bn->nm, base, loc, out);
}

int bmi_map_strategy_node(map_plan *p, const map_graph *mg, unsigned buffers)
{
    bm_ctx *ctx = p->ctx;
    map_namer nm;
    bm_names tags;
    bm_names_init(&nm.used, ctx);
    bm_names_init(&tags, ctx);
    uint32_t *owner = bm_malloc(ctx, (mg->n_fops ? mg->n_fops : 1) * sizeof *owner);
    int rc = owner ? BM_OK : bm_oom(ctx);
    char buf[96], key[48];
    for (uint32_t f = 0; f < mg->n_fops && !rc; f++) {
        const map_fop *fo = &mg->fops[f];
        bm_loc loc = fo->node != MAP_NONE ? bm_graph_node_loc(mg->g, fo->node) : bm_graph_loc(mg->g);
        owner[f] = MAP_NONE;
        if (fo->kind == MF_INPUT)
            continue;
        if (fo->layer >= 0) {
            snprintf(key, sizeof key, "%d:%d", fo->layer, fo->neuron);
            unsigned core;
            if (bm_names_get(&tags, key, &core)) {
                owner[f] = core;
                continue;
            }
            if (!(rc = bmi_map_named_core(p, &nm, bmi_map_fop_base_name(mg, f, buf, sizeof buf), loc,
                                      &owner[f])))
                rc = bm_names_put(&tags, key, owner[f]);
            continue;
        }
        if (bmi_map_relu_joins_sum(mg, f)) {
            owner[f] = owner[mg->args[fo->first].fop];
            continue;
        }
        rc = bmi_map_named_core(p, &nm, bmi_map_fop_base_name(mg, f, buf, sizeof buf), loc, &owner[f]);
    }
    uint32_t *order = rc ? NULL : bm_malloc(ctx, (mg->n_fops ? mg->n_fops : 1) * sizeof *order);
    if (!rc && !order)
        rc = bm_oom(ctx);
    for (uint32_t f = 0; f < mg->n_fops && !rc; f++)
        order[f] = f;
    /* at most twice as many buffer cores as operation cores */
    buffer_namer bn = {&nm, mg};
    if (!rc)
        rc = bmi_map_plan_events_buffered(p, mg, owner, order, buffers, 2 * p->n_cores, buffer_core,
                                      &bn);
    bm_free(ctx, order);
    bm_free(ctx, owner);
    bm_names_free(&nm.used);
    bm_names_free(&tags);
    return rc;
}

int bmi_map_strategy_single(map_plan *p, const map_graph *mg)
{
    uint32_t core;
    int rc = bmi_map_plan_add_core(p, "core", bm_graph_loc(mg->g), &core);
    uint32_t *owner = rc ? NULL : bm_malloc(p->ctx, (mg->n_fops ? mg->n_fops : 1) * sizeof *owner);
    if (!rc && !owner)
        rc = bm_oom(p->ctx);
    for (uint32_t f = 0; f < mg->n_fops && !rc; f++)
        owner[f] = mg->fops[f].kind == MF_INPUT ? MAP_NONE : core;
    if (!rc)
        rc = plan_in_order(p, mg, owner);
    bm_free(p->ctx, owner);
    return rc;
}
