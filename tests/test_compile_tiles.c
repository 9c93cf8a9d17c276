/* Tiles: the fold strategy's --split (bm_compile_options.split_layers).
 * Every neuron of a layer is split into S parts over slices of its inputs
 * and a core takes one slice of K neurons.  iris, digits, jet and seeded
 * random networks, at several K and S, unchained, chained and broadcast,
 * with every multiplier, must give bm_graph_eval's bits and never deadlock
 * (the report's simulation checks every output), with the predicted timing
 * agreeing with the simulated one; jet's tiles have the shape, the
 * distributors and the interval docs/compile.md "Tiles" describes; the
 * options, old option structs, `bmc compile --split`, `--device` and
 * allocation failures are handled. */
#include <inttypes.h>
#include <sys/stat.h>

#include "bmc_runner.h"
#include "compile_helpers.h"
#include "random_graphs.h"
#include "variant_checks.h"

typedef struct tiling {
    unsigned fold[4], split[4];
    size_t n; /* values in fold and split (the last repeating) */
    int chain;
    bm_mul_variant mul;
} tiling;

static const char *tiling_name(const tiling *t)
{
    static char buf[128];
    int n = snprintf(buf, sizeof buf, "--fold");
    for (size_t i = 0; i < t->n; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%u", i ? "," : " ", t->fold[i]);
    n += snprintf(buf + n, sizeof buf - (size_t)n, " --split");
    for (size_t i = 0; i < t->n; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%u", i ? "," : " ", t->split[i]);
    snprintf(buf + n, sizeof buf - (size_t)n, "%s --mul %s",
             t->chain == BM_COMPILE_CHAIN_BROADCAST ? " --broadcast"
             : t->chain                             ? " --chain"
                                                    : "",
             bm_mul_variant_get(t->mul)->name);
    return buf;
}

static bm_compile_options tiling_options(const tiling *t)
{
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = BM_MAP_FOLD;
    opt.fold_layers = t->fold;
    opt.n_fold_layers = t->n;
    opt.split_layers = t->split;
    opt.n_split_layers = t->n;
    opt.chain = t->chain;
    opt.mul = t->mul;
    return opt;
}

static bm_machine *compile_tiles(const bm_graph *g, const tiling *t, const char *what)
{
    bm_compile_options opt = tiling_options(t);
    bm_machine *m = NULL;
    int rc = bm_compile(&m, g, &opt);
    char *d = graph_diags(bm_graph_ctx(g));
    cr_assert_eq(rc, 0, "%s, %s: bm_compile gives %d:\n%s", what, tiling_name(t), rc, d);
    free(d);
    return m;
}

static bm_graph *read_example(bm_ctx *ctx, const char *path)
{
    bm_graph *g;
    int rc = bm_graph_read_file(&g, ctx, path, NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s does not load:\n%s", path, d);
    free(d);
    return g;
}

static unsigned multiplies_of(const bm_core *c)
{
    return count_opcode(c, "inmacfx") + count_opcode(c, "pkmacfx") + count_opcode(c, "macfxi") +
           count_opcode(c, "macfx") + count_opcode(c, "mulfxi") + count_opcode(c, "mulfx");
}

/* A distributor `l<L>s<j>` multiplies nothing and forwards; it exists only
 * with chains, and only past a layer's first slice. */
static void check_distributors(const bm_machine *m, const tiling *t, const char *what)
{
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        const bm_core *c = bm_machine_core(m, i);
        unsigned l, j;
        char tail;
        if (sscanf(bm_core_name(c), "l%us%u%c", &l, &j, &tail) != 2)
            continue;
        cr_expect(t->chain, "%s, %s: distributor %s without a chain", what, tiling_name(t),
                  bm_core_name(c));
        cr_expect_gt(j, 0, "%s: distributor %s of a first slice", what, bm_core_name(c));
        cr_expect_eq(multiplies_of(c), 0, "%s: distributor %s multiplies", what,
                     bm_core_name(c));
        cr_expect(bm_core_get_params(c)->forward, "%s: distributor %s forwards nothing", what,
                  bm_core_name(c));
    }
}

/* Compiles g with t and checks the machine's values (every output of
 * `vectors` streamed vectors), variant, prediction and distributors;
 * returns the report's summary. */
static bm_report_summary check_tiles(const bm_graph *g, const tiling *t, unsigned vectors,
                                     uint64_t seed, const char *name)
{
    char what[256];
    snprintf(what, sizeof what, "%s, %s", name, tiling_name(t));
    bm_machine *m = compile_tiles(g, t, what);
    check_variant(m, t->mul, what);
    check_distributors(m, t, what);
    bm_report_options ro = BM_REPORT_OPTIONS_INIT;
    ro.vectors = vectors;
    ro.seed = seed;
    bm_compile_report *r = NULL;
    int rc = bm_compile_report_new(&r, m, g, &ro);
    if (rc)
        dump_machine(m);
    char *d = graph_diags(bm_graph_ctx(g));
    cr_assert_eq(rc, 0, "%s: the machine does not compute the graph (%d):\n%s", what, rc, d);
    free(d);
    bm_report_summary s = *bm_compile_report_summary(r);
    check_prediction(&s, m, what);
    bm_compile_report_free(r);
    bm_machine_free(m);
    return s;
}

static const int chains[] = {BM_COMPILE_CHAIN_OFF, BM_COMPILE_CHAIN_LINE,
                             BM_COMPILE_CHAIN_BROADCAST};

/* Every tiling of `ts` with every chain and the multipliers in `muls`. */
static void tiles_everywhere(const char *path, const tiling *ts, size_t n_ts, unsigned muls,
                             unsigned vectors)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, path);
    for (size_t k = 0; k < n_ts; k++)
        for (size_t c = 0; c < 3; c++)
            for (unsigned mul = 0; mul < BM_MUL_VARIANT_COUNT; mul++) {
                if (!(muls >> mul & 1))
                    continue;
                tiling t = ts[k];
                t.chain = chains[c];
                t.mul = (bm_mul_variant)mul;
                check_tiles(g, &t, vectors, k + 1, path);
            }
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

#define ALL_MULS (1u << BM_MUL_COMB | 1u << BM_MUL_PIPE | 1u << BM_MUL_SERIAL)
#define FAST_MULS (1u << BM_MUL_COMB | 1u << BM_MUL_PIPE)

/* iris is 4-8-3: tiles of 1 to 8 neurons, 2 to 4 slices (a slice of one
 * input), a layer left whole. */
Test(tiles, iris_every_chain_every_multiplier)
{
    static const tiling ts[] = {
        {{2}, {2}, 1, 0, 0},       {{1}, {2}, 1, 0, 0},       {{3, 2}, {2, 3}, 2, 0, 0},
        {{8, 3}, {4, 2}, 2, 0, 0}, {{2, 1}, {1, 2}, 2, 0, 0}, {{4}, {3}, 1, 0, 0},
    };
    tiles_everywhere("examples/networks/iris.xml", ts, sizeof ts / sizeof *ts, ALL_MULS, 6);
}

/* digits is 64-16-10, some pixels unread (zero weights: slices without a
 * term leave a neuron with fewer parts). */
Test(tiles, digits_every_chain)
{
    static const tiling ts[] = {{{2, 2}, {4, 2}, 2, 0, 0}, {{3, 1}, {8, 3}, 2, 0, 0}};
    tiles_everywhere("examples/networks/digits.xml", ts, sizeof ts / sizeof *ts, FAST_MULS, 3);
}

/* iris-typed: per-layer types, whose saturations join the tiles' layers. */
Test(tiles, typed_network_every_chain)
{
    static const tiling ts[] = {{{2}, {2}, 1, 0, 0}, {{3, 2}, {2, 4}, 2, 0, 0}};
    tiles_everywhere("examples/networks/iris-typed.xml", ts, sizeof ts / sizeof *ts, FAST_MULS,
                     5);
}

/* Seeded random networks (sparse weights, types of 4 to 32 bits, argmax or
 * not), every chain and multiplier. */
Test(tiles, random_networks_every_chain_every_multiplier)
{
    static const tiling ts[] = {{{2}, {2}, 1, 0, 0}, {{3, 1}, {3, 2}, 2, 0, 0}};
    for (uint64_t seed = 1; seed <= 24; seed++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = random_network(ctx, seed);
        char what[64];
        snprintf(what, sizeof what, "random network %" PRIu64, seed);
        for (size_t k = 0; k < sizeof ts / sizeof *ts; k++)
            for (size_t c = 0; c < 3; c++) {
                tiling t = ts[k];
                t.chain = chains[c];
                t.mul = (bm_mul_variant)(seed % BM_MUL_VARIANT_COUNT);
                check_tiles(g, &t, 4, seed, what);
            }
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* jet, 16-64-32-32-5, as --device xc7z020 picks it: layer 0 whole (64
 * cores), layer 1 one neuron in three slices (96), layers 2 and 3 two
 * neurons in three slices (48 and 9), a distributor for each slice past
 * the first (6) and argmax.  The first slice holds one input more than a
 * balanced cut and the last one fewer, at multiples of the layer before's
 * K (map_split.c); each tile core
 * multiplies K times per input of its slice plus K partial sums; the
 * interval is at most 30 cycles (39 one neuron a core, --reuse 32). */
Test(tiles, jet_tiles_shape_and_interval)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "bench/networks/jet.xml");
    tiling t = {{1, 1, 2, 2}, {1, 3, 3, 3}, 4, BM_COMPILE_CHAIN_BROADCAST, BM_MUL_PIPE};
    bm_machine *m = compile_tiles(g, &t, "jet");
    cr_expect_eq(bm_machine_core_count(m), 224);
    unsigned multiplying = 0;
    for (unsigned i = 0; i < bm_machine_core_count(m); i++)
        multiplying += multiplies_of(bm_machine_core(m, i)) > 0;
    cr_expect_eq(multiplying, 64 + 96 + 48 + 9, "%u cores multiply", multiplying);
    static const struct {
        const char *core;
        unsigned products;
    } want[] = {
        /* layer 1, fan-in 64: slices of 22 + 1, 21, 21 - 1 */
        {"l1c0s0", 23}, {"l1c0s1", 21 + 1}, {"l1c0s2", 20 + 1},
        /* layers 2 and 3, fan-in 32: 11 + 1, 11, 10 - 1, two neurons */
        {"l2c0s0", 24}, {"l2c0s1", 22 + 2}, {"l2c0s2", 18 + 2},
        /* layer 3 reads layer 2's results two a core: cut at 12 and 22,
         * not 23, so that no pair straddles two slices */
        {"l3c0s0", 24}, {"l3c0s1", 20 + 2}, {"l3c2s2", 10 + 1},
    };
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        int i = bm_machine_find_core(m, want[k].core);
        cr_assert_geq(i, 0, "%s is missing", want[k].core);
        cr_expect_eq(multiplies_of(bm_machine_core(m, (unsigned)i)), want[k].products,
                     "%s multiplies %u times, not %u", want[k].core,
                     multiplies_of(bm_machine_core(m, (unsigned)i)), want[k].products);
    }
    static const char *const distributors[] = {"l1s1", "l1s2", "l2s1", "l2s2", "l3s1", "l3s2"};
    for (size_t k = 0; k < 6; k++)
        cr_expect_geq(bm_machine_find_core(m, distributors[k]), 0, "%s is missing",
                      distributors[k]);
    cr_expect_lt(bm_machine_find_core(m, "l1s0"), 0, "a first slice needs no distributor");
    bm_machine_free(m);
    bm_report_summary s = check_tiles(g, &t, 8, 1, "jet");
    cr_expect_leq(s.interval, 30, "jet: interval %.2f", s.interval);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* --split 1 splits nothing: the fold strategy's machine, byte for byte. */
Test(tiles, split_one_is_the_fold)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/iris.xml");
    tiling t = {{2}, {1}, 1, BM_COMPILE_CHAIN_LINE, BM_MUL_PIPE};
    bm_compile_options a = tiling_options(&t), b = a;
    b.split_layers = NULL;
    b.n_split_layers = 0;
    bm_machine *ma, *mb;
    cr_assert_eq(bm_compile(&ma, g, &a), 0);
    cr_assert_eq(bm_compile(&mb, g, &b), 0);
    char *ta, *tb;
    size_t la, lb;
    cr_assert_eq(bm_machine_write_memory(ma, &ta, &la), 0);
    cr_assert_eq(bm_machine_write_memory(mb, &tb, &lb), 0);
    cr_expect(la == lb && memcmp(ta, tb, la) == 0, "--split 1 changed the machine");
    free(ta);
    free(tb);
    bm_machine_free(ma);
    bm_machine_free(mb);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(tiles, option_errors)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/iris.xml");
    bm_machine *m = (bm_machine *)1;
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    cr_expect_eq(opt.version, 7);
    cr_expect_null(opt.split_layers);
    cr_expect_eq(opt.n_split_layers, 0);
    static const unsigned two[] = {2}, bad[] = {2, 0}, big[] = {BM_COMPILE_SPLIT_MAX + 1};
    opt.split_layers = two;
    opt.n_split_layers = 1;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    cr_expect_null(m);
    expect_graph_diags(ctx, "error: compile options: splits go with the fold strategy's K (fold, "
                            "fold_layers), not with node\n");
    bm_ctx_clear_diags(ctx);
    opt.strategy = BM_MAP_FOLD;
    opt.reuse = 3;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: splits go with the fold strategy's K (fold, "
                            "fold_layers), not with a reuse factor, which splits by itself\n");
    bm_ctx_clear_diags(ctx);
    opt.reuse = 0;
    opt.split_layers = bad;
    opt.n_split_layers = 2;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: the split of layer 1 is 0, not 1 to 64\n");
    bm_ctx_clear_diags(ctx);
    opt.split_layers = big;
    opt.n_split_layers = 1;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: the split of layer 0 is 65, not 1 to 64\n");
    bm_ctx_clear_diags(ctx);
    opt.split_layers = NULL;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: 1 split_layers given, but the pointer is "
                            "NULL\n");
    bm_ctx_clear_diags(ctx);
    /* a version 6 struct has no splits: whatever follows it is not read */
    bm_compile_options v6 = BM_COMPILE_OPTIONS_INIT, v7 = v6;
    cr_assert_eq(bm_compile_options_init(&v6, 6), 0);
    v6.strategy = v7.strategy = BM_MAP_FOLD;
    v6.fold = v7.fold = 2;
    v6.split_layers = two; /* past a version 6 struct: ignored */
    v6.n_split_layers = 1;
    bm_machine *a, *b;
    cr_assert_eq(bm_compile(&a, g, &v6), 0);
    cr_assert_eq(bm_compile(&b, g, &v7), 0);
    cr_expect_eq(bm_machine_core_count(a), bm_machine_core_count(b));
    cr_expect_geq(bm_machine_find_core(a, "l0c0"), 0, "a version 6 struct split the layer");
    bm_machine_free(a);
    bm_machine_free(b);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* Every allocation of a tiled compilation (chained: distributors) and of
 * its report may fail: BM_ENOMEM, *out NULL, no leak (ASan). */
Test(tiles, every_allocation_may_fail)
{
    failing f = {-1, 0};
    bm_allocator alloc = {f_malloc, f_realloc, f_free, &f};
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, &alloc), 0);
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "examples/networks/iris.xml", NULL), 0);
    tiling t = {{2, 2}, {2, 3}, 2, BM_COMPILE_CHAIN_BROADCAST, BM_MUL_PIPE};
    bm_compile_options opt = tiling_options(&t);
    compile_survives_every_failure(g, &f, &opt, "iris tiles");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* --device xc7z020 on jet chooses tiles, at most 32 cycles a vector. */
Test(tiles, device_search_chooses_tiles_on_jet)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "bench/networks/jet.xml");
    const bm_device *d = bm_device_get((unsigned)bm_device_find("xc7z020"));
    bm_device_choice c;
    bm_machine *m = NULL;
    cr_assert_eq(bm_compile_for_device(&m, g, NULL, 0, d, &c), 0);
    cr_expect(strstr(c.options, " --split ") && strstr(c.options, "--broadcast"), "%s",
              c.options);
    cr_expect_leq(c.predicted_interval, 32, "%s: %.2f", c.options, c.predicted_interval);
    cr_expect_leq(c.area.dsp, d->dsp);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* ---- bmc compile --split --------------------------------------------------------------- */

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bm_test_tiles_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(tiles_cli, .init = setup, .fini = teardown);

Test(tiles_cli, usage_errors_write_nothing)
{
    char out[128];
    snprintf(out, sizeof out, "%s/m.xml", tmpdir);
    static const char *const bad[][4] = {
        {"--split", "2"},
        {"--split", "0", "--fold", "2"},
        {"--split", "2,", "--fold", "2"},
        {"--split", "65", "--fold", "2"},
        {"--split", "x", "--fold", "2"},
        {"--reuse", "4", "--split", "2"},
        {"--cores", "2", "--split", "2"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "-o", out,
                               bad[k][0], bad[k][1], bad[k][2], bad[k][3], NULL);
        cr_expect_eq(r.status, 2, "%s %s: %d %s", bad[k][0], bad[k][1], r.status, r.err);
        cr_expect(strstr(r.err, "Try 'bmc compile --help'"), "%s", r.err);
        struct stat st;
        cr_expect(stat(out, &st) != 0, "%s %s wrote %s", bad[k][0], bad[k][1], out);
        bmc_result_free(&r);
    }
    bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--reuse", "4",
                           "--split", "2", NULL);
    cr_expect(strstr(r.err, "--split goes with --fold"), "%s", r.err);
    bmc_result_free(&r);
}

Test(tiles_cli, report_and_help)
{
    bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--fold", "2,3",
                           "--split", "2,1", "--broadcast", "--mul", "pipe", "--report", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    /* layer 0: 4 tiles of two neurons in 2 slices and a distributor; layer
     * 1 whole, 3 neurons on one core; argmax */
    cr_expect(strstr(r.out, "machine iris: 11 cores,"), "%s", r.out);
    cr_expect(strstr(r.out, "\nl0c3s1 ") && strstr(r.out, "\nl0s1 ") &&
                  strstr(r.out, "\nl1c0 "),
              "%s", r.out);
    cr_expect(strstr(r.out, "; predicted "), "%s", r.out);
    bmc_result_free(&r);
    /* --strategy fold takes the default K, 4 */
    r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--strategy", "fold", "--split",
                "2", "--report", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\nl0c1s1 ") && strstr(r.out, "\nl1c0s1 "), "%s", r.out);
    bmc_result_free(&r);
    r = bmc_run(tmpdir, "compile", "--help", NULL);
    cr_expect(strstr(r.out, "--split S[,S1,...]"), "%s", r.out);
    bmc_result_free(&r);
}
