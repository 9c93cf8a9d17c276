/* Seeded random graphs and networks for the compiler and co-simulation
 * suites: header-only, static. */
#ifndef BM_TEST_RANDOM_GRAPHS_H
#define BM_TEST_RANDOM_GRAPHS_H

#include "compile_helpers.h"

/* A random DAG: inputs, then nodes over earlier nodes with every operation;
 * constants are often 0, 1.0 or -1.0 (the selector's special cases), and
 * outputs may be inputs, constants or anything else. */
static inline bm_graph *random_graph(bm_ctx *ctx, uint64_t seed, unsigned max_nodes)
{
    uint64_t s = seed;
    bm_fixed_type t = {2 + (unsigned)(test_rng_next(&s) % 63), 0};
    t.frac = (unsigned)(test_rng_next(&s) % t.total);
    bm_graph *g;
    cr_assert_eq(bm_graph_new(&g, ctx, t), 0);
    bm_loc loc = {NULL, 0, 0};
    unsigned n_in = (unsigned)(test_rng_next(&s) % 5), n = 0;
    unsigned n_nodes = n_in + 1 + (unsigned)(test_rng_next(&s) % max_nodes);
    unsigned *id = calloc(n_nodes, sizeof *id);
    cr_assert_not_null(id);
    char name[16];
    for (unsigned i = 0; i < n_in; i++) {
        snprintf(name, sizeof name, "x%u", i);
        cr_assert_eq(bm_graph_add_input(g, &id[n++], name, loc), 0);
    }
    static const bm_op ops[] = {BM_OP_CONST, BM_OP_ADD, BM_OP_ADD, BM_OP_SUB, BM_OP_MUL,
                                BM_OP_MUL,   BM_OP_NEG, BM_OP_RELU, BM_OP_MIN, BM_OP_MAX,
                                BM_OP_ARGMAX};
    while (n < n_nodes) {
        bm_op op = ops[test_rng_next(&s) % (sizeof ops / sizeof *ops)];
        if (n == 0)
            op = BM_OP_CONST;
        if (op == BM_OP_CONST) {
            uint64_t one = UINT64_C(1) << t.frac;
            int64_t c;
            switch (test_rng_next(&s) % 5) {
            case 0: c = 0; break;
            case 1: c = bm_fixed_wrap((int64_t)one, t); break;
            case 2: c = bm_fixed_wrap((int64_t)(0 - one), t); break;
            default: c = test_random_raw(&s, t); break;
            }
            cr_assert_eq(bm_graph_add_const(g, &id[n++], c, loc), 0);
            continue;
        }
        unsigned k = op == BM_OP_NEG || op == BM_OP_RELU ? 1
                     : op == BM_OP_ARGMAX                ? 1 + (unsigned)(test_rng_next(&s) % 5)
                                                         : 2;
        if (op == BM_OP_ARGMAX && (uint64_t)(k - 1) > (uint64_t)bm_fixed_max(t))
            k = 2;
        unsigned opd[5];
        for (unsigned j = 0; j < k; j++) {
            /* mostly recent nodes, so that chains form */
            unsigned back = (unsigned)(test_rng_next(&s) % (test_rng_next(&s) % 2 ? 4 : n));
            opd[j] = id[n - 1 - (back < n ? back : 0)];
        }
        cr_assert_eq(bm_graph_add_op(g, &id[n++], op, opd, k, loc), 0);
    }
    unsigned n_out = 1 + (unsigned)(test_rng_next(&s) % 3);
    for (unsigned o = 0; o < n_out; o++) {
        snprintf(name, sizeof name, "y%u", o);
        unsigned pick = o == 0 ? n - 1 : (unsigned)(test_rng_next(&s) % n);
        cr_assert_eq(bm_graph_add_output(g, NULL, name, id[pick], loc), 0);
    }
    free(id);
    char *d = graph_diags(ctx);
    cr_assert_eq(bm_graph_finish(g, NULL), 0, "seed %llu: %s", (unsigned long long)seed, d);
    free(d);
    return g;
}

/* ---- random networks ---------------------------------------------------------------- */

/* A random network (random_network_xml) lowered to a graph: relu and linear
 * layers only with more_activations 0 (the fold and split suites check the
 * shapes those give), leaky and clipped relus too with 1. */
static inline bm_graph *random_network_with(bm_ctx *ctx, uint64_t seed, int more_activations)
{
    uint64_t s;
    bm_fixed_type t;
    size_t len;
    char *xml = random_network_xml(seed, 29, 4, 12, more_activations, &t, &s, &len);
    bm_network *net;
    int rc = bm_network_read(&net, ctx, xml, len, "random.xml", NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "seed %llu: %s\n%s", (unsigned long long)seed, d, xml);
    free(d);
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    bm_network_free(net);
    free(xml);
    return g;
}

static inline bm_graph *random_network(bm_ctx *ctx, uint64_t seed)
{
    return random_network_with(ctx, seed, 0);
}

/* A random network with per-layer types (random_network_xml_typed; format
 * 2, types up to 16 bits so that the machine word stays within 64) read
 * into *net_out (when not NULL, for the caller to free) and lowered. */
static inline bm_graph *random_typed_network(bm_ctx *ctx, uint64_t seed, int more_activations,
                                             bm_network **net_out)
{
    uint64_t s;
    bm_fixed_type t;
    size_t len;
    char *xml = random_network_xml_typed(seed, 13, 4, 10, more_activations, 1, &t, &s, &len);
    bm_network *net;
    int rc = bm_network_read(&net, ctx, xml, len, "typed.xml", NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "seed %llu: %s\n%s", (unsigned long long)seed, d, xml);
    free(d);
    bm_graph *g;
    rc = bm_network_to_graph(&g, net);
    d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "seed %llu: %s\n%s", (unsigned long long)seed, d, xml);
    free(d);
    if (net_out)
        *net_out = net;
    else
        bm_network_free(net);
    free(xml);
    return g;
}

#endif
