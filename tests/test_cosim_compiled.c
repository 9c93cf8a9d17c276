/* Compiled graphs under Verilator: every example graph and network, and
 * seeded random graphs and networks, compiled with several strategies (and
 * networks folded, split by a reuse factor and in tiles), must make exactly the same
 * output transfers (value and cycle) in the RTL as in the simulator, which
 * the compiler suites already hold to bm_graph_eval.
 * All machines of a test go into one design (bm_machine_append), so one
 * Verilator build covers them; a second test does the same for ONNX
 * models and networks with the newer activations, a third for networks
 * with per-layer types. */
#include <dirent.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "compile_helpers.h"
#include "random_graphs.h"

#define VECTORS 6

typedef struct batch {
    bm_machine *all;
    unsigned n;
    char what[400][96]; /* what machine gN_ is, for failure messages */
    /* raw stimulus, pushed once the batch is complete */
    char (*input)[64];
    int64_t (*values)[VECTORS];
    size_t n_inputs, cap_inputs;
} batch;

/* Adds machine m, compiled from g, to the batch (and frees it). */
static void add_machine(batch *b, const bm_graph *g, bm_machine *m, const char *what,
                        uint64_t seed)
{
    cr_assert_lt(b->n, 400);
    char prefix[16];
    snprintf(prefix, sizeof prefix, "g%u_", b->n);
    snprintf(b->what[b->n], sizeof b->what[0], "%s", what);
    cr_assert_eq(bm_machine_append(b->all, m, prefix), 0);
    uint64_t s = seed;
    bm_fixed_type t = bm_graph_type(g);
    for (unsigned i = 0; i < bm_machine_input_count(m); i++) {
        if (b->n_inputs == b->cap_inputs) {
            b->cap_inputs = b->cap_inputs ? 2 * b->cap_inputs : 64;
            b->input = realloc(b->input, b->cap_inputs * sizeof *b->input);
            b->values = realloc(b->values, b->cap_inputs * sizeof *b->values);
            cr_assert(b->input && b->values);
        }
        snprintf(b->input[b->n_inputs], sizeof b->input[0], "%s%s", prefix,
                 bm_machine_input_name(m, i));
        for (unsigned k = 0; k < VECTORS; k++)
            b->values[b->n_inputs][k] = test_random_raw(&s, t);
        b->n_inputs++;
    }
    bm_machine_free(m);
    b->n++;
}

static void add(batch *b, const bm_graph *g, placement p, const char *what, uint64_t seed)
{
    char full[96];
    snprintf(full, sizeof full, "%s, %s", what, placement_name(p));
    add_machine(b, g, compile_with(g, p, what), full, seed);
}

/* g folded K a core with each layer's cores chained (forwards), as a line
 * or as a broadcast. */
static void add_chained(batch *b, const bm_graph *g, unsigned k, bm_mul_variant mul,
                        bm_compile_chain chain, const char *what, uint64_t seed)
{
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = BM_MAP_FOLD;
    opt.fold = k;
    opt.mul = mul;
    opt.chain = chain;
    bm_machine *m = NULL;
    const char *how = chain == BM_COMPILE_CHAIN_BROADCAST ? "broadcast" : "chained";
    cr_assert_eq(bm_compile(&m, g, &opt), 0, "%s %s", what, how);
    char full[96];
    snprintf(full, sizeof full, "%s, fold %u %s, mul %s", what, k, how,
             bm_mul_variant_get(mul)->name);
    add_machine(b, g, m, full, seed);
}

/* g in tiles: K neurons a core, each neuron split S ways (--fold K
 * --split S), unchained, chained or broadcast (distributors past the first
 * slice). */
static void add_tiled(batch *b, const bm_graph *g, unsigned k, unsigned split,
                      bm_mul_variant mul, bm_compile_chain chain, const char *what,
                      uint64_t seed)
{
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = BM_MAP_FOLD;
    opt.fold = k;
    opt.split_layers = &split;
    opt.n_split_layers = 1;
    opt.mul = mul;
    opt.chain = chain;
    bm_machine *m = NULL;
    cr_assert_eq(bm_compile(&m, g, &opt), 0, "%s tiles", what);
    char full[128];
    snprintf(full, sizeof full, "%s, fold %u split %u chain %d, mul %s", what, k, split,
             (int)chain, bm_mul_variant_get(mul)->name);
    add_machine(b, g, m, full, seed);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

static void add_examples(batch *b, const char *dir, int network)
{
    static const placement places[] = {{BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0},
                                       {BM_MAP_SINGLE, 0, 0, BM_MUL_COMB, 0},
                                       {BM_MAP_CORES, 3, 0, BM_MUL_COMB, 0},
                                       /* networks only: */
                                       {BM_MAP_NODE, 0, 0, BM_MUL_PIPE, 0},
                                       {BM_MAP_FOLD, 0, 3, BM_MUL_PIPE, 0},
                                       {BM_MAP_FOLD, 0, 2, BM_MUL_COMB, 0}};
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    struct dirent *e;
    char names[64][600];
    unsigned n = 0;
    while ((e = readdir(d)) && n < 64)
        if (has_suffix(e->d_name, ".bmg") || has_suffix(e->d_name, ".graphml") ||
            has_suffix(e->d_name, ".xml"))
            snprintf(names[n++], sizeof names[0], "%s/%s", dir, e->d_name);
    closedir(d);
    for (unsigned i = 0; i < n; i++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g;
        cr_assert_eq(bm_graph_read_file(&g, ctx, names[i], NULL), 0, "%s", names[i]);
        for (size_t p = 0; p < (network ? sizeof places / sizeof places[0] : 3); p++)
            add(b, g, places[p], names[i], 100 + i);
        if (network) { /* K = 8: few cores, as Verilator's time goes with the design */
            add_chained(b, g, 8, BM_MUL_PIPE, BM_COMPILE_CHAIN_LINE, names[i], 200 + i);
            add_tiled(b, g, 4, 2, BM_MUL_PIPE, BM_COMPILE_CHAIN_BROADCAST, names[i], 300 + i);
        }
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* Five ONNX models (build/onnx, encoded by make test): an imported argmax
 * network, a binary classifier (threshold), a tanh hidden layer, and the
 * two the frameworks wrote: torch.onnx.export's digits MLP (batch
 * normalisation folded) and onnx.helper's logistic regression (one layer
 * and a threshold). */
static void add_onnx(batch *b)
{
    /* one placement each: Verilator's time goes with the design */
    static const placement places[] = {{BM_MAP_FOLD, 0, 3, BM_MUL_PIPE, 0},
                                       {BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0},
                                       {BM_MAP_FOLD, 0, 4, BM_MUL_COMB, 0},
                                       {BM_MAP_FOLD, 0, 8, BM_MUL_PIPE, 0},
                                       {BM_MAP_NODE, 0, 0, BM_MUL_PIPE, 0}};
    static const char *const names[] = {"iris", "cancer", "iris_tanh", "digits_torch",
                                        "cancer_logreg"};
    const char *dir = getenv("BM_ONNX_MODELS");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s.onnx", dir && *dir ? dir : "build/onnx", names[i]);
        bm_ctx *ctx = graph_ctx();
        bm_graph *g;
        cr_assert_eq(bm_graph_read_file(&g, ctx, path, NULL), 0, "%s (make onnx-models)", path);
        add(b, g, places[i], path, 300 + i);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* Validates the batch, simulates it, builds it under Verilator (in
 * $BM_COSIM_WORK_COMPILED + suffix) and compares every output transfer. */
static void run_batch(batch *b, bm_ctx *ctx, const char *suffix)
{
    char *d = graph_diags(ctx);
    cr_assert_eq(bm_machine_validate(b->all), 0, "%s", d);
    free(d);

    bm_sim *sim;
    cr_assert_eq(bm_sim_new(&sim, b->all, NULL), 0);
    for (size_t i = 0; i < b->n_inputs; i++) {
        int in = bm_machine_find_input(b->all, b->input[i]);
        cr_assert_geq(in, 0, "%s", b->input[i]);
        for (unsigned k = 0; k < VECTORS; k++)
            cr_assert_eq(bm_sim_push_input(sim, (unsigned)in, (uint64_t)b->values[i][k]), 0);
    }
    bm_cosim_stimulus *st;
    cr_assert_eq(bm_cosim_stimulus_capture(&st, sim), 0);
    bm_sim_limits lim = BM_SIM_LIMITS_INIT;
    /* Enough for every vector of the slowest machine (a single core running
     * the digits network); graphs without inputs stream constants forever,
     * so the run ends at this limit. */
    lim.max_cycles = 12000;
    bm_sim_stop stop;
    cr_assert_eq(bm_sim_run(sim, &lim, &stop), 0);
    uint64_t rtl_cycles = stop == BM_SIM_STOP_CYCLES ? lim.max_cycles : bm_sim_cycle(sim) + 16;

    const char *base = getenv("BM_COSIM_WORK_COMPILED");
    char work[600];
    snprintf(work, sizeof work, "%s%s", base && *base ? base : "build/cosim-compiled", suffix);
    mkdir("build", 0755);
    bm_cosim_options co = BM_COSIM_OPTIONS_INIT;
    co.work_dir = work;
    bm_cosim *cs;
    int rc = bm_cosim_build(&cs, b->all, &co);
    d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s", d);
    free(d);
    bm_sim_transfer *rtl;
    size_t n_rtl;
    rc = bm_cosim_run(cs, st, rtl_cycles, NULL, &rtl, &n_rtl);
    d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s", d);
    free(d);

    size_t n_sim = bm_sim_output_count(sim);
    bm_sim_transfer *want = calloc(n_sim + 1, sizeof *want);
    cr_assert_not_null(want);
    for (size_t i = 0; i < n_sim; i++)
        bm_sim_output(sim, i, &want[i]);
    cr_expect_gt(n_sim, (size_t)b->n * VECTORS / 2, "too few outputs: %zu", n_sim);
    long diff = bm_cosim_first_difference(want, n_sim, rtl, n_rtl);
    if (diff >= 0) {
        const bm_sim_transfer *t = (size_t)diff < n_sim ? &want[diff] : &rtl[diff];
        const char *out = bm_machine_output_name(b->all, t->output);
        unsigned k = (unsigned)strtoul(out + 1, NULL, 10);
        cr_expect_fail("RTL and simulator differ at transfer %ld (%s, cycle %" PRIu64 "): %s", diff,
                       out, t->cycle, k < b->n ? b->what[k] : "?");
    }
    free(want);
    free(b->input);
    free(b->values);
    bm_cosim_transfers_free(cs, rtl);
    bm_cosim_free(cs);
    bm_cosim_stimulus_free(st);
    bm_sim_free(sim);
    bm_machine_free(b->all);
}

Test(cosim_compiled, examples_and_random_graphs_agree_with_verilator, .timeout = 1200)
{
    static batch b;
    memset(&b, 0, sizeof b);
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(bm_machine_new(&b.all, ctx, "compiled_batch"), 0);
    add_examples(&b, "examples/graph", 0);
    add_examples(&b, "examples/networks", 1);
    static const placement some[] = {{BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0}, {BM_MAP_CORES, 2, 0, BM_MUL_COMB, 0}, {BM_MAP_SINGLE, 0, 0, BM_MUL_COMB, 0}};
    for (uint64_t seed = 1; seed <= 40; seed++) {
        bm_ctx *gctx = graph_ctx();
        bm_graph *g = random_graph(gctx, seed, 16);
        char what[64];
        snprintf(what, sizeof what, "random graph %" PRIu64, seed);
        add(&b, g, some[seed % 3], what, seed);
        bm_graph_free(g);
        bm_ctx_free(gctx);
    }
    for (uint64_t seed = 1; seed <= 20; seed++) {
        bm_ctx *gctx = graph_ctx();
        bm_graph *g = random_network(gctx, seed);
        char what[64];
        snprintf(what, sizeof what, "random network %" PRIu64, seed);
        add(&b, g, some[seed % 3], what, seed);
        /* and folded, each multiplier variant in turn */
        placement folded = {BM_MAP_FOLD, 0, 1 + (unsigned)(seed % 4), (bm_mul_variant)(seed % 3), 0};
        add(&b, g, folded, what, seed + 1000);
        /* and a third of them with each layer's cores chained (forwards),
         * as a line (3, 9, 15) or as a broadcast (6, 12, 18) */
        if (seed % 3 == 0)
            add_chained(&b, g, 1 + (unsigned)(seed / 3 % 3), (bm_mul_variant)(seed / 3 % 3),
                        seed % 2 ? BM_COMPILE_CHAIN_LINE : BM_COMPILE_CHAIN_BROADCAST, what,
                        seed + 3000);
        /* two of them (9, 17) split by a reuse factor of 1 and 3, serial
         * and pipe: neurons across cores, chained by partial sums; small
         * ones (75 cores in all), as Verilator's time goes with the design */
        if (seed % 8 == 1 && seed > 1) {
            placement split = {BM_MAP_FOLD, 0, 0, (bm_mul_variant)(seed / 4 % 3),
                               1 + (unsigned)(seed % 3)};
            add(&b, g, split, what, seed + 2000);
        }
        /* three of them (4, 10, 16) in tiles of 2 neurons in 2 slices, one
         * unchained, one chained, one broadcast, each multiplier */
        if (seed % 6 == 4)
            add_tiled(&b, g, 2, 2, (bm_mul_variant)(seed / 6 % 3),
                      (bm_compile_chain)(seed / 6 % 3), what, seed + 4000);
        bm_graph_free(g);
        bm_ctx_free(gctx);
    }
    run_batch(&b, ctx, "");
    bm_ctx_free(ctx);
}

/* A batch of its own (its own Verilator build, so it does not slow the
 * one above): five ONNX models, and random networks with leaky and
 * clipped relus, sigmoid and tanh, folded and not. */
Test(cosim_compiled, onnx_models_and_activations_agree_with_verilator, .timeout = 1200)
{
    static batch b;
    memset(&b, 0, sizeof b);
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(bm_machine_new(&b.all, ctx, "onnx_batch"), 0);
    add_onnx(&b);
    static const placement some[] = {{BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0},
                                     {BM_MAP_FOLD, 0, 2, BM_MUL_PIPE, 0},
                                     {BM_MAP_CORES, 3, 0, BM_MUL_COMB, 0}};
    for (uint64_t seed = 101; seed <= 106; seed++) {
        bm_ctx *gctx = graph_ctx();
        bm_graph *g = random_network_with(gctx, seed, 1);
        char what[80];
        snprintf(what, sizeof what, "random network %" PRIu64 " (more activations)", seed);
        add(&b, g, some[seed % 3], what, seed);
        bm_graph_free(g);
        bm_ctx_free(gctx);
    }
    run_batch(&b, ctx, "-onnx");
    bm_ctx_free(ctx);
}

/* Networks with per-layer types (format 2): machine words up to 64 bits,
 * the conversions' shli, sari, min and max, wrapping and saturating, with
 * every strategy; a batch of its own, small so that Verilator is quick. */
Test(cosim_compiled, typed_networks_agree_with_verilator, .timeout = 1200)
{
    static batch b;
    memset(&b, 0, sizeof b);
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(bm_machine_new(&b.all, ctx, "typed_batch"), 0);
    static const placement some[] = {{BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0},
                                     {BM_MAP_FOLD, 0, 2, BM_MUL_PIPE, 0},
                                     {BM_MAP_CORES, 2, 0, BM_MUL_COMB, 0},
                                     {BM_MAP_SINGLE, 0, 0, BM_MUL_COMB, 0},
                                     {BM_MAP_FOLD, 0, 0, BM_MUL_SERIAL, 3}};
    for (uint64_t seed = 1; seed <= 10; seed++) {
        bm_ctx *gctx = graph_ctx();
        bm_graph *g = random_typed_network(gctx, seed, 1, NULL);
        char what[80];
        snprintf(what, sizeof what, "typed network %" PRIu64 " (word %u)", seed,
                 bm_graph_type(g).total);
        add(&b, g, some[seed % 5], what, seed);
        bm_graph_free(g);
        bm_ctx_free(gctx);
    }
    run_batch(&b, ctx, "-typed");
    bm_ctx_free(ctx);
}
