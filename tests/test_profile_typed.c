/* Profiling networks in their layers' own types (bm_network_profile,
 * docs/profile.md "Per-layer types"): the ranges of a hand-made typed
 * network worked out below, saturation counted, the per-layer suggestion
 * written back (format 2) wrapping nothing, bit-exactness with bm_graph_eval
 * on iris-typed and on random typed networks, the errors, and bmc profile
 * on typed networks and with --per-layer. */
#include <unistd.h>

#include "bmc_runner.h"
#include "graph_helpers.h"

#define TYPED_NET "tests/data/profile/typed.xml"
#define TYPED_CSV "tests/data/profile/typed.csv"
#define WRAP_NET "tests/data/profile/wrap.xml"
#define WRAP_CSV "tests/data/profile/wrap.csv"

/* tests/data/profile/typed.xml: inputs fixed<8,4>;
 *   layer 1: weight_t fixed<6,2>, accum_t fixed<8,4> (-8 .. 7.9375),
 *            result_t fixed<6,3> (-4 .. 3.875) saturating, relu:
 *            n0 = relu(sat(1.5 x0 + 1 x1 + 0.5)), n1 = relu(sat(-x0 + 0.5 x1 - 1))
 *   layer 2: weight_t fixed<4,2>, accum_t fixed<7,3> (-4 .. 3.9375) wrapping,
 *            result_t fixed<8,4>, linear: y = 1.5 n0 - 1 n1 + 0.25
 * The machine word is 8 bits (layer 2's weights are stored scaled by 2^3).
 * On typed.csv, vector (2,3):
 *   layer 1 products 3 3 -2 1.5, sums 6 6.5 -0.5 -1.5; results: 6.5
 *   saturates to 3.875 (exactly 6.5), -1.5; outputs 3.875 (exactly 6.5), 0;
 *   layer 2 products 1.5*3.875 = 5.8125 (exactly 9.75) and 0, sums 5.8125
 *   6.0625 (exactly 9.75 10); 6.0625 (raw 97) does not fit accum_t: it
 *   wraps to -1.9375 (raw -31), the result (exactly 10).
 * vector (-1,0.5):
 *   layer 1 products -1.5 0.5 1 0.25, sums -1 -0.5 1.25 0.25; results
 *   -0.5 0.25; outputs 0 0.25;
 *   layer 2 products 0 -0.25, sums -0.25 0, result 0.
 * So 1 saturated result (layer 1) and 1 wrapped sum (layer 2). */

/* raw of a decimal with f fraction bits */
static int64_t raw_of(double x, unsigned f)
{
    return (int64_t)(x * (double)((int64_t)1 << f));
}

static bm_network *read_net(bm_ctx *ctx, const char *path)
{
    bm_network *net = NULL;
    int rc = bm_network_read_file(&net, ctx, path, NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s", d);
    free(d);
    return net;
}

static bm_vectors *read_vectors(const bm_network *net, bm_graph **g, const char *csv)
{
    cr_assert_eq(bm_network_to_graph(g, net), 0);
    bm_vectors *v = NULL;
    cr_assert_eq(bm_vectors_read_file(&v, *g, csv, 0), 0);
    return v;
}

typedef struct expected_row {
    bm_profile_part part;
    double fixed_min, fixed_max, exact_min, exact_max;
    unsigned frac, int_bits;
    uint64_t wrapped;
} expected_row;

static void expect_row(const bm_profile *p, unsigned layer, const expected_row *e)
{
    bm_value_range r;
    bm_fixed_type t;
    cr_assert_eq(bm_profile_layer(p, layer, e->part, &r), 0);
    cr_assert_eq(bm_profile_layer_type(p, layer, e->part, &t), 0);
    cr_expect_eq(t.frac, e->frac, "layer %u part %d: frac %u", layer + 1, e->part, t.frac);
    cr_expect_eq(r.min, raw_of(e->fixed_min, e->frac), "layer %u part %d: min %lld", layer + 1,
                 e->part, (long long)r.min);
    cr_expect_eq(r.max, raw_of(e->fixed_max, e->frac), "layer %u part %d: max %lld", layer + 1,
                 e->part, (long long)r.max);
    cr_expect_eq(r.exact_min, raw_of(e->exact_min, e->frac), "layer %u part %d: exact min %lld",
                 layer + 1, e->part, (long long)r.exact_min);
    cr_expect_eq(r.exact_max, raw_of(e->exact_max, e->frac), "layer %u part %d: exact max %lld",
                 layer + 1, e->part, (long long)r.exact_max);
    cr_expect_eq(r.int_bits, e->int_bits, "layer %u part %d: int bits %u", layer + 1, e->part,
                 r.int_bits);
    cr_expect_eq(r.wrapped, e->wrapped, "layer %u part %d: wrapped %llu", layer + 1, e->part,
                 (unsigned long long)r.wrapped);
    /* every decimal here is exact, and the float model neither wraps nor
     * saturates: it computes the exact values */
    cr_expect_eq(r.float_min, e->exact_min, "layer %u part %d: float min %g", layer + 1, e->part,
                 r.float_min);
    cr_expect_eq(r.float_max, e->exact_max, "layer %u part %d: float max %g", layer + 1, e->part,
                 r.float_max);
}

Test(profile_typed, ranges_of_a_hand_made_typed_network)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = read_net(ctx, TYPED_NET);
    bm_graph *g;
    bm_vectors *v = read_vectors(net, &g, TYPED_CSV);
    bm_profile *p = NULL;
    cr_assert_eq(bm_network_profile(&p, net, v), 0);
    cr_expect_eq(bm_profile_vector_count(p), 2);
    cr_assert_eq(bm_profile_layer_count(p), 2);
    static const expected_row layer1[] = {
        {BM_PROFILE_WEIGHTS, -1, 1.5, -1, 1.5, 4, 2, 0},
        {BM_PROFILE_PRODUCTS, -2, 3, -2, 3, 4, 3, 0},
        {BM_PROFILE_SUMS, -1.5, 6.5, -1.5, 6.5, 4, 4, 0},
        {BM_PROFILE_BIASES, -1, 0.5, -1, 0.5, 4, 1, 0},
        /* 6.5 saturated to 3.875; exactly it needs 4 integer bits */
        {BM_PROFILE_RESULTS, -1.5, 3.875, -1.5, 6.5, 3, 4, 0},
        {BM_PROFILE_OUTPUTS, 0, 3.875, 0, 6.5, 3, 4, 0},
    };
    static const expected_row layer2[] = {
        {BM_PROFILE_WEIGHTS, -1, 1.5, -1, 1.5, 2, 2, 0},
        {BM_PROFILE_PRODUCTS, -0.25, 5.8125, -0.25, 9.75, 4, 5, 0},
        /* 6.0625 wrapped at accum_t's 7 bits (counted at the sum) */
        {BM_PROFILE_SUMS, -0.25, 6.0625, -0.25, 10, 4, 5, 1},
        {BM_PROFILE_BIASES, 0.25, 0.25, 0.25, 0.25, 4, 1, 0},
        {BM_PROFILE_RESULTS, -1.9375, 0, 0, 10, 4, 5, 0},
        {BM_PROFILE_OUTPUTS, -1.9375, 0, 0, 10, 4, 5, 0},
    };
    for (size_t k = 0; k < sizeof layer1 / sizeof layer1[0]; k++)
        expect_row(p, 0, &layer1[k]);
    for (size_t k = 0; k < sizeof layer2 / sizeof layer2[0]; k++)
        expect_row(p, 1, &layer2[k]);
    bm_fixed_type t;
    cr_assert_eq(bm_profile_layer_type(p, 0, BM_PROFILE_RESULTS, &t), 0);
    cr_expect(t.total == 6 && t.frac == 3);
    cr_assert_eq(bm_profile_layer_type(p, 1, BM_PROFILE_SUMS, &t), 0);
    cr_expect(t.total == 7 && t.frac == 4);
    uint64_t wrapped = 9, saturated = 9;
    cr_assert_eq(bm_profile_layer_counts(p, 0, &wrapped, &saturated), 0);
    cr_expect_eq(wrapped, 0);
    cr_expect_eq(saturated, 1);
    cr_assert_eq(bm_profile_layer_counts(p, 1, &wrapped, &saturated), 0);
    cr_expect_eq(wrapped, 1);
    cr_expect_eq(saturated, 0);
    bm_value_range r;
    cr_assert_eq(bm_profile_inputs(p, &r), 0);
    cr_expect(r.min == raw_of(-1, 4) && r.max == raw_of(3, 4));

    /* the suggestion: each type's fraction bits, the exact values' integer bits */
    bm_layer_types s;
    cr_assert_eq(bm_profile_suggest_layer_types(p, 0, &s), 0);
    cr_expect(s.weight.total == 6 && s.weight.frac == 4);
    cr_expect(s.accum.total == 8 && s.accum.frac == 4);
    cr_expect(s.result.total == 7 && s.result.frac == 3, "fixed<%u,%u>", s.result.total,
              s.result.total - s.result.frac);
    cr_expect_eq(s.overflow, BM_OVERFLOW_SATURATE);
    cr_assert_eq(bm_profile_suggest_layer_types(p, 1, &s), 0);
    cr_expect(s.weight.total == 4 && s.weight.frac == 2);
    cr_expect(s.accum.total == 9 && s.accum.frac == 4);
    cr_expect(s.result.total == 9 && s.result.frac == 4);
    cr_expect_eq(s.overflow, BM_OVERFLOW_WRAP);
    expect_graph_diags(ctx, "");
    bm_profile_free(p);
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* Applies every layer's suggestion, writes the network and reads it back. */
static bm_network *retyped(bm_ctx *ctx, bm_network *net, const bm_profile *p)
{
    for (unsigned l = 0; l < bm_network_layer_count(net); l++) {
        bm_layer_types s;
        cr_assert_eq(bm_profile_suggest_layer_types(p, l, &s), 0);
        cr_assert_eq(bm_network_set_layer_types(net, l, &s), 0, "layer %u", l + 1);
    }
    char *xml;
    size_t len;
    cr_assert_eq(bm_network_write_memory(net, &xml, &len), 0);
    cr_expect(strstr(xml, "format=\"2\""), "%s", xml);
    bm_network *back = NULL;
    int rc = bm_network_read(&back, ctx, xml, len, "retyped.xml", NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s\n%s", d, xml);
    free(d);
    bm_xml_buffer_free(ctx, xml);
    return back;
}

/* With the suggested types nothing wraps or saturates, and every value is
 * the profile's exact one. */
static void expect_exact_after_retyping(bm_ctx *ctx, bm_network *net, const bm_profile *p,
                                        const char *csv, int labels, const char *what)
{
    bm_network *back = retyped(ctx, net, p);
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, back), 0);
    bm_vectors *v = NULL;
    cr_assert_eq(bm_vectors_read_file(&v, g, csv, labels), 0, "%s", what);
    uint64_t wrapped = 1;
    cr_expect_eq(bm_graph_warn_wraps(g, v, 10, &wrapped), 0);
    cr_expect_eq(wrapped, 0, "%s: %llu wrapped", what, (unsigned long long)wrapped);
    bm_profile *q = NULL;
    cr_assert_eq(bm_network_profile(&q, back, v), 0);
    for (unsigned l = 0; l < bm_profile_layer_count(q); l++) {
        uint64_t w = 1, s = 1;
        bm_profile_layer_counts(q, l, &w, &s);
        cr_expect(w == 0 && s == 0, "%s: layer %u: %llu wrapped, %llu saturated", what, l + 1,
                  (unsigned long long)w, (unsigned long long)s);
        bm_value_range before, after;
        bm_profile_layer(p, l, BM_PROFILE_OUTPUTS, &before);
        bm_profile_layer(q, l, BM_PROFILE_OUTPUTS, &after);
        cr_expect(after.min == before.exact_min && after.max == before.exact_max,
                  "%s: layer %u outputs %lld..%lld, exactly %lld..%lld before", what, l + 1,
                  (long long)after.min, (long long)after.max, (long long)before.exact_min,
                  (long long)before.exact_max);
    }
    bm_profile_free(q);
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_network_free(back);
    bm_ctx_clear_diags(ctx);
}

Test(profile_typed, the_suggested_types_wrap_and_saturate_nothing)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = read_net(ctx, TYPED_NET);
    bm_graph *g;
    bm_vectors *v = read_vectors(net, &g, TYPED_CSV);
    bm_profile *p = NULL;
    cr_assert_eq(bm_network_profile(&p, net, v), 0);
    bm_vectors_free(v);
    bm_graph_free(g);
    /* the profile reads the network: retype a second copy */
    bm_network *copy = read_net(ctx, TYPED_NET);
    expect_exact_after_retyping(ctx, copy, p, TYPED_CSV, 0, "typed.xml");
    bm_profile_free(p);
    bm_network_free(copy);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* The profile's fixed-point values are bm_graph_eval()'s: the last layer's
 * outputs (what the argmax reads), compared on every iris vector. */
Test(profile_typed, fixed_values_are_those_of_the_evaluator)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = read_net(ctx, "examples/networks/iris-typed.xml");
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    bm_vectors *v = NULL;
    cr_assert_eq(bm_vectors_read_file(&v, g, "examples/networks/iris-all.csv", 1), 0);
    bm_profile *p = NULL;
    cr_assert_eq(bm_network_profile(&p, net, v), 0);
    unsigned argmax = bm_graph_node_operand(g, bm_graph_output(g, 0), 0);
    cr_assert_eq(bm_graph_node_op(g, argmax), BM_OP_ARGMAX);
    cr_assert_eq(bm_graph_node_operand_count(g, argmax), 3);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    int64_t *values = malloc(bm_graph_node_count(g) * sizeof *values);
    cr_assert_not_null(values);
    for (size_t k = 0; k < bm_vectors_count(v); k++) {
        cr_assert_eq(bm_graph_eval_nodes(g, bm_vectors_inputs(v, k), values), 0);
        for (unsigned j = 0; j < 3; j++) {
            int64_t y = values[bm_graph_node_operand(g, argmax, j)];
            lo = y < lo ? y : lo;
            hi = y > hi ? y : hi;
        }
    }
    free(values);
    bm_value_range r;
    cr_assert_eq(bm_profile_layer(p, 1, BM_PROFILE_OUTPUTS, &r), 0);
    cr_expect_eq(r.count, 3 * 150);
    cr_expect(r.min == lo && r.max == hi, "profile %lld..%lld, eval %lld..%lld",
              (long long)r.min, (long long)r.max, (long long)lo, (long long)hi);
    bm_network *copy = read_net(ctx, "examples/networks/iris-typed.xml");
    expect_exact_after_retyping(ctx, copy, p, "examples/networks/iris-all.csv", 1, "iris-typed");
    bm_network_free(copy);
    bm_profile_free(p);
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* Random typed networks (tests/graph_helpers.h) on random inputs: the
 * outputs' fixed range is the evaluator's, and the suggested types give
 * the exact values with nothing wrapped or saturated. */
Test(profile_typed, random_typed_networks)
{
    bm_ctx *ctx = graph_ctx();
    unsigned profiled = 0, typed = 0;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        bm_fixed_type t;
        uint64_t s;
        size_t len;
        char *xml = random_network_xml_typed(seed, 9, 3, 4, 1, 1, &t, &s, &len);
        bm_network *net = NULL;
        if (bm_network_read(&net, ctx, xml, len, "r.xml", NULL)) {
            bm_ctx_clear_diags(ctx); /* a draw that breaks a rule */
            free(xml);
            continue;
        }
        bm_graph *g;
        cr_assert_eq(bm_network_to_graph(&g, net), 0);
        char csv[4096];
        size_t n = 0;
        unsigned inputs = bm_network_input_count(net);
        for (int k = 0; k < 12; k++)
            for (unsigned i = 0; i < inputs; i++) {
                char dec[96];
                bm_fixed_format(dec, sizeof dec, test_random_raw(&s, t), t);
                n += (size_t)snprintf(csv + n, sizeof csv - n, "%s%s", dec,
                                      i + 1 < inputs ? "," : "\n");
            }
        bm_vectors *v = NULL;
        cr_assert_eq(bm_vectors_read(&v, g, csv, n, "r.csv", 0), 0, "seed %llu",
                     (unsigned long long)seed);
        bm_profile *p = NULL;
        cr_assert_eq(bm_network_profile(&p, net, v), 0, "seed %llu", (unsigned long long)seed);
        profiled++;
        typed += strstr(xml, "_t ") != NULL;
        unsigned last = bm_network_layer_count(net) - 1;
        if (!bm_network_has_argmax(net)) {
            int64_t lo = INT64_MAX, hi = INT64_MIN, out[16];
            for (size_t k = 0; k < bm_vectors_count(v); k++) {
                cr_assert_eq(bm_graph_eval(g, bm_vectors_inputs(v, k), out), 0);
                for (unsigned j = 0; j < bm_graph_output_count(g); j++) {
                    lo = out[j] < lo ? out[j] : lo;
                    hi = out[j] > hi ? out[j] : hi;
                }
            }
            bm_value_range r;
            bm_profile_layer(p, last, BM_PROFILE_OUTPUTS, &r);
            cr_expect(r.min == lo && r.max == hi, "seed %llu: profile %lld..%lld, eval %lld..%lld",
                      (unsigned long long)seed, (long long)r.min, (long long)r.max,
                      (long long)lo, (long long)hi);
        }
        bm_network *copy = NULL;
        cr_assert_eq(bm_network_read(&copy, ctx, xml, len, "r.xml", NULL), 0);
        char path[64];
        snprintf(path, sizeof path, "/tmp/bm_test_profile_typed_%d.csv", (int)getpid());
        spit(path, csv);
        char what[32];
        snprintf(what, sizeof what, "seed %llu", (unsigned long long)seed);
        expect_exact_after_retyping(ctx, copy, p, path, 0, what);
        unlink(path);
        bm_network_free(copy);
        bm_profile_free(p);
        bm_vectors_free(v);
        bm_graph_free(g);
        bm_network_free(net);
        free(xml);
    }
    /* most draws keep the rules, and most of those have per-layer types */
    cr_expect_geq(profiled, 40, "%u profiled", profiled);
    cr_expect_geq(typed, 30, "%u typed", typed);
    bm_ctx_free(ctx);
}

Test(profile_typed, errors)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = read_net(ctx, TYPED_NET);
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    /* vectors read for another graph: 1 value each, the network has 2 */
    bm_graph *one = text_graph(ctx, "input x\noutput y = x + 1\n");
    bm_vectors *v = NULL;
    cr_assert_eq(bm_vectors_read(&v, one, "1\n", 2, "one.csv", 0), 0);
    bm_profile *p = (bm_profile *)1;
    cr_expect_eq(bm_network_profile(&p, net, v), BM_EINVAL);
    cr_expect_null(p);
    expect_graph_diags(ctx, TYPED_NET ":3:1: error: the vectors have 1 values each, the network "
                            "2 inputs\n");
    bm_ctx_clear_diags(ctx);
    cr_expect_eq(bm_network_profile(NULL, net, v), BM_EINVAL);

    /* a graph profile has no weights, biases or results, nor layer types */
    bm_profile *gp = NULL;
    cr_assert_eq(bm_graph_profile(&gp, one, v), 0);
    bm_vectors_free(v);
    bm_layer_types s;
    cr_expect_eq(bm_profile_suggest_layer_types(gp, 0, &s), BM_EINVAL);
    expect_graph_diags(ctx, "t.bmg: error: per-layer types need a network profile "
                            "(bm_network_profile)\n");
    bm_ctx_clear_diags(ctx);
    bm_profile_free(gp);

    /* a network profile has no one type: ALL, all and suggest_type refuse */
    cr_assert_eq(bm_vectors_read_file(&v, g, TYPED_CSV, 0), 0);
    cr_assert_eq(bm_network_profile(&p, net, v), 0);
    bm_value_range r;
    bm_fixed_type t;
    cr_expect_eq(bm_profile_layer(p, 0, BM_PROFILE_ALL, &r), BM_EINVAL);
    cr_expect_eq(bm_profile_all(p, &r), BM_EINVAL);
    cr_expect_eq(bm_profile_suggest_type(p, &t), BM_EINVAL);
    cr_expect_eq(bm_profile_layer(p, 2, BM_PROFILE_SUMS, &r), BM_EINVAL);
    cr_expect_eq(bm_profile_layer(p, 0, (bm_profile_part)99, &r), BM_EINVAL);
    cr_expect_eq(bm_profile_suggest_layer_types(p, 2, &s), BM_EINVAL);
    bm_ctx_clear_diags(ctx);
    bm_profile_free(p);

    /* set_layer_types: a value that does not fit, a type that breaks a
     * rule: the network stays as it was */
    bm_layer_types before, bad;
    bm_network_layer_types(net, 0, &before);
    bad = before;
    bad.weight = (bm_fixed_type){5, 4}; /* -1 .. 0.9375: 1.5 does not fit */
    cr_expect_eq(bm_network_set_layer_types(net, 0, &bad), BM_ERANGE);
    expect_graph_diags(ctx, TYPED_NET ":5:3: error: layer 1: weight 1.5 does not fit "
                            "fixed<5,1>\n");
    bm_ctx_clear_diags(ctx);
    bad = before;
    bad.accum = (bm_fixed_type){16, 2}; /* drops 6 bits of a product: more than 4 */
    cr_expect_eq(bm_network_set_layer_types(net, 0, &bad), BM_EINVALID);
    char *d = graph_diags(ctx);
    cr_expect(strstr(d, "too few fraction bits"), "%s", d);
    free(d);
    bm_ctx_clear_diags(ctx);
    bad.accum = (bm_fixed_type){1, 0};
    cr_expect_eq(bm_network_set_layer_types(net, 0, &bad), BM_EINVAL);
    cr_expect_eq(bm_network_set_layer_types(net, 5, &before), BM_EINVAL);
    bm_ctx_clear_diags(ctx);
    bm_layer_types after;
    bm_network_layer_types(net, 0, &after);
    cr_expect(memcmp(&after, &before, sizeof after) == 0);
    cr_expect_eq(bm_network_layer_weights(net, 0)[0], 24); /* 1.5 in fixed<6,2> */
    bm_vectors_free(v);
    bm_graph_free(one);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* ---- bmc ---------------------------------------------------------------- */

static char *scratch_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bm_test_profile_typed_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static void scratch_done(const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/.stdout", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/.stderr", dir);
    unlink(path);
    cr_expect_eq(rmdir(dir), 0, "%s holds more than bmc_run's files", dir);
}

Test(bmc_profile_typed, a_typed_network_in_its_layers_types)
{
    char *dir = scratch_dir();
    bmc_result r = bmc_run(dir, "profile", TYPED_NET, "--vectors", TYPED_CSV, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.err, "");
    cr_expect(strstr(r.out, "profile of " TYPED_NET " over 2 vectors in its layers' types "
                            "(inputs in fixed<8,4>, machine word 8 bits)\n") == r.out,
              "%s", r.out);
    cr_expect(strstr(r.out, "\nlayer 1 results    fixed<6,3>            -1.5          6.5"
                            "           -1.5          3.875           -1.5            6.5    4"
                            "        0         1\n"),
              "%s", r.out);
    cr_expect(strstr(r.out, "\nlayer 2 sums       fixed<7,3>           -0.25           10"
                            "          -0.25         6.0625          -0.25             10    5"
                            "        1         -\n"),
              "%s", r.out);
    cr_expect(strstr(r.out, "\nwrapped: 1 values; saturated: 1 results\n"), "%s", r.out);
    cr_expect(strstr(r.out, "  layer 1: weight_t fixed<6,2>, accum_t fixed<8,4>, result_t "
                            "fixed<7,4> (saturate)\n"
                            "  layer 2: weight_t fixed<4,2>, accum_t fixed<9,5>, result_t "
                            "fixed<9,5>\n"),
              "%s", r.out);
    bmc_result_free(&r);

    r = bmc_run(dir, "profile", TYPED_NET, "--vectors", TYPED_CSV, "--Werror-overflow", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err, "bmc profile: error: 1 values wrapped (--Werror-overflow)\n");
    bmc_result_free(&r);

    /* -o: format 2 in the suggested types, the overflow modes kept; eval
     * of it wraps nothing and gives the exact values */
    char out[128];
    snprintf(out, sizeof out, "%s/typed-wide.xml", dir);
    r = bmc_run(dir, "profile", TYPED_NET, "--vectors", TYPED_CSV, "-o", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    char *text = slurp(out, NULL);
    cr_assert_not_null(text);
    cr_expect(strstr(text, "<network format=\"2\" name=\"typed\" total=\"8\" frac=\"4\">"), "%s",
              text);
    cr_expect(strstr(text, "<result_t total=\"7\" frac=\"3\" overflow=\"saturate\"/>"), "%s",
              text);
    cr_expect(strstr(text, "<accum_t total=\"9\" frac=\"4\"/>\n    <result_t total=\"9\" "
                           "frac=\"4\"/>"),
              "%s", text);
    free(text);
    r = bmc_run(dir, "eval", out, "--vectors", TYPED_CSV, "--Werror-overflow", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "1: y0=10 (raw 160)\n2: y0=0 (raw 0)\n");
    cr_expect_str_eq(r.err, "");
    bmc_result_free(&r);
    unlink(out);

    /* bad inputs: vectors of the wrong size, a value beyond the inputs'
     * type; nothing is written */
    char csv[128];
    snprintf(csv, sizeof csv, "%s/bad.csv", dir);
    spit(csv, "1,2,3\n");
    r = bmc_run(dir, "profile", TYPED_NET, "--vectors", csv, "-o", out, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "bad.csv:1:"), "%s", r.err);
    cr_expect_eq(access(out, F_OK), -1);
    bmc_result_free(&r);
    spit(csv, "1,9\n");
    r = bmc_run(dir, "profile", TYPED_NET, "--vectors", csv, "-o", out, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "bad.csv:1:"), "%s", r.err);
    cr_expect_eq(access(out, F_OK), -1);
    bmc_result_free(&r);
    unlink(csv);
    scratch_done(dir);
}

Test(bmc_profile_typed, per_layer_on_an_untyped_network)
{
    char *dir = scratch_dir();
    /* without --per-layer: one type, as before */
    bmc_result r = bmc_run(dir, "profile", WRAP_NET, "--vectors", WRAP_CSV, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\nsuggested type: fixed<10,6>"), "%s", r.out);
    bmc_result_free(&r);

    char out[128];
    snprintf(out, sizeof out, "%s/per-layer.xml", dir);
    r = bmc_run(dir, "profile", WRAP_NET, "--vectors", WRAP_CSV, "--per-layer", "-o", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "in its layers' types"), "%s", r.out);
    /* wrap.xml's 5 wraps (tests/test_profile.c), the same in this view */
    cr_expect(strstr(r.out, "\nwrapped: 5 values; saturated: 0 results\n"), "%s", r.out);
    cr_expect(strstr(r.out, "  layer 1: weight_t fixed<7,3>, accum_t fixed<9,5>, result_t "
                            "fixed<9,5>\n"
                            "  layer 2: weight_t fixed<7,3>, accum_t fixed<10,6>, result_t "
                            "fixed<10,6>\n"),
              "%s", r.out);
    bmc_result_free(&r);
    char *text = slurp(out, NULL);
    cr_assert_not_null(text);
    cr_expect(strstr(text, "<network format=\"2\" name=\"wrap\" total=\"8\" frac=\"4\">"), "%s",
              text);
    free(text);
    /* the exact values of tests/test_profile.c, nothing wrapped */
    r = bmc_run(dir, "eval", out, "--vectors", WRAP_CSV, "--Werror-overflow", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "1: y0=13.75 (raw 220)\n2: y0=30.25 (raw 484)\n"
                            "3: y0=30.75 (raw 492)\n4: y0=5.125 (raw 82)\n");
    cr_expect_str_eq(r.err, "");
    bmc_result_free(&r);
    unlink(out);

    /* --per-layer needs a network */
    r = bmc_run(dir, "profile", "examples/graph/expr.bmg", "--vectors",
                "tests/data/graph/expr.csv", "--per-layer", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "not a network"), "%s", r.err);
    bmc_result_free(&r);
    scratch_done(dir);
}
