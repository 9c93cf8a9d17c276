/* The reuse factor (hls4ml's ReuseFactor) of the fold strategy, and neurons
 * split across cores: iris, digits, bench/networks/jet.xml and seeded random
 * networks, R below and above every fan-in, with every multiplier, must give
 * bm_graph_eval's bits and never deadlock (the report's simulation checks
 * every output); a layer of fan-in F gets ceil(F / R) parts per neuron (R <
 * F) or floor(R / F) neurons a core (R >= F, the fold strategy's K); no
 * core multiplies more than R times a vector (plus the partial sum it
 * receives); the predicted timing agrees with the simulated one; splitting
 * at least halves jet's interval; options, old option structs, allocation
 * failures and `bmc compile --reuse` are handled. */
#include <inttypes.h>
#include <sys/stat.h>

#include "bmc_runner.h"
#include "compile_helpers.h"
#include "random_graphs.h"
#include "variant_checks.h"

#define MAX_LAYERS 16
#define MAX_NEURONS 256

static bm_machine *compile_reuse(const bm_graph *g, const unsigned *reuse, size_t n_reuse,
                                 bm_mul_variant mul, const char *what)
{
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = BM_MAP_FOLD;
    if (n_reuse == 1)
        opt.reuse = reuse[0];
    else {
        opt.reuse_layers = reuse;
        opt.n_reuse_layers = n_reuse;
    }
    opt.mul = mul;
    bm_machine *m = NULL;
    int rc = bm_compile(&m, g, &opt);
    char *d = graph_diags(bm_graph_ctx(g));
    cr_assert_eq(rc, 0, "%s: bm_compile gives %d:\n%s", what, rc, d);
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

/* ---- the shape of a machine ------------------------------------------------------------ */

/* Layer widths (from the graph's tags) and fan-ins of a dense network:
 * layer 0 reads every graph input, layer l the neurons of layer l - 1. */
typedef struct shape {
    unsigned n_layers, width[MAX_LAYERS], fanin[MAX_LAYERS];
} shape;

static shape network_shape(const bm_graph *g)
{
    shape s;
    memset(&s, 0, sizeof s);
    for (unsigned i = 0; i < bm_graph_node_count(g); i++) {
        int l = bm_graph_node_layer(g, i), n = bm_graph_node_neuron(g, i);
        if (l < 0 || l >= MAX_LAYERS)
            continue;
        if ((unsigned)l + 1 > s.n_layers)
            s.n_layers = (unsigned)l + 1;
        if ((unsigned)n + 1 > s.width[l])
            s.width[l] = (unsigned)n + 1;
    }
    for (unsigned l = 0; l < s.n_layers; l++)
        s.fanin[l] = l == 0 ? bm_graph_input_count(g) : s.width[l - 1];
    return s;
}

/* What the cores of a machine are: parts[l][n] the parts of neuron n of
 * layer l (0: not split), groups[l] the cores holding whole neurons of
 * layer l. */
typedef struct census {
    unsigned parts[MAX_LAYERS][MAX_NEURONS], groups[MAX_LAYERS];
} census;

static unsigned multiplies_of(const bm_core *c)
{
    return count_opcode(c, "inmacfx") + count_opcode(c, "macfxi") + count_opcode(c, "macfx") +
           count_opcode(c, "mulfxi") + count_opcode(c, "mulfx");
}

/* Counts the cores; each part core multiplies at most reuse times a vector,
 * plus the partial sum it may take as `inmacfx acc, iN, 1.0`. */
static void take_census(census *cs, const bm_machine *m, const unsigned *reuse, size_t n_reuse,
                        const char *what)
{
    memset(cs, 0, sizeof *cs);
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        const bm_core *c = bm_machine_core(m, i);
        unsigned l, n, j;
        char tail;
        if (sscanf(bm_core_name(c), "l%un%up%u%c", &l, &n, &j, &tail) == 3) {
            cr_assert(l < MAX_LAYERS && n < MAX_NEURONS, "%s", bm_core_name(c));
            if (j + 1 > cs->parts[l][n])
                cs->parts[l][n] = j + 1;
            unsigned r = reuse[l < n_reuse ? l : n_reuse - 1];
            cr_expect_leq(multiplies_of(c), r + 1, "%s: core %s multiplies %u times for R = %u",
                          what, bm_core_name(c), multiplies_of(c), r);
        } else if (sscanf(bm_core_name(c), "l%uc%u%c", &l, &n, &tail) == 2) {
            cr_assert(l < MAX_LAYERS, "%s", bm_core_name(c));
            cs->groups[l]++;
        }
    }
    /* parts are numbered 0..S-1 without a gap */
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        unsigned l, n, j;
        char name[80], tail;
        if (sscanf(bm_core_name(bm_machine_core(m, i)), "l%un%up%u%c", &l, &n, &j, &tail) != 3 ||
            j != 0)
            continue;
        for (unsigned k = 1; k < cs->parts[l][n]; k++) {
            snprintf(name, sizeof name, "l%un%up%u", l, n, k);
            cr_expect_geq(bm_machine_find_core(m, name), 0, "%s: %s is missing", what, name);
        }
    }
}

/* A dense network: exactly ceil(F / R) parts for every neuron of a layer
 * with R < F (at most 64), at most ceil(width / floor(R / F)) cores
 * otherwise (a neuron that no later neuron reads is left out, so has no
 * core; and a slice of fewer than 4 inputs may hold only weights that round
 * to 0, then it has no part).  A sparse one (zero weights): at most as many parts, as an unread
 * input lowers the fan-in the compiler sees. */
static void check_census(const bm_machine *m, const bm_graph *g, const unsigned *reuse,
                         size_t n_reuse, int dense, const char *what)
{
    shape s = network_shape(g);
    census cs;
    take_census(&cs, m, reuse, n_reuse, what);
    for (unsigned l = 0; l < s.n_layers; l++) {
        unsigned r = reuse[l < n_reuse ? l : n_reuse - 1], f = s.fanin[l];
        if (r < f) {
            unsigned want = (f + r - 1) / r > BM_COMPILE_SPLIT_MAX ? BM_COMPILE_SPLIT_MAX
                                                                    : (f + r - 1) / r;
            if (dense)
                cr_expect_eq(cs.groups[l], 0, "%s: layer %u has whole-neuron cores", what, l);
            for (unsigned n = 0; n < s.width[l]; n++) {
                if (dense && r >= 4 && cs.parts[l][n])
                    cr_expect_eq(cs.parts[l][n], want, "%s: l%un%u has %u parts, not %u", what, l,
                                 n, cs.parts[l][n], want);
                else
                    cr_expect_leq(cs.parts[l][n], want, "%s: l%un%u has %u parts, over %u", what,
                                  l, n, cs.parts[l][n], want);
            }
        } else if (dense) {
            unsigned k = r / f;
            cr_expect(cs.groups[l] >= 1 && cs.groups[l] <= (s.width[l] + k - 1) / k,
                      "%s: layer %u has %u cores", what, l, cs.groups[l]);
            for (unsigned n = 0; n < s.width[l]; n++)
                cr_expect_eq(cs.parts[l][n], 0, "%s: l%un%u is split", what, l, n);
        }
    }
}

/* Compiles g at R, checks the machine (values, variant, prediction, census);
 * returns the report's summary. */
static bm_report_summary check_reuse(const bm_graph *g, const unsigned *reuse, size_t n_reuse,
                                     bm_mul_variant mul, unsigned vectors, int dense,
                                     const char *name)
{
    char what[160];
    snprintf(what, sizeof what, "%s, reuse %u%s, mul %s", name, reuse[0], n_reuse > 1 ? ",..." : "",
             bm_mul_variant_get(mul)->name);
    bm_machine *m = compile_reuse(g, reuse, n_reuse, mul, what);
    check_variant(m, mul, what);
    check_census(m, g, reuse, n_reuse, dense, what);
    bm_report_options ro = BM_REPORT_OPTIONS_INIT;
    ro.vectors = vectors;
    ro.seed = reuse[0];
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

static void reuse_everywhere(const char *path, const unsigned *rs, size_t n_rs, unsigned muls,
                             unsigned vectors)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, path);
    for (size_t k = 0; k < n_rs; k++)
        for (unsigned mul = 0; mul < BM_MUL_VARIANT_COUNT; mul++)
            if (muls >> mul & 1)
                check_reuse(g, &rs[k], 1, (bm_mul_variant)mul, vectors, 1, path);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

#define ALL_MULS (1u << BM_MUL_COMB | 1u << BM_MUL_PIPE | 1u << BM_MUL_SERIAL)
#define FAST_MULS (1u << BM_MUL_COMB | 1u << BM_MUL_PIPE)

/* iris is 4-8-3: R from one input a core to whole layers on a core. */
Test(split, iris_every_reuse_every_multiplier)
{
    static const unsigned rs[] = {1, 2, 3, 4, 5, 8, 16, 64};
    reuse_everywhere("examples/networks/iris.xml", rs, sizeof rs / sizeof *rs, ALL_MULS, 8);
}

/* digits is 64-16-10, some pixels unread, two neurons of layer 0 unread:
 * R under and over both fan-ins; serial at fewer points, as it is slow. */
Test(split, digits_every_reuse)
{
    static const unsigned rs[] = {5, 16, 22, 64, 200};
    reuse_everywhere("examples/networks/digits.xml", rs, sizeof rs / sizeof *rs, FAST_MULS, 4);
    static const unsigned serial[] = {5, 22, 200};
    reuse_everywhere("examples/networks/digits.xml", serial, 3, 1u << BM_MUL_SERIAL, 3);
}

/* jet is 16-64-32-32-5 with argmax. */
Test(split, jet_every_reuse)
{
    static const unsigned rs[] = {1, 8, 22, 32, 100};
    reuse_everywhere("bench/networks/jet.xml", rs, sizeof rs / sizeof *rs, FAST_MULS, 4);
    static const unsigned serial[] = {8, 22};
    reuse_everywhere("bench/networks/jet.xml", serial, 2, 1u << BM_MUL_SERIAL, 3);
}

/* The point of splitting: jet's interval at R = 22 (layer 1 in 3 parts,
 * layers 2 and 3 in 2) is at most half the node strategy's (fan-in 64). */
Test(split, jet_interval_at_most_half_of_the_node_strategy)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "bench/networks/jet.xml");
    placement node = {BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0};
    bm_machine *m = compile_with(g, node, "jet");
    bm_compile_report *r = NULL;
    cr_assert_eq(bm_compile_report_new(&r, m, g, NULL), 0);
    double node_interval = bm_compile_report_summary(r)->interval;
    bm_compile_report_free(r);
    bm_machine_free(m);
    unsigned r22 = 22;
    bm_report_summary s = check_reuse(g, &r22, 1, BM_MUL_COMB, 8, 1, "jet");
    cr_expect_leq(s.interval, node_interval / 2, "jet: interval %.2f at R = 22, %.2f by node",
                  s.interval, node_interval);
    cr_expect_gt(node_interval, 60);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* Seeded random networks (sparse weights, types of 4 to 32 bits, some
 * whose 1.0 is not representable, argmax or not): R from 1 up. */
Test(split, random_networks_every_reuse_every_multiplier)
{
    static const unsigned rs[] = {1, 2, 3, 5, 40};
    for (uint64_t seed = 1; seed <= 60; seed++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = random_network(ctx, seed);
        char what[64];
        snprintf(what, sizeof what, "random network %" PRIu64, seed);
        for (size_t k = 0; k < sizeof rs / sizeof *rs; k++)
            for (unsigned mul = 0; mul < BM_MUL_VARIANT_COUNT; mul++)
                check_reuse(g, &rs[k], 1, (bm_mul_variant)mul, 5, 0, what);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* A reuse factor per layer, the last repeating. */
Test(split, reuse_per_layer)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "bench/networks/jet.xml");
    static const unsigned rs[] = {16, 22, 16}; /* K 1; 3 parts; 2 parts, 2 parts */
    check_reuse(g, rs, 3, BM_MUL_COMB, 4, 1, "jet");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

static char *machine_bytes(const bm_machine *m)
{
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    cr_assert_eq(bm_machine_write_stream(m, f), 0);
    fclose(f);
    return buf;
}

/* R >= F is the fold strategy's K = floor(R / F), byte for byte: iris
 * (fan-ins 4 and 8) at R = 16 is --fold 4,2; jet at 16,64,32 is --fold 1. */
Test(split, reuse_at_least_the_fan_in_is_the_fold)
{
    static const char *const files[] = {"examples/networks/iris.xml", "bench/networks/jet.xml"};
    static const unsigned reuse[][3] = {{16, 16, 16}, {16, 64, 32}};
    static const unsigned fold[][3] = {{4, 2, 2}, {1, 1, 1}};
    for (size_t f = 0; f < 2; f++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = read_example(ctx, files[f]);
        bm_machine *a = compile_reuse(g, reuse[f], 3, BM_MUL_COMB, files[f]);
        bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
        opt.strategy = BM_MAP_FOLD;
        opt.fold_layers = fold[f];
        opt.n_fold_layers = 3;
        bm_machine *b;
        cr_assert_eq(bm_compile(&b, g, &opt), 0);
        char *ta = machine_bytes(a), *tb = machine_bytes(b);
        cr_expect_str_eq(ta, tb, "%s", files[f]);
        free(ta);
        free(tb);
        bm_machine_free(a);
        bm_machine_free(b);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* The chain, instruction by instruction: iris at R = 2 splits layer 0 (4
 * inputs) in 2 and layer 1 (8) in 4.  Part 0 starts from the bias and sends
 * its partial sum; the last part takes it with `inmacfx acc, iN, 1.0`
 * after its own slice, rectifies and sends the neuron's value. */
Test(split, iris_chain_code)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/iris.xml");
    unsigned two = 2;
    bm_machine *m = compile_reuse(g, &two, 1, BM_MUL_COMB, "iris");
    int i0 = bm_machine_find_core(m, "l0n0p0"), i1 = bm_machine_find_core(m, "l0n0p1");
    cr_assert(i0 >= 0 && i1 >= 0);
    cr_expect_eq(bm_machine_find_core(m, "l0n0p2"), -1);
    cr_expect_geq(bm_machine_find_core(m, "l1n2p3"), 0);
    static const char *const p0[] = {"li", "inmacfx", "inmacfx", "outn", "j"};
    static const char *const p1[] = {"li", "inmacfx", "inmacfx", "inmacfx", "relu", "outn", "j"};
    const bm_core *c0 = bm_machine_core(m, (unsigned)i0), *c1 = bm_machine_core(m, (unsigned)i1);
    cr_assert_eq(bm_core_program_length(c0), 5);
    cr_assert_eq(bm_core_program_length(c1), 7);
    for (unsigned pc = 0; pc < 5; pc++)
        cr_expect_str_eq(bm_isa_get(bm_core_insn(c0, pc)->opcode)->mnemonic, p0[pc]);
    for (unsigned pc = 0; pc < 7; pc++)
        cr_expect_str_eq(bm_isa_get(bm_core_insn(c1, pc)->opcode)->mnemonic, p1[pc]);
    /* iris is fixed<16,6>: 1.0 is 1024 */
    cr_expect_eq(bm_core_insn(c1, 3)->operand[2], 1024);
    cr_expect_eq(bm_core_insn(c0, 0)->operand[1], 580, "the bias starts part 0");
    cr_expect_eq(bm_core_insn(c1, 0)->operand[1], 0, "the other parts start from 0");
    cr_expect_eq(bm_core_get_params(c0)->inputs, 2);
    cr_expect_eq(bm_core_get_params(c1)->inputs, 3);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* ---- options --------------------------------------------------------------------------- */

Test(split, option_errors)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/iris.xml");
    bm_machine *m = (bm_machine *)1;
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    cr_expect_geq(opt.version, 4);
    cr_expect_eq(opt.reuse, 0);
    cr_expect_null(opt.reuse_layers);
    cr_expect_eq(opt.n_reuse_layers, 0);
    opt.reuse = 2;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    cr_expect_null(m);
    expect_graph_diags(ctx, "error: compile options: a reuse factor goes with the fold strategy, "
                            "not node\n");
    bm_ctx_clear_diags(ctx);
    opt.strategy = BM_MAP_FOLD;
    opt.reuse = BM_COMPILE_REUSE_MAX + 1;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: the reuse factor 0 is 16777217, not 1 to "
                            "16777216\n");
    bm_ctx_clear_diags(ctx);
    static const unsigned bad[] = {4, 0};
    opt.reuse_layers = bad;
    opt.n_reuse_layers = 2;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: the reuse factor of layer 1 is 0, not 1 to "
                            "16777216\n");
    bm_ctx_clear_diags(ctx);
    opt.reuse_layers = NULL;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: 2 reuse_layers given, but the pointer is "
                            "NULL\n");
    bm_ctx_clear_diags(ctx);
    /* with a reuse factor the fold K is not used, nor checked */
    opt.n_reuse_layers = 0;
    opt.reuse = 3;
    opt.fold = 0;
    cr_assert_eq(bm_compile(&m, g, &opt), 0);
    bm_machine_free(m);
    /* a graph that is not a network */
    bm_graph *t = text_graph(ctx, "input x, y\noutput z = relu(x * 0.5 + y)\n");
    cr_expect_eq(bm_compile(&m, t, &opt), BM_EINVAL);
    char *d = graph_diags(ctx);
    cr_expect(strstr(d, "error: the fold strategy needs a network"), "%s", d);
    free(d);
    bm_graph_free(t);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* A version 3 struct has no reuse fields: the fold K applies, as before. */
Test(split, version_3_structs)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/iris.xml");
    struct {
        unsigned version;
        bm_map_strategy strategy;
        unsigned cores;
        const char *name;
        unsigned buffers;
        bm_mul_variant mul;
        unsigned fold;
        const unsigned *fold_layers;
        size_t n_fold_layers;
    } v3 = {3, BM_MAP_FOLD, 4, NULL, 32, BM_MUL_PIPE, 2, NULL, 0};
    bm_compile_options v4 = BM_COMPILE_OPTIONS_INIT;
    v4.strategy = BM_MAP_FOLD;
    v4.mul = BM_MUL_PIPE;
    v4.fold = 2;
    bm_machine *a, *b;
    cr_assert_eq(bm_compile(&a, g, &v4), 0);
    cr_assert_eq(bm_compile(&b, g, (const bm_compile_options *)(const void *)&v3), 0);
    char *ta = machine_bytes(a), *tb = machine_bytes(b);
    cr_expect_str_eq(ta, tb);
    cr_expect(strstr(ta, "name=\"l0c3\""), "a fold of 2 puts 8 neurons on 4 cores");
    free(ta);
    free(tb);
    bm_machine_free(a);
    bm_machine_free(b);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* Every allocation of a split compilation and of its report may fail:
 * BM_ENOMEM, *out NULL, no leak (ASan). */
Test(split, every_allocation_may_fail)
{
    static const char net[] =
        "<network format=\"1\" name=\"n\" total=\"16\" frac=\"8\"><input size=\"3\"/>"
        "<layer neurons=\"3\" activation=\"relu\"><weights>0.5 -1 0.25 1 0 2 -0.5 0.75 1.5"
        "</weights><biases>0.5 0 -1</biases></layer>"
        "<layer neurons=\"2\" activation=\"linear\"><weights>1 -0.5 0.25 2 1 -1</weights>"
        "<biases>0 0.5</biases></layer><argmax/></network>";
    failing f = {-1, 0};
    bm_allocator alloc = {f_malloc, f_realloc, f_free, &f};
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, &alloc), 0);
    bm_network *nw;
    cr_assert_eq(bm_network_read(&nw, ctx, net, sizeof net - 1, "n.xml", NULL), 0);
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, nw), 0);
    bm_network_free(nw);
    for (unsigned mul = 0; mul < BM_MUL_VARIANT_COUNT; mul++) {
        bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
        opt.strategy = BM_MAP_FOLD;
        opt.reuse = 1 + mul % 2; /* 1: every neuron in 3 parts, 2: in 2 */
        opt.mul = (bm_mul_variant)mul;
        char what[32];
        snprintf(what, sizeof what, "reuse %u, mul %u", opt.reuse, mul);
        compile_survives_every_failure(g, &f, &opt, what);
        bm_machine *m;
        cr_assert_eq(bm_compile(&m, g, &opt), 0);
        cr_expect_geq(bm_machine_find_core(m, "l0n0p1"), 0, "%s: the first neuron is not split", what);
        bm_machine_free(m);
    }
    f.countdown = -1;
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* ---- bmc compile --reuse --------------------------------------------------------------- */

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bm_test_split_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(split_cli, .init = setup, .fini = teardown);

Test(split_cli, usage_errors_write_nothing)
{
    char out[128];
    snprintf(out, sizeof out, "%s/m.xml", tmpdir);
    static const char *const bad[][4] = {
        {"--reuse", "0"},
        {"--reuse", "4,0"},
        {"--reuse", "x"},
        {"--reuse", "4,"},
        {"--reuse", ",4"},
        {"--reuse", "-2"},
        {"--reuse", "16777217"},
        {"--reuse", "4", "--fold", "2"},
        {"--fold", "2", "--reuse", "4"},
        {"--reuse", "4", "--cores", "2"},
        {"--strategy", "node", "--reuse", "4"},
        {"--reuse", "4", "--strategy", "single"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "-o", out,
                               bad[k][0], bad[k][1], bad[k][2], bad[k][3], NULL);
        cr_expect_eq(r.status, 2, "%s %s %s: %d %s", bad[k][0], bad[k][1],
                     bad[k][2] ? bad[k][2] : "", r.status, r.err);
        cr_expect(strstr(r.err, "Try 'bmc compile --help'"), "%s", r.err);
        struct stat st;
        cr_expect(stat(out, &st) != 0, "%s %s wrote %s", bad[k][0], bad[k][1], out);
        bmc_result_free(&r);
    }
    bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--reuse", "4",
                           "--fold", "2", NULL);
    cr_expect(strstr(r.err, "--fold and --reuse are two ways to fold: choose one"), "%s", r.err);
    bmc_result_free(&r);
    char many[200] = "1";
    for (int i = 0; i < 64; i++)
        strcat(many, ",1");
    r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--reuse", many, NULL);
    cr_expect_eq(r.status, 2, "%s", r.err);
    bmc_result_free(&r);
}

Test(split_cli, reuse_report_json_and_help)
{
    bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--reuse", "2",
                           "--mul", "pipe", "--report", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    /* 8 neurons in 2 parts, 3 in 4, and argmax */
    cr_expect(strstr(r.out, "machine iris: 29 cores,"), "%s", r.out);
    cr_expect(strstr(r.out, "\nl0n7p1 "), "%s", r.out);
    cr_expect(strstr(r.out, "; predicted "), "%s", r.out);
    bmc_result_free(&r);
    r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--reuse", "3,8", "--mul",
                "serial", "--json", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "{\"name\":\"l0n0p1\""), "%s", r.out);
    cr_expect(strstr(r.out, "{\"name\":\"l1c0\""), "%s", r.out);
    bmc_result_free(&r);
    /* --strategy fold with --reuse is fine */
    char out[128];
    snprintf(out, sizeof out, "%s/m.xml", tmpdir);
    r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--strategy", "fold", "--reuse",
                "1", "-o", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    struct stat st;
    cr_expect_eq(stat(out, &st), 0);
    bmc_result_free(&r);
    r = bmc_run(tmpdir, "compile", "examples/graph/expr.bmg", "--reuse", "2", NULL);
    cr_expect_eq(r.status, 1, "%s", r.err);
    cr_expect(strstr(r.err, "the fold strategy needs a network"), "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(tmpdir, "compile", "--help", NULL);
    cr_expect(strstr(r.out, "--reuse R[,R1,...]") && strstr(r.out, "ReuseFactor"), "%s", r.out);
    bmc_result_free(&r);
}
