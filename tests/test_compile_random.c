/* The compiler against the reference evaluator on seeded random graphs and
 * random networks, with every strategy: the simulated machine must give
 * bm_graph_eval's bits for every vector of a stream, and never deadlock. */
#include "compile_helpers.h"
#include "random_graphs.h"

static void random_graph_everywhere(uint64_t seed, unsigned max_nodes)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = random_graph(ctx, seed, max_nodes);
    char what[64];
    snprintf(what, sizeof what, "random graph %llu", (unsigned long long)seed);
    for (size_t p = 0; p < N_PLACEMENTS; p++)
        check_compiled(g, every_placement[p], NULL, 0, 5, seed, what);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(compile_random, small_graphs_every_strategy)
{
    for (uint64_t seed = 1; seed <= 300; seed++)
        random_graph_everywhere(seed, 12);
}

Test(compile_random, larger_graphs_every_strategy)
{
    for (uint64_t seed = 1001; seed <= 1060; seed++)
        random_graph_everywhere(seed, 200);
}

Test(compile_random, networks_every_strategy)
{
    for (uint64_t seed = 1; seed <= 100; seed++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = random_network_with(ctx, seed, seed % 2);
        char what[64];
        snprintf(what, sizeof what, "random network %llu%s", (unsigned long long)seed,
                 seed % 2 ? " (leaky and clipped relus)" : "");
        for (size_t p = 0; p < N_PLACEMENTS; p++)
            check_compiled(g, every_placement[p], NULL, 0, 5, seed, what);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* Types at the edges: 2 and 64 bits, no fraction bits and all but one. */
Test(compile_random, extreme_types)
{
    static const bm_fixed_type types[] = {{2, 0}, {2, 1}, {3, 2}, {8, 7}, {33, 5},
                                          {64, 0}, {64, 32}, {64, 62}, {64, 63}};
    for (size_t k = 0; k < sizeof types / sizeof *types; k++) {
        bm_fixed_type t = types[k];
        bm_ctx *ctx = graph_ctx();
        bm_graph *g;
        cr_assert_eq(bm_graph_new(&g, ctx, t), 0);
        bm_loc loc = {NULL, 0, 0};
        unsigned x, y, m1, tiny, big, p[8], n = 0;
        cr_assert_eq(bm_graph_add_input(g, &x, "x", loc), 0);
        cr_assert_eq(bm_graph_add_input(g, &y, "y", loc), 0);
        cr_assert_eq(bm_graph_add_const(g, &m1, bm_fixed_wrap((int64_t)(0 - (UINT64_C(1) << t.frac)), t), loc), 0);
        cr_assert_eq(bm_graph_add_const(g, &tiny, 1, loc), 0);
        cr_assert_eq(bm_graph_add_const(g, &big, bm_fixed_max(t), loc), 0);
        unsigned o[2];
        o[0] = x, o[1] = m1;
        cr_assert_eq(bm_graph_add_op(g, &p[n++], BM_OP_MUL, o, 2, loc), 0);   /* -x     */
        o[0] = y, o[1] = tiny;
        cr_assert_eq(bm_graph_add_op(g, &p[n++], BM_OP_MUL, o, 2, loc), 0);   /* y*2^-F */
        o[0] = x, o[1] = y;
        cr_assert_eq(bm_graph_add_op(g, &p[n++], BM_OP_MUL, o, 2, loc), 0);   /* x*y    */
        o[0] = p[0], o[1] = p[1];
        cr_assert_eq(bm_graph_add_op(g, &p[n++], BM_OP_SUB, o, 2, loc), 0);
        o[0] = p[3], o[1] = p[2];
        cr_assert_eq(bm_graph_add_op(g, &p[n++], BM_OP_ADD, o, 2, loc), 0);
        o[0] = p[4], o[1] = big;
        cr_assert_eq(bm_graph_add_op(g, &p[n++], BM_OP_ADD, o, 2, loc), 0);
        cr_assert_eq(bm_graph_add_op(g, &p[n++], BM_OP_RELU, &p[5], 1, loc), 0);
        unsigned am[3] = {x, y, p[2]};
        cr_assert_eq(bm_graph_add_op(g, &p[n++], BM_OP_ARGMAX, am, t.total > 2 ? 3 : 2, loc), 0);
        cr_assert_eq(bm_graph_add_output(g, NULL, "s", p[5], loc), 0);
        cr_assert_eq(bm_graph_add_output(g, NULL, "r", p[6], loc), 0);
        cr_assert_eq(bm_graph_add_output(g, NULL, "k", p[7], loc), 0);
        char *d = graph_diags(ctx);
        cr_assert_eq(bm_graph_finish(g, NULL), 0, "fixed<%u,%u>: %s", t.total, t.total - t.frac, d);
        free(d);
        char what[64];
        snprintf(what, sizeof what, "fixed<%u,%u>", t.total, t.total - t.frac);
        for (size_t pl = 0; pl < N_PLACEMENTS; pl++)
            check_compiled(g, every_placement[pl], NULL, 0, 16, k + 1, what);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}
